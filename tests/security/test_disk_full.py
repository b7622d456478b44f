"""A full disk: the write fails with one sentence, nothing half-written, and succeeds later."""

from __future__ import annotations

import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import DBAPIError

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import audit, capture
from formers_tui.store.store import Store
from formers_tui.tui.widgets.autosave import describe_failure
from tests.conftest import make_interview


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Make every file larger than ``limit`` bytes unwritable, as on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_full_disk_refuses_cleanly_and_the_retry_succeeds(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    iid = make_interview(store, mini_protocol)
    with store.session() as session:
        capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="kept", actor="A")
        session.commit()
    store.engine.dispose()
    wal = store.path.with_name(store.path.name + "-wal")
    limit = max(store.path.stat().st_size, wal.stat().st_size if wal.exists() else 0) + 4096
    long_note = "The candidate spoke at length. " * 6_000  # ~190 KB: past the limit
    with file_size_limit(limit), store.session() as session:
        with pytest.raises(DBAPIError) as caught:
            capture.save_note(
                session, interview_id=iid, indicator_id="ONE-2", text=long_note, actor="A"
            )
            session.commit()
        session.rollback()
    assert describe_failure(caught.value) in ("The disk is full", "The disk could not be written")
    store.engine.dispose()
    with store.session() as session:  # nothing half-written, the chain intact
        assert capture.notes_of(session, iid) == {"ONE-1": "kept"}
        assert audit.verify_chain(session) == []
        capture.save_note(
            session, interview_id=iid, indicator_id="ONE-2", text=long_note, actor="A"
        )
        session.commit()
        assert capture.notes_of(session, iid)["ONE-2"] == long_note
