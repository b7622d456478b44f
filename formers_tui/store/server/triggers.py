"""The database's own guards and audit capture on PostgreSQL, as PL/pgSQL.

SQLite gets its guards as ``CREATE TRIGGER … RAISE(ABORT, …)`` in the
migrations and its audit capture as per-connection TEMP triggers
(:func:`formers_tui.store.audit.install_capture`). PostgreSQL has neither
TEMP triggers nor trigger bodies in SQL, so the same rules are permanent
PL/pgSQL functions and triggers created by the same migrations, which call
the functions here (the statements are data, so ``db check`` can compare
the database with them: :func:`expected`).

* Guards raise SQLSTATE 23000 (integrity constraint violation) with the same
  sentence as SQLite's, so both dialects fail a refused write with an
  ``IntegrityError`` that says the same thing.
* ``TRUNCATE`` skips row triggers, so every guarded table also refuses it.
* Capture triggers write each changed audited row's key into the permanent
  table ``audit_pending``, stamped with the writing transaction; the app's
  flush hook chains its own transaction's rows and removes them. Rows a raw
  SQL client changed stay pending (and unchained), and ``audit verify``
  reports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

LOCKED = "This interview is finalized and cannot be changed; add an addendum instead."
APPEND_ONLY_LOG = "The audit log is append-only."
APPEND_ONLY_ADDENDA = "Addenda are append-only; add another addendum instead."
FROZEN = "A stored protocol snapshot never changes."
MISSING = "The store holds no protocol with that hash."
NO_TRUNCATE = "The store's records are never truncated; remove them one by one."

PENDING_TABLE = "audit_pending"

INTERVIEW_CHILDREN = (
    "panelist",
    "note",
    "quote",
    "evidence",
    "timeline_entry",
    "rating",
    "domain_submission",
    "consensus",
    "determination",
    "sign_off",
    "safety_flag",
    "domain_time",
)
"""Tables whose rows belong to one interview through ``interview_id`` (as in 0002)."""

OWNED = {"evidence_link": ("evidence_id", "evidence"), "rating_revision": ("rating_id", "rating")}
"""Tables that belong to an interview through a parent row: (column, parent)."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Trigger:
    """One trigger as created: its name, table, timing, events and the function it runs."""

    name: str
    table: str
    timing: str
    """``BEFORE`` or ``AFTER``."""
    events: str
    """``INSERT``, ``UPDATE``, ``UPDATE OF a, b``, ``DELETE`` or ``TRUNCATE``."""
    function: str
    arguments: tuple[str, ...] = ()

    @property
    def per_row(self) -> bool:
        return self.events != "TRUNCATE"

    def create(self) -> str:
        """The ``CREATE TRIGGER`` statement."""
        level = "FOR EACH ROW" if self.per_row else "FOR EACH STATEMENT"
        args = ", ".join(_quote(a) for a in self.arguments)
        return (
            f"CREATE TRIGGER {self.name} {self.timing} {self.events} ON {self.table} "
            f"{level} EXECUTE FUNCTION {self.function}({args})"
        )


# ----------------------------------------------------------------------------- functions

FUNCTIONS: dict[str, str] = {
    "formers_refuse": """
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = '23000';
END;
""",
    "formers_interview_locked": f"""
BEGIN
    IF OLD.status = 'finalized' THEN
        RAISE EXCEPTION USING MESSAGE = {_quote(LOCKED)}, ERRCODE = '23000';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
""",
    "formers_child_locked": f"""
DECLARE
    owner text;
    found text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        owner := to_jsonb(NEW) ->> TG_ARGV[0];
    ELSE
        owner := to_jsonb(OLD) ->> TG_ARGV[0];
    END IF;
    IF TG_NARGS > 1 THEN
        EXECUTE 'SELECT interview_id FROM ' || quote_ident(TG_ARGV[1]) || ' WHERE id = $1'
            INTO found USING owner;
        owner := found;
    END IF;
    IF (SELECT status::text FROM interview WHERE id = owner) = 'finalized' THEN
        RAISE EXCEPTION USING MESSAGE = {_quote(LOCKED)}, ERRCODE = '23000';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
""",
    "formers_protocol_known": f"""
BEGIN
    IF NOT EXISTS (SELECT 1 FROM protocol_snapshot WHERE sha256 = NEW.protocol_hash) THEN
        RAISE EXCEPTION USING MESSAGE = {_quote(MISSING)}, ERRCODE = '23000';
    END IF;
    RETURN NEW;
END;
""",
    "formers_audit_capture": f"""
DECLARE
    r jsonb;
    iid text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := to_jsonb(OLD);
    ELSE
        r := to_jsonb(NEW);
    END IF;
    IF r ? 'interview_id' THEN
        iid := r ->> 'interview_id';
    ELSIF TG_NARGS > 4 THEN
        EXECUTE 'SELECT interview_id FROM ' || quote_ident(TG_ARGV[4]) || ' WHERE id = $1'
            INTO iid USING r ->> TG_ARGV[3];
    END IF;
    INSERT INTO {PENDING_TABLE} (tbl, op, k1, k2, k3, iid)
    VALUES (TG_TABLE_NAME, lower(TG_OP), r ->> TG_ARGV[0], r ->> TG_ARGV[1],
            r ->> TG_ARGV[2], iid);
    RETURN NULL;
END;
""",
}
"""PL/pgSQL bodies by function name (all ``RETURNS trigger``).

No ``%`` anywhere: the driver reads it as a placeholder marker.
"""


def create_function(name: str) -> str:
    """``CREATE OR REPLACE FUNCTION`` for one of :data:`FUNCTIONS`."""
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $body${FUNCTIONS[name]}$body$"
    )


# ----------------------------------------------------------------------------- guards by migration


def _refuse(name: str, table: str, events: str, message: str) -> Trigger:
    return Trigger(name, table, "BEFORE", events, "formers_refuse", (message,))


def _no_truncate(table: str) -> Trigger:
    return _refuse(f"{table}_no_truncate", table, "TRUNCATE", NO_TRUNCATE)


def _locked_child(table: str, *owner: str) -> list[Trigger]:
    args = owner or ("interview_id",)
    return [
        Trigger(f"{table}_locked_{e.lower()}", table, "BEFORE", e, "formers_child_locked", args)
        for e in ("INSERT", "UPDATE", "DELETE")
    ] + [_no_truncate(table)]


def guards_0002() -> list[Trigger]:
    """The append-only log and the finalized-interview lock (SQLite's 0002)."""
    found = [
        _refuse(f"audit_entry_no_{e.lower()}", "audit_entry", e, APPEND_ONLY_LOG)
        for e in ("UPDATE", "DELETE")
    ]
    found.append(_no_truncate("audit_entry"))
    found += [
        Trigger("interview_locked", "interview", "BEFORE", "UPDATE", "formers_interview_locked"),
        Trigger(
            "interview_locked_delete", "interview", "BEFORE", "DELETE", "formers_interview_locked"
        ),
        _no_truncate("interview"),
    ]
    for table in INTERVIEW_CHILDREN:
        found += _locked_child(table)
    for table, (column, parent) in OWNED.items():
        found += _locked_child(table, column, parent)
    return found


def guards_0003() -> list[Trigger]:
    """The chair's reveal locked with its interview; append-only addenda (SQLite's 0003)."""
    found = _locked_child("chair_reveal")
    found += [
        _refuse(f"addendum_no_{e.lower()}", "addendum", e, APPEND_ONLY_ADDENDA)
        for e in ("UPDATE", "DELETE")
    ]
    found.append(_no_truncate("addendum"))
    return found


def guards_0004() -> list[Trigger]:
    """Frozen protocol snapshots, and interviews naming only stored ones (SQLite's 0004)."""
    found = [
        _refuse(f"protocol_snapshot_no_{e.lower()}", "protocol_snapshot", e, FROZEN)
        for e in ("UPDATE", "DELETE")
    ]
    found.append(_no_truncate("protocol_snapshot"))
    found += [
        Trigger(
            f"interview_protocol_{e.split()[0].lower()}",
            "interview",
            "BEFORE",
            e,
            "formers_protocol_known",
        )
        for e in ("INSERT", "UPDATE OF protocol_hash")
    ]
    return found


GUARD_FUNCTIONS = (
    "formers_refuse",
    "formers_interview_locked",
    "formers_child_locked",
    "formers_protocol_known",
)


# ----------------------------------------------------------------------------- audit capture


def capture_triggers(tables: Iterable[tuple[str, Sequence[str], Sequence[str]]]) -> list[Trigger]:
    """Capture triggers for ``(table, compared columns, key columns)`` of each audited table.

    An update is captured when it sets a compared column (``UPDATE OF``),
    as SQLite's TEMP triggers do, so moving only a volatile column (the
    list's sort key) logs nothing.
    """
    found = []
    for name, columns, keys in tables:
        args = [*keys, *[""] * (3 - len(keys))]
        owner = OWNED.get(name)
        if owner is not None:
            args += list(owner)
        for op, events in (
            ("insert", "INSERT"),
            ("delete", "DELETE"),
            ("update", "UPDATE OF " + ", ".join(columns)),
        ):
            found.append(
                Trigger(
                    f"audit_capture_{name}_{op}",
                    name,
                    "AFTER",
                    events,
                    "formers_audit_capture",
                    tuple(args),
                )
            )
    return found


CREATE_PENDING = f"""
CREATE TABLE {PENDING_TABLE} (
    id bigserial PRIMARY KEY,
    tbl text NOT NULL,
    op text NOT NULL,
    k1 text,
    k2 text,
    k3 text,
    iid text,
    xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at timestamptz NOT NULL DEFAULT now(),
    by_role text NOT NULL DEFAULT current_user
)
"""
"""Captured rows not yet chained; ``xact`` says which transaction changed them."""


def capture_tables(connection: Connection) -> list[tuple[str, list[str], list[str]]]:
    """Each audited table present in the database: its compared columns and key columns.

    Read from the database's own catalog (not the models), so a migration
    installs capture for the schema it leaves behind; one that adds an
    audited column calls :func:`install_capture` again.
    """
    from sqlalchemy import inspect

    from formers_tui.store import registry

    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    found = []
    for name, table in registry.audited().items():
        if name not in present:
            continue
        columns = [
            c["name"]
            for c in inspector.get_columns(name)
            if (name, c["name"]) not in registry.VOLATILE
        ]
        found.append((name, columns, list(table.key_columns)))
    return found


def install_guards(
    connection: Connection, triggers: Sequence[Trigger], functions: Sequence[str]
) -> None:
    """Create ``functions`` (or replace them) and ``triggers`` on ``connection``."""
    for name in functions:
        connection.exec_driver_sql(create_function(name))
    for trigger in triggers:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}")
        connection.exec_driver_sql(trigger.create())


def drop_triggers(connection: Connection, triggers: Sequence[Trigger]) -> None:
    """Drop ``triggers`` (downgrades)."""
    for trigger in triggers:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}")


def install_capture(connection: Connection) -> None:
    """Create the pending table (if missing), the capture function and one trigger set per table."""
    connection.exec_driver_sql(CREATE_PENDING.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
    install_guards(
        connection, capture_triggers(capture_tables(connection)), ["formers_audit_capture"]
    )
