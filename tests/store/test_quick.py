"""The list's first page read through plain SQLite, before the ORM is imported."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, lock, quick
from formers_tui.store.crypto import key_for_existing, new_key
from formers_tui.store.interviews import list_interviews
from formers_tui.store.models import FlagKind
from formers_tui.store.store import Store
from tests.conftest import make_interview

PASSPHRASE = "correct horse battery staple"


def fill(store: Store, protocol: LoadedProtocol) -> None:
    """Three interviews, one with a note and an open flag."""
    make_interview(store, protocol, "PM-1")
    make_interview(store, protocol, "PM-2")
    busy = make_interview(store, protocol, "PM-3")
    first = next(iter(protocol.protocol.indicators())).id
    with store.session() as session:
        capture.save_note(session, interview_id=busy, indicator_id=first, text="x", actor="t")
        capture.raise_flag(session, interview_id=busy, kind=FlagKind.other, note="d", actor="t")
        session.commit()


def test_the_page_is_the_stores_own_list(store: Store, mini_protocol: LoadedProtocol) -> None:
    fill(store, mini_protocol)
    with store.session() as session:
        whole = list_interviews(session)
    assert quick.first_page(store.path, None, 2) == whole[:2]
    assert quick.first_page(store.path, None, 100) == whole
    assert whole[0].with_notes == 1 and whole[0].open_flags == 1


def test_an_encrypted_store_is_read_with_its_key(
    tmp_path: Path, mini_protocol: LoadedProtocol
) -> None:
    path = tmp_path / "locked.db"
    store = Store.open(path, passphrase=PASSPHRASE, daily=False)
    try:
        fill(store, mini_protocol)
        with store.session() as session:
            whole = list_interviews(session)
    finally:
        store.close()
    assert quick.first_page(path, key_for_existing(path, PASSPHRASE), 10) == whole
    # A wrong key, or none: the store's own opening says what is wrong.
    assert quick.first_page(path, new_key(PASSPHRASE), 10) is None
    assert quick.first_page(path, None, 10) is None


def test_anything_unusual_is_left_to_the_stores_opening(store: Store, tmp_path: Path) -> None:
    assert quick.first_page(tmp_path / "missing.db", None, 10) is None
    (tmp_path / "empty.db").touch()
    assert quick.first_page(tmp_path / "empty.db", None, 10) is None
    assert quick.first_page(tmp_path, None, 10) is None  # a folder
    assert quick.first_page("postgresql://localhost/formers", None, 10) is None  # the ORM's
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert quick.first_page(tmp_path / "junk.db", None, 10) is None
    # A store at another schema revision needs the migrations first.
    connection = sqlite3.connect(store.path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '0006'")
    connection.close()
    assert quick.first_page(store.path, None, 10) is None


def test_a_store_being_replaced_is_not_read(store: Store) -> None:
    store.close()  # its shared lock: "alone" needs none held
    with lock.alone(store.path, "a test"):
        assert quick.first_page(store.path, None, 10) is None
    assert quick.first_page(store.path, None, 10) == []


def test_the_page_never_writes(store: Store, mini_protocol: LoadedProtocol) -> None:
    fill(store, mini_protocol)
    before = store.path.stat().st_mtime_ns, store.path.with_name("store.db-wal").stat().st_size
    quick.first_page(store.path, None, 10)
    after = store.path.stat().st_mtime_ns, store.path.with_name("store.db-wal").stat().st_size
    assert after == before


def test_reading_the_page_imports_no_orm(store: Store, mini_protocol: LoadedProtocol) -> None:
    fill(store, mini_protocol)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from formers_tui.store.quick import first_page\n"
        f"page = first_page(Path({str(store.path)!r}), None, 10)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel'))\n"
        "print(len(page), heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "3 []"


@pytest.mark.parametrize("limit", [1, 3])
def test_the_page_is_most_recent_first(
    store: Store, mini_protocol: LoadedProtocol, limit: int
) -> None:
    fill(store, mini_protocol)
    page = quick.first_page(store.path, None, limit)
    assert page is not None
    assert [row.candidate_code for row in page] == ["PM-3", "PM-2", "PM-1"][:limit]
