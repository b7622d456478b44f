"""The hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash, so a
removed or edited row breaks the chain.

Notes are saved about once a second while someone types, so an entry that
repeated the whole text before and after each save would make the log grow
with the square of a note's length (about 3 MB per interview, measured).
A note's update therefore records only the splice that turns the previous
text into the new one (:func:`text_splice`); :func:`replay` rebuilds every
entry's full values from the chain when they are needed. Entries are appended in the same
transaction as the change they describe, after the change has been flushed:
by then the transaction holds SQLite's write lock, so no other writer can
slip an entry in between reading the chain's tip and appending to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from formers_tui.store.models import AuditEntry, utcnow

GENESIS = "0" * 64
SPLICE = "text_splice"
"""Key of an entry's ``new`` values holding a text change as a splice."""


def text_splice(before: str, after: str) -> list[Any]:
    """``[prefix kept, suffix kept, text inserted]``: what turns ``before`` into ``after``.

    Typing, deleting or pasting anywhere in a note is one splice of a few
    characters, however long the note.
    """
    limit = min(len(before), len(after))
    prefix = _common_length(lambda n: before[:n] == after[:n], limit)
    suffix = _common_length(
        lambda n: before[len(before) - n :] == after[len(after) - n :], limit - prefix
    )
    return [prefix, suffix, after[prefix : len(after) - suffix]]


def _common_length(same: Callable[[int], bool], limit: int) -> int:
    """The largest ``n <= limit`` with ``same(n)``, by bisection.

    Slice comparisons run in C, so a few of them beat a character loop in
    Python on notes of thousands of characters.
    """
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if same(middle):
            low = middle
        else:
            high = middle - 1
    return low


def apply_splice(before: str, change: list[Any]) -> str:
    """The text a :func:`text_splice` of ``before`` describes."""
    prefix, suffix, inserted = change
    return str(before[:prefix] + inserted + before[len(before) - suffix :])


def to_json(values: dict[str, Any] | None) -> str | None:
    """Serialise a row's values canonically (sorted keys, ISO dates, enum values)."""
    if values is None:
        return None

    def default(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Enum):
            return value.value
        raise TypeError(f"cannot audit a {type(value).__name__}")

    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=default)


def entry_hash(entry: AuditEntry) -> str:
    """Hash of an entry's content chained to ``entry.prev_hash``."""
    payload = json.dumps(
        [
            entry.prev_hash,
            entry.interview_id,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_key,
            entry.old,
            entry.new,
            entry.at.isoformat(),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    interview_id: str | None,
    actor: str,
    action: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> AuditEntry:
    """Append one entry describing a change already made in ``session``."""
    session.flush()  # take the write lock before reading the chain's tip
    tip = session.exec(
        select(AuditEntry.hash).order_by(col(AuditEntry.seq).desc()).limit(1)
    ).first()
    entry = AuditEntry(
        interview_id=interview_id,
        actor=actor,
        action=action,
        entity=entity,
        entity_key=key,
        old=to_json(old),
        new=to_json(new),
        at=utcnow(),
        prev_hash=tip or GENESIS,
        hash="",
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Replayed:
    """An entry with its values in full, as the row was before and after the change."""

    entry: AuditEntry
    old: dict[str, Any] | None
    new: dict[str, Any] | None


def replay(entries: Iterable[AuditEntry]) -> Iterator[Replayed]:
    """Each entry with full ``old``/``new`` values, splices applied in chain order.

    ``entries`` must be in ``seq`` order and hold every entry of each record
    they touch (all of an entity's, or all of an interview's, entries).
    """
    state: dict[tuple[str, str], dict[str, Any] | None] = {}
    for entry in entries:
        key = (entry.entity, entry.entity_key)
        new = json.loads(entry.new) if entry.new else None
        if new is not None and SPLICE in new:
            before = state.get(key) or {}
            old: dict[str, Any] | None = before
            change = new.pop(SPLICE)
            new = {**before, **new, "text": apply_splice(str(before.get("text", "")), change)}
        else:
            old = json.loads(entry.old) if entry.old else None
        state[key] = new
        yield Replayed(entry, old, new)


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops verifying."""

    seq: int
    reason: str


def verify_chain(session: Session) -> list[ChainBreak]:
    """Recompute every hash in order; return each place the chain breaks."""
    breaks: list[ChainBreak] = []
    previous = GENESIS
    expected_seq = 1
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
        seq = entry.seq or 0
        if seq != expected_seq:
            breaks.append(ChainBreak(seq, f"entries {expected_seq}–{seq - 1} are missing"))
        if entry.prev_hash != previous:
            breaks.append(ChainBreak(seq, "does not follow the entry before it"))
        if entry_hash(entry) != entry.hash:
            breaks.append(ChainBreak(seq, "content was changed after it was written"))
        previous = entry.hash
        expected_seq = seq + 1
    return breaks


@dataclass(frozen=True)
class StateMismatch:
    """A stored row that differs from what the audit log last recorded for it."""

    entity: str
    key: str
    interview_id: str | None
    reason: str
    changed: tuple[str, ...] = ()
    """Names of the fields that differ."""


def _audited_tables() -> dict[str, tuple[type[Any], Any]]:
    """Entity name -> (table, function giving a row's audit key)."""
    from formers_tui.store import models as m

    return {
        "note": (m.Note, lambda r: r.id),
        "rating": (m.Rating, lambda r: r.id),
        "timeline_entry": (m.TimelineEntry, lambda r: f"{r.interview_id}:{r.fact_id}"),
        "consensus": (m.Consensus, lambda r: f"{r.interview_id}:{r.indicator_id}"),
        "determination": (m.Determination, lambda r: r.interview_id),
        "sign_off": (m.SignOff, lambda r: f"{r.interview_id}:{r.panelist_id}"),
    }


def verify_state(session: Session, interview_id: str | None = None) -> list[StateMismatch]:
    """Compare audited records with the audit log's last word on each.

    Finds rows edited, added or removed behind the application's back (for
    example with a SQL shell): the log records every change the application
    makes, so the current row must equal the last recorded ``new`` value.
    """
    mismatches: list[StateMismatch] = []
    for entity, (table, key_of) in _audited_tables().items():
        query = select(AuditEntry).where(AuditEntry.entity == entity).order_by(col(AuditEntry.seq))
        if interview_id is not None:
            query = query.where(AuditEntry.interview_id == interview_id)
        last: dict[str, Replayed] = {}
        for replayed in replay(session.exec(query)):
            last[replayed.entry.entity_key] = replayed
        rows_query = select(table)
        if interview_id is not None:
            rows_query = rows_query.where(table.interview_id == interview_id)
        seen: set[str] = set()
        for row in session.exec(rows_query):
            key = key_of(row)
            seen.add(key)
            recorded_entry = last.get(key)
            if recorded_entry is None or recorded_entry.new is None:
                mismatches.append(
                    StateMismatch(entity, key, row.interview_id, "exists but was never recorded")
                )
                continue
            recorded = recorded_entry.new
            current = json.loads(to_json(row.model_dump()) or "{}")
            # Entries may carry context beyond the row (a name, a code); only the
            # row's own columns are compared.
            changed = tuple(
                sorted(k for k in set(recorded) & set(current) if recorded[k] != current[k])
            )
            if changed:
                mismatches.append(
                    StateMismatch(
                        entity,
                        key,
                        row.interview_id,
                        "differs from its last recorded value",
                        changed,
                    )
                )
        for key, replayed in last.items():
            if key not in seen and replayed.new is not None:
                mismatches.append(
                    StateMismatch(
                        entity, key, replayed.entry.interview_id, "was removed without a record"
                    )
                )
    return mismatches


def history(session: Session, interview_id: str) -> list[AuditEntry]:
    """Every audit entry of one interview, oldest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.interview_id == interview_id)
            .order_by(col(AuditEntry.seq))
        ).all()
    )
