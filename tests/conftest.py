"""Shared fixtures: every test gets its own data dir and store in ``tmp_path``.

No test touches the real user data dir: ``FORMERS_HOME`` and ``FORMERS_DB``
point into ``tmp_path`` for every test (autouse).

The PostgreSQL fixtures (``pg_cluster``, ``pg_url``, ``pg_store``) live in
:mod:`tests.pg`; ``any_store`` runs a test on a SQLite file and on a server
database.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from formers_tui.protocol.loader import LoadedProtocol, load_path
from formers_tui.store.interviews import PanelistIn, create_interview
from formers_tui.store.models import Role
from formers_tui.store.store import Store
from tests import pacing

pytest.register_assert_rewrite("tests.pg")
from tests.pg import DIALECTS, LOOPBACK_ALLOWED, open_store_of  # noqa: E402

pytest_plugins = ["tests.pg"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow tests (a real terminal, a wheel, kills) first, longest first.

    Spread over workers, a long test started last keeps one worker busy
    after the other has finished; started first, the short ones fill in
    around it.
    """
    rank = {"test_walk_tmux.py": 0, "test_smoke_tmux.py": 1}
    slow = [item for item in items if item.get_closest_marker("slow")]
    slow.sort(key=lambda item: rank.get(item.path.name, 2))
    rest = [item for item in items if not item.get_closest_marker("slow")]
    items[:] = slow + rest


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test in which the program tries to reach the network.

    Local socket pairs (the event loop's wake-up pipe) and unix sockets stay
    allowed, and so does the test cluster's loopback port
    (:data:`tests.pg.LOOPBACK_ALLOWED`); any other internet address raises.
    """
    import socket

    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        allowed = isinstance(address, tuple) and tuple(address[:2]) in LOOPBACK_ALLOWED
        if self.family in (socket.AF_INET, socket.AF_INET6) and not allowed:
            raise RuntimeError(f"network connection attempted to {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: guarded(socket.socket(), a))


@pytest.fixture(autouse=True, scope="session")
def brisk_pilot_keys() -> Iterator[None]:
    """Pilots press keys as fast as the app finishes each one (see :mod:`tests.pacing`)."""
    with pacing.brisk():
        yield


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the data dir and default store at ``tmp_path``."""
    home = tmp_path / "home"
    monkeypatch.setenv("FORMERS_HOME", str(home))
    monkeypatch.delenv("FORMERS_DB", raising=False)
    return home


@pytest.fixture
def mini_protocol() -> LoadedProtocol:
    """The small test protocol (four indicators)."""
    return load_path(FIXTURES / "mini-protocol.toml")


@pytest.fixture
def shipped_protocol() -> LoadedProtocol:
    """The real peer-mentor protocol shipped in ``interviews/``."""
    return load_path(ROOT / "interviews" / "peer-mentor-readiness.toml")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store file, created and migrated once per test process.

    Running the migrations costs a few hundred milliseconds; copying the
    result costs a few. The file is closed before it is copied, so it is whole.
    """
    path = tmp_path_factory.mktemp("migrated") / "store.db"
    Store.open(path).close()
    return path


@pytest.fixture
def store(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    """A fresh, migrated store file in ``tmp_path`` (a copy of the migrated template).

    Opened without the daily backup, as a newly created store is: nothing
    beside it but its lock file.
    """
    path = tmp_path / "store.db"
    shutil.copyfile(migrated_template, path)
    opened = Store.open(path, daily=False)
    yield opened
    opened.close()


@pytest.fixture(params=DIALECTS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store on SQLite and then on PostgreSQL (``request.param``)."""
    opened = open_store_of(request.param, request, tmp_path)
    assert isinstance(opened, Store)
    yield opened
    opened.close()


PANEL = [
    PanelistIn("Dr. Ada Example", Role.psychologist, is_chair=True),
    PanelistIn("Sam Sample", Role.social_worker),
    PanelistIn("Pat Placeholder", Role.probation_parole),
]


def make_interview(store: Store, protocol: LoadedProtocol, code: str = "PM-TEST-01") -> str:
    """Create an interview with the three-member test panel; return its id."""
    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code=code,
            protocol=protocol,
            panel=list(PANEL),
            actor="test",
            interview_date=date(2026, 11, 2),
            consent_given=True,
            consent_date=date(2026, 11, 2),
        )
        session.commit()
        return interview.id


@pytest.fixture
def interview_id(store: Store, shipped_protocol: LoadedProtocol) -> str:
    """An interview on the shipped protocol in the test store."""
    return make_interview(store, shipped_protocol)
