"""The benchmark tooling stays in step with the store it measures.

The figures themselves are never asserted here (timings belong in
``python -m benchmarks``), but a synthetic store must still be a store the
program reads and exports as valid, or every figure measures nothing.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from benchmarks import size, stores, synthetic
from benchmarks.common import Figure, print_table
from formers_tui.exporting.schema import EXPORT_SCHEMA, problems
from formers_tui.store.interviews import list_interviews
from formers_tui.store.migrate import head_revision
from formers_tui.store.store import Store


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic.build(tmp_path_factory.mktemp("bench") / "store.db", 6)


def test_a_synthetic_store_is_current_and_readable(small_store: Path) -> None:
    store = Store.open(small_store, daily=False)
    try:
        with store.session() as session:
            listed = list_interviews(session)
    finally:
        store.close()
    assert len(listed) == 6
    assert all(row.with_notes == row.indicators > 0 for row in listed)
    with sqlite3.connect(small_store) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        panels = [
            n for (n,) in connection.execute("SELECT COUNT(*) FROM panelist GROUP BY interview_id")
        ]
    assert revision == head_revision()
    assert set(panels) <= {4, 5, 6}


def test_a_synthetic_store_exports_valid_json(small_store: Path, tmp_path: Path) -> None:
    from formers_tui.exporting.formats import write_export
    from formers_tui.exporting.source import ExportSource

    store = Store.open(small_store, daily=False)
    try:
        with store.session() as session:
            write_export(ExportSource.select(session, every=True), "json", tmp_path / "all.json")
    finally:
        store.close()
    data = json.loads((tmp_path / "all.json").read_text("utf-8"))
    assert problems(data, EXPORT_SCHEMA) == []
    assert len(data["interviews"]) == 6


def test_store_size_is_at_least_its_payload(small_store: Path) -> None:
    payload = size._payload(small_store)
    assert 0 < payload < size._checkpointed_size(small_store)


def test_sizes_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORMERS_BENCH_SIZES", raising=False)
    assert stores.sizes() == [10, 1_000, 10_000]
    monkeypatch.setenv("FORMERS_BENCH_SIZES", "1000, 10,10")
    assert stores.sizes() == [10, 1000]


def test_the_table_says_which_targets_are_missed(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(
        [
            Figure("fast", 10.0, "floor", 10.0, target=1.25),
            Figure("slow", 30.0, "floor", 10.0, target=2.0),
            Figure("plain", 5.0, "floor", 10.0),
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    assert "1.00x" in lines[2] and lines[2].rstrip(" |").endswith("ok")
    assert "3.00x" in lines[3] and "MISSED" in lines[3]
    assert "0.50x" in lines[4] and "MISSED" not in lines[4] and "ok" not in lines[4]


def test_percentiles_and_typing_verdicts() -> None:
    from benchmarks.tui import percentile, typing_figures

    assert percentile([float(n) for n in range(1, 101)], 0.99) == 99.0
    assert percentile([5.0], 0.99) == 5.0
    smooth = {"paints": [4.0] * 99 + [20.0], "messages": [1.0]}
    rough = {"paints": [4.0] * 90 + [40.0] * 10, "messages": [2.0]}
    p99, worst, *_ = typing_figures([smooth, smooth])
    assert p99.verdict == "ok" and worst.verdict == "ok"
    p99, worst, *_ = typing_figures([smooth, rough])
    assert p99.verdict == "MISSED" and worst.verdict == "MISSED"
    waited = {
        **rough,
        "paint_wait": [0.0] * 90 + [30.0] * 10,
        "gc": [(0, 0.2, 0.2), (2, 9.0, 3.0), (2, 4.0, 1.0)],
        "message_wait": [1.5],
    }
    named = {f.name: f.value for f in typing_figures([waited])}
    assert named["same: worst update"] == 10.0  # 40 ms, 30 of them waiting for a core
    assert named["same, less the time waiting for a core"] == 0.5
    assert any(name.startswith("longest garbage") and v == 9.0 for name, v in named.items())
    assert named["full collections at the pauses, processor time: longest / median"] == 3.0


def test_startup_figures_compare_with_the_floor_and_one_derivation() -> None:
    from benchmarks.startup import Case, figures

    floor = Case("bare", "", (), times=[0.30, 0.34, 0.32], rss=[36 * 1024], peak=[36 * 1024])
    prompt = Case(
        "`formers`, encrypted store: passphrase prompt",
        "",
        (),
        times=[0.40, 0.41, 0.39],
        then_times=[0.35],
        rss=[70 * 1024],
        peak=[70 * 1024],
    )
    opened = Case("`formers open ID`: notes ready", "", (), times=[0.7], rss=[80 * 1024])
    rows = {f.name.split(" (")[0]: f for f in figures(floor, [prompt, opened], 0.2)}
    assert rows["`formers`, encrypted store: passphrase prompt"].verdict == "ok"  # 1.25x
    assert rows["`formers open ID`: notes ready"].verdict == "MISSED"  # 2.19x
    enter = rows["Enter on the passphrase to the first page"]
    assert enter.floor == pytest.approx(200.0) and enter.verdict == "MISSED"  # 350 > 200 + 100
    assert rows["steady RSS, `formers open ID`: notes ready"].verdict == "MISSED"


def test_a_synthetic_store_loads_into_a_server_store(small_store: Path, pg_url: str) -> None:
    from benchmarks.server import load

    load(small_store, pg_url)
    store = Store.open(pg_url)
    try:
        with store.session() as session:
            listed = list_interviews(session)
    finally:
        store.close()
    assert len(listed) == 6
    assert all(row.with_notes == row.indicators > 0 for row in listed)
