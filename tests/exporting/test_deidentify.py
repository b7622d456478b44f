"""De-identified exports: no name, code or identifying detail survives, in any format."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from formers_tui.exporting.deidentify import Deidentifier
from formers_tui.exporting.document import table_of
from formers_tui.exporting.formats import write_export
from formers_tui.exporting.source import ExportOptions, ExportSource
from formers_tui.store.models import Interview, Panelist
from formers_tui.store.store import Store
from tests.exporting.conftest import CANARY_STRINGS

KEY = b"k" * 32
TEXT_MARKERS = {
    "json": "exit took a year",
    "csv": "Rated from the interview",
    "datapackage": "Rated from the interview",
    "md": "Agreed after discussion",
    "html": "Agreed after discussion",
}
"""A piece of free text each format shows when text is kept."""


def exported_text(out: Path) -> str:
    files = sorted(out.iterdir()) if out.is_dir() else [out]
    return "\n".join(path.read_text("utf-8") for path in files)


def store_ids(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id FROM interview UNION SELECT id FROM panelist UNION SELECT id FROM rating "
            "UNION SELECT id FROM candidate UNION SELECT id FROM evidence"
        ).all()
    return [row[0] for row in rows]


@pytest.mark.parametrize("keep_text", [False, True], ids=["no-text", "keep-text"])
@pytest.mark.parametrize("fmt", ["json", "csv", "datapackage", "md", "html"])
def test_no_identifying_string_survives(
    canary_store: Store, tmp_path: Path, fmt: str, keep_text: bool
) -> None:
    out = tmp_path / f"out-{fmt}"
    options = ExportOptions(deidentify=True, keep_text=keep_text, key=KEY)
    with canary_store.session() as session:
        if fmt in ("md", "html"):
            table = table_of(Interview)
            ids = list(session.execute(table.select().with_only_columns(table.c.id)).scalars())
        else:
            ids = []
        source = ExportSource.select(session, ids=ids[:1], every=not ids, options=options)
        write_export(source, fmt, out)
    text = exported_text(out)
    lowered = text.casefold()
    for canary in CANARY_STRINGS:
        assert canary.casefold() not in lowered, f"{canary!r} survived in {fmt}"
    for row_id in store_ids(canary_store):
        assert row_id not in text
    assert "Person-0001" in text and "CAND-0001" in text
    kept = TEXT_MARKERS[fmt]
    if keep_text:
        assert kept in text
    else:
        assert all(marker not in text for marker in TEXT_MARKERS.values())


def test_document_walk_knows_every_field(canary_store: Store, tmp_path: Path) -> None:
    deidentifier = Deidentifier(keep_text=True, key=KEY)
    with canary_store.session() as session:
        source = ExportSource.select(session, every=True)
        for document, protocol in source.documents():
            deidentifier.apply(document, protocol)
    assert deidentifier.unknown_keys == set()


def dates_of(value: Any) -> list[date]:
    if isinstance(value, dict):
        return [d for item in value.values() for d in dates_of(item)]
    if isinstance(value, list):
        return [d for item in value for d in dates_of(item)]
    return [value] if isinstance(value, date) else []


def test_dates_move_together_per_candidate(canary_store: Store) -> None:
    deidentifier = Deidentifier(key=KEY)
    with canary_store.session() as session:
        source = ExportSource.select(session, every=True)
        pairs = [(doc, deidentifier.apply(doc, protocol)) for doc, protocol in source.documents()]
    offsets = set()
    for original, shifted in pairs:
        candidate = {k: v for k, v in original["candidate"].items() if k != "identity"}
        before = dates_of({**original, "candidate": candidate})
        after = dates_of(shifted)
        assert len(before) == len(after) > 20
        moved = {
            (a if isinstance(a, datetime) else a) - b for a, b in zip(after, before, strict=True)
        }
        (offset,) = {delta.days for delta in moved}
        assert offset != 0 and -365 <= offset <= 365
        assert all(delta.seconds == 0 for delta in moved)
        offsets.add(offset)
        assert shifted["proportionality"] == original["proportionality"]
        start = date.fromisoformat(shifted["timeline"]["involvement_start"])
        assert date.fromisoformat(shifted["timeline"]["disengaged_on"]) - start == date(
            2015, 6, 1
        ) - date(2009, 3, 1)
        assert shifted["timeline"]["depth"] == "member"
        assert "identity" not in shifted["candidate"]
    assert len(offsets) == 2, "each candidate gets its own offset"


def test_pseudonyms_are_stable_within_an_export(canary_store: Store) -> None:
    deidentifier = Deidentifier(key=KEY)
    with canary_store.session() as session:
        source = ExportSource.select(session, every=True)
        first, second = (deidentifier.apply(d, p) for d, p in source.documents())
        names = {p.id: p.name for p in session.exec(select(Panelist))}
    shared = "Dr. Perpetua Canarywing"
    alias = {p["name"] for p in first["panel"]} & {p["name"] for p in second["panel"]}
    assert len(alias) == 1, f"{shared} has one pseudonym across interviews"
    assert shared in names.values()
    chair = first["panel"][0]
    assert all(
        r["panelist"] == chair["name"] for r in first["ratings"] if r["panelist_id"] == chair["id"]
    )
    assert first["sign_offs"][0]["panelist_id"] == chair["id"]


def test_pseudonyms_differ_between_exports(canary_store: Store) -> None:
    with canary_store.session() as session:
        source = ExportSource.select(session, every=True)
        (document, protocol), _ = list(source.documents())
    one = Deidentifier().apply(document, protocol)
    two = Deidentifier().apply(document, protocol)
    assert one["id"] != two["id"]
    assert one["panel"][0]["id"] != two["panel"][0]["id"]


def test_keep_text_replaces_known_names_inside_text(canary_store: Store) -> None:
    with canary_store.session() as session:
        source = ExportSource.select(session, every=True)
        (document, protocol), _ = list(source.documents())
    shifted = Deidentifier(keep_text=True, key=KEY).apply(document, protocol)
    note = shifted["notes"][0]["text"]
    assert note.startswith("Out since 2015; exit took a year.")
    assert "CAND-0001" in note and "Person-" in note
    dissent = json.loads(shifted["consensus"][0]["dissent"])
    assert dissent[0]["name"].startswith("Person-") and dissent[0]["panelist_id"] in {
        p["id"] for p in shifted["panel"]
    }


def test_keep_text_replaces_an_informants_name_said_in_part(canary_store: Store) -> None:
    with canary_store.session() as session:
        source = ExportSource.select(session, every=True)
        (document, protocol), _ = list(source.documents())
    document["evidence"][0]["informant"] = "Mary Smith (probation officer)"
    document["notes"][0]["text"] += " Mary rang back; Ms Smith and the probation officer agreed."
    shifted = Deidentifier(keep_text=True, key=KEY).apply(document, protocol)
    note = shifted["notes"][0]["text"]
    assert "Mary" not in note and "Smith" not in note
    assert "probation officer agreed" in note  # a description is not a name
