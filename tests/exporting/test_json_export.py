"""The JSON export: schema, round trip through import, and what import refuses."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formers_tui.demo import seed_demo
from formers_tui.errors import FormersError
from formers_tui.exporting.importing import import_data, import_file
from formers_tui.exporting.jsonfile import export_json
from formers_tui.exporting.schema import EXPORT_SCHEMA, problems
from formers_tui.exporting.source import ExportOptions, ExportSource
from formers_tui.store.store import Store
from tests.exporting.builders import snapshot
from tests.exporting.conftest import open_copy


def export(store: Store, out: Path, **options: Any) -> dict[str, Any]:
    with store.session() as session:
        source = ExportSource.select(session, every=True, options=ExportOptions(**options))
        export_json(source, out)
    data: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return data


def without_stamp(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in data.items() if k not in ("exported_at", "audit_head", "document_macs")
    }


def test_export_validates_and_holds_everything(rich_store: Store, tmp_path: Path) -> None:
    data = export(rich_store, tmp_path / "all.json")
    assert problems(data, EXPORT_SCHEMA) == []
    assert stat.S_IMODE((tmp_path / "all.json").stat().st_mode) == 0o600
    assert len(data["protocols"]) == 1 and data["protocols"][0]["text"].startswith("#")
    first, second = data["interviews"]
    assert first["status"] == "finalized" and second["status"] == "consensus"
    assert first["candidate"]["identity"]["full_name"] == "Alex Identity"
    assert first["addenda"] and first["determination"]["outcome"] == "ready_with_conditions"
    assert first["chair_reveal"]["panelist"] == "Dr. Ada Example"
    revised = [r for r in first["ratings"] if r["history"]]
    assert len(revised) == 1 and revised[0]["history"][0]["value"] != revised[0]["value"]
    assert len(first["domain_submissions"]) == 3 * 3
    assert any(r["omitted"] and r["value"] is None for r in first["ratings"])
    assert first["proportionality"]["met"] is True


def test_interviews_are_streamed_one_per_line(rich_store: Store, tmp_path: Path) -> None:
    export(rich_store, tmp_path / "all.json")
    lines = (tmp_path / "all.json").read_text("utf-8").splitlines()
    interview_lines = [line for line in lines if '"format":"formers-tui/interview"' in line]
    assert len(interview_lines) == 2
    assert all(json.loads(line.strip().rstrip(","))["id"] for line in interview_lines)


def test_demo_interview_validates(tmp_path: Path) -> None:
    seed_demo(tmp_path / "demo.db")
    store = Store.open(tmp_path / "demo.db")
    try:
        for options in ({}, {"deidentify": True}, {"deidentify": True, "keep_text": True}):
            data = export(store, tmp_path / f"demo-{len(options)}.json", **options)
            assert problems(data, EXPORT_SCHEMA) == []
    finally:
        store.close()


def test_export_import_export_is_identical(
    rich_store: Store, empty_store: Store, tmp_path: Path
) -> None:
    first = export(rich_store, tmp_path / "first.json")
    with empty_store.session() as session:
        report = import_file(session, tmp_path / "first.json")
    assert len(report.created) == 2 and not report.unchanged
    second = export(empty_store, tmp_path / "second.json")
    assert without_stamp(second) == without_stamp(first)


def test_import_is_idempotent(rich_store: Store, empty_store: Store, tmp_path: Path) -> None:
    export(rich_store, tmp_path / "a.json")
    with empty_store.session() as session:
        import_file(session, tmp_path / "a.json")
    before = snapshot(empty_store)
    with empty_store.session() as session:
        report = import_file(session, tmp_path / "a.json")
    assert report.created == [] and len(report.unchanged) == 2
    assert snapshot(empty_store) == before


def test_import_writes_one_audit_entry_per_interview(
    rich_store: Store, empty_store: Store, tmp_path: Path
) -> None:
    export(rich_store, tmp_path / "a.json")
    with empty_store.session() as session:
        import_file(session, tmp_path / "a.json")
    with empty_store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT action, entity FROM audit_entry WHERE action = 'import'"
        ).all()
    assert [tuple(r) for r in rows] == [("import", "interview")] * 2


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["interviews"][0]["notes"][0].update(text="edited"), "different content"),
        (lambda d: d.update(deidentified=True), "de-identified export"),
        (lambda d: d["protocols"][0].update(text=d["protocols"][0]["text"] + " "), "SHA-256"),
        (lambda d: d["interviews"][1]["ratings"][0].update(value=9), "not on the rating scale"),
        (lambda d: d["interviews"][1]["ratings"][0].update(value="3"), "not an export"),
        (lambda d: d["interviews"][1]["notes"][0].update(indicator_id="NOPE"), "unknown indicator"),
        (
            lambda d: d["interviews"][1]["ratings"][0].update(panelist_id="f" * 32),
            "not on the panel",
        ),
        (lambda d: d["interviews"][1].update(interview_date="2026-02-30"), "not an export"),
        (lambda d: d["interviews"].append(d["interviews"][0]), "twice"),
    ],
)
def test_import_refuses_and_writes_nothing(
    rich_store: Store,
    empty_store: Store,
    tmp_path: Path,
    change: Any,
    message: str,
) -> None:
    data = export(rich_store, tmp_path / "a.json")
    with empty_store.session() as session:
        import_data(session, {**data, "interviews": data["interviews"][:1]}, what="first")
    before = snapshot(empty_store)
    change(data)
    with empty_store.session() as session, pytest.raises(FormersError) as caught:
        import_file(session, write(tmp_path / "b.json", data))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert snapshot(empty_store) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"format": 1', "truncated"),
        ("[NaN]", "not valid JSON"),
        ("[]", "not an export"),
        ('{"format": "formers-tui/export"}', "not an export"),
    ],
)
def test_import_refuses_files_that_are_not_exports(
    empty_store: Store, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with empty_store.session() as session, pytest.raises(FormersError, match=message):
        import_file(session, path)
    assert snapshot(empty_store)["interview"] == 0


def test_truncated_export_is_refused(rich_store: Store, empty_store: Store, tmp_path: Path) -> None:
    export(rich_store, tmp_path / "a.json")
    raw = (tmp_path / "a.json").read_bytes()
    (tmp_path / "cut.json").write_bytes(raw[: len(raw) * 2 // 3])
    with empty_store.session() as session, pytest.raises(FormersError, match="truncated"):
        import_file(session, tmp_path / "cut.json")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=JSON)
def test_arbitrary_json_only_raises_formers_errors(empty_store: Store, value: Any) -> None:
    with empty_store.session() as session:
        try:
            import_data(session, value, what="fuzz")
        except FormersError:
            pass


@pytest.fixture(scope="module")
def valid_export(
    templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("valid")
    store = open_copy(templates["rich"], folder / "s.db")
    try:
        data = export(store, folder / "v.json")
        return {**data, "interviews": data["interviews"][:1]}
    finally:
        store.close()


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))] or [path]
    return [path]


@pytest.fixture(scope="module")
def fuzz_store(
    templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store = open_copy(templates["empty"], tmp_path_factory.mktemp("fuzz") / "s.db")
    yield store
    store.close()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), replacement=JSON)
def test_mutated_exports_import_or_fail_cleanly(
    fuzz_store: Store,
    valid_export: dict[str, Any],
    data: st.DataObject,
    replacement: Any,
) -> None:
    document = json.loads(json.dumps(valid_export))
    paths = [p for p in leaves(document) if p and p[0] != "protocols"]
    path = data.draw(st.sampled_from(paths))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = replacement
    before = snapshot(fuzz_store)
    with fuzz_store.session() as session:
        try:
            import_data(session, document, what="fuzz")
        except FormersError:
            assert snapshot(fuzz_store) == before
