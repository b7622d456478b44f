"""The interview list's read model, in plain SQL: one query for every path.

The list is the first thing the app shows, and an encrypted store's first
page is read before SQLAlchemy and SQLModel are imported (they take about
half a second of processor time to import;
see :mod:`formers_tui.store.quick`). So the list's queries are written here
once, in SQL with named parameters, and run either on a plain DB-API
connection (``sqlite3``/``sqlcipher3``) or through an ORM session
(:func:`formers_tui.store.interviews.list_interviews`), which every other
caller uses. Values are converted here, whichever driver returned them.

Reads only the columns the list shows: the frozen protocol text (tens of
kilobytes each) is parsed once per distinct protocol, not once per row.
With a small ``limit`` (the first page of a list) the counts are looked up
for those interviews only, through the indexes on ``interview_id``:
milliseconds, where counting every interview of a store of ten thousand
takes the better part of a second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from formers_tui.errors import NotFoundError
from formers_tui.store import protocol_cache
from formers_tui.store.kinds import Status

Run = Callable[[str, Mapping[str, Any]], Sequence[Sequence[Any]]]
"""Runs one SQL statement with named (``:name``) parameters and returns its rows."""

MAX_LOOKUPS = 500
"""Above this many interviews, counts are read for all of them in one pass.

Looking up a few interviews by id is far cheaper than counting the whole
store, but thousands of ids would exceed SQLite's limit on bound parameters
and cost more than the single pass.
"""

STATUS_LABELS: dict[Status, str] = {
    Status.draft: "draft",
    Status.in_progress: "in progress",
    Status.rating: "rating",
    Status.consensus: "consensus",
    Status.finalized: "finalized",
}


@dataclass(frozen=True)
class InterviewSummary:
    """One line of the interview list."""

    id: str
    candidate_code: str
    status: Status
    protocol_id: str
    protocol_version: str
    interview_date: date
    updated_at: datetime
    indicators: int
    with_notes: int
    rated: int
    open_flags: int
    current_indicator: str | None = None

    @property
    def short_id(self) -> str:
        return self.id[:8]


_INTERVIEWS = """
SELECT interview.id, interview.status, interview.protocol_id, interview.protocol_version,
       interview.protocol_hash, interview.interview_date, interview.updated_at,
       interview.current_indicator, candidate.code
FROM interview JOIN candidate ON candidate.id = interview.candidate_id
{where}
ORDER BY interview.updated_at DESC
{limit}
"""

# One note per interview and indicator (a unique constraint), so counting
# rows counts indicators; "text != ''" needs no length computed.
_NOTES = "SELECT interview_id, count(*) FROM note WHERE text != '' {ids} GROUP BY interview_id"
_RATED = (
    "SELECT interview_id, count(DISTINCT indicator_id) FROM rating WHERE 1 = 1 {ids} "
    "GROUP BY interview_id"
)
_FLAGS = (
    "SELECT interview_id, count(*) FROM safety_flag WHERE resolved_at IS NULL {ids} "
    "GROUP BY interview_id"
)
_PROTOCOL = "SELECT text FROM protocol_snapshot WHERE sha256 = :sha256"


def read_interviews(
    run: Run, *, status: Status | None = None, limit: int | None = None
) -> list[InterviewSummary]:
    """Interviews, most recently changed first, with progress counts.

    Args:
        run: executes the statements (a plain connection's or a session's).
        status: only interviews in this state.
        limit: only the first ``limit`` of them.
    """
    params: dict[str, Any] = {}
    where = limit_clause = ""
    if status is not None:
        where = "WHERE interview.status = :status"
        params["status"] = status.name
    if limit is not None:
        limit_clause = "LIMIT :limit"
        params["limit"] = limit
    rows = run(_INTERVIEWS.format(where=where, limit=limit_clause), params)
    every = (limit is None and status is None) or len(rows) > MAX_LOOKUPS
    wanted = None if every else [str(row[0]) for row in rows]
    notes = _counts(run, _NOTES, wanted)
    rated = _counts(run, _RATED, wanted)
    flags = _counts(run, _FLAGS, wanted)
    sizes = {sha: _indicator_count(run, sha) for sha in {str(row[4]) for row in rows}}
    return [
        InterviewSummary(
            id=iid,
            candidate_code=code,
            status=Status(state.name if isinstance(state, Status) else state),
            protocol_id=protocol_id,
            protocol_version=version,
            interview_date=as_date(when),
            updated_at=as_datetime(updated),
            indicators=sizes[sha],
            with_notes=notes.get(iid, 0),
            rated=rated.get(iid, 0),
            open_flags=flags.get(iid, 0),
            current_indicator=current,
        )
        for iid, state, protocol_id, version, sha, when, updated, current, code in rows
    ]


def _counts(run: Run, sql: str, ids: list[str] | None) -> dict[str, int]:
    """Per-interview counts; ``ids=None`` counts every interview in one pass."""
    if ids == []:
        return {}
    clause = ""
    params: dict[str, Any] = {}
    if ids is not None:
        names = [f"id{n}" for n in range(len(ids))]
        clause = f"AND interview_id IN ({', '.join(':' + name for name in names)})"
        params = dict(zip(names, ids, strict=True))
    rows = run(sql.format(ids=clause), params)
    return {str(interview_id): int(count) for interview_id, count in rows}


def _indicator_count(run: Run, sha256: str) -> int:
    protocol = protocol_cache.known(sha256)
    if protocol is None:
        found = run(_PROTOCOL, {"sha256": sha256})
        if not found:
            raise NotFoundError(f"The store holds no protocol {sha256[:12]}.")
        protocol = protocol_cache.parse(sha256, str(found[0][0]))
    return sum(1 for _ in protocol.indicators())


def as_date(value: date | str) -> date:
    """A date column's value: SQLite gives text, a server a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def as_datetime(value: datetime | str) -> datetime:
    """A timestamp column's value, aware in UTC (every timestamp is stored in UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)  # noqa: UP017 - keeps Python 3.10 working
