"""The keyed, hash-chained audit log.

Each entry's MAC (HMAC-SHA256 under the log's key, :mod:`chain_key`) covers
its number, its content and the previous entry's MAC, so an edited, removed
or re-ordered entry breaks the chain, and entries cannot be re-made without
the key. The newest entry's number and MAC (the *head*) are sealed in the
store and written into backups, exports, bundles, sign-offs and reports;
``formers audit verify --against FILE`` checks the log still holds them.

Every change to an audited record (:mod:`registry`) is captured by
triggers into ``audit_pending``, whatever wrote it (the ORM, an import's
bulk insert, a cascade): on SQLite per-connection TEMP triggers and a TEMP
table, on PostgreSQL permanent PL/pgSQL triggers and a table whose rows name
the transaction that wrote them (:mod:`formers_tui.store.server.triggers`).
:func:`append` turns each captured row of its own transaction into an entry
carrying the row's stored values, and a commit with captured rows left over
appends them itself. So ``verify`` can compare every column of every audited
row with its last entry; on PostgreSQL a change made by a SQL client outside
the app stays pending, unchained, and ``verify`` reports it.

Notes are saved about once a second while someone types, so an entry that
repeated the whole text before and after each save would make the log grow
with the square of a note's length (about 3 MB per interview, measured).
A note's update therefore records only the splice that turns the previous
text into the new one (:func:`text_splice`); :func:`replay` rebuilds every
entry's full values from the chain when they are needed. Entries are appended in the same
transaction as the change they describe, after the change has been flushed:
by then the transaction holds SQLite's write lock, so no other writer can
slip an entry in between reading the chain's tip and appending to it. On
PostgreSQL the appender locks the seal row first (``SELECT … FOR UPDATE``),
which serialises appenders on every machine the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, event, insert, inspect, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from formers_tui.errors import FormersError
from formers_tui.store import chain_key, registry
from formers_tui.store.engine import StoreError, key_of
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


def _payload(entry: AuditEntry, *head: object) -> str:
    """The hashed text of an entry: ``head`` (its number, when keyed), then its content."""
    return json.dumps(
        [
            *head,
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


def legacy_hash(entry: AuditEntry) -> str:
    """SHA-256 of an entry written before the log was keyed (no key, no number)."""
    return hashlib.sha256(_payload(entry).encode("utf-8")).hexdigest()


def entry_mac(key: bytes, entry: AuditEntry) -> str:
    """MAC of an entry's number and content, chained to ``entry.prev_hash``."""
    return chain_key.mac(key, _payload(entry, entry.seq))


# ----------------------------------------------------------------------------- capture

PENDING = "audit_pending"
"""Table of audited rows changed and not yet logged (TEMP, per connection, on SQLite)."""

_MINE = "xact = pg_current_xact_id_if_assigned()"
"""PostgreSQL: the pending rows this transaction captured (others' stay pending)."""


def _is_server(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def install_capture(dbapi_connection: Any) -> None:
    """Create the TEMP table and triggers that note every change to an audited row (SQLite).

    Called for each new connection of a store at the current schema; TEMP
    objects live only in that connection, so nothing of this is in the file.
    PostgreSQL's capture is permanent, made by the migrations instead.
    """
    cursor = dbapi_connection.cursor()
    try:
        found = cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_seal'"
        ).fetchone()
        if found is None:
            return
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {PENDING} "
            "(tbl TEXT NOT NULL, op TEXT NOT NULL, k1, k2, k3, iid TEXT)"
        )
        for table in registry.audited().values():
            for op, row, when in (
                ("insert", "NEW", "INSERT"),
                ("delete", "OLD", "DELETE"),
                ("update", "NEW", "UPDATE OF " + ", ".join(table.columns)),
            ):
                keys = [f"{row}.{c}" for c in table.key_columns]
                keys += ["NULL"] * (3 - len(keys))
                cursor.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS audit_capture_{table.name}_{op} "
                    f"AFTER {when} ON {table.name} BEGIN "
                    f"INSERT INTO {PENDING} VALUES ('{table.name}', '{op}', {', '.join(keys)}, "
                    f"{table.interview_sql(row)}); END"
                )
    finally:
        cursor.close()
    dbapi_connection.commit()


@dataclass(frozen=True)
class _Changed:
    table: registry.Audited
    key: str
    op: str
    row: dict[str, Any] | None
    interview_id: str | None


def _take_pending(connection: Connection) -> list[_Changed]:
    """The captured rows, each once, with their stored values (``None``: deleted)."""
    captured: list[Any]
    if _is_server(connection):
        taken = connection.exec_driver_sql(
            f"DELETE FROM {PENDING} WHERE {_MINE} RETURNING id, tbl, op, k1, k2, k3, iid"
        ).all()
        captured = [tuple(row[1:]) for row in sorted(taken, key=lambda row: int(row[0]))]
    else:
        captured = list(
            connection.exec_driver_sql(
                f"SELECT tbl, op, k1, k2, k3, iid FROM temp.{PENDING} ORDER BY rowid"
            ).all()
        )
        if captured:
            connection.exec_driver_sql(f"DELETE FROM temp.{PENDING}")
    if not captured:
        return []
    tables = registry.audited()
    firsts: dict[tuple[str, str], tuple[registry.Audited, str, tuple[Any, ...], str | None]] = {}
    for name, op, k1, k2, k3, iid in captured:
        table = tables[name]
        values = tuple(
            _key_value(table, column, value)
            for column, value in zip(table.key_columns, (k1, k2, k3), strict=False)
        )
        key = ":".join(str(v) for v in values)
        seen = firsts.get((name, key))
        if seen is None:
            firsts[(name, key)] = (table, op, values, iid)
        elif seen[3] is None and iid is not None:
            firsts[(name, key)] = (*seen[:3], iid)
    changed = []
    for (name, key), (table, op, values, iid) in firsts.items():
        where = " AND ".join(f"{c} = :k{i}" for i, c in enumerate(table.key_columns))
        found = connection.execute(
            text(f"SELECT * FROM {name} WHERE {where}"),
            {f"k{i}": v for i, v in enumerate(values)},
        )
        row = found.mappings().first()
        stored = registry.typed(table, dict(row)) if row is not None else None
        if stored is not None and iid is None and "interview_id" in stored:
            iid = stored["interview_id"]
        changed.append(_Changed(table, key, op, stored, iid))
    return changed


def _key_value(table: registry.Audited, column: str, value: Any) -> Any:
    """A captured key value in its column's type (PostgreSQL captures keys as text)."""
    if isinstance(value, str) and table.table.c[column].type.python_type is int:
        return int(value)
    return value


# ----------------------------------------------------------------------------- the key

_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Seal:
    """The stored seal row."""

    legacy_until: int
    tip_seq: int
    tip_hash: str
    seal: str


def _seal_row(connection: Connection, *, lock: bool = False) -> Seal | None:
    """The seal row; ``lock``: hold it until the transaction ends (PostgreSQL).

    SQLite's write lock already serialises appenders; on PostgreSQL the row
    lock does, so two machines never number entries from the same tip.
    """
    locking = " FOR UPDATE" if lock and _is_server(connection) else ""
    row = connection.exec_driver_sql(
        "SELECT legacy_until, tip_seq, tip_hash, seal FROM audit_seal WHERE id = 1" + locking
    ).first()
    return None if row is None else Seal(int(row[0]), int(row[1]), str(row[2]), str(row[3]))


def log_key(session: Session) -> bytes:
    """The log's key for the store ``session`` is bound to (read once per engine).

    Raises:
        StoreError: the store has no seal, or its key does not unwrap.
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    known = _KEYS.get(engine)
    if known is not None:
        return known
    row = (
        session.connection()
        .exec_driver_sql("SELECT key_wrapped, key_wrap, key_check FROM audit_seal WHERE id = 1")
        .first()
    )
    if row is None:
        raise StoreError("The audit log's seal is missing; 'formers audit verify' says more.")
    found = chain_key.unwrap(str(row[0]), str(row[1]), str(row[2]), key_of(engine))
    _KEYS[engine] = found
    return found


# ----------------------------------------------------------------------------- writing


def _canonical(values: dict[str, Any] | None) -> dict[str, Any] | None:
    text = to_json(values)
    return None if text is None else dict(json.loads(text))


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
    """Log a change already made in ``session``: one entry per audited row it touched.

    The entry for the row named by ``entity``/``key`` takes ``action`` and
    keeps ``old`` and the extra context in ``new`` (a name, a reason); its
    values are the row as stored. Rows the change touched besides (an
    interview moving from draft, a cascade) get entries of their own. When
    no row matches, the entry is context only (``entity`` given a `` (note)``
    suffix if it names an audited table, so ``verify`` does not read it as a
    row). Returns the entry for ``entity``/``key``.
    """
    session.flush()  # write the change, so the triggers have captured it
    connection = session.connection()
    changed = _take_pending(connection)
    extras = {k: v for k, v in (new or {}).items()}
    made: list[AuditEntry] = []
    named: AuditEntry | None = None
    for row in changed:
        mine = row.table.name == entity and row.key == key
        entry = _row_entry(
            row,
            actor=actor,
            action=action if mine else None,
            old=old if mine else None,
            extras=extras if mine else {},
            interview_id=row.interview_id or interview_id,
        )
        made.append(entry)
        if mine:
            named = entry
    if named is None:
        shown = f"{entity} (note)" if entity in registry.audited() else entity
        named = AuditEntry(
            interview_id=interview_id,
            actor=actor,
            action=action,
            entity=shown,
            entity_key=key,
            old=to_json(old),
            new=to_json(new),
            at=utcnow(),
            prev_hash="",
            hash="",
        )
        made.append(named)
    _chain_and_add(session, made)
    return named


def _row_entry(
    row: _Changed,
    *,
    actor: str,
    action: str | None,
    old: dict[str, Any] | None,
    extras: dict[str, Any],
    interview_id: str | None,
) -> AuditEntry:
    if row.row is None:
        before = {**(old or {}), **extras} if (old or extras) else None
        return AuditEntry(
            interview_id=interview_id,
            actor=actor,
            action=action or "delete",
            entity=row.table.name,
            entity_key=row.key,
            old=to_json(before),
            new=None,
            at=utcnow(),
            prev_hash="",
            hash="",
        )
    stored = _canonical(row.row) or {}
    values = {**extras, **stored}
    if SPLICE in extras:
        # A splice entry carries the splice and the columns the writer changed,
        # as stored; the rest is the row's previous state (see the module's notes).
        values = {**extras, **{c: stored[c] for c in extras if c in stored}}
    return AuditEntry(
        interview_id=interview_id,
        actor=actor,
        action=action or ("create" if row.op == "insert" else "update"),
        entity=row.table.name,
        entity_key=row.key,
        old=to_json(old),
        new=to_json(values),
        at=utcnow(),
        prev_hash="",
        hash="",
    )


def _chain_and_add(session: Session, entries: list[AuditEntry]) -> None:
    """Number, chain and MAC ``entries``; add them and move the seal to the new tip."""
    key = log_key(session)
    connection = session.connection()
    seal = _seal_row(connection, lock=True)
    last = connection.exec_driver_sql(_tip_query(connection)).first()
    seq, previous = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)
    # A seal that no longer matches the log's end (entries removed or added
    # behind the app's back) is left as it is, so verify keeps saying so.
    in_step = seal is not None and seal.tip_seq == seq and seal.tip_hash == previous
    moment = utcnow()
    for entry in entries:
        seq += 1
        entry.seq = seq
        entry.at = moment
        entry.prev_hash = previous
        entry.hash = entry_mac(key, entry)
        previous = entry.hash
        session.add(entry)
    session.flush()
    if in_step and seal is not None:
        _move_seal(
            connection, seq, previous, chain_key.seal_of(key, seal.legacy_until, seq, previous)
        )


_TIP_FUNCTION: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _tip_query(connection: Connection) -> str:
    """The query for the chain's last entry, as ``(seq, hash)``.

    On a server with row-level security a person's connection reads only
    the entries it may see, so the end of the chain comes from the
    policies' ``formers_audit_tip()``, which reads past them (and gives
    nothing but the number and MAC).
    """
    plain = "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
    if not _is_server(connection):
        return plain
    known = _TIP_FUNCTION.get(connection.engine)
    if known is None:
        known = bool(
            connection.exec_driver_sql(
                "SELECT COALESCE(has_function_privilege("
                "to_regprocedure('formers_audit_tip()'), 'EXECUTE'), false)"
            ).scalar()
        )
        if known:
            _TIP_FUNCTION[connection.engine] = known
    return "SELECT seq, hash FROM formers_audit_tip()" if known else plain


def _move_seal(connection: Connection, seq: int, tip: str, seal: str) -> None:
    connection.execute(
        text("UPDATE audit_seal SET tip_seq = :seq, tip_hash = :tip, seal = :seal WHERE id = 1"),
        {"seq": seq, "tip": tip, "seal": seal},
    )


def _log_leftovers(session: OrmSession) -> None:
    """Before a commit: log audited rows changed without an :func:`append`."""
    if not isinstance(session, Session) or session.get_transaction() is None:
        return
    session.flush()
    connection = session.connection()
    if _is_server(connection):
        if not _server_capture(connection):
            return
        waiting = connection.exec_driver_sql(
            f"SELECT 1 FROM {PENDING} WHERE {_MINE} LIMIT 1"
        ).first()
    else:
        try:
            waiting = connection.exec_driver_sql(f"SELECT 1 FROM temp.{PENDING} LIMIT 1").first()
        except Exception as exc:  # noqa: BLE001 - no capture on this connection
            if "no such table" in str(exc):
                return
            raise
    if waiting is None:
        return
    changed = _take_pending(connection)
    entries = [
        _row_entry(
            row,
            actor="formers-tui",
            action=None,
            old=None,
            extras={},
            interview_id=row.interview_id,
        )
        for row in changed
    ]
    _chain_and_add(session, entries)


_CAPTURING: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _server_capture(connection: Connection) -> bool:
    """Whether the server database has its capture table yet (asked once per engine).

    Asked of the catalog, because a failed query would abort PostgreSQL's
    transaction; only a yes is remembered (a migration may add it).
    """
    if _CAPTURING.get(connection.engine):
        return True
    found = connection.exec_driver_sql(f"SELECT to_regclass('{PENDING}')").scalar() is not None
    if found:
        _CAPTURING[connection.engine] = True
    return found


def pending_outside(session: Session) -> list[tuple[str, str, str, str]]:
    """Changes to audited rows captured but never chained: ``(table, op, key, role)``.

    Only PostgreSQL keeps these: a SQL client that writes without the app
    leaves its captured rows behind in ``audit_pending``. SQLite's capture
    lives and dies with the app's own connection, so there it is always
    empty (``verify`` still finds such edits by comparing rows with the log).
    """
    connection = session.connection()
    if not _is_server(connection) or not _server_capture(connection):
        return []
    rows = connection.exec_driver_sql(
        f"SELECT tbl, op, concat_ws(':', k1, k2, k3), by_role FROM {PENDING} ORDER BY id"
    ).all()
    return [(str(t), str(o), str(k), str(r)) for t, o, k, r in rows]


event.listen(OrmSession, "before_commit", _log_leftovers)


# ----------------------------------------------------------------------------- baseline


def write_baseline(
    connection: Connection, key: bytes, *, actor: str, action: str, summary: dict[str, Any]
) -> int:
    """Log every audited row as it is now, then a summary entry; return how many rows.

    Used when the log is first keyed (and by any migration that adds an
    audited column), so ``verify`` starts from the records as they were then.
    Reads each table as stored (``SELECT *``), so it works at any schema.
    """
    last = connection.exec_driver_sql(
        "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
    ).first()
    seq, previous = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)
    moment = utcnow()
    present = set(inspect(connection).get_table_names())
    owners: dict[str, dict[str, str]] = {}
    for parent in {p for _, p in registry.OWNERS.values()} & present:
        owners[parent] = {
            str(i): str(o)
            for i, o in connection.exec_driver_sql(f"SELECT id, interview_id FROM {parent}")
        }
    batch: list[dict[str, Any]] = []
    count = 0

    def add(entry: AuditEntry) -> None:
        nonlocal seq, previous
        seq += 1
        entry.seq = seq
        entry.prev_hash = previous
        entry.hash = entry_mac(key, entry)
        previous = entry.hash
        batch.append(entry.model_dump())
        if len(batch) >= 500:
            connection.execute(insert(AuditEntry.__table__), batch)  # type: ignore[attr-defined]
            batch.clear()

    for table in registry.audited().values():
        if table.name not in present:
            continue
        for row in connection.exec_driver_sql(f"SELECT * FROM {table.name}").mappings():
            stored = registry.typed(table, dict(row))
            iid = stored.get("interview_id")
            owner = registry.OWNERS.get(table.name)
            if iid is None and owner is not None:
                iid = owners.get(owner[1], {}).get(str(stored[owner[0]]))
            add(
                AuditEntry(
                    interview_id=iid,
                    actor=actor,
                    action=action,
                    entity=table.name,
                    entity_key=table.key_of(stored),
                    old=None,
                    new=to_json(stored),
                    at=moment,
                    prev_hash="",
                    hash="",
                )
            )
            count += 1
    add(
        AuditEntry(
            interview_id=None,
            actor=actor,
            action=action,
            entity="audit_log",
            entity_key="",
            old=None,
            new=to_json({**summary, "records": count}),
            at=moment,
            prev_hash="",
            hash="",
        )
    )
    if batch:
        connection.execute(insert(AuditEntry.__table__), batch)  # type: ignore[attr-defined]
    seal = _seal_row(connection)
    legacy = seal.legacy_until if seal is not None else 0
    _move_seal(connection, seq, previous, chain_key.seal_of(key, legacy, seq, previous))
    return count


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
            old = json.loads(entry.old) if entry.old else state.get(key)
        state[key] = new
        yield Replayed(entry, old, new)


SECRET_SET = "set"
"""Shown for a secret column (:data:`registry.SECRET`) that holds a value."""
SECRET_CHANGED = "changed"
"""Shown for a secret column's new value when it differs from the one before."""


def hide_secrets(
    entity: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """An entry's ``old``/``new`` values with every secret column replaced by a marker.

    The log keeps a PIN hash and a sealed key as stored, so ``verify`` can
    compare them; a hash of a short PIN is brute-forced in seconds, so no
    output may show them, nor a hash of them. What stays is whether the value
    was set (:data:`SECRET_SET`, ``None`` for unset) and, on the ``new``
    side, whether it changed (:data:`SECRET_CHANGED`). Every path that
    prints or writes audit values goes through here (:func:`readable`).
    """
    table = entity.split(" ", 1)[0]  # a context entry is named "<table> (note)"
    columns = [c for t, c in registry.SECRET if t == table]
    if not columns:
        return old, new
    shown_old = None if old is None else dict(old)
    shown_new = None if new is None else dict(new)
    for column in columns:
        was = None if old is None else old.get(column)
        now = None if new is None else new.get(column)
        if shown_old is not None and column in shown_old:
            shown_old[column] = None if was is None else SECRET_SET
        if shown_new is not None and column in shown_new:
            if now is None:
                shown_new[column] = None
            elif was is None or was == now:
                shown_new[column] = SECRET_SET
            else:
                shown_new[column] = SECRET_CHANGED
    return shown_old, shown_new


def readable(entries: Iterable[AuditEntry]) -> Iterator[Replayed]:
    """:func:`replay` for output: secret columns replaced (:func:`hide_secrets`).

    Each result's ``entry`` is a detached copy without its stored ``old`` and
    ``new`` text (which hold the secrets as they are); read ``old``/``new``
    of the result instead. Only ``verify`` reads the log's real values.
    """
    for replayed in replay(entries):
        entry = replayed.entry
        old, new = hide_secrets(entry.entity, replayed.old, replayed.new)
        bare = AuditEntry(
            seq=entry.seq,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
            interview_id=entry.interview_id,
            actor=entry.actor,
            action=entry.action,
            entity=entry.entity,
            entity_key=entry.entity_key,
            old=None,
            new=None,
            at=entry.at,
        )
        yield Replayed(bare, old, new)


# ----------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops verifying."""

    seq: int
    reason: str


class PartialLog(FormersError):
    """The connected login may read only part of the log (a person on a server store)."""


def verify_chain(session: Session) -> list[ChainBreak]:
    """Check every entry's MAC in order, and the seal; return each place it breaks.

    Entries written before the log was keyed are checked with their plain
    SHA-256; the first keyed entry's link to them seals them too.

    Raises:
        PartialLog: on a server, a person's login, which reads only the
            entries it may see (a chain with gaps that are not breaks).
    """
    from formers_tui.store.server.people import unrestricted

    if not unrestricted(session):
        raise PartialLog(
            "This login reads only its own part of the audit log; check the chain as the "
            "database's owner."
        )
    connection = session.connection()
    try:
        seal = _seal_row(connection)
        key = log_key(session)
    except StoreError as exc:
        return [ChainBreak(0, str(exc).rstrip("."))]
    if seal is None:
        return [ChainBreak(0, "the log's seal is missing")]
    breaks: list[ChainBreak] = []
    if not hmac.compare_digest(
        chain_key.seal_of(key, seal.legacy_until, seal.tip_seq, seal.tip_hash), seal.seal
    ):
        breaks.append(ChainBreak(0, "the log's seal was altered"))
    previous = GENESIS
    expected_seq = 1
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
        seq = entry.seq or 0
        if seq != expected_seq:
            breaks.append(ChainBreak(seq, f"entries {expected_seq}–{seq - 1} are missing"))
        if entry.prev_hash != previous:
            breaks.append(ChainBreak(seq, "does not follow the entry before it"))
        if seq <= seal.legacy_until:
            if legacy_hash(entry) != entry.hash:
                breaks.append(ChainBreak(seq, "content was changed after it was written"))
        elif not hmac.compare_digest(entry_mac(key, entry), entry.hash):
            breaks.append(
                ChainBreak(
                    seq, "content was changed after it was written, or re-hashed without the key"
                )
            )
        previous = entry.hash
        expected_seq = seq + 1
    last = expected_seq - 1
    if seal.tip_seq != last or seal.tip_hash != previous:
        where = "entries were removed from its end" if seal.tip_seq > last else "it does not end"
        breaks.append(
            ChainBreak(
                last,
                f"the log ends at entry {last} but its seal names entry {seal.tip_seq}: {where}"
                if seal.tip_seq > last
                else f"the log's end does not match its seal (entry {seal.tip_seq}): {where} "
                "where the app left it",
            )
        )
    return breaks


@dataclass(frozen=True)
class Head:
    """A chain head: the newest entry's number and MAC."""

    seq: int
    mac: str

    def text(self) -> str:
        """The head as written into files: ``audit head <seq> <mac>``."""
        return f"audit head {self.seq} {self.mac}"


HEAD_PATTERN = re.compile(r"audit head (\d+) ([0-9a-f]{64})")


def head(session: Session) -> Head:
    """The log's newest entry (``0`` and the genesis value for an empty log)."""
    row = (
        session.connection()
        .exec_driver_sql("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        .first()
    )
    return Head(0, GENESIS) if row is None else Head(int(row[0]), str(row[1]))


def heads_in(text: str) -> list[Head]:
    """Every chain head written in ``text``."""
    return [Head(int(m.group(1)), m.group(2)) for m in HEAD_PATTERN.finditer(text)]


def check_heads(session: Session, heads: Iterable[Head]) -> list[ChainBreak]:
    """Whether the log still holds each head recorded elsewhere.

    A head past the log's end means entries were removed; a head whose MAC
    differs means the log was rewritten up to there.
    """
    breaks: list[ChainBreak] = []
    end = head(session).seq
    for recorded in heads:
        if recorded.seq == 0:
            continue
        found = session.get(AuditEntry, recorded.seq)
        if found is None:
            breaks.append(
                ChainBreak(
                    recorded.seq,
                    f"was recorded elsewhere but the log ends at entry {end}: entries were removed",
                )
            )
        elif not hmac.compare_digest(found.hash, recorded.mac):
            breaks.append(
                ChainBreak(
                    recorded.seq,
                    "differs from the head recorded elsewhere: the log was rewritten",
                )
            )
    return breaks


def document_mac(key: bytes, text: str) -> str:
    """The MAC an export gives one interview document (its JSON text as written)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return chain_key.mac(key, f"export document\0{digest}")


def check_documents(session: Session, data: Any, dumps: Callable[[Any], str]) -> list[str]:
    """Which interview documents of an export file this store did not export as they are.

    ``data`` is the parsed file; ``dumps`` writes a document as the export
    does. A document edited after export, or exported by another store,
    fails its MAC.
    """
    if not isinstance(data, dict) or not isinstance(data.get("document_macs"), dict):
        return []
    key = log_key(session)
    macs = data["document_macs"]
    problems = []
    for document in data.get("interviews", []):
        iid = str(document.get("id", "")) if isinstance(document, dict) else ""
        recorded = macs.get(iid)
        if not isinstance(recorded, str) or not hmac.compare_digest(
            document_mac(key, dumps(document)), recorded
        ):
            problems.append(
                f"interview {iid[:8]} is not as this store exported it "
                "(edited afterwards, or exported by another store)"
            )
    return problems


@dataclass(frozen=True)
class StateMismatch:
    """A stored row that differs from what the audit log last recorded for it."""

    entity: str
    key: str
    interview_id: str | None
    reason: str
    changed: tuple[str, ...] = ()
    """Names of the fields that differ."""


def verify_state(session: Session, interview_id: str | None = None) -> list[StateMismatch]:
    """Compare every audited row, column by column, with the log's last word on it.

    Finds rows edited, added or removed behind the application's back (for
    example with a SQL shell): every change the application makes is logged
    with the row's stored values, so the current row must equal them. Only
    entries written since the log was keyed count (they start with a
    baseline of every record).
    """
    connection = session.connection()
    seal = _seal_row(connection)
    since = seal.legacy_until if seal is not None else 0
    mismatches: list[StateMismatch] = []
    for table in registry.audited().values():
        rows_sql = f"SELECT * FROM {table.name}"
        params: dict[str, Any] = {}
        if interview_id is not None:
            owned = table.owned_rows_sql()
            if owned is None:
                continue
            rows_sql, params = owned, {"interview_id": interview_id}
        query = (
            select(AuditEntry)
            .where(AuditEntry.entity == table.name, col(AuditEntry.seq) > since)
            .order_by(col(AuditEntry.seq))
        )
        if interview_id is not None:
            query = query.where(AuditEntry.interview_id == interview_id)
        last: dict[str, Replayed] = {}
        for replayed in replay(session.exec(query)):
            last[replayed.entry.entity_key] = replayed
        seen: set[str] = set()
        for row in connection.execute(text(rows_sql), params).mappings():
            stored = _canonical(registry.typed(table, dict(row))) or {}
            key = table.key_of(stored)
            seen.add(key)
            owner = stored.get("interview_id")
            recorded_entry = last.get(key)
            if recorded_entry is None or recorded_entry.new is None:
                mismatches.append(
                    StateMismatch(table.name, key, owner, "exists but was never recorded")
                )
                continue
            recorded = recorded_entry.new
            changed = tuple(
                sorted(
                    c
                    for c in table.columns
                    if c in stored and recorded.get(c, _ABSENT) != stored[c]
                )
            )
            if changed:
                mismatches.append(
                    StateMismatch(
                        table.name,
                        key,
                        owner or recorded_entry.entry.interview_id,
                        "differs from its last recorded value",
                        changed,
                    )
                )
        for key, replayed in last.items():
            if key not in seen and replayed.new is not None:
                mismatches.append(
                    StateMismatch(
                        table.name, key, replayed.entry.interview_id, "was removed without a record"
                    )
                )
    return mismatches


_ABSENT = object()
"""Stands for a column a recorded state does not carry (it never equals a value)."""


def history(session: Session, interview_id: str) -> list[AuditEntry]:
    """Every audit entry of one interview, oldest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.interview_id == interview_id)
            .order_by(col(AuditEntry.seq))
        ).all()
    )
