"""Recovery and anchoring: nothing committed is lost, and a head kept elsewhere holds."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import audit, capture, chain_key, crypto
from formers_tui.store.store import Store
from tests.conftest import make_interview

ROOT = Path(__file__).resolve().parents[2]
HOLDER = (
    "import sys, time; from pathlib import Path; from formers_tui.store.store import Store; "
    "import os; s = Store.open(Path(sys.argv[1]), passphrase=os.environ.get('FORMERS_PASSPHRASE'), "
    "daily=False); print('ready', flush=True); time.sleep(60)"
)


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_rekey_encrypt_and_restore_refuse_while_another_program_has_the_store(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    make_interview(store, mini_protocol)
    path = store.path
    store.close()
    code, backup, _ = run(path, "db", "backup")
    assert code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        env = {"FORMERS_NEW_PASSPHRASE": "correct horse battery"}
        code, _, err = run(path, "db", "encrypt", env=env)
        assert code != 0 and "Another program has the store" in err
        code, _, err = run(path, "db", "restore", backup.strip())
        assert code != 0 and "Another program has the store" in err
    finally:
        holder.kill()
        holder.wait()
    code, _, err = run(path, "db", "encrypt", env=env)
    assert code == 0, err
    assert not crypto.is_plaintext(Path(backup.strip()))  # its backups with it
    env = {
        "FORMERS_PASSPHRASE": "correct horse battery",
        "FORMERS_NEW_PASSPHRASE": "a new one here",
    }
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**__import__("os").environ, "FORMERS_PASSPHRASE": "correct horse battery"},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        code, _, err = run(path, "db", "rekey", env=env)
        assert code != 0 and "Another program has the store" in err
    finally:
        holder.kill()
        holder.wait()


def test_restore_after_a_killed_writer_keeps_its_committed_notes_aside(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    iid = make_interview(store, mini_protocol)
    path = store.path
    store.close()
    code, backup, _ = run(path, "db", "backup")
    assert code == 0
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.security.writer_child", str(path), iid, "ONE-1", "100000"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    last = writer.stdout.readline().strip()
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert Path(f"{path}-wal").exists()  # the commit may be in the WAL alone
    code, out, err = run(path, "db", "restore", backup.strip())
    assert code == 0, err
    kept = Path(out.split("kept as ")[1].strip().rstrip("."))
    aside = Store.open(kept, daily=False)
    try:
        with aside.session() as session:
            text = capture.notes_of(session, iid).get("ONE-1", "")
    finally:
        aside.close()
    assert int(text.split()[2]) >= int(last)
    assert not (kept.parent / "backups").exists()  # a backup opened as a store takes none


def test_rekey_re_encrypts_the_backups(tmp_path: Path) -> None:
    db = tmp_path / "enc.db"
    old = {"FORMERS_PASSPHRASE": "first passphrase"}
    code, _, err = run(
        db,
        "new",
        "--candidate",
        "PM-R",
        "--panelist",
        "Ann:psychologist",
        "--panelist",
        "Bo:social_worker",
        "--consent",
        env=old,
    )
    assert code == 0, err
    code, backup, _ = run(db, "db", "backup", env=old)
    assert code == 0
    code, _, err = run(db, "db", "rekey", env={**old, "FORMERS_NEW_PASSPHRASE": "second one!"})
    assert code == 0 and "Re-encrypted" in err
    new = {"FORMERS_PASSPHRASE": "second one!"}
    code, _, err = run(db, "audit", "verify", "--against", backup.strip(), env=new)
    assert code == 0, err
    code, _, err = run(db, "db", "restore", backup.strip(), env=old)
    assert code != 0  # the old passphrase opens no backup any more
    folder = Path(backup.strip()).parent
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no leftovers
    leftover = folder / ".enc.db-20260101-000000-000000-daily.db"  # as older releases left
    leftover.write_bytes(b"")
    code, listed, _ = run(db, "db", "backups", env=new)
    assert backup.strip() in listed and str(leftover) in listed


def test_a_legitimate_import_verifies_and_a_later_edit_does_not(
    tmp_path: Path, store: Store, mini_protocol: LoadedProtocol
) -> None:
    iid = make_interview(store, mini_protocol)
    with store.session() as session:
        capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="x", actor="A")
        session.commit()
    source = store.path
    store.close()
    out = tmp_path / "export.json"
    code, _, err = run(source, "export", "--all", "--format", "json", "--out", str(out))
    assert code == 0, err
    target = tmp_path / "target.db"
    code, _, err = run(target, "import", str(out))
    assert code == 0, err
    code, _, err = run(target, "audit", "verify")
    assert code == 0, err
    with sqlite3.connect(target) as connection:
        connection.execute("UPDATE note SET text = 'y'")
    code, stdout, _ = run(target, "audit", "verify")
    assert code == 1 and "note" in stdout
    # The source tells its genuine export, and the import of it, from an edited one.
    code, _, err = run(source, "audit", "verify", "--against", str(out))
    assert code == 0, err
    forged = tmp_path / "forged.json"
    forged.write_text(out.read_text().replace('"text":"x"', '"text":"z"'))
    assert forged.read_text() != out.read_text()
    code, stdout, _ = run(source, "audit", "verify", "--against", str(forged))
    assert code == 1 and "is not as this store exported it" in stdout
    with sqlite3.connect(target) as connection:
        (logged,) = connection.execute(
            "SELECT new FROM audit_entry WHERE action = 'import' AND entity = 'interview'"
        ).fetchone()
    entry = json.loads(logged)
    reopened = Store.open(source, daily=False)
    try:
        with reopened.session() as session:
            key = audit.log_key(session)
    finally:
        reopened.close()
    expected = chain_key.mac(key, "export document\0" + entry["exported_sha256"])
    assert entry["source_document_mac"] == expected


def test_a_head_recorded_elsewhere_finds_truncation_and_rewriting(
    tmp_path: Path, store: Store, mini_protocol: LoadedProtocol
) -> None:
    make_interview(store, mini_protocol)
    path = store.path
    store.close()
    code, out, _ = run(path, "audit", "verify")
    assert code == 0
    anchor = tmp_path / "printed.txt"
    anchor.write_text(out.splitlines()[-1])
    assert out.splitlines()[-1].startswith("audit head ")
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER audit_entry_no_delete")
        connection.execute("DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)")
    code, stdout, _ = run(path, "audit", "verify", "--against", str(anchor))
    assert code == 1 and "entries were removed" in stdout


def test_commands_that_only_read_write_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ro.db"
    code, iid, err = run(
        db,
        "new",
        "--candidate",
        "PM-RO",
        "--panelist",
        "A:psychologist",
        "--panelist",
        "B:social_worker",
        "--consent",
    )
    assert code == 0, err
    shutil.rmtree(tmp_path / "backups", ignore_errors=True)
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (
        ["list"],
        ["show", iid.strip()],
        ["audit", "verify"],
        ["audit", "show", iid.strip()],
        ["db", "backups"],
        ["db", "check"],
    ):
        code, _, err = run(db, *args)
        assert code == 0, (args, err)
    assert not (tmp_path / "backups").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        n for n in before if not n.endswith(("-wal", "-shm"))
    ]
