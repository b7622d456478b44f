"""A store on a PostgreSQL server: autosave, a live panel, and programme-scale reads.

A throwaway cluster is started for the run with the test suite's own
:func:`tests.pg.start_cluster` (``initdb``/``pg_ctl`` from the installed
PostgreSQL, unix socket, loopback only), then restarted durable
(``fsync``, ``synchronous_commit`` and ``full_page_writes`` on, 128 MB of
shared buffers) before anything is timed. The largest synthetic store of the
run (``benchmarks.stores.sizes()``; 10,000 interviews by default) is copied
into a migrated server database with ``COPY``, as rows (the app's triggers
are off while loading; the synthetic rows carry no audit entries on SQLite
either).

Figures, each against a floor measured in the same run:

* autosave of a notes edit through the store (audit capture and chaining
  included) against a raw psycopg commit updating the same note row;
* the panel view (as its chair) of an interview of five panelists while five
  other processes rate in it as fast as panelists save, against the same
  view with nobody writing, and the one-query change marker the screen polls
  every second;
* ``formers export`` (JSON and CSV) of every interview, streamed, against a
  raw ``COPY (rating rows) TO STDOUT``;
* the interview list, whole and filtered by status, against one raw query of
  the same interview rows;
* ``formers reliability``'s pooled figures over every settled interview,
  against one raw query of the same ratings.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, median_seconds
from benchmarks.export import RATING_ROWS
from benchmarks.scoring import BUDGET_MS, SETTLED_RATINGS
from benchmarks.stores import sizes, synthetic_store

SKIPPED_TABLES = frozenset({"alembic_version", "audit_entry", "audit_seal", "audit_pending"})
"""Tables not copied: the migration's own and the audit log's (each database keeps its own)."""
WRITERS = 5
WRITE_PAUSE_S = 0.2
"""Each writer saves a rating five times a second: faster than anyone rates."""
BODY = "The candidate described leaving after a friend's arrest. " * 20
LIST_ROWS = (
    "SELECT i.id, c.code, i.status, i.interview_date, i.updated_at FROM interview i "
    "JOIN candidate c ON c.id = i.candidate_id ORDER BY i.updated_at DESC"
)


# --------------------------------------------------------------------------- the cluster


@contextmanager
def durable_cluster() -> Iterator[Any]:
    """The test suite's throwaway cluster, restarted with durability on."""
    from tests.pg import start_cluster

    cluster = start_cluster()
    try:
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={cluster.port}",
                f"-c unix_socket_directories={cluster.socket_dir}",
                "-c fsync=on",
                "-c synchronous_commit=on",
                "-c full_page_writes=on",
                "-c max_connections=60",
                "-c shared_buffers=128MB",
            ]
        )
        log = str(cluster.root / "server.log")  # also keeps pg_ctl's output pipe free
        cluster._run(
            "pg_ctl", "restart", "-w", "-t", "60", "-D", str(cluster.data), "-l", log, "-o", options
        )
        yield cluster
    finally:
        cluster.stop()


def load(sqlite_path: Path, url: str) -> None:
    """Copy every row of the SQLite store at ``sqlite_path`` into the server database ``url``."""
    import psycopg

    from formers_tui.store.store import Store

    Store.open(url).close()  # migrated: the real schema, guards and triggers
    source = sqlite3.connect(sqlite_path)
    with psycopg.connect(url) as target:
        target.execute("SET session_replication_role = replica")  # no triggers while loading
        tables = [
            name
            for (name,) in target.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        order = _dependency_order(target, tables)
        for table in order:
            if table in SKIPPED_TABLES:
                continue
            columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
            if not columns:
                continue
            wanted = ", ".join(f'"{c}"' for c in columns)
            rows = source.execute(f"SELECT {wanted} FROM {table}")
            if table == "protocol_snapshot":
                for row in rows:
                    target.execute(
                        f"INSERT INTO {table} ({wanted}) VALUES "
                        f"({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING",
                        row,
                    )
                continue
            booleans = _boolean_columns(target, table)
            with target.cursor().copy(f"COPY {table} ({wanted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            bool(v) if c in booleans and v is not None else v
                            for c, v in zip(columns, row, strict=True)
                        ]
                    )
        target.commit()
        target.execute("ANALYZE")
    source.close()


def _boolean_columns(connection: Any, table: str) -> set[str]:
    return {
        name
        for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND data_type = 'boolean'",
            (table,),
        )
    }


def _dependency_order(connection: Any, tables: list[str]) -> list[str]:
    """Tables parents first (by their foreign keys)."""
    edges: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in connection.execute(
        "SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc "
        "JOIN information_schema.constraint_column_usage ccu "
        "ON ccu.constraint_name = tc.constraint_name WHERE tc.constraint_type = 'FOREIGN KEY'"
    ):
        if child in edges and parent != child:
            edges[child].add(parent)
    done: list[str] = []
    while len(done) < len(tables):
        ready = sorted(t for t in tables if t not in done and edges[t] <= set(done))
        if not ready:  # a cycle: take the rest as they come
            ready = [t for t in tables if t not in done]
        done += ready
    return done


# --------------------------------------------------------------------------- figures


def _autosave(url: str) -> list[Figure]:
    import psycopg

    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store import capture
    from formers_tui.store.interviews import PanelistIn, create_interview
    from formers_tui.store.models import Role
    from formers_tui.store.store import Store

    store = Store.open(url)
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

    value = median_seconds(autosave, repeat=60, warmup=5)
    store.close()
    with psycopg.connect(url) as raw:
        (note_id,) = raw.execute(
            "SELECT id FROM note WHERE interview_id = %s AND indicator_id = 'DIS-1'", (iid,)
        ).fetchone() or ("",)
        raw.execute("SET session_replication_role = replica")  # the row alone, no triggers
        raw.commit()

        def commit() -> None:
            raw.execute(
                "UPDATE note SET text = %s WHERE id = %s", (BODY + str(next(counter)), note_id)
            )
            raw.commit()

        floor = median_seconds(commit, repeat=60, warmup=5)
    return [
        Figure(
            "server: autosave of a notes edit (audited)",
            value * 1000,
            "raw psycopg commit of the same note row",
            floor * 1000,
            target=2.0,
        )
    ]


WRITER_SCRIPT = textwrap.dedent(
    """
    import random, sys, time
    from formers_tui.store import panel
    from formers_tui.store.store import Store

    url, iid, pid, name, pause, until = sys.argv[1:7]
    store = Store.open(url)
    indicators = sys.argv[7].split(",")
    rng = random.Random(pid)
    done = failed = 0
    while time.time() < float(until):
        try:
            with store.session() as session:
                panel.rate(
                    session, interview_id=iid, panelist_id=pid,
                    indicator_id=rng.choice(indicators), value=rng.randint(0, 3),
                    rationale=f"{name} revises", actor=name,
                )
                session.commit()
            done += 1
        except Exception as exc:
            failed += 1
            print(f"write failed: {exc!r}"[:300], file=sys.stderr)
        time.sleep(float(pause))
    store.close()
    print(done, failed)
    """
)


def _live_panel(url: str) -> list[Figure]:
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store.interviews import PanelistIn, create_interview, interview_header
    from formers_tui.store.models import Role
    from formers_tui.store.panel_reading import panel_marker, read_panel
    from formers_tui.store.store import Store

    store = Store.open(url)
    loaded = load_catalogue().get("peer-mentor-readiness")
    names = ["Chair Person", "Panel Two", "Panel Three", "Panel Four", "Panel Five"]
    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code="BENCH-LIVE",
            protocol=loaded,
            panel=[PanelistIn(n, Role.other, is_chair=(i == 0)) for i, n in enumerate(names)],
            actor="bench",
            consent_given=True,
        )
        session.commit()
        iid = interview.id
        panel = [(p.id, p.name) for p in interview_header(session, interview).panel]
    chair = panel[0][0]
    indicators = ",".join(i.id for i in loaded.protocol.indicators())

    def view() -> None:
        read_panel(store, iid, chair)

    def marker() -> None:
        panel_marker(store, iid)

    idle = median_seconds(view, repeat=20, warmup=3)
    idle_marker = median_seconds(marker, repeat=30, warmup=3)
    seconds = 20.0
    until = time.time() + 3 + seconds
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_SCRIPT, url, iid, pid, name, str(WRITE_PAUSE_S),
             str(until), indicators],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pid, name in panel
    ]  # fmt: skip
    time.sleep(3)  # the writers are up and writing
    views, markers, cpu = [], [], []
    while time.time() < until - 0.5:
        start, start_cpu = time.perf_counter(), time.process_time()
        view()
        views.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        start = time.perf_counter()
        marker()
        markers.append(time.perf_counter() - start)
        time.sleep(0.05)
    written = failed = 0
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        done, bad = (int(x) for x in out.split()[-2:])
        written, failed = written + done, failed + bad
        if err.strip():
            print(err.strip().splitlines()[-1], file=sys.stderr)
    store.close()
    rate = written / seconds
    p95 = sorted(views)[int(len(views) * 0.95)]
    return [
        Figure(
            f"server: panel view as chair, {WRITERS} panelists writing ({rate:.0f} saves/s, "
            f"{failed} failed), median",
            statistics.median(views) * 1000,
            "same view, nobody writing",
            idle * 1000,
        ),
        Figure(
            f"server: panel view as chair, {WRITERS} panelists writing, 95th percentile",
            p95 * 1000,
            "budget",
            BUDGET_MS,
            target=1.0,
        ),
        Figure(
            f"server: panel view as chair, {WRITERS} panelists writing, processor time of "
            "this process, median",
            statistics.median(cpu) * 1000,
            "budget",
            BUDGET_MS,
            target=1.0,
        ),
        Figure(
            f"server: the change marker polled each second, {WRITERS} panelists writing",
            statistics.median(markers) * 1000,
            "same query, nobody writing",
            idle_marker * 1000,
        ),
    ]


def _exports(url: str, count: int, folder: Path) -> list[Figure]:
    import psycopg

    from formers_tui.exporting.formats import write_export
    from formers_tui.exporting.source import ExportSource
    from formers_tui.store.store import Store

    def raw_dump() -> None:
        with psycopg.connect(url) as raw, (folder / "raw.csv").open("wb") as handle:
            with raw.cursor().copy(f"COPY ({RATING_ROWS}) TO STDOUT WITH CSV HEADER") as copy:
                for block in copy:
                    handle.write(block)

    floor = _best(raw_dump)
    figures = []
    for fmt in ("json", "csv"):
        store = Store.open(url)

        def export(fmt: str = fmt, store: Store = store) -> None:
            with store.session() as session:
                write_export(
                    ExportSource.select(session, every=True), fmt, folder / f"all.{fmt}", force=True
                )

        value = _best(export)
        store.close()
        figures.append(
            Figure(
                f"server: export --format {fmt}, {count:,} interviews ({count / value:,.0f}/s)",
                value,
                "raw COPY of the rating rows to CSV",
                floor,
                unit="s",
            )
        )
    return figures


def _best(run: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _lists(url: str, count: int) -> list[Figure]:
    import psycopg

    from formers_tui.store.interviews import list_interviews
    from formers_tui.store.models import Status
    from formers_tui.store.store import Store

    with psycopg.connect(url) as raw:
        floor = median_seconds(lambda: raw.execute(LIST_ROWS).fetchall(), repeat=5)
        floor_filtered = median_seconds(
            lambda: raw.execute(
                LIST_ROWS.replace("ORDER BY", "WHERE i.status = 'consensus' ORDER BY")
            ).fetchall(),
            repeat=5,
        )
    store = Store.open(url)

    def listed(status: Status | None = None) -> None:
        with store.session() as session:
            list_interviews(session, status=status)

    whole = median_seconds(listed, repeat=5)
    filtered = median_seconds(lambda: listed(Status.consensus), repeat=5)
    store.close()
    return [
        Figure(
            f"server: formers list, {count:,} interviews (with progress counts)",
            whole * 1000,
            "one raw query of the interview rows",
            floor * 1000,
        ),
        Figure(
            f"server: formers list --status consensus, of {count:,}",
            filtered * 1000,
            "the same raw query, filtered",
            floor_filtered * 1000,
        ),
    ]


def _reliability(url: str, count: int) -> list[Figure]:
    import psycopg

    from formers_tui.store.panel_view import program_agreement
    from formers_tui.store.reliability import programme_reliability
    from formers_tui.store.store import Store

    with psycopg.connect(url) as raw:
        floor = median_seconds(lambda: raw.execute(SETTLED_RATINGS).fetchall(), repeat=3)
    store = Store.open(url)

    def pooled() -> None:
        with store.session() as session:
            programme_reliability(session)

    def agreement() -> None:
        with store.session() as session:
            program_agreement(session)

    value = median_seconds(pooled, repeat=1, warmup=0)
    plain = median_seconds(agreement, repeat=1, warmup=0)
    store.close()
    return [
        Figure(
            f"server: program agreement (as on SQLite), {count:,} interviews",
            plain,
            "one raw query of the settled ratings",
            floor,
            target=10.0,
            unit="s",
        ),
        Figure(
            f"server: formers reliability pooled figures, {count:,} interviews",
            value,
            "one raw query of the settled ratings",
            floor,
            target=10.0,
            unit="s",
        )
    ]


def run() -> list[Figure]:
    count = max(sizes())
    source = synthetic_store(count)
    figures: list[Figure] = []
    with durable_cluster() as cluster, tempfile.TemporaryDirectory() as name:
        database = "bench_server"
        cluster.admin(f"CREATE DATABASE {database}")
        url = cluster.url(database)
        started = time.perf_counter()
        load(source, url)
        print(
            f"server: {count:,} interviews loaded in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        figures += _autosave(url)
        figures += _live_panel(url)
        figures += _lists(url, count)
        figures += _exports(url, count, Path(name))
        figures += _reliability(url, count)
    return figures


if __name__ == "__main__":
    from benchmarks.common import print_table

    os.umask(0o077)
    print_table(run())
