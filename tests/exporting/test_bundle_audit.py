"""A bundle merge is logged row by row: it verifies clean, and an edit after it does not."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from formers_tui.exporting import bundle as bundle_module
from formers_tui.exporting.bundle import import_bundle
from formers_tui.store import audit, signing
from tests.exporting.conftest import open_copy
from tests.exporting.test_bundle_rules import SAM, Laptops


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_module, "SCRYPT_N", 2**10)
    monkeypatch.setattr(signing, "SCRYPT_N", 2**10)


@pytest.fixture
def laptops(laptop_templates: tuple[Path, Path, str], tmp_path: Path) -> Iterator[Laptops]:
    chair_file, laptop_file, iid = laptop_templates
    chair = open_copy(chair_file, tmp_path / "chair.db")
    laptop = open_copy(laptop_file, tmp_path / "laptop.db")
    state = Laptops(chair, laptop, iid, tmp_path)
    state.rate(laptop, SAM, 2)
    yield state
    chair.close()
    laptop.close()


def test_a_merged_bundle_verifies_and_a_later_edit_is_found(laptops: Laptops) -> None:
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    heads = audit.heads_in(path.read_text())  # the laptop's log, anchored in the bundle
    with laptops.laptop.session() as session:
        assert len(heads) == 1 and audit.check_heads(session, heads) == []
    with laptops.chair.session() as session:
        assert import_bundle(session, path).added > 0
        session.commit()
    with laptops.chair.session() as session:
        assert audit.verify_chain(session) == []
        assert audit.verify_state(session) == []
    with sqlite3.connect(laptops.chair.path) as connection:
        connection.execute("UPDATE rating SET rationale = 'not what Sam wrote'")
    with laptops.chair.session() as session:
        assert {m.entity for m in audit.verify_state(session)} == {"rating"}
