"""Fixtures for export tests: stores copied from templates built once per worker.

Creating and migrating a store costs far more than copying one, so each
template is built once and every test gets its own copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from formers_tui.exporting.bundle import import_bundle, write_bundle
from formers_tui.protocol.loader import load_path
from formers_tui.store import signing
from formers_tui.store.store import Store
from tests.conftest import FIXTURES, make_interview
from tests.exporting.builders import People, build_interview
from tests.store.test_panel import give_pins

CANARY = People(
    code="CANARYCODE-77",
    full_name="Zebulon Quasimodo",
    contact="zq-canary@mail.invalid",
    panel=("Dr. Perpetua Canarywing", "Octavius Birdsong", "Philomena Larkspur"),
    informant="Ignatius Tattletale",
    speaker="Sylvester Mouthpiece",
    extra_text=(
        "Zebulon Quasimodo met OCTAVIUS BIRDSONG; CANARYCODE-77 told Ignatius Tattletale "
        "and Sylvester Mouthpiece (zq-canary@mail.invalid); Perpetua agreed on 2015-06-01."
    ),
)
"""Names and codes placed in every field and in every free text."""
CANARY_TWO = People(
    code="CANARYCODE-88",
    full_name="Wilhelmina Quetzal",
    contact="",
    panel=("Dr. Perpetua Canarywing", "Barnaby Thistlewood"),
    informant="Ignatius Tattletale",
    speaker="Candidate",
    extra_text="Wilhelmina Quetzal (CANARYCODE-88) spoke with Barnaby Thistlewood.",
)
CANARY_STRINGS = (
    "CANARYCODE",
    "Zebulon",
    "Quasimodo",
    "zq-canary",
    "Perpetua",
    "Canarywing",
    "Octavius",
    "Birdsong",
    "Philomena",
    "Larkspur",
    "Ignatius Tattletale",
    "Sylvester",
    "Mouthpiece",
    "Wilhelmina",
    "Quetzal",
    "Barnaby",
    "Thistlewood",
    "old depot",
    "1988-04-09",
    "2009-03-01",
    "2015-06-01",
)
"""Strings that must not survive de-identification (case-insensitive)."""


def _template(folder: Path, name: str, fill: Callable[[Store], None]) -> Path:
    path = folder / name
    store = Store.open(path)
    try:
        fill(store)
    finally:
        store.close()
    return path


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Template store files: ``rich`` (one finalized, one in consensus) and ``empty``."""
    folder = tmp_path_factory.mktemp("templates")
    protocol = load_path(FIXTURES / "mini-protocol.toml")

    def rich(store: Store) -> None:
        build_interview(store, protocol, finalize=True)
        build_interview(
            store,
            protocol,
            People(code="PM-EXPORT-02", full_name="Blake Second", panel=("Cy Chair", "Di Two")),
        )

    def canary(store: Store) -> None:
        build_interview(store, protocol, CANARY, finalize=True)
        build_interview(store, protocol, CANARY_TWO)

    return {
        "rich": _template(folder, "rich.db", rich),
        "canary": _template(folder, "canary.db", canary),
        "empty": _template(folder, "empty.db", lambda store: None),
    }


def open_copy(template: Path, target: Path) -> Store:
    """Open a private copy of a template store."""
    shutil.copy(template, target)
    return Store.open(target)


@pytest.fixture
def rich_store(templates: dict[str, Path], tmp_path: Path) -> Iterator[Store]:
    """A store with one finalized interview (with addendum) and one in consensus."""
    store = open_copy(templates["rich"], tmp_path / "rich.db")
    yield store
    store.close()


@pytest.fixture
def canary_store(templates: dict[str, Path], tmp_path: Path) -> Iterator[Store]:
    """Two candidates whose names and codes appear in every field and every text."""
    store = open_copy(templates["canary"], tmp_path / "canary.db")
    yield store
    store.close()


@pytest.fixture
def empty_store(templates: dict[str, Path], tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store to import into."""
    store = open_copy(templates["empty"], tmp_path / "empty.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def laptop_templates(
    templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, str]:
    """The chair's store (PINs set, so keys made) and the laptop it sent the interview to.

    Built once and copied for each test: PINs and keys cost a key derivation each.
    """
    folder = tmp_path_factory.mktemp("laptops")
    chair = open_copy(templates["empty"], folder / "chair.db")
    laptop = open_copy(templates["empty"], folder / "laptop.db")
    cost = signing.SCRYPT_N
    signing.SCRYPT_N = 2**10  # sealed keys record their cost, so copies open them cheaply
    try:
        iid = make_interview(chair, load_path(FIXTURES / "mini-protocol.toml"))
        give_pins(chair, iid)
        with chair.session() as session:
            write_bundle(session, iid, folder / "blank.bundle", with_ratings=False)
        with laptop.session() as session:
            import_bundle(session, folder / "blank.bundle")
    finally:
        signing.SCRYPT_N = cost
        chair.close()
        laptop.close()
    return folder / "chair.db", folder / "laptop.db", iid
