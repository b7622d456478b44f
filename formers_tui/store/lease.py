"""One editor per interview: a lease held by the program that edits it.

Two windows editing one interview would each save their own version of a
note over the other's, both saying "Saved". So the program that opens an
interview for editing takes its lease first: a small file beside the store
(``<store>.leases/<interview id>``) locked with ``flock`` for as long as the
interview is open, holding who took it (process id, host, when) so another
window can say where it is open.

A second program finds the lock taken and opens the interview read-only.
The operating system releases the lock when the holder ends, however it
ends (a kill, a crash, a pulled plug), so a lease left behind by a dead
process is simply free: the next program takes it over atomically, and
there is no stale-lease guesswork. (``flock`` is not reliable on network
file systems; a store on a shared drive is outside what this guards.)

This is not the store-wide lock that whole-store operations take; it
concerns one interview only.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from formers_tui.errors import FormersError
from formers_tui.paths import PRIVATE_FILE_MODE, ensure_private_dir

if TYPE_CHECKING:
    from formers_tui.store.store import Store


class HeldElsewhere(FormersError):
    """The interview is open for editing in another program."""


class EditingLease(Protocol):
    """What an editor keeps while an interview is open: something to release."""

    def release(self) -> None:
        """Give the lease up."""


@dataclass
class Lease:
    """An interview's editing lease, held until :meth:`release`."""

    path: Path
    fd: int | None

    def release(self) -> None:
        """Give the lease up (closing the file drops the lock)."""
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass  # the lock goes with the descriptor either way
        os.close(fd)


def acquire_for(store: Store, interview_id: str) -> EditingLease:
    """Take an interview's editing lease in whichever store it lives.

    A SQLite store's lease is a locked file beside it (:func:`acquire`); a
    server store's is an advisory lock on the server
    (:mod:`formers_tui.store.server.lease`), so the rule holds across machines.

    Raises:
        HeldElsewhere: another program holds it (the sentence says where).
        OSError: the lease folder cannot be written (a read-only store folder).
    """
    if store.is_server:
        from formers_tui.store.server import lease as server_lease

        return server_lease.acquire(store.engine, interview_id)
    return acquire(store.path, interview_id)


def lease_path(store_path: Path, interview_id: str) -> Path:
    """Where the lease of ``interview_id`` in the store at ``store_path`` lives."""
    return store_path.with_name(store_path.name + ".leases") / interview_id


def acquire(store_path: Path, interview_id: str, *, now: datetime | None = None) -> Lease:
    """Take the editing lease of an interview.

    Args:
        store_path: the store file.
        interview_id: the interview's full id.
        now: when (for the holder's description).

    Returns:
        The lease; keep it while editing and release it when done.

    Raises:
        HeldElsewhere: another live program holds it (the sentence says which).
        OSError: the lease folder cannot be written (a read-only store folder).
    """
    import fcntl

    path = lease_path(store_path, interview_id)
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise HeldElsewhere(
            f"This interview is open in another window{holder}; it is shown read-only "
            "here. Close it there to edit it here."
        ) from None
    except BaseException:
        os.close(fd)
        raise
    info = {
        "pid": os.getpid(),
        "host": platform.node(),
        "since": (now or datetime.now().astimezone()).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    return Lease(path=path, fd=fd)


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        since = datetime.fromisoformat(str(info["since"]))
        return f" (process {int(info['pid'])} on {str(info['host'])[:40]}, since {since:%H:%M})"
    except (ValueError, KeyError, TypeError, OSError):
        return ""
