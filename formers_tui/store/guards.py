"""The database's own guards (triggers) as the migrations define them.

The triggers keep the audit log append-only, finalized interviews locked and
protocol snapshots frozen. Someone with a SQL shell can drop one, edit, and
put it back, or leave it out; ``formers db check`` and ``formers audit
verify`` compare every trigger in the store with the ones a store built by
the migrations has, so a missing or altered guard is reported.
"""

from __future__ import annotations

import re
from functools import cache

from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import StaticPool


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


@cache
def expected_triggers() -> dict[str, str]:
    """Trigger name -> SQL, from a scratch in-memory store built by the migrations."""
    from formers_tui.store import migrate

    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            ).all()
    finally:
        engine.dispose()
    return {str(name): _normal(str(sql)) for name, sql in rows}


def trigger_problems(connection: Connection) -> list[str]:
    """Each trigger missing, altered or added, as one sentence (empty when all are in place)."""
    found = {
        str(name): _normal(str(sql or ""))
        for name, sql in connection.exec_driver_sql(
            "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'"
        )
    }
    problems = []
    for name, sql in sorted(expected_triggers().items()):
        if name not in found:
            problems.append(f"the guard {name} is missing")
        elif found[name] != sql:
            problems.append(f"the guard {name} was altered")
    problems += [
        f"the trigger {name} is not one of the store's"
        for name in sorted(set(found) - set(expected_triggers()))
    ]
    return problems
