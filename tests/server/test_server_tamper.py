"""On a server store, a change to any audited column made behind the app is found by ``verify``.

The PostgreSQL counterpart of ``tests/security/test_tamper.py``: the store is
built once through the app; every edit then runs inside one transaction with
the triggers and foreign keys off (``session_replication_role = replica``, as
a superuser could) and the CHECK constraints dropped (DDL is transactional
here), each edit in a savepoint rolled back after ``verify`` has looked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Enum, and_, text

from formers_tui.protocol.loader import load_path
from formers_tui.store import audit, registry
from formers_tui.store.store import Store
from tests.conftest import FIXTURES
from tests.pg import Cluster
from tests.security.test_tamper import COLUMNS, _build


@pytest.fixture(scope="module")
def finished_url(pg_cluster: Cluster) -> str:
    """A server store that went through a whole life cycle (every audited table has rows)."""
    url = pg_cluster.url(pg_cluster.fresh_database())
    _build(url, load_path(FIXTURES / "mini-protocol.toml"))  # type: ignore[arg-type]
    return url


def _other(column: Any, value: Any) -> Any:
    """A different value of the column's own type."""
    if isinstance(column.type, Enum):
        return next(e for e in column.type.enums if e != value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, datetime):
        return value + timedelta(days=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, int | float):
        return value + 1
    if value is None:
        kind = column.type.python_type
        if kind is datetime:
            return datetime(2026, 1, 1, tzinfo=datetime.now().astimezone().tzinfo)
        return {date: date(2026, 1, 1), int: 1, float: 1.5, bool: True}.get(kind, "x")
    return f"{value}x"


def test_the_store_verifies_untouched(finished_url: str) -> None:
    store = Store.open(finished_url)
    try:
        with store.session() as session:
            assert audit.verify_chain(session) == []
            assert audit.verify_state(session) == []
            assert audit.pending_outside(session) == []
    finally:
        store.close()


def test_changing_any_audited_column_is_detected(finished_url: str) -> None:
    store = Store.open(finished_url)
    missed: list[str] = []
    try:
        with store.session() as session:
            connection = session.connection()
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            checks = connection.exec_driver_sql(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'c' "
                "AND conrelid <> 0 AND connamespace = current_schema()::regnamespace"
            ).all()
            for table, name in checks:
                connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for table, column in COLUMNS:
                spec = registry.audited()[table]
                row = connection.execute(text(f"SELECT * FROM {table} LIMIT 1")).mappings().one()
                target = spec.table.c[column]
                where = and_(*(spec.table.c[k] == row[k] for k in spec.key_columns))
                saved = session.begin_nested()
                connection.execute(
                    spec.table.update().where(where).values({column: _other(target, row[column])})
                )
                found = audit.verify_state(session)
                if not any(m.entity == table for m in found):
                    missed.append(f"{table}.{column}")
                saved.rollback()
            session.rollback()
    finally:
        store.close()
    assert missed == []
