"""The database's own guards (triggers) as the migrations define them.

The triggers keep the audit log append-only, finalized interviews locked and
protocol snapshots frozen. Someone with a SQL shell can drop one, edit, and
put it back, or leave it out; ``formers db check`` and ``formers audit
verify`` compare every trigger in the store with the ones a store built by
the migrations has, so a missing or altered guard is reported.

On PostgreSQL the expected triggers are the migrations' own specifications
(:mod:`formers_tui.store.server.triggers`), compared with the catalog: each
trigger's table, timing, events, columns, function and arguments, whether
it is enabled (``ALTER TABLE … DISABLE TRIGGER`` is an edit too), and the
source of every function the triggers run.
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
    if connection.dialect.name == "postgresql":
        return _server_problems(connection)
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


_EVENT_BITS = {"INSERT": 4, "DELETE": 8, "UPDATE": 16, "TRUNCATE": 32}


def _server_expected() -> dict[str, tuple[object, ...]]:
    """Trigger name -> what the catalog must say of it, from the migrations' specifications."""
    from formers_tui.store import registry
    from formers_tui.store.server import triggers

    tables = [(t.name, list(t.columns), list(t.key_columns)) for t in registry.audited().values()]
    every = [*triggers.guards_0002(), *triggers.guards_0003(), *triggers.guards_0004()]
    every += triggers.capture_triggers(tables)
    expected: dict[str, tuple[object, ...]] = {}
    for trigger in every:
        event, _, columns = trigger.events.partition(" OF ")
        kind = _EVENT_BITS[event] | (1 if trigger.per_row else 0)
        kind |= 2 if trigger.timing == "BEFORE" else 0
        cols = frozenset(c.strip() for c in columns.split(",")) if columns else frozenset()
        expected[trigger.name] = (trigger.table, kind, cols, trigger.function, trigger.arguments)
    return expected


def _server_problems(connection: Connection) -> list[str]:
    from formers_tui.store.server import triggers

    rows = connection.exec_driver_sql(
        "SELECT t.tgname, c.relname, t.tgtype, t.tgenabled, p.proname, t.tgargs, "
        "ARRAY(SELECT a.attname FROM unnest(t.tgattr::int2[]) AS k(n) JOIN pg_attribute a "
        "ON a.attrelid = t.tgrelid AND a.attnum = k.n) "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    ).all()
    found: dict[str, tuple[object, ...]] = {}
    disabled: set[str] = set()
    for name, table, kind, enabled, function, args, columns in rows:
        arguments = tuple(a.decode() for a in bytes(args).split(b"\0")[:-1]) if args else ()
        found[str(name)] = (str(table), int(kind), frozenset(columns), str(function), arguments)
        if enabled == "D":
            disabled.add(str(name))
    expected = _server_expected()
    problems = []
    for name, spec in sorted(expected.items()):
        if name not in found:
            problems.append(f"the guard {name} is missing")
        elif found[name] != spec:
            problems.append(f"the guard {name} was altered")
        elif name in disabled:
            problems.append(f"the guard {name} is disabled")
    problems += [
        f"the trigger {name} is not one of the store's"
        for name in sorted(set(found) - set(expected))
    ]
    sources: dict[str, str] = dict(
        connection.exec_driver_sql(
            "SELECT proname, prosrc FROM pg_proc WHERE pronamespace = "
            "current_schema()::regnamespace AND left(proname, 7) = 'formers'"
        ).all()
    )
    for function, body in sorted(triggers.FUNCTIONS.items()):
        if function not in sources:
            problems.append(f"the guard function {function} is missing")
        elif sources[function] != body:
            problems.append(f"the guard function {function} was altered")
    return problems
