"""One editor per interview: the lease, its holder's sentence, and taking over from the dead."""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from formers_tui.store.lease import HeldElsewhere, acquire, acquire_for, lease_path
from formers_tui.store.store import Store

IID = "0123456789abcdef0123456789abcdef"


def test_a_second_editor_is_told_where_it_is_open(tmp_path: Path) -> None:
    store = tmp_path / "formers.db"
    first = acquire(store, IID)
    with pytest.raises(HeldElsewhere, match=rf"another window \(process {os.getpid()} on "):
        acquire(store, IID)
    acquire(store, "f" * 32).release()  # another interview is free
    first.release()
    acquire(store, IID).release()
    assert oct(lease_path(store, IID).stat().st_mode & 0o777) == "0o600"


def test_a_lease_left_by_a_killed_program_is_taken_over(tmp_path: Path) -> None:
    store = tmp_path / "formers.db"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from formers_tui.store.lease import "
            f"acquire; acquire(Path({str(store)!r}), {IID!r}); print('held', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(HeldElsewhere, match=f"process {child.pid}"):
            acquire(store, IID)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        lease = acquire(store, IID)  # the kernel let go of the dead process's lock
        assert str(os.getpid()) in lease_path(store, IID).read_text()
        lease.release()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


# --------------------------------------------------------------------------- on a server


def test_on_a_server_a_second_connection_is_told_who_holds_it(pg_store: Store) -> None:
    first = acquire_for(pg_store, IID)
    with pytest.raises(HeldElsewhere) as refused:
        acquire_for(pg_store, IID)  # its own connection: another session, as on another laptop
    sentence = str(refused.value)
    assert f"process {os.getpid()}" in sentence
    assert f"postgres on {platform.node()[:24]}" in sentence
    assert "shown read-only here" in sentence
    acquire_for(pg_store, "f" * 32).release()  # another interview is free
    first.release()
    acquire_for(pg_store, IID).release()


def test_on_a_server_a_killed_holder_leaves_nothing_behind(pg_store: Store) -> None:
    assert pg_store.url is not None
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from formers_tui.store.store import Store; "
            "from formers_tui.store.lease import acquire_for; "
            f"store = Store.open({pg_store.url!r}); lease = acquire_for(store, {IID!r}); "
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(HeldElsewhere, match=f"process {child.pid}"):
            acquire_for(pg_store, IID)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        for _ in range(50):  # the server notices the closed socket at once; allow a moment
            try:
                acquire_for(pg_store, IID).release()
                break
            except HeldElsewhere:
                time.sleep(0.1)
        else:
            pytest.fail("the dead holder's lease was never released")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_on_a_server_a_lease_held_from_another_computer_names_it(pg_store: Store) -> None:
    import psycopg

    from formers_tui.store.server.lease import lock_key

    assert pg_store.url is not None
    with psycopg.connect(pg_store.url, autocommit=True) as laptop_seven:  # another machine
        laptop_seven.execute(
            "SELECT set_config('application_name', 'formers lease pid=4242 since=09:15 "
            "host=laptop-7', false)"
        )
        laptop_seven.execute("SELECT pg_advisory_lock(%s)", (lock_key(IID),))
        with pytest.raises(HeldElsewhere) as refused:
            acquire_for(pg_store, IID)
        assert str(refused.value) == (
            "This interview is open on another computer (postgres on laptop-7, process 4242, "
            "since 09:15); it is shown read-only here. Close it there to edit it here."
        )
    acquire_for(pg_store, IID).release()  # that connection ended: the lease is free
