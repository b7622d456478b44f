"""Consistent online copies of a store, and restoring one.

A plaintext store is copied with SQLite's backup API, which copies a live
database page by page under SQLite's own locking, so a copy taken while the
TUI is writing is still consistent. An encrypted store is copied with
``sqlcipher_export`` into a file encrypted with the same key, so a backup is
never less private than the store.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from formers_tui.paths import PRIVATE_FILE_MODE, backups_dir, ensure_private_dir
from formers_tui.store import chain_key
from formers_tui.store.crypto import StoreKey
from formers_tui.store.engine import StoreError
from formers_tui.store.rules.invariants import lost_finalizations

PARTIAL = ".partial"
"""Suffix of a backup still being written (never listed as a backup)."""


def default_backup_path(store: Path, reason: str = "manual") -> Path:
    """A timestamped file in the backups folder beside ``store``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backups_dir(store) / f"{store.stem}-{stamp}-{reason}.db"


def _reserve(target: Path) -> None:
    ensure_private_dir(target.parent)
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    os.close(fd)


def _move_into_place(partial: Path, target: Path) -> None:
    """Give the finished copy its name, never overwriting an existing file."""
    try:
        os.link(partial, target)  # refuses to overwrite, unlike a rename
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (a USB stick)
        if target.exists():
            raise FileExistsError(f"{target} already exists") from None
        os.replace(partial, target)


def copy_database(
    source: Path, target: Path, *, key: StoreKey | None, target_key: StoreKey | None
) -> None:
    """Write a consistent copy of ``source`` into the new empty file ``target``.

    ``key`` opens the source; ``target_key`` encrypts the copy (``None``:
    plaintext). Used for backups, ``db encrypt`` and ``db rekey``.
    """
    if key is None and target_key is None:
        origin = sqlite3.connect(source)
        try:
            copy = sqlite3.connect(target)
            try:
                origin.backup(copy)
            finally:
                copy.close()
        finally:
            origin.close()
        return
    import sqlcipher3.dbapi2 as cipher

    connection = cipher.connect(str(source))
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            connection.execute(f"PRAGMA key = {key.pragma()}")
        attach_key = target_key.pragma() if target_key is not None else "''"
        connection.execute(f"ATTACH DATABASE ? AS copy KEY {attach_key}", (str(target),))
        connection.execute("SELECT sqlcipher_export('copy')")
        version = connection.execute("PRAGMA main.user_version").fetchone()[0]
        connection.execute(f"PRAGMA copy.user_version = {int(version)}")
        connection.execute("DETACH DATABASE copy")
    finally:
        connection.close()


def backup(
    store: Path,
    destination: Path | None = None,
    *,
    key: StoreKey | None = None,
    reason: str = "manual",
) -> Path:
    """Copy ``store`` to ``destination`` (default: the backups folder); return the copy.

    The copy is created 0600, encrypted like the store, and never overwrites
    an existing file.

    Raises:
        StoreError: if the store cannot be read or the copy cannot be written.
    """
    if not store.exists():
        raise StoreError(f"No store at {store}.")
    target = destination or default_backup_path(store, reason)
    if target.exists():
        raise StoreError(f"{target} already exists; choose another file.")
    # Copy under a temporary name and link it into place when complete: a
    # process killed mid-copy (a large store takes seconds) leaves no
    # half-written file that looks like a backup.
    partial = target.with_name(f"{target.name}{PARTIAL}")
    try:
        partial.unlink(missing_ok=True)
        _reserve(partial)
        copy_database(store, partial, key=key, target_key=key)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        _move_into_place(partial, target)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Could not write the backup {target}: {exc}.") from None
    except Exception as exc:
        if "DatabaseError" in type(exc).__name__ or "OperationalError" in type(exc).__name__:
            raise StoreError(f"Could not write the backup {target}: {exc}.") from None
        raise
    finally:
        partial.unlink(missing_ok=True)
    return target


def list_backups(store: Path) -> list[Path]:
    """Backups of ``store`` in its backups folder, newest first."""
    folder = backups_dir(store)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{store.stem}-*.db"), key=lambda p: p.stat().st_mtime, reverse=True)


def every_file(store: Path) -> list[Path]:
    """Every file in the backups folder of ``store``, newest first (hidden ones too)."""
    folder = backups_dir(store)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".lock")]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def replace_store(store: Path, new_file: Path) -> None:
    """Atomically put ``new_file`` in place of ``store`` (dropping its WAL files).

    Only under the store's exclusive lock (:func:`~formers_tui.store.lock.alone`)
    and after the store's committed changes were copied out: the WAL holds
    changes not yet in the main file.
    """
    with new_file.open("rb") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    os.replace(new_file, store)


def set_aside(store: Path, key: StoreKey | None) -> Path:
    """Copy the current store into the backups folder before it is replaced.

    The copy is taken with SQLite's online backup (or ``sqlcipher_export``),
    which reads through the WAL, so changes committed but not yet
    checkpointed (the app killed mid-interview) are in it. A store that
    cannot be read so (damaged, or under another passphrase) is copied file
    by file, its WAL beside the copy, where SQLite finds it on opening.
    """
    try:
        return backup(store, key=key, reason="replaced")
    except StoreError:
        pass
    moved = default_backup_path(store, "replaced")
    _reserve(moved)
    shutil.copyfile(store, moved)
    for suffix in ("-wal", "-shm"):
        journal = Path(f"{store}{suffix}")
        if journal.exists():
            shutil.copyfile(journal, Path(f"{moved}{suffix}"))
            os.chmod(Path(f"{moved}{suffix}"), PRIVATE_FILE_MODE)
    return moved


def interview_statuses(path: Path, key: StoreKey | None) -> dict[str, str]:
    """Status by interview id in the store file at ``path``.

    Raises:
        StoreError: the file cannot be read with ``key``.
    """
    from formers_tui.store.engine import make_engine

    engine = make_engine(path, create=False, key=key)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT id, status FROM interview").all()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} cannot be read ({exc}).") from None
    finally:
        engine.dispose()
    return {str(iid): str(status) for iid, status in rows}


def restore(
    backup_file: Path,
    store: Path,
    *,
    key: StoreKey | None = None,
    store_key: StoreKey | None = None,
    force: bool = False,
    actor: str = "cli",
) -> Path | None:
    """Replace ``store`` with ``backup_file`` after checking the backup is sound.

    The current store, if any, is first copied aside (``<name>-<stamp>-replaced.db``
    in the backups folder, see :func:`set_aside`), so a restore can itself be
    undone. The caller holds the store alone.

    A restore never silently un-finalizes (see
    :func:`~formers_tui.store.rules.invariants.lost_finalizations`): when an
    interview finalized in the current store is not finalized in the backup
    (or missing from it), the restore is refused unless ``force`` is given,
    and a forced restore records, in the restored store's audit log, each
    interview it un-finalized. A current store that cannot be read at all
    (the reason to restore) is not compared.

    Args:
        key: opens the backup.
        store_key: opens the current store (for the comparison and the set-aside copy).
        force: restore even though it un-finalizes interviews.
        actor: who the audit log names for a forced restore.

    Returns:
        Where the replaced store was kept, or ``None`` if there was none.

    Raises:
        StoreError: the backup is missing, unreadable with ``key``, damaged, or
            would un-finalize interviews and ``force`` is not given.
    """
    from formers_tui.store.engine import make_engine

    if not backup_file.is_file():
        raise StoreError(f"No backup at {backup_file}.")
    engine = make_engine(backup_file, create=False, key=key)
    try:
        with engine.connect() as connection:
            result = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    finally:
        engine.dispose()
    if result != ["ok"]:
        raise StoreError(f"The backup {backup_file} is damaged ({result[0]}); choose another.")
    lost: list[str] = []
    if store.exists() and store.stat().st_size > 0:
        try:
            current = interview_statuses(store, store_key)
        except StoreError:
            current = {}
        lost = lost_finalizations(current, interview_statuses(backup_file, key))
    if lost and not force:
        raise StoreError(
            f"Restoring {backup_file.name} would undo the finalization of "
            f"{len(lost)} interview{'s' if len(lost) != 1 else ''} "
            f"({', '.join(i[:8] for i in lost)}); give --force to restore it anyway, "
            "which the audit log records."
        )
    moved: Path | None = None
    staging = store.with_name(f".{store.name}.restoring")
    staging.unlink(missing_ok=True)
    _reserve(staging)
    # Through SQLite, so a backup's own WAL (a copy of a live file) comes too.
    copy_database(backup_file, staging, key=key, target_key=key)
    if lost:  # in the copy, before it takes the store's place: never one without the other
        _record_unfinalized(staging, key, lost, backup_file=backup_file, actor=actor)
    if store.exists():
        moved = set_aside(store, store_key)
    replace_store(store, staging)
    return moved


def _record_unfinalized(
    copy: Path, key: StoreKey | None, lost: list[str], *, backup_file: Path, actor: str
) -> None:
    """Note in the audit log of ``copy`` (the store to be) each interview it un-finalizes."""
    from formers_tui.store.audit import append
    from formers_tui.store.lock import lock_file
    from formers_tui.store.store import Store

    restored = Store.open(copy, key=key, create=False, daily=False)
    try:
        with restored.session() as session:
            for iid in lost:
                append(
                    session,
                    interview_id=iid,
                    actor=actor,
                    action="restore",
                    entity="forced_restore",
                    key=iid,
                    old={"status": "finalized"},
                    new={
                        "restored_from": backup_file.name,
                        "forced": True,
                        "note": "restored from a copy in which this interview was not finalized",
                    },
                )
            session.commit()
    finally:
        restored.close()
        lock_file(copy).unlink(missing_ok=True)


def reencrypt(source: Path, target: Path, *, old: StoreKey | None, new: StoreKey | None) -> None:
    """Copy ``source`` into the new empty file ``target`` under ``new``, re-wrapping the log key."""
    copy_database(source, target, key=old, target_key=new)
    if new is None:
        connection: Any = sqlite3.connect(target)
    else:
        import sqlcipher3.dbapi2 as cipher

        connection = cipher.connect(str(target))
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = {new.pragma()}")
    try:
        chain_key.rewrap(connection, old, new)
    finally:
        connection.close()


def reencrypt_backups(
    store: Path, *, old: StoreKey | None, new: StoreKey
) -> tuple[list[Path], list[Path]]:
    """Re-encrypt every backup of ``store`` readable with ``old`` under ``new``.

    Returns:
        The files re-encrypted, and the files left as they were (not stores,
        or under another passphrase).
    """
    from formers_tui.store import crypto

    done: list[Path] = []
    left: list[Path] = []
    for item in every_file(store):
        if item.name.endswith(PARTIAL) or item.name.endswith(("-wal", "-shm")):
            continue
        readable = crypto.is_plaintext(item) if old is None else not crypto.is_plaintext(item)
        staging = item.with_name(f".{item.name}.rekeying")
        try:
            if not readable or item.stat().st_size == 0:
                raise StoreError("not readable with the old key")
            staging.unlink(missing_ok=True)
            _reserve(staging)
            reencrypt(item, staging, old=old, new=new)
            with staging.open("rb") as handle:
                os.fsync(handle.fileno())
            for suffix in ("-wal", "-shm"):
                Path(f"{item}{suffix}").unlink(missing_ok=True)
            os.replace(staging, item)
            done.append(item)
        except Exception:  # noqa: BLE001 - a file this key cannot read is reported, not fatal
            staging.unlink(missing_ok=True)
            left.append(item)
    return done, left


DAILY_KEEP = 10
"""How many daily backups to keep; older ones are deleted."""


STALE_PARTIAL = 3600.0
"""Seconds after which an unfinished backup is taken to be abandoned (its process gone)."""


def _remove_stale_partials(store: Path, moment: float) -> None:
    """Delete copies left unfinished when a process stopped mid-backup."""
    folder = backups_dir(store)
    if not folder.is_dir():
        return
    for leftover in folder.glob(f"*.db{PARTIAL}*"):  # and its journal; any store's
        try:
            if moment - leftover.stat().st_mtime > STALE_PARTIAL:
                leftover.unlink()
        except OSError:
            continue  # gone already, or not ours to remove


def daily_backup(store: Path, *, key: StoreKey | None, now: float | None = None) -> Path | None:
    """Take the day's automatic backup if none was taken in the last 24 hours.

    Keeps the newest :data:`DAILY_KEEP` daily backups and deletes older ones;
    backups taken for other reasons (before a migration, by hand) are kept.

    Returns:
        The new backup, or ``None`` if a recent one exists.
    """
    import time

    if store.parent.name == backups_dir(store).name:
        return None  # a backup opened as a store is not itself backed up
    moment = time.time() if now is None else now
    _remove_stale_partials(store, moment)
    existing = list_backups(store)
    if existing and moment - existing[0].stat().st_mtime < 24 * 3600:
        return None
    made = backup(store, key=key, reason="daily")
    # Every daily copy in the folder, whatever its name (hidden ones left by
    # earlier releases' rekeying too), counts towards the ones kept.
    mine = (f"{store.stem}-", f".{store.name}")
    daily = [
        b for b in every_file(store) if b.name.endswith("-daily.db") and b.name.startswith(mine)
    ]
    for old in daily[DAILY_KEEP:]:
        old.unlink(missing_ok=True)
    return made
