"""Encryption at rest: no plaintext anywhere on disk, wrong passphrases, rekeying."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.store import capture
from formers_tui.store.backup import backup, restore
from formers_tui.store.engine import StoreError
from formers_tui.store.interviews import PanelistIn, create_interview
from formers_tui.store.models import Role
from formers_tui.store.store import PassphraseNeeded, Store, is_encrypted

CANARIES = [
    "CANARY-CODE-7731",
    "Canary Panelist Zed",
    "canary note about Hollowbrook",
    "CANARY-QUOTE",
]
PASSPHRASE = "lantern orbit seventeen harbour"
runner = CliRunner()


def fill(store: Store, protocol: object) -> str:
    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code=CANARIES[0],
            protocol=protocol,  # type: ignore[arg-type]
            panel=[PanelistIn(CANARIES[1], Role.psychologist), PanelistIn("B", Role.other)],
            actor=CANARIES[1],
            consent_given=True,
        )
        session.commit()
        capture.save_note(
            session, interview_id=interview.id, indicator_id="ONE-1", text=CANARIES[2], actor="x"
        )
        capture.add_quote(
            session,
            interview_id=interview.id,
            indicator_id="ONE-1",
            text=CANARIES[3],
            speaker="Candidate",
            actor="x",
        )
        session.commit()
        return interview.id


def files_of(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def assert_no_canary(folder: Path) -> None:
    found = files_of(folder)
    assert found
    for path in found:
        data = path.read_bytes()
        for canary in CANARIES:
            assert canary.encode() not in data, f"{canary} in {path.name}"


def test_nothing_readable_in_store_wal_or_backup(tmp_path: Path, mini_protocol: object) -> None:
    folder = tmp_path / "vault"
    store = Store.open(folder / "formers.db", passphrase=PASSPHRASE)
    try:
        iid = fill(store, mini_protocol)
        assert store.encrypted
        assert (folder / "formers.db-wal").exists()
        backup(store.path, key=store.key)
        assert_no_canary(folder)  # while open: store, WAL, shm, backup
    finally:
        store.close()
    assert_no_canary(folder)
    reopened = Store.open(folder / "formers.db", passphrase=PASSPHRASE)
    try:
        with reopened.session() as session:
            assert capture.notes_of(session, iid) == {"ONE-1": CANARIES[2]}
    finally:
        reopened.close()


def test_plaintext_store_does_show_the_canary(tmp_path: Path, mini_protocol: object) -> None:
    """The check above can fail: without a passphrase the words are on disk."""
    store = Store.open(tmp_path / "plain" / "formers.db")
    try:
        fill(store, mini_protocol)
    finally:
        store.close()
    with pytest.raises(AssertionError):
        assert_no_canary(tmp_path / "plain")


def test_wrong_or_missing_passphrase_is_one_sentence_and_writes_nothing(
    tmp_path: Path, mini_protocol: object
) -> None:
    path = tmp_path / "s.db"
    Store.open(path, passphrase=PASSPHRASE).close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(path, passphrase="not the passphrase")
    assert str(caught.value) == f"Wrong passphrase for the store at {path}."
    with pytest.raises(PassphraseNeeded):
        Store.open(path)
    assert path.read_bytes() == before


def test_restore_of_an_encrypted_backup(tmp_path: Path, mini_protocol: object) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path, passphrase=PASSPHRASE)
    iid = fill(store, mini_protocol)
    copy = backup(path, key=store.key)
    with store.session() as session:
        capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="later", actor="x")
        session.commit()
    key = store.key
    store.close()
    moved = restore(copy, path, key=key)
    assert moved is not None and moved.exists()
    again = Store.open(path, passphrase=PASSPHRASE)
    try:
        with again.session() as session:
            assert capture.notes_of(session, iid) == {"ONE-1": CANARIES[2]}
    finally:
        again.close()
    with pytest.raises(StoreError, match="Wrong passphrase"):
        restore(copy, path, key=None if key is None else type(key)(raw=b"\0" * 32, salt=key.salt))


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_cli_encrypt_then_rekey_keeps_the_data(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    code, out, _ = invoke(
        "--db",
        db,
        "new",
        "--candidate",
        CANARIES[0],
        "--panelist",
        "A B:other",
        "--panelist",
        "C D:other",
        "--consent",
    )
    assert code == 0
    iid = out.strip()
    assert not is_encrypted(Path(db))
    code, out, err = invoke("--db", db, "db", "encrypt", env={"FORMERS_NEW_PASSPHRASE": PASSPHRASE})
    assert code == 0, err
    assert is_encrypted(Path(db))
    assert CANARIES[0].encode() not in Path(db).read_bytes()
    code, _, err = invoke("--db", db, "list")
    assert code == 2 and "FORMERS_PASSPHRASE" in err
    code, out, _ = invoke("--db", db, "list", "--json", env={"FORMERS_PASSPHRASE": PASSPHRASE})
    assert code == 0 and CANARIES[0] in out
    code, _, err = invoke("--db", db, "list", env={"FORMERS_PASSPHRASE": "wrong passphrase!"})
    assert code == 2 and "Wrong passphrase" in err
    new = "a completely different passphrase"
    code, _, err = invoke(
        "--db",
        db,
        "db",
        "rekey",
        env={"FORMERS_PASSPHRASE": PASSPHRASE, "FORMERS_NEW_PASSPHRASE": new},
    )
    assert code == 0, err
    code, _, _ = invoke("--db", db, "show", iid, env={"FORMERS_PASSPHRASE": PASSPHRASE})
    assert code == 2
    code, out, _ = invoke("--db", db, "show", iid, "--json", env={"FORMERS_PASSPHRASE": new})
    assert code == 0 and CANARIES[0] in out
    code, out, _ = invoke("--db", db, "db", "check", "--json", env={"FORMERS_PASSPHRASE": new})
    assert code == 0 and '"encrypted": true' in out
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    leftovers.remove(".cli.db.lock")  # the lock file stays: removing one is a race
    assert leftovers == []


def test_new_store_from_cli_with_passphrase_is_encrypted_and_private(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    code, _, _ = invoke(
        "--db",
        str(db),
        "new",
        "--candidate",
        "PM-E",
        "--panelist",
        "A:other",
        "--panelist",
        "B:other",
        "--consent",
        env={"FORMERS_PASSPHRASE": PASSPHRASE},
    )
    assert code == 0 and is_encrypted(db)
    assert oct(os.stat(db).st_mode & 0o777) == "0o600"
    with sqlite3.connect(db) as connection, pytest.raises(sqlite3.DatabaseError):
        connection.execute("SELECT * FROM candidate").fetchall()
