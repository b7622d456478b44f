"""Is a store sound? Integrity, references, schema, audit chain and guards, in one read.

``formers db check`` presents the :class:`StoreHealth` that :func:`check_store`
(a file) or :func:`check_server` (PostgreSQL) returns; the dialect-specific
pieces (SQLite's PRAGMAs, a reference check in SQL on the server) stay here
in the store layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection
from sqlmodel import Session, SQLModel

from formers_tui.store import audit, migrate
from formers_tui.store.crypto import StoreKey
from formers_tui.store.engine import make_engine


@dataclass(frozen=True)
class StoreHealth:
    """What :func:`check_store` found."""

    integrity: list[str]
    """SQLite's ``integrity_check`` lines (``["ok"]`` when sound)."""
    foreign_key_problems: int
    schema: str | None
    schema_expected: str
    chain_breaks: list[audit.ChainBreak]
    guard_problems: list[str]
    dialect: str = "sqlite"
    """``sqlite`` or ``postgresql``; a server keeps its own page integrity."""

    @property
    def ok(self) -> bool:
        """Every check passed."""
        return (
            (self.integrity == ["ok"] or self.dialect == "postgresql")
            and not self.foreign_key_problems
            and self.schema == self.schema_expected
            and not self.chain_breaks
            and not self.guard_problems
        )


def check_store(path: Path, key: StoreKey | None) -> StoreHealth:
    """Check the store at ``path`` without changing it (no migration, no backup).

    The audit chain and the database's guards are checked only when the schema
    is current (an older store is upgraded, and then checked, when opened).

    Raises:
        StoreError: the file cannot be opened with ``key``.
    """
    from formers_tui.store.guards import trigger_problems

    engine = make_engine(path, create=False, key=key)
    try:
        with engine.connect() as connection:
            integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            foreign = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        breaks: list[audit.ChainBreak] = []
        guards: list[str] = []
        if current == head:
            with Session(engine) as session:
                breaks = audit.verify_chain(session)
                guards = trigger_problems(session.connection())
    finally:
        engine.dispose()
    return StoreHealth(integrity, len(foreign), current, head, breaks, guards)


def check_server(url: str) -> StoreHealth:
    """Check the store in the PostgreSQL database at ``url`` without changing it.

    PostgreSQL checks its own pages, so there is no integrity line; references
    are counted in SQL (a client with ``session_replication_role = replica``
    can write around foreign keys and triggers alike).

    Raises:
        StoreError: the server cannot be reached.
    """
    from formers_tui.store.guards import trigger_problems
    from formers_tui.store.location import shown
    from formers_tui.store.server.engine import make_server_engine

    engine = make_server_engine(url, shown=shown(url))
    try:
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        breaks: list[audit.ChainBreak] = []
        guards: list[str] = []
        foreign = 0
        if current == head:
            with Session(engine) as session:
                foreign = broken_references(session.connection())
                breaks = audit.verify_chain(session)
                guards = trigger_problems(session.connection())
                session.rollback()
    finally:
        engine.dispose()
    return StoreHealth([], foreign, current, head, breaks, guards, dialect="postgresql")


def broken_references(connection: Connection) -> int:
    """How many rows name a parent row that does not exist (every foreign key of the models)."""
    from formers_tui.store import models

    del models  # imported for its tables
    count = 0
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            pairs = list(zip(fk.column_keys, [e.column.name for e in fk.elements], strict=True))
            present = " AND ".join(f"c.{c} IS NOT NULL" for c, _ in pairs)
            match = " AND ".join(f"p.{p} = c.{c}" for c, p in pairs)
            count += int(
                connection.exec_driver_sql(
                    f"SELECT count(*) FROM {table.name} c WHERE {present} AND NOT EXISTS "
                    f"(SELECT 1 FROM {fk.referred_table.name} p WHERE {match})"
                ).scalar_one()
            )
    return count
