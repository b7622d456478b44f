"""Autosave: persisting a notes edit, plain and encrypted, against a raw SQLite commit.

The plain autosave is measured in a new interview added to a copy of each
synthetic store (``benchmarks.stores.sizes()``): saving must not slow down as
the store grows. Encrypted against plain is compared on a new store (a
SQLCipher copy of the 10,000 store would take minutes to make). Also reports
the share of an autosave spent appending the audit entry, and the cost of
opening an encrypted store beyond its one key derivation.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, median_seconds
from benchmarks.stores import scratch_copy, sizes

BODY = "The candidate described leaving after a friend's arrest. " * 20
PASSPHRASE = "benchmark passphrase for timing only"


def _raw_commit_seconds(folder: Path) -> float:
    raw = sqlite3.connect(folder / "raw.db", isolation_level=None)
    for pragma in (
        "busy_timeout = 10000",
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = FULL",
    ):
        raw.execute(f"PRAGMA {pragma}")
    raw.execute("CREATE TABLE note (id TEXT PRIMARY KEY, text TEXT)")
    raw.execute("INSERT INTO note VALUES ('n', '')")
    counter = iter(range(1_000_000))

    def commit() -> None:
        raw.execute("BEGIN")
        raw.execute("UPDATE note SET text = ? WHERE id = 'n'", (BODY + str(next(counter)),))
        raw.execute("COMMIT")

    seconds = median_seconds(commit, repeat=60, warmup=5)
    raw.close()
    return seconds


def _autosave_seconds(path: Path, passphrase: str | None) -> tuple[float, float]:
    """Median autosave time and the mean share of it spent in the audit append."""
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store import audit, capture
    from formers_tui.store.interviews import PanelistIn, create_interview
    from formers_tui.store.models import Role
    from formers_tui.store.store import Store

    store = Store.open(path, passphrase=passphrase, daily=False)
    loaded = load_catalogue().get("peer-mentor-readiness")
    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code="BENCH-AUTOSAVE",
            protocol=loaded,
            panel=[PanelistIn("Chair", Role.psychologist), PanelistIn("Second", Role.other)],
            actor="bench",
            consent_given=True,
        )
        session.commit()
        iid = interview.id
    counter = iter(range(1_000_000))
    audit_time = [0.0]
    real_append = audit.append

    def timed_append(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return real_append(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            audit_time[0] += time.perf_counter() - start

    def autosave() -> None:
        with store.session() as session:
            capture.save_note(
                session,
                interview_id=iid,
                indicator_id="DIS-1",
                text=BODY + str(next(counter)),
                actor="Chair",
            )
            session.commit()

    audit.append = timed_append  # type: ignore[assignment]
    try:
        seconds = median_seconds(autosave, repeat=60, warmup=5)
        start_audit, start = audit_time[0], time.perf_counter()
        for _ in range(60):
            autosave()
        share = (audit_time[0] - start_audit) / (time.perf_counter() - start)
    finally:
        audit.append = real_append
        store.close()
    return seconds, share


def _open_encrypted(path: Path) -> tuple[float, float]:
    """Time to open an encrypted store, and the key derivation alone."""
    from formers_tui.store import crypto
    from formers_tui.store.store import Store

    def derive() -> None:
        crypto.key_for_existing(path, PASSPHRASE)

    def open_store() -> None:
        Store.open(path, passphrase=PASSPHRASE).close()

    return median_seconds(open_store, repeat=5), median_seconds(derive, repeat=5)


def run() -> list[Figure]:
    ms = 1000
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        floor = _raw_commit_seconds(folder)
        for count in sizes():
            path = scratch_copy(count, "autosave")
            try:
                seconds, _ = _autosave_seconds(path, None)
            finally:
                path.unlink()
            figures.append(
                Figure(
                    f"autosave of a notes edit, store of {count:,}",
                    seconds * ms,
                    "raw sqlite3 commit, same PRAGMAs",
                    floor * ms,
                    target=2.0,
                )
            )
        plain, plain_share = _autosave_seconds(folder / "plain.db", None)
        encrypted, _ = _autosave_seconds(folder / "enc.db", PASSPHRASE)
        opened, derivation = _open_encrypted(folder / "enc.db")
    return [
        *figures,
        Figure(
            "autosave of a notes edit, encrypted (new store)",
            encrypted * ms,
            "autosave, plain (new store)",
            plain * ms,
            target=1.2,
        ),
        Figure(
            "audit append within an autosave",
            plain_share * plain * ms,
            "autosave, plain (new store)",
            plain * ms,
        ),
        Figure("open encrypted store", opened * ms, "one Argon2id key derivation", derivation * ms),
    ]
