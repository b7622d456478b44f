"""Tidy CSV tables for R, pandas and SPSS users.

One folder, one file per kind of observation, one row per observation:
``interviews.csv`` (one row per interview), ``ratings.csv`` (one row per
panelist's rating of an indicator), ``consensus.csv``, ``evidence.csv`` and
``flags.csv``. Every table carries ``interview_id`` (and the candidate code)
so tables join without lookups. Missing values are empty cells; booleans are
``true``/``false``; dates are ISO 8601 and timestamps UTC with a ``Z``.

The column definitions here are also the source of the data package's field
types and descriptions, so the two cannot disagree.

Text is written exactly as stored. Spreadsheet programs may treat a cell
that starts with ``=`` as a formula: open these files with a statistics
package or import them as text.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from operator import itemgetter
from pathlib import Path
from typing import Any

from formers_tui.exporting.document import dissent_line, utc
from formers_tui.exporting.files import atomic_folder, create_private_text
from formers_tui.exporting.source import ExportSource, Progress
from formers_tui.protocol.model import Protocol
from formers_tui.store.models import (
    Bearing,
    EvidenceSource,
    FlagKind,
    Outcome,
    Reliability,
    Role,
    Status,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """One column of a table, with its Table Schema type."""

    name: str
    type: str
    """``string``, ``integer``, ``number``, ``boolean``, ``date`` or ``datetime``."""
    description: str
    choices: tuple[str, ...] = ()
    """Allowed values of a categorical column."""
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One CSV file: its columns, key, and how rows come from a document."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[dict[str, Any], Protocol], Iterator[Row]]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _choices(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


def _place(protocol: Protocol) -> dict[str, tuple[str, str, bool]]:
    """Indicator id -> (domain id, part id, critical)."""
    out: dict[str, tuple[str, str, bool]] = {}
    for part in protocol.parts:
        for domain in part.domains:
            for indicator in domain.indicators:
                out[indicator.id] = (domain.id, part.id, indicator.critical)
    return out


_PLACES: dict[int, tuple[Protocol, dict[str, tuple[str, str, bool]]]] = {}
_MAX_PLACES = 8


NOWHERE = ("", "", False)
"""The place of an indicator the protocol lacks: blanks."""


def places_of(protocol: Protocol) -> dict[str, tuple[str, str, bool]]:
    """Indicator id -> (domain, part, critical), worked out once per protocol."""
    entry = _PLACES.get(id(protocol))
    if entry is None or entry[0] is not protocol:
        if len(_PLACES) >= _MAX_PLACES:
            _PLACES.clear()
        entry = _PLACES[id(protocol)] = (protocol, _place(protocol))
    return entry[1]


INTERVIEW_ID = Column("interview_id", "string", "Interview id.", required=True)
CANDIDATE = Column("candidate", "string", "Candidate code (a pseudonym in de-identified exports).")
INDICATOR = Column("indicator", "string", "Indicator id in the interview's protocol.")
DOMAIN = Column("domain", "string", "Domain id of the indicator.")
PART = Column("part", "string", "Part id of the indicator (e.g. readiness).")
VALUE = Column("value", "integer", "Level value; empty when omitted (missing, never 0).")
OMIT = Column("omit", "boolean", "Omitted for insufficient information.")


def _interview_rows(doc: dict[str, Any], protocol: Protocol) -> Iterator[Row]:
    proportion = doc["proportionality"] or {}
    determination = doc["determination"] or {}
    yield {
        "interview_id": doc["id"],
        "candidate": doc["candidate"]["code"],
        "status": doc["status"],
        "protocol_id": doc["protocol"]["id"],
        "protocol_version": doc["protocol"]["version"],
        "protocol_sha256": doc["protocol"]["sha256"],
        "interview_date": doc["interview_date"],
        "consent_given": doc["consent"]["given"],
        "consent_date": doc["consent"]["date"],
        "created_at": doc["created_at"],
        "started_at": doc["started_at"],
        "finalized_at": doc["finalized_at"],
        "panel_size": len(doc["panel"]),
        "ratings": len(doc["ratings"]),
        "omitted": sum(1 for r in doc["ratings"] if r["omitted"]),
        "involved_days": proportion.get("involved_days"),
        "disengaged_days": proportion.get("disengaged_days"),
        "required_days": proportion.get("required_days"),
        "proportionality_met": proportion.get("met"),
        "outcome": determination.get("outcome"),
        "suggested_outcome": determination.get("suggested_outcome") or None,
        "review_date": determination.get("review_date"),
        "determination_rationale": determination.get("rationale"),
        "differs_because": determination.get("differs_because"),
        "conditions": determination.get("conditions"),
        "work_on": determination.get("work_on"),
        "flags": len(doc["safety_flags"]),
        "open_flags": sum(1 for f in doc["safety_flags"] if f["resolved_at"] is None),
    }


def _rating_rows(doc: dict[str, Any], protocol: Protocol) -> Iterator[Row]:
    roles = {p["id"]: p["role"] for p in doc["panel"]}
    places = places_of(protocol)  # looked up once: an interview has a hundred ratings
    for rating in doc["ratings"]:
        domain, part, _critical = places.get(rating["indicator_id"], NOWHERE)
        yield {
            "interview_id": doc["id"],
            "candidate": doc["candidate"]["code"],
            "indicator": rating["indicator_id"],
            "domain": domain,
            "part": part,
            "panelist": rating["panelist"],
            "role": roles.get(rating["panelist_id"]),
            "value": rating["value"],
            "omit": rating["omitted"],
            "rationale": rating["rationale"],
            "submitted_at": rating["submitted_at"],
            "revisions": len(rating["history"]),
        }


def _consensus_rows(doc: dict[str, Any], protocol: Protocol) -> Iterator[Row]:
    places = places_of(protocol)
    for item in doc["consensus"]:
        domain, part, _critical = places.get(item["indicator_id"], NOWHERE)
        yield {
            "interview_id": doc["id"],
            "candidate": doc["candidate"]["code"],
            "indicator": item["indicator_id"],
            "domain": domain,
            "part": part,
            "value": item["value"],
            "omit": item["omitted"],
            "rationale": item["rationale"],
            "dissent": dissent_line(str(item["dissent"])),
            "recorded_at": item["recorded_at"],
        }


def _evidence_rows(doc: dict[str, Any], protocol: Protocol) -> Iterator[Row]:
    for item in doc["evidence"]:
        yield {
            "interview_id": doc["id"],
            "candidate": doc["candidate"]["code"],
            "evidence_id": item["id"],
            "source_type": item["source_type"],
            "informant": item["informant"],
            "obtained_on": item["obtained_on"],
            "reliability": item["reliability"],
            "bearing": item["bearing"],
            "indicators": ";".join(item["indicators"]),
            "summary": item["summary"],
            "created_at": item["created_at"],
        }


def _flag_rows(doc: dict[str, Any], protocol: Protocol) -> Iterator[Row]:
    for flag in doc["safety_flags"]:
        yield {
            "interview_id": doc["id"],
            "candidate": doc["candidate"]["code"],
            "flag_id": flag["id"],
            "kind": flag["kind"],
            "indicator": flag["indicator_id"],
            "raised_by": flag["raised_by"],
            "raised_at": flag["raised_at"],
            "resolved_at": flag["resolved_at"],
            "action_taken": flag["action_taken"],
            "note": flag["note"],
        }


TABLES: tuple[Table, ...] = (
    Table(
        "interviews",
        "One row per interview: status, protocol, timeline summary and determination.",
        (
            INTERVIEW_ID,
            CANDIDATE,
            Column("status", "string", "Life-cycle status.", _choices(Status)),
            Column("protocol_id", "string", "Protocol id."),
            Column("protocol_version", "string", "Protocol version."),
            Column("protocol_sha256", "string", "SHA-256 of the frozen protocol text."),
            Column("interview_date", "date", "Date of the interview."),
            Column("consent_given", "boolean", "The candidate gave informed consent."),
            Column("consent_date", "date", "Date consent was given."),
            Column("created_at", "datetime", "When the interview was created (UTC)."),
            Column("started_at", "datetime", "When capture began (UTC)."),
            Column("finalized_at", "datetime", "When the panel finalized it (UTC)."),
            Column("panel_size", "integer", "Number of panelists."),
            Column("ratings", "integer", "Number of panelists' ratings recorded."),
            Column("omitted", "integer", "How many of those ratings are omits."),
            Column("involved_days", "integer", "Days of active involvement (timeline)."),
            Column("disengaged_days", "integer", "Days since disengagement, at the interview."),
            Column("required_days", "integer", "Disengaged days the proportionality rule asks."),
            Column("proportionality_met", "boolean", "Disengaged at least as long as required."),
            Column("outcome", "string", "The panel's determination.", _choices(Outcome)),
            Column("suggested_outcome", "string", "The computed suggestion at the time."),
            Column("review_date", "date", "When to review a not-yet-ready determination."),
            Column("determination_rationale", "string", "Rationale of the determination."),
            Column(
                "differs_because",
                "string",
                "Why the panel decided otherwise than the computed suggestion.",
            ),
            Column("conditions", "string", "Conditions of a ready-with-conditions outcome."),
            Column("work_on", "string", "What the candidate is asked to work on."),
            Column("flags", "integer", "Safety flags raised."),
            Column("open_flags", "integer", "Safety flags still open."),
        ),
        ("interview_id",),
        _interview_rows,
    ),
    Table(
        "ratings",
        "One row per panelist's current rating of one indicator.",
        (
            INTERVIEW_ID,
            CANDIDATE,
            INDICATOR,
            DOMAIN,
            PART,
            Column("panelist", "string", "Panelist's name (a pseudonym when de-identified)."),
            Column("role", "string", "Panelist's professional role.", _choices(Role)),
            VALUE,
            OMIT,
            Column("rationale", "string", "The panelist's rationale."),
            Column("submitted_at", "datetime", "When the panelist committed it (UTC)."),
            Column("revisions", "integer", "Earlier versions kept in the rating's history."),
        ),
        ("interview_id", "indicator", "panelist"),
        _rating_rows,
    ),
    Table(
        "consensus",
        "One row per indicator the panel agreed a consensus rating for.",
        (
            INTERVIEW_ID,
            CANDIDATE,
            INDICATOR,
            DOMAIN,
            PART,
            VALUE,
            OMIT,
            Column("rationale", "string", "Why the panel agreed this rating."),
            Column("dissent", "string", "Who disagrees and why ('Name: reason; ...')."),
            Column("recorded_at", "datetime", "When it was recorded (UTC)."),
        ),
        ("interview_id", "indicator"),
        _consensus_rows,
    ),
    Table(
        "evidence",
        "One row per collateral evidence item.",
        (
            INTERVIEW_ID,
            CANDIDATE,
            Column("evidence_id", "string", "Evidence item id.", required=True),
            Column("source_type", "string", "Kind of source.", _choices(EvidenceSource)),
            Column("informant", "string", "Who or what the information came from."),
            Column("obtained_on", "date", "When it was obtained."),
            Column("reliability", "string", "How far the panel trusts it.", _choices(Reliability)),
            Column(
                "bearing", "string", "Supports or contradicts the candidate.", _choices(Bearing)
            ),
            Column("indicators", "string", "Indicator ids it bears on, separated by ';'."),
            Column("summary", "string", "What the source says."),
            Column("created_at", "datetime", "When it was recorded (UTC)."),
        ),
        ("evidence_id",),
        _evidence_rows,
    ),
    Table(
        "flags",
        "One row per safety flag raised during an interview.",
        (
            INTERVIEW_ID,
            CANDIDATE,
            Column("flag_id", "string", "Flag id.", required=True),
            Column("kind", "string", "Kind of safety concern.", _choices(FlagKind)),
            Column("indicator", "string", "Indicator being discussed, if any."),
            Column("raised_by", "string", "Who raised it."),
            Column("raised_at", "datetime", "When it was raised (UTC)."),
            Column("resolved_at", "datetime", "When it was resolved (UTC); empty while open."),
            Column("action_taken", "string", "What was done."),
            Column("note", "string", "What was said or seen."),
        ),
        ("flag_id",),
        _flag_rows,
    ),
)


PARTS_USED = frozenset(
    {"panel", "timeline", "ratings", "revisions", "consensus", "determinations"}
    | {"evidence", "links", "flags"}
)
"""The parts of a document (see ``document.PARTS``) the tables are made from.

Notes, quotes, submissions, sign-offs and timings are in no table; a CSV
export does not read them from the store. Every ``*_rows`` function below
reads only these parts (a test checks that the tables are the same from
complete documents).
"""


def bool_cell(value: Any) -> str | None:
    """A boolean cell: ``true``/``false``, missing stays missing."""
    if value is None:
        return None
    return "true" if value else "false"


def time_cell(value: Any) -> str | None:
    """A timestamp cell: UTC with a ``Z`` (documents write ``+00:00``)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else utc(value).isoformat()
    return text.replace("+00:00", "Z")


CELLS: dict[str, Callable[[Any], str | None]] = {"boolean": bool_cell, "datetime": time_cell}
"""Cells whose document form (plain, see ``iter_documents``) is not what the table shows.

Every other value is written by the csv module as it is: text as text,
numbers with ``str()``, and ``None`` as an empty cell (missing).
"""


def row_cells(table: Table) -> Callable[[Row], list[Any]]:
    """Turns one of ``table``'s rows into its cells, in column order.

    Built once per table: a bulk export writes hundreds of thousands of rows,
    and only the boolean and timestamp columns need converting.
    """
    pick = itemgetter(*(column.name for column in table.columns))
    special = tuple(
        (index, CELLS[column.type])
        for index, column in enumerate(table.columns)
        if column.type in CELLS
    )

    def cells(row: Row) -> list[Any]:
        values = list(pick(row))
        for index, convert in special:
            values[index] = convert(values[index])
        return values

    return cells


def write_tables(source: ExportSource, folder: Path, progress: Progress | None = None) -> int:
    """Write every table into ``folder`` (files 0600), streaming; return the interview count."""
    handles = [create_private_text(folder / table.filename) for table in TABLES]
    try:
        writers = [csv.writer(handle, lineterminator="\n") for handle in handles]
        for table, writer in zip(TABLES, writers, strict=True):
            writer.writerow([column.name for column in table.columns])
        outputs = [
            (table.rows, row_cells(table), writer.writerows)
            for table, writer in zip(TABLES, writers, strict=True)
        ]
        count = 0
        for document, protocol in source.documents(plain=True, only=PARTS_USED):
            for rows, cells, write in outputs:
                write(map(cells, rows(document, protocol)))
            count += 1
            if progress is not None:
                progress(1)
        return count
    finally:
        for handle in handles:
            handle.close()


def export_csv(
    source: ExportSource, out: Path, *, force: bool = False, progress: Progress | None = None
) -> int:
    """Write the tables as a folder at ``out`` (atomically); return the interview count.

    Raises:
        ExportTargetError: ``out`` exists and ``force`` is false, or cannot be used.
    """
    with atomic_folder(out, force=force) as folder:
        return write_tables(source, folder, progress)
