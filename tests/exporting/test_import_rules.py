"""Import takes only records the application itself could have written.

Each case starts from a real export of a store built through the app and
changes it the way a hand edit or another tool might; the import (and a
whole-interview bundle carrying the same document) must refuse it in one
sentence and write nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.errors import FormersError
from formers_tui.exporting.bundle import merge_payload
from formers_tui.exporting.importing import ImportRefused, import_data
from formers_tui.store.capture import MAX_TEXT
from formers_tui.store.store import Store
from tests.exporting.builders import snapshot
from tests.exporting.conftest import open_copy
from tests.exporting.test_json_export import export

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def exported(templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Doc:
    """The rich store's export: one finalized interview, one at consensus (partly signed)."""
    folder = tmp_path_factory.mktemp("import-rules")
    store = open_copy(templates["rich"], folder / "s.db")
    try:
        return export(store, folder / "all.json")
    finally:
        store.close()


@pytest.fixture
def target(templates: dict[str, Path], tmp_path: Path) -> Iterator[Store]:
    store = open_copy(templates["empty"], tmp_path / "target.db")
    yield store
    store.close()


def finalized(data: Doc) -> Doc:
    return next(i for i in data["interviews"] if i["status"] == "finalized")


def open_one(data: Doc) -> Doc:
    return next(i for i in data["interviews"] if i["status"] != "finalized")


def no_determination(doc: Doc) -> None:
    doc["determination"] = None
    doc["sign_offs"] = []


def no_sign_offs(doc: Doc) -> None:
    doc["sign_offs"] = []


def moved_back(doc: Doc) -> None:
    doc["status"] = "in_progress"
    doc["finalized_at"] = None


def moved_back_keeping_time(doc: Doc) -> None:
    doc["status"] = "rating"


def no_consent(doc: Doc) -> None:
    doc["consent"] = {"given": False, "date": None}


def panel_of_one(doc: Doc) -> None:
    chair = next(p for p in doc["panel"] if p["is_chair"])
    doc["panel"] = [chair]
    for key in ("ratings", "domain_submissions", "sign_offs"):
        doc[key] = [r for r in doc[key] if r["panelist_id"] == chair["id"]]
    for agreed in doc["consensus"]:
        agreed["dissent"] = ""


def huge_note(doc: Doc) -> None:
    doc["notes"][0]["text"] = "x" * (MAX_TEXT + 1)


def huge_rationale(doc: Doc) -> None:
    doc["ratings"][0]["rationale"] = "y" * (MAX_TEXT + 1)


def two_chairs(doc: Doc) -> None:
    for member in doc["panel"]:
        member["is_chair"] = True


def ready_over_an_open_threat(doc: Doc) -> None:
    if doc["determination"] is not None:
        doc["determination"]["outcome"] = "ready"
    indicator = doc["notes"][0]["indicator_id"]
    raised_by = doc["panel"][0]["name"]
    doc["safety_flags"].append(
        {
            "id": "f" * 32,
            "indicator_id": indicator,
            "kind": "threat_of_violence",
            "note": "named a person he still means to hurt",
            "raised_by": raised_by,
            "raised_at": doc["finalized_at"],
            "resolved_at": None,
            "action_taken": "",
        }
    )


CASES: list[tuple[str, Callable[[Doc], Doc], Callable[[Doc], None], str]] = [
    ("finalized without determination", finalized, no_determination, "no determination"),
    ("finalized without sign-offs", finalized, no_sign_offs, "not every panelist signed"),
    ("finalized moved back to in progress", finalized, moved_back, "not finalized"),
    ("finalized moved back, time kept", finalized, moved_back_keeping_time, "finalized once"),
    ("consent not given", finalized, no_consent, "informed consent"),
    ("a panel of one", finalized, panel_of_one, "panel of one"),
    ("two chairs", open_one, two_chairs, "exactly one chair"),
    ("ready signed over an open flag", finalized, ready_over_an_open_threat, "still open"),
    (
        "a note over the limit",
        finalized,
        huge_note,
        "too long (200,001 characters; at most 200,000)",
    ),
    ("a rationale over the limit", open_one, huge_rationale, "at most 200,000"),
]


def changed(data: Doc, pick: Callable[[Doc], Doc], change: Callable[[Doc], None]) -> Doc:
    copy = json.loads(json.dumps(data))
    doc = pick(copy)
    change(doc)
    return {**copy, "interviews": [doc]}


@pytest.mark.parametrize(
    ("pick", "change", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_import_refuses_records_the_app_forbids(
    exported: Doc,
    target: Store,
    tmp_path: Path,
    pick: Callable[[Doc], Doc],
    change: Callable[[Doc], None],
    message: str,
) -> None:
    data = changed(exported, pick, change)
    before = snapshot(target)
    with target.session() as session, pytest.raises(ImportRefused) as caught:
        import_data(session, data, what="edited.json")
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert snapshot(target) == before
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), "utf-8")
    result = CliRunner().invoke(app, ["--db", str(target.path), "import", str(path)])
    assert result.exit_code != 0 and message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert snapshot(target) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [(case[2], case[3]) for case in CASES if case[1] is open_one],
    ids=[case[0] for case in CASES if case[1] is open_one],
)
def test_a_whole_interview_bundle_is_held_to_the_same_rules(
    exported: Doc, target: Store, change: Callable[[Doc], None], message: str
) -> None:
    data = changed(exported, open_one, change)
    payload = {
        "kind": "interview",
        "protocol": data["protocols"][0],
        "interview": data["interviews"][0],
    }
    before = snapshot(target)
    with target.session() as session, pytest.raises(FormersError, match=message):
        merge_payload(session, payload)
    assert snapshot(target) == before


def test_the_unchanged_export_imports(exported: Doc, target: Store) -> None:
    with target.session() as session:
        report = import_data(session, exported, what="export.json")
    assert len(report.created) == 2


FORBIDDEN = [case[2] for case in CASES if case[1] is finalized]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.lists(st.sampled_from(FORBIDDEN), min_size=1, max_size=3, unique=True),
    to_json=st.booleans(),
)
def test_any_mix_of_forbidden_changes_is_refused_and_writes_nothing(
    exported: Doc, target: Store, changes: list[Callable[[Doc], None]], to_json: bool
) -> None:
    copy = json.loads(json.dumps(exported))
    doc = finalized(copy)
    for change in changes:
        change(doc)
    before = snapshot(target)
    with target.session() as session, pytest.raises(FormersError):
        if to_json:
            import_data(session, {**copy, "interviews": [open_one(copy), doc]}, what="mixed.json")
        else:
            payload = {"kind": "interview", "protocol": copy["protocols"][0], "interview": doc}
            merge_payload(session, payload)
    assert snapshot(target) == before
