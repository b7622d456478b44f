"""One OS lock per store: everyone who has it open shares it; whole-store work takes it alone.

Every running app and command holds a shared ``flock`` on a small file beside
the store (``.<name>.lock``) while it has the store open. ``db rekey``,
``db encrypt`` and ``db restore`` replace the store file itself, which a
program still writing to the old file would never see (its typing would go
to a file no longer there), so they take the lock exclusively and refuse
with one sentence while anyone else has the store open. The OS drops a lock
when its process ends, even by ``kill -9``, so a crash never leaves the store
locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from formers_tui.paths import PRIVATE_FILE_MODE
from formers_tui.store.errors import StoreError

WAIT_SECONDS = 10.0
"""How long opening waits for a whole-store operation of another program to finish."""


class StoreBusy(StoreError):
    """Another program has the store open, or is replacing it."""


def lock_file(store: Path) -> Path:
    """The lock file of ``store``."""
    return store.with_name(f".{store.name}.lock")


def _open(store: Path) -> int | None:
    """A descriptor of the lock file, or ``None`` where none can be had (a read-only folder)."""
    path = lock_file(store)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    except OSError:
        try:
            return os.open(path, os.O_RDONLY)
        except OSError:
            return None  # nobody can replace a store in a folder nobody can write


@dataclass
class StoreLock:
    """A held lock; :meth:`release` gives it back (closing the descriptor)."""

    fd: int | None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


def shared(store: Path, wait: float = WAIT_SECONDS) -> StoreLock:
    """Hold the store open alongside others; wait a little while it is being replaced.

    Raises:
        StoreBusy: a whole-store operation of another program did not finish in time.
    """
    fd = _open(store)
    if fd is None:
        return StoreLock(None)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return StoreLock(fd)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StoreBusy(
                    f"The store at {store} is being replaced by another command "
                    "(rekey, encrypt or restore); try again when it has finished."
                ) from None
            time.sleep(0.1)


@contextmanager
def alone(store: Path, what: str) -> Iterator[None]:
    """Hold the store alone for ``what`` (e.g. "changing the passphrase").

    Raises:
        StoreBusy: another program (the app, another command) has it open.
    """
    fd = _open(store)
    if fd is None:
        raise StoreBusy(f"Cannot lock the store at {store} for {what}; is its folder read-only?")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy(
                f"Another program has the store at {store} open; quit it before {what}."
            ) from None
        yield
    finally:
        os.close(fd)
