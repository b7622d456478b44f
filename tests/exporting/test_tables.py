"""CSV tables and the Frictionless data package."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest

from formers_tui.exporting.csvfiles import TABLES
from formers_tui.exporting.formats import write_export
from formers_tui.exporting.source import ExportOptions, ExportSource
from formers_tui.store.store import Store


def export(store: Store, fmt: str, out: Path, **options: bool) -> None:
    with store.session() as session:
        source = ExportSource.select(session, every=True, options=ExportOptions(**options))
        assert write_export(source, fmt, out) == 2


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_tables_are_tidy(rich_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    export(rich_store, "csv", out)
    assert sorted(p.name for p in out.iterdir()) == sorted(t.filename for t in TABLES)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())
    interviews = rows(out / "interviews.csv")
    assert [r["candidate"] for r in interviews] == ["PM-EXPORT-01", "PM-EXPORT-02"]
    assert interviews[0]["status"] == "finalized" and interviews[0]["proportionality_met"] == "true"
    ratings = rows(out / "ratings.csv")
    assert len(ratings) == 3 * 4 + 2 * 4
    first = ratings[0]
    assert list(first) == [
        "interview_id",
        "candidate",
        "indicator",
        "domain",
        "part",
        "panelist",
        "role",
        "value",
        "omit",
        "rationale",
        "submitted_at",
        "revisions",
    ]
    assert (first["indicator"], first["domain"], first["part"]) == ("ONE-1", "one", "first")
    omitted = [r for r in ratings if r["omit"] == "true"]
    assert omitted and all(r["value"] == "" for r in omitted)
    assert first["submitted_at"].endswith("Z")
    consensus = rows(out / "consensus.csv")
    assert consensus[0]["dissent"].startswith("Pat Placeholder: Too early")
    assert {r["source_type"] for r in rows(out / "evidence.csv")} == {"probation_parole"}
    flags = rows(out / "flags.csv")
    # Every flag is resolved: a positive determination is signed only then.
    assert len(flags) == 4 and all(f["resolved_at"] and f["action_taken"] for f in flags)


@pytest.mark.parametrize("deidentify", [False, True])
def test_data_package_passes_frictionless(
    rich_store: Store, tmp_path: Path, deidentify: bool
) -> None:
    frictionless = pytest.importorskip("frictionless")
    out = tmp_path / "package"
    export(rich_store, "datapackage", out, deidentify=deidentify)
    descriptor = json.loads((out / "datapackage.json").read_text("utf-8"))
    assert [r["name"] for r in descriptor["resources"]] == [t.name for t in TABLES]
    ratings = next(r for r in descriptor["resources"] if r["name"] == "ratings")
    fields = {f["name"]: f for f in ratings["schema"]["fields"]}
    assert fields["value"]["type"] == "integer" and fields["omit"]["type"] == "boolean"
    assert all(f["description"] for f in fields.values())
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
