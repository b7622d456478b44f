"""Which records the audit log covers: the schema's own tables and columns.

The list is not written out by hand: every table of the store's models is
audited, every column of it, except the few named in :data:`NOT_AUDITED`
and :data:`VOLATILE` with the reason; :data:`SECRET` names the audited
columns whose values never leave the store. The audit writer, ``formers audit
verify``, imports, bundle merges and the migrations all read it from here,
so a column added to a model is audited (and compared) from the start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Table

NOT_AUDITED: dict[str, str] = {
    "audit_entry": "the log itself",
    "audit_seal": "the log's key and tip, sealed with the key",
    "domain_time": "a stopwatch of time spent per domain, added to every few seconds",
}
"""Tables the log does not cover, with why."""

VOLATILE: dict[tuple[str, str], str] = {
    ("interview", "updated_at"): "the list's sort key, moved by every save",
    ("interview", "current_indicator"): "where the chair's cursor was, for resuming",
}
"""Columns of audited tables that are not compared, with why."""

SECRET: dict[tuple[str, str], str] = {
    ("panelist", "pin_hash"): "a hash of a 4-6 digit PIN: brute-forced in seconds",
    ("panelist", "sealed_key"): "the signing key sealed under that PIN: as weak as the PIN",
}
"""Audited columns no output shows, with why.

The log keeps them, so ``verify`` catches a PIN hash or key swapped for
another panelist's; everything that prints or writes audit values shows
only whether they were set or changed (:func:`formers_tui.store.audit.readable`).
"""

OWNERS: dict[str, tuple[str, str]] = {
    "evidence_link": ("evidence_id", "evidence"),
    "rating_revision": ("rating_id", "rating"),
}
"""Tables without an ``interview_id``: the column naming their parent row, and its table."""


@dataclass(frozen=True)
class Audited:
    """One audited table: its name, compared columns and primary key."""

    name: str
    table: Table
    columns: tuple[str, ...]
    key_columns: tuple[str, ...]

    def key_of(self, row: Mapping[str, Any]) -> str:
        """The audit key of a row: its primary key values joined by ``:``."""
        return ":".join(str(row[c]) for c in self.key_columns)

    def interview_sql(self, row: str) -> str:
        """SQL giving the interview a row (``NEW``/``OLD``) belongs to, or ``NULL``."""
        if "interview_id" in self.table.c:
            return f"{row}.interview_id"
        owner = OWNERS.get(self.name)
        if owner is None:
            return "NULL"
        column, parent = owner
        return f"(SELECT interview_id FROM {parent} WHERE id = {row}.{column})"

    def owned_rows_sql(self) -> str | None:
        """``SELECT`` of this table's rows of one interview (``:interview_id``), or ``None``."""
        if "interview_id" in self.table.c:
            return f"SELECT * FROM {self.name} WHERE interview_id = :interview_id"
        owner = OWNERS.get(self.name)
        if owner is None:
            return None
        column, parent = owner
        return (
            f"SELECT * FROM {self.name} WHERE {column} IN "
            f"(SELECT id FROM {parent} WHERE interview_id = :interview_id)"
        )


@cache
def audited() -> dict[str, Audited]:
    """Every audited table by name, from the models' metadata."""
    from sqlmodel import SQLModel

    from formers_tui.store import models  # noqa: F401 - registers the tables

    found: dict[str, Audited] = {}
    for name, table in sorted(SQLModel.metadata.tables.items()):
        if name in NOT_AUDITED:
            continue
        columns = tuple(c.name for c in table.columns if (name, c.name) not in VOLATILE)
        key = tuple(c.name for c in table.primary_key.columns)
        found[name] = Audited(name, table, columns, key)
    return found


def typed(table: Audited, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as read with plain SQL, its booleans as booleans (SQLite stores 0 and 1)."""
    flags = _booleans(table.name)
    return {c: (bool(v) if c in flags and v in (0, 1) else v) for c, v in row.items()}


@cache
def _booleans(name: str) -> frozenset[str]:
    from sqlalchemy import Boolean

    table = audited()[name].table
    return frozenset(c.name for c in table.columns if isinstance(c.type, Boolean))


def missing_columns(table: Audited, recorded: Mapping[str, Any]) -> Sequence[str]:
    """Audited columns a recorded state does not carry."""
    return [c for c in table.columns if c not in recorded]
