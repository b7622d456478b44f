"""Consistent online copies of a store, using SQLite's backup API.

The backup API copies a live database page by page under SQLite's own
locking, so a copy taken while the TUI is writing is still consistent.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from formers_tui.paths import PRIVATE_FILE_MODE, backups_dir, ensure_private_dir
from formers_tui.store.engine import StoreError


def default_backup_path(store: Path, reason: str = "manual") -> Path:
    """A timestamped file in the backups folder beside ``store``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backups_dir(store) / f"{store.stem}-{stamp}-{reason}.db"


def backup(store: Path, destination: Path | None = None, *, reason: str = "manual") -> Path:
    """Copy ``store`` to ``destination`` (default: the backups folder); return the copy.

    The copy is created 0600 and refuses to overwrite an existing file.

    Raises:
        StoreError: if the store cannot be read or the copy cannot be written.
    """
    if not store.exists():
        raise StoreError(f"No store at {store}.")
    target = destination or default_backup_path(store, reason)
    if target.exists():
        raise StoreError(f"{target} already exists; choose another file.")
    try:
        ensure_private_dir(target.parent)
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        os.close(fd)
        source = sqlite3.connect(store)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except (OSError, sqlite3.Error) as exc:
        target.unlink(missing_ok=True)
        raise StoreError(f"Could not write the backup {target}: {exc}.") from None
    return target
