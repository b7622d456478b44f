"""Merging a whole interview that arrives by bundle into the store's copy of it.

The chair's laptop and a panelist's laptop each hold the interview; what was
captured on one (notes, quotes, evidence, timeline facts, safety flags)
comes across with a whole-interview bundle. Nothing is overwritten: what the
store lacks is added, what is the same is left alone, and what differs is
kept as the store has it and named in the report, so the user knows exactly
what did not come across. A safety flag is never dropped: one the store
lacks is always added, and a resolution the store lacks is applied.

Ratings, submissions and the panel's decisions are not taken from a
whole-interview bundle into an existing interview: ratings prove their
author only in the panelist's own signed bundle, and the panel's decisions
are made in the panel view. They are reported when they differ.

Notes and timeline facts go through the store's capture functions (the same
checks and audit entries as typing); quotes, evidence and flags keep their
ids, so merging the same bundle twice changes nothing. Like typing, anything
merged withdraws the signatures given so far
(:func:`~formers_tui.store.rules.writes.signed_content_changed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from formers_tui.exporting.document import ProtocolCache, iter_documents, table_of, to_json_value
from formers_tui.exporting.importing import check_interview, parse_timestamp, row_values
from formers_tui.store import capture
from formers_tui.store.common import protocol_of, record, touch, values
from formers_tui.store.models import Evidence, EvidenceLink, Interview, Quote, SafetyFlag
from formers_tui.store.rules.writes import signed_content_changed

COMPARED = ("ratings", "domain_submissions", "chair_reveal", "consensus", "determination")
"""Parts reported when they differ, never merged (see the module docstring)."""
LABELS = {
    "ratings": "ratings",
    "domain_submissions": "domain submissions",
    "chair_reveal": "the chair's reveal",
    "consensus": "consensus ratings",
    "determination": "the determination",
    "sign_offs": "sign-offs",
}


@dataclass
class ContentMerge:
    """What merging an interview's captured content did."""

    merged: dict[str, int] = field(default_factory=dict)
    """Counts by kind: notes, quotes, evidence, timeline facts, safety flags."""
    not_merged: list[str] = field(default_factory=list)
    """One sentence per thing left as the store has it."""

    def add(self, kind: str) -> None:
        self.merged[kind] = self.merged.get(kind, 0) + 1


def stored_document(session: Session, interview: Interview) -> dict[str, Any]:
    """The store's interview in the bundle's document form."""
    doc = next(iter_documents(session, [interview.id], full=True, protocols=ProtocolCache()))
    out: dict[str, Any] = to_json_value(doc)
    return out


def merge_interview(
    session: Session, interview: Interview, doc: dict[str, Any], *, actor: str
) -> ContentMerge:
    """Merge ``doc`` (a checked interview document) into the stored ``interview``.

    Raises:
        ValidationError: the document is not a record the app allows (see
            :func:`~formers_tui.exporting.importing.check_interview`); nothing
            is written.
    """
    check_interview(doc, protocol_of(interview))
    here = stored_document(session, interview)
    result = ContentMerge()
    _notes(session, interview, doc, here, result, actor)
    _timeline(session, interview, doc, here, result, actor)
    _by_id(session, interview, Quote, doc["quotes"], here["quotes"], "quote", result, actor)
    _evidence(session, interview, doc, here, result, actor)
    _flags(session, interview, doc, here, result, actor)
    _unmerged(doc, here, result)
    if result.merged:
        touch(session, interview)
        # Notes and facts withdrew signatures through the capture functions already.
        signed_content_changed(
            session, interview, actor=actor, why="captured content arrived by bundle"
        )
    return result


def _notes(
    session: Session,
    interview: Interview,
    doc: dict[str, Any],
    here: dict[str, Any],
    result: ContentMerge,
    actor: str,
) -> None:
    stored = {n["indicator_id"]: n["text"] for n in here["notes"]}
    for note in doc["notes"]:
        text, indicator = note["text"], note["indicator_id"]
        if not text or stored.get(indicator) == text:
            continue
        if stored.get(indicator):
            result.not_merged.append(
                f"The note on {indicator} differs from this store's; this store's is kept."
            )
            continue
        capture.save_note(
            session, interview_id=interview.id, indicator_id=indicator, text=text, actor=actor
        )
        result.add("notes")


def _timeline(
    session: Session,
    interview: Interview,
    doc: dict[str, Any],
    here: dict[str, Any],
    result: ContentMerge,
    actor: str,
) -> None:
    for fact, value in doc["timeline"].items():
        stored = here["timeline"].get(fact, "")
        if not value or stored == value:
            continue
        if stored:
            result.not_merged.append(
                f"The timeline fact {fact} is {value!r} in the bundle but {stored!r} here; "
                "this store's is kept."
            )
            continue
        capture.set_timeline(
            session, interview_id=interview.id, fact_id=fact, value=value, actor=actor
        )
        result.add("timeline facts")


def _insert(
    session: Session, interview: Interview, model: Any, row: dict[str, Any], actor: str
) -> None:
    session.execute(insert(table_of(model)), [row])
    session.flush()
    entity = table_of(model).name
    record(
        session,
        interview,
        actor=actor,
        action="create",
        entity=entity,
        key=row["id"],
        old=None,
        new={**(values(session.get(model, row["id"])) or {}), "source": "bundle"},
    )


def _by_id(
    session: Session,
    interview: Interview,
    model: Any,
    incoming: list[dict[str, Any]],
    stored: list[dict[str, Any]],
    what: str,
    result: ContentMerge,
    actor: str,
) -> None:
    known = {row["id"]: row for row in stored}
    for row in incoming:
        if row["id"] not in known:
            if session.get(model, row["id"]) is not None:
                result.not_merged.append(f"A {what} of another interview has the same id.")
                continue
            _insert(
                session, interview, model, row_values(model, row, interview_id=interview.id), actor
            )
            result.add(f"{what}s")
        elif known[row["id"]] != row:
            result.not_merged.append(
                f"A {what} ({row['id'][:8]}) differs from this store's; this store's is kept."
            )


def _evidence(
    session: Session,
    interview: Interview,
    doc: dict[str, Any],
    here: dict[str, Any],
    result: ContentMerge,
    actor: str,
) -> None:
    before = result.merged.get("evidence items", 0)
    _by_id(
        session,
        interview,
        Evidence,
        doc["evidence"],
        here["evidence"],
        "evidence item",
        result,
        actor,
    )
    if result.merged.get("evidence items", 0) == before:
        return
    known = {e["id"] for e in here["evidence"]}
    links = [
        {"evidence_id": e["id"], "indicator_id": linked}
        for e in doc["evidence"]
        if e["id"] not in known and session.get(Evidence, e["id"]) is not None
        for linked in e["indicators"]
    ]
    if links:
        session.execute(insert(table_of(EvidenceLink)), links)


def _flags(
    session: Session,
    interview: Interview,
    doc: dict[str, Any],
    here: dict[str, Any],
    result: ContentMerge,
    actor: str,
) -> None:
    stored = {f["id"]: f for f in here["safety_flags"]}
    fresh = [f for f in doc["safety_flags"] if f["id"] not in stored]
    _by_id(session, interview, SafetyFlag, fresh, [], "safety flag", result, actor)
    for flag in doc["safety_flags"]:
        mine = stored.get(flag["id"])
        if mine is None or mine == flag:
            continue
        raised = {k: v for k, v in flag.items() if k not in ("resolved_at", "action_taken")}
        if (
            mine["resolved_at"] is None
            and flag["resolved_at"] is not None
            and raised == {k: mine[k] for k in raised}
        ):
            row = session.get(SafetyFlag, flag["id"])
            assert row is not None
            old = values(row)
            row.resolved_at = parse_timestamp(flag["resolved_at"])
            row.action_taken = flag["action_taken"]
            session.add(row)
            record(
                session,
                interview,
                actor=actor,
                action="update",
                entity="safety_flag",
                key=row.id,
                old=old,
                new={**(values(row) or {}), "source": "bundle"},
            )
            result.add("flag resolutions")
            continue
        result.not_merged.append(
            f"A safety flag ({flag['id'][:8]}, {flag['kind']}) differs from this store's; "
            "this store's is kept."
        )


def _unmerged(doc: dict[str, Any], here: dict[str, Any], result: ContentMerge) -> None:
    """Name the ratings and decisions the bundle holds differently from this store."""
    for part in (*COMPARED, "sign_offs"):
        theirs, mine = doc[part], here[part]
        if isinstance(theirs, list):
            known = {_key(row) for row in mine}
            extra = [row for row in theirs if _key(row) not in known]
            if extra:
                result.not_merged.append(
                    f"{len(extra)} of the bundle's {LABELS[part]} differ from this store's or are "
                    f"not in it; {_why(part)}"
                )
        elif theirs is not None and theirs != mine:
            result.not_merged.append(
                f"The bundle's {LABELS[part]} differs from this store's; {_why(part)}"
            )


def _key(row: dict[str, Any]) -> str:
    """A row as comparable text (rows are JSON values)."""
    import json

    return json.dumps(row, sort_keys=True)


def _why(part: str) -> str:
    if part in ("ratings", "domain_submissions"):
        return "ratings come across only in the panelist's own signed bundle."
    return "the panel records these in its own panel view."
