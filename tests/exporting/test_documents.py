"""How documents are read: the same rows as SQLAlchemy, the plain form, partial reads."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from enum import Enum
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlmodel import Session

from formers_tui.exporting.csvfiles import PARTS_USED, TABLES
from formers_tui.exporting.document import (
    DROPPED,
    PARTS,
    _grouped,
    _timestamp_text,
    iter_documents,
    json_default,
    table_of,
    to_json_value,
    utc,
)
from formers_tui.exporting.jsonfile import dumps
from formers_tui.exporting.source import ExportSource
from formers_tui.store.models import Rating
from formers_tui.store.store import Store


def every_id(session: Session) -> list[str]:
    return ExportSource.select(session, every=True).ids


def orm_rows(session: Session, model: Any, via: Any, ids: list[str]) -> dict[str, list[Any]]:
    """What a select through SQLAlchemy gives, shaped as the documents keep rows."""
    table = table_of(model)
    drop = DROPPED.get(table.name, frozenset()) | {"interview_id"}
    if via is None:
        query = select(table, table.c.interview_id.label("owner"))
        query = query.where(table.c.interview_id.in_(ids))
    else:
        parent = table_of(via)
        (link,) = [fk for fk in table.foreign_keys if fk.column.table is parent]
        query = select(table, parent.c.interview_id.label("owner"))
        query = query.join(parent, link.parent == parent.c.id)
        query = query.where(parent.c.interview_id.in_(ids))
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(query):
        values = {
            column.name: row._mapping[column] for column in table.columns if column.name not in drop
        }
        stamps = {k: utc(v) for k, v in values.items() if isinstance(v, datetime)}
        groups[row._mapping["owner"]].append({**values, **stamps})
    return groups


def as_multiset(groups: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Rows compared by value and key order, whatever order the store returned them in."""
    return {owner: sorted(repr(list(r.items())) for r in rows) for owner, rows in groups.items()}


@pytest.mark.parametrize(("name", "model", "via"), PARTS, ids=[part[0] for part in PARTS])
def test_rows_are_read_as_sqlalchemy_reads_them(
    rich_store: Store, name: str, model: Any, via: Any
) -> None:
    with rich_store.session() as session:
        ids = every_id(session)
        read = _grouped(session, model, ids, False, via=via)
        expected = orm_rows(session, model, via, ids)
    assert as_multiset(read) == as_multiset(expected)


def plain_values(value: Any) -> list[Any]:
    """Every value in a document that JSON could not hold as it is."""
    if isinstance(value, dict):
        return [bad for item in value.values() for bad in plain_values(item)]
    if isinstance(value, list):
        return [bad for item in value for bad in plain_values(item)]
    if value is None or type(value) in (str, int, float, bool):
        return []
    return [value]


def test_plain_documents_are_the_json_form_of_the_usual_ones(rich_store: Store) -> None:
    with rich_store.session() as session:
        ids = every_id(session)
        usual = list(iter_documents(session, ids, identifying=True, full=True))
        plain = list(iter_documents(session, ids, identifying=True, full=True, plain=True))
    assert plain == [to_json_value(document) for document in usual]
    assert [dumps(document) for document in plain] == [dumps(document) for document in usual]
    assert plain_values(plain) == []
    assert any(isinstance(v, Enum) for v in usual[0].values())
    assert any(type(v) is date for v in usual[0].values())


def stored_timestamp_parser() -> Any:
    """SQLAlchemy's reading of a timestamp column in SQLite."""
    dialect = sqlite.dialect()
    column = table_of(Rating).c.updated_at
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


@pytest.mark.parametrize(
    ("stored", "text"),
    [
        ("2024-11-27 09:30:00.000000", "2024-11-27T09:30:00+00:00"),
        ("2024-11-27 09:30:00.000120", "2024-11-27T09:30:00.000120+00:00"),
        ("2024-11-27 09:30:00.500000", "2024-11-27T09:30:00.500000+00:00"),
        ("2024-11-27 09:30:00", "2024-11-27T09:30:00+00:00"),
        ("2024-11-27T11:30:00+02:00", "2024-11-27T09:30:00+00:00"),
    ],
)
def test_stored_timestamps_become_the_text_the_encoder_writes(stored: str, text: str) -> None:
    parse = stored_timestamp_parser()
    assert _timestamp_text(parse, stored) == text == json_default(parse(stored))


def test_tables_read_only_the_parts_they_declare(rich_store: Store) -> None:
    with rich_store.session() as session:
        source = ExportSource.select(session, every=True)
        complete = list(source.documents(plain=True))
        partial = list(source.documents(plain=True, only=PARTS_USED))
    assert len(complete) == len(partial) == 2
    for (whole, protocol), (part, _protocol) in zip(complete, partial, strict=True):
        assert part != whole  # something was left out...
        for table in TABLES:  # ...that no table uses
            assert list(table.rows(part, protocol)) == list(table.rows(whole, protocol))
