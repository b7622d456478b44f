"""Row-level security on a server store: the rules of the record, held by the database.

On a server every person connects as their own database role, member of one
of three groups (:data:`GROUPS`). The policies made here let a connection
read and write only what the store's rules let that person read and write,
so a panelist's own login cannot peek at a colleague's draft even from a raw
SQL client:

* **Who sits on which panel.** ``formers_person`` records which app person
  (the name panels give them) each login role is. A role *sits on* an
  interview when its person is on the interview's panel; it is then that
  panelist (``formers_reader``), as a PIN identifies a panelist on a laptop.
* **Interviews.** Panelists see only interviews they sit on; chairs and
  supervisors (programme staff) see every interview.
* **Ratings** follow the blind-rating rule of
  :mod:`formers_tui.store.rules.visibility` exactly: its SQL counterpart
  (``SQL_DOMAIN_OPEN``, ``SQL_MAY_SEE``), kept beside the Python rule, is
  made into functions here. Staff not on a panel read as "nobody
  identified": only ratings every panelist may already see. Earlier versions
  of a rating and the audit entries that carry rating content are held to
  the same rule.
* **Writes.** A panelist writes their own ratings, submissions and
  signature only, within :func:`~formers_tui.store.panel.rating_refusal` and
  :func:`~formers_tui.store.panel.submission_refusal`; the panel's consensus,
  determination and reveal are the interview's chair's
  (:func:`~formers_tui.store.rules.writes.chair_authority`); an addendum
  names its author (:func:`~formers_tui.store.rules.writes.panelist_authority`);
  capture (notes, quotes, evidence, timeline, flags) is for those who sit
  on the interview; only chairs start interviews and name panels (any
  interview still in draft, and later the panels they chair).
  Supervisors write nothing. Nobody but the database owner may update or
  delete audit entries. (The lock on finalized interviews is the migrations'
  triggers.)

Everything here is created by ``formers server init`` in one transaction and
re-created on every run (``CREATE OR REPLACE``, policies dropped first), so
running it again after an upgrade brings the policies up to date.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from formers_tui.store import panel
from formers_tui.store.rules import visibility, writes

GROUPS: dict[str, str] = {
    "chair": "formers_chair",
    "panelist": "formers_panelist",
    "supervisor": "formers_supervisor",
}
"""App role -> the database group role its people's logins are members of."""

CHAIR, PANELIST, SUPERVISOR = GROUPS["chair"], GROUPS["panelist"], GROUPS["supervisor"]
WRITERS = (CHAIR, PANELIST)

PERSON_TABLE = "formers_person"
"""Which app person each login role is: ``role_name`` -> ``name`` (as panels name them)."""
DOMAIN_TABLE = "formers_indicator_domain"
"""Indicator -> domain of every stored protocol, so SQL can tell an indicator's domain."""

ME = "current_user"
"""The connected role, as a policy sees it (inside the functions it is the owner)."""

# --------------------------------------------------------------------------- tables

TABLES = (
    f"""CREATE TABLE IF NOT EXISTS {PERSON_TABLE} (
        role_name name PRIMARY KEY,
        name text NOT NULL CHECK (btrim(name) <> ''),
        app_role text NOT NULL CHECK (app_role IN ('chair', 'panelist', 'supervisor')),
        added_at timestamptz NOT NULL DEFAULT now())""",
    f"""CREATE TABLE IF NOT EXISTS {DOMAIN_TABLE} (
        protocol_hash text NOT NULL REFERENCES protocol_snapshot(sha256),
        indicator_id text NOT NULL,
        domain_id text NOT NULL,
        PRIMARY KEY (protocol_hash, indicator_id))""",
)

# ------------------------------------------------------------------------ functions


def _function(signature: str, returns: str, body: str, *, language: str = "sql") -> str:
    """A ``SECURITY DEFINER`` function: it reads the tables past their policies (no recursion).

    ``search_path`` is pinned to the one ``init`` ran with, so nobody can
    slip their own ``panelist`` table in front of the real one.
    """
    return (
        f"CREATE OR REPLACE FUNCTION {signature} RETURNS {returns} LANGUAGE {language} STABLE "
        f"SECURITY DEFINER SET search_path FROM CURRENT AS $fn$ {body} $fn$"
    )


FUNCTIONS: dict[str, tuple[str, str, str]] = {
    # name(args): (returns, body, language)
    "formers_in_group(_who name, _group name)": (
        "boolean",
        "SELECT pg_has_role(_who, _group, 'MEMBER')",
        "sql",
    ),
    "formers_staff(_who name)": (
        "boolean",
        f"SELECT pg_has_role(_who, '{CHAIR}', 'MEMBER') "
        f"OR pg_has_role(_who, '{SUPERVISOR}', 'MEMBER')",
        "sql",
    ),
    "formers_person_of(_who name)": (
        "text",
        f"SELECT f.name FROM {PERSON_TABLE} f WHERE f.role_name = _who",
        "sql",
    ),
    "formers_reader(_iid text, _who name)": (
        "text",
        f"SELECT p.id FROM panelist p JOIN {PERSON_TABLE} f ON f.name = p.name "
        "WHERE p.interview_id = _iid AND f.role_name = _who",
        "sql",
    ),
    "formers_sees(_iid text, _who name)": (
        "boolean",
        "SELECT formers_staff(_who) OR formers_reader(_iid, _who) IS NOT NULL",
        "sql",
    ),
    "formers_unstarted(_iid text)": (
        "boolean",
        "SELECT COALESCE((SELECT i.status::text = 'draft' FROM interview i WHERE i.id = _iid), "
        "true)",
        "sql",
    ),
    "formers_writes(_iid text, _who name)": (
        "boolean",
        "SELECT formers_reader(_iid, _who) IS NOT NULL "
        f"OR (pg_has_role(_who, '{CHAIR}', 'MEMBER') AND formers_unstarted(_iid))",
        "sql",
    ),
    "formers_sees_candidate(_cid text, _who name)": (
        "boolean",
        "SELECT formers_staff(_who) OR EXISTS (SELECT 1 FROM interview i "
        "JOIN panelist p ON p.interview_id = i.id "
        f"JOIN {PERSON_TABLE} f ON f.name = p.name "
        "WHERE i.candidate_id = _cid AND f.role_name = _who)",
        "sql",
    ),
    "formers_domain_of(_iid text, _indicator text)": (
        "text",
        f"SELECT d.domain_id FROM interview i JOIN {DOMAIN_TABLE} d "
        "ON d.protocol_hash = i.protocol_hash AND d.indicator_id = _indicator WHERE i.id = _iid",
        "sql",
    ),
    "formers_domain_open(_iid text, _status text, _reader text, _domain text)": (
        "boolean",
        f"SELECT {visibility.SQL_DOMAIN_OPEN}",
        "sql",
    ),
    "formers_may_see(_iid text, _reader text, _panelist text, _indicator text, "
    "_submitted boolean)": (
        "boolean",
        "SELECT COALESCE((SELECT "
        + visibility.SQL_MAY_SEE.format(
            domain_open="formers_domain_open(_iid, _status, _reader, _domain)"
        )
        + " FROM (SELECT i.status::text AS _status, formers_domain_of(_iid, _indicator) "
        "AS _domain FROM interview i WHERE i.id = _iid) AS facts), false)",
        "sql",
    ),
    "formers_rating_visible(_iid text, _panelist text, _indicator text, _submitted boolean, "
    "_who name)": (
        "boolean",
        "SELECT formers_sees(_iid, _who) AND formers_may_see(_iid, formers_reader(_iid, _who), "
        "_panelist, _indicator, _submitted)",
        "sql",
    ),
    "formers_revision_visible(_rating text, _submitted boolean, _who name)": (
        "boolean",
        "SELECT COALESCE((SELECT formers_rating_visible(r.interview_id, r.panelist_id, "
        "r.indicator_id, _submitted, _who) FROM rating r WHERE r.id = _rating), false)",
        "sql",
    ),
    "formers_rates(_rating text, _who name)": (
        "boolean",
        "SELECT COALESCE((SELECT r.panelist_id = formers_reader(r.interview_id, _who) "
        "FROM rating r WHERE r.id = _rating), false)",
        "sql",
    ),
    "formers_rating_allowed(_iid text, _panelist text, _indicator text)": (
        "boolean",
        f"SELECT COALESCE((SELECT {panel.SQL_RATING_ALLOWED} FROM "
        "(SELECT formers_domain_of(_iid, _indicator) AS _domain) AS facts), false)",
        "sql",
    ),
    "formers_submission_allowed(_iid text)": (
        "boolean",
        f"SELECT {panel.SQL_SUBMISSION_ALLOWED}",
        "sql",
    ),
    "formers_chair_of(_iid text, _who name)": (
        "boolean",
        f"SELECT {writes.SQL_CHAIR_AUTHORITY} "
        "FROM (SELECT formers_reader(_iid, _who) AS _reader) AS facts",
        "sql",
    ),
    "formers_author_is(_iid text, _author text, _who name)": (
        "boolean",
        f"SELECT COALESCE((SELECT {writes.SQL_AUTHOR_AUTHORITY} "
        "FROM (SELECT formers_reader(_iid, _who) AS _reader) AS facts), false)",
        "sql",
    ),
    "formers_rating_count(_iid text, _who name)": (
        # How many ratings an interview the caller sees holds: a count is not rating content.
        "bigint",
        "SELECT CASE WHEN formers_sees(_iid, _who) "
        "THEN (SELECT count(*) FROM rating r WHERE r.interview_id = _iid) ELSE 0 END",
        "sql",
    ),
    "formers_audit_tip()": (
        # The chain's real end, whatever rows the caller may read: appenders number from it.
        "TABLE (seq integer, hash text)",
        "SELECT a.seq, a.hash FROM audit_entry a ORDER BY a.seq DESC LIMIT 1",
        "sql",
    ),
    "formers_json(_text text)": (
        "jsonb",
        "BEGIN RETURN _text::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END",
        "plpgsql",
    ),
    "formers_version_visible(_iid text, _entity text, _value text, _who name)": (
        # One rating version kept in an audit entry's old or new values.
        "boolean",
        """DECLARE v jsonb; BEGIN
            IF _value IS NULL THEN RETURN true; END IF;
            v := formers_json(_value);
            IF v IS NULL OR jsonb_typeof(v) <> 'object' THEN RETURN false; END IF;
            IF _entity = 'rating_revision' THEN
                RETURN formers_revision_visible(v->>'rating_id',
                    v->>'submitted_at' IS NOT NULL, _who);
            END IF;
            RETURN formers_may_see(_iid, formers_reader(_iid, _who), v->>'panelist_id',
                v->>'indicator_id', v->>'submitted_at' IS NOT NULL);
        END""",
        "plpgsql",
    ),
    "formers_entry_visible(_iid text, _entity text, _old text, _new text, _who name)": (
        "boolean",
        """BEGIN
            IF _iid IS NULL THEN RETURN formers_staff(_who); END IF;
            IF NOT formers_sees(_iid, _who) THEN RETURN false; END IF;
            IF left(_entity, 6) = 'rating' THEN
                RETURN formers_version_visible(_iid, _entity, _old, _who)
                    AND formers_version_visible(_iid, _entity, _new, _who);
            END IF;
            RETURN true;
        END""",
        "plpgsql",
    ),
}
"""Every helper the policies call, by signature: ``(returns, body, language)``."""


def _call(name: str, *args: str) -> str:
    return f"{name}({', '.join(args)})"


def sees(iid: str = "interview_id") -> str:
    return _call("formers_sees", iid, ME)


def writes_to(iid: str = "interview_id") -> str:
    return _call("formers_writes", iid, ME)


def reader(iid: str = "interview_id") -> str:
    return _call("formers_reader", iid, ME)


def chair_of(iid: str = "interview_id") -> str:
    return _call("formers_chair_of", iid, ME)


IN_CHAIR_GROUP = f"formers_in_group({ME}, '{CHAIR}')"

# ------------------------------------------------------------------------- policies

Policy = tuple[str, str, str | None, str | None]
"""``(command, name, USING, WITH CHECK)`` of one policy."""


def _crud(read: str, write: str) -> list[Policy]:
    return [
        ("SELECT", "read", read, None),
        ("INSERT", "add", None, write),
        ("UPDATE", "change", write, write),
        ("DELETE", "remove", write, None),
    ]


def _owned_by_interview() -> list[Policy]:
    return _crud(sees(), writes_to())


def _owned_by(parent: str, column: str) -> list[Policy]:
    iid = f"(SELECT x.interview_id FROM {parent} x WHERE x.id = {column})"
    return _crud(sees(iid), writes_to(iid))


RATING_WRITE = (
    f"panelist_id = {reader()} AND formers_rating_allowed(interview_id, panelist_id, indicator_id)"
)

POLICIES: dict[str, list[Policy]] = {
    "interview": [
        ("SELECT", "read", sees("id"), None),
        ("INSERT", "start", None, IN_CHAIR_GROUP),
        ("UPDATE", "change", writes_to("id"), writes_to("id")),
        ("DELETE", "remove", writes_to("id"), None),
    ],
    "candidate": [
        ("SELECT", "read", f"formers_sees_candidate(id, {ME})", None),
        ("INSERT", "add", None, IN_CHAIR_GROUP),
        ("UPDATE", "change", IN_CHAIR_GROUP, IN_CHAIR_GROUP),
    ],
    "candidate_identity": [
        ("SELECT", "read", f"formers_sees_candidate(candidate_id, {ME})", None),
        ("INSERT", "add", None, IN_CHAIR_GROUP),
        ("UPDATE", "change", IN_CHAIR_GROUP, IN_CHAIR_GROUP),
    ],
    "protocol_snapshot": [
        ("SELECT", "read", "true", None),
        ("INSERT", "add", None, IN_CHAIR_GROUP),
    ],
    DOMAIN_TABLE: [
        ("SELECT", "read", "true", None),
        ("INSERT", "add", None, IN_CHAIR_GROUP),
    ],
    PERSON_TABLE: [("SELECT", "read", "true", None)],
    "panelist": [
        ("SELECT", "read", sees(), None),
        (
            "INSERT",
            "name",
            None,
            f"{IN_CHAIR_GROUP} AND (formers_unstarted(interview_id) OR {chair_of()})",
        ),
        (
            "UPDATE",
            "change",
            f"id = {reader()} OR {chair_of()}",
            f"id = {reader()} OR {chair_of()}",
        ),
        ("DELETE", "remove", chair_of(), None),
    ],
    "rating": [
        (
            "SELECT",
            "read",
            "formers_rating_visible(interview_id, panelist_id, indicator_id, "
            f"submitted_at IS NOT NULL, {ME})",
            None,
        ),
        ("INSERT", "rate", None, RATING_WRITE),
        ("UPDATE", "revise", f"panelist_id = {reader()}", RATING_WRITE),
        ("DELETE", "remove", f"panelist_id = {reader()}", None),
    ],
    "rating_revision": [
        (
            "SELECT",
            "read",
            f"formers_revision_visible(rating_id, submitted_at IS NOT NULL, {ME})",
            None,
        ),
        ("INSERT", "keep", None, f"formers_rates(rating_id, {ME})"),
    ],
    "domain_submission": [
        ("SELECT", "read", sees(), None),
        (
            "INSERT",
            "submit",
            None,
            f"panelist_id = {reader()} AND formers_submission_allowed(interview_id)",
        ),
    ],
    "sign_off": [
        ("SELECT", "read", sees(), None),
        ("INSERT", "sign", None, f"panelist_id = {reader()}"),
        # Any change to what the panel signs withdraws every signature.
        ("DELETE", "withdraw", writes_to(), None),
    ],
    "consensus": _crud(sees(), chair_of()),
    "determination": _crud(sees(), chair_of()),
    "chair_reveal": [
        ("SELECT", "read", sees(), None),
        ("INSERT", "reveal", None, f"{chair_of()} AND panelist_id = {reader()}"),
    ],
    "addendum": [
        ("SELECT", "read", sees(), None),
        ("INSERT", "add", None, f"formers_author_is(interview_id, author, {ME})"),
    ],
    "audit_entry": [
        ("SELECT", "read", f"formers_entry_visible(interview_id, entity, old, new, {ME})", None),
        ("INSERT", "log", None, f"interview_id IS NULL OR {sees()}"),
    ],
    # Captured changes waiting to be chained: each writer takes its own transaction's.
    "audit_pending": [
        ("SELECT", "read", f"by_role = {ME}", None),
        ("INSERT", "capture", None, f"by_role = {ME}"),
        ("DELETE", "take", "xact = pg_current_xact_id_if_assigned()", None),
    ],
}
"""Tables with policies of their own; other tables of an interview get :func:`_crud`."""

READ_ONLY_FOR_ALL = ("audit_seal", "alembic_version")
"""Tables without row-level security every group reads (the seal's tip moves: see grants)."""

NO_WRITES_BY_PANELISTS = ("candidate", "candidate_identity", "protocol_snapshot", DOMAIN_TABLE)
INTERVIEW_COLUMNS = ("status", "updated_at", "current_indicator", "started_at", "finalized_at")
"""The columns of an interview a panelist's work moves (its stage, where it is, the last
signature finalizing it); what it is of whom, and its consent, are the chair's."""
PANELIST_COLUMNS = ("pin_hash", "public_key", "sealed_key")
"""The columns of their own panelist row a panelist may change (their PIN and signing key)."""
LOG_TABLES = ("audit_entry",)
"""Append-only for every group: INSERT, never UPDATE or DELETE."""
PENDING_TABLE = "audit_pending"
"""Capture writes here from every writer's triggers; the writer then takes its rows."""


def table_policies(tables: dict[str, set[str]]) -> dict[str, list[Policy]]:
    """The policies of every table of the store, given each table's columns."""
    from formers_tui.store import registry

    found: dict[str, list[Policy]] = {}
    for table, columns in sorted(tables.items()):
        if table in POLICIES:
            found[table] = POLICIES[table]
        elif "interview_id" in columns:
            found[table] = _owned_by_interview()
        elif table in registry.OWNERS:
            column, parent = registry.OWNERS[table]
            found[table] = _owned_by(parent, column)
    return found


def statements(tables: dict[str, set[str]], database: str) -> Iterator[str]:
    """Every statement that installs (or brings up to date) the database's security.

    Args:
        tables: the store's tables (after migrations and :data:`TABLES`) and their columns.
        database: the database's name (for ``CONNECT``).
    """
    yield f"REVOKE ALL ON DATABASE {_ident(database)} FROM PUBLIC"
    yield f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {', '.join(GROUPS.values())}"
    yield f"GRANT USAGE ON SCHEMA public TO {', '.join(GROUPS.values())}"
    for signature, (returns, body, language) in FUNCTIONS.items():
        yield _function(signature, returns, body, language=language)
        yield f"REVOKE ALL ON FUNCTION {_types_only(signature)} FROM PUBLIC"
        yield f"GRANT EXECUTE ON FUNCTION {_types_only(signature)} TO {', '.join(GROUPS.values())}"
    policies = table_policies(tables)
    everyone = ", ".join(GROUPS.values())
    for table in sorted(tables):
        name = _ident(table)
        yield f"REVOKE ALL ON {name} FROM PUBLIC, {everyone}"
        if table in READ_ONLY_FOR_ALL:
            yield f"GRANT SELECT ON {name} TO {everyone}"
            continue
        if table not in policies:
            continue  # no rule says who may see it: nobody but the owner does
        yield f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"
        for command, label, using, check in policies[table]:
            yield _policy(table, command, label, using, check)
        yield f"GRANT SELECT ON {name} TO {everyone}"
        if table == PENDING_TABLE:
            yield f"GRANT INSERT, DELETE ON {name} TO {', '.join(WRITERS)}"
            continue
        if table in LOG_TABLES:
            yield f"GRANT INSERT ON {name} TO {', '.join(WRITERS)}"
            continue
        if table == PERSON_TABLE:
            continue
        yield f"GRANT INSERT, UPDATE, DELETE ON {name} TO {CHAIR}"
        if table in NO_WRITES_BY_PANELISTS:
            continue
        if table == "interview":
            yield f"GRANT UPDATE ({', '.join(INTERVIEW_COLUMNS)}) ON {name} TO {PANELIST}"
        elif table == "panelist":
            yield f"GRANT UPDATE ({', '.join(PANELIST_COLUMNS)}) ON {name} TO {PANELIST}"
        else:
            yield f"GRANT INSERT, UPDATE, DELETE ON {name} TO {PANELIST}"
    # The chain's tip moves with every entry any writer adds.
    yield f"GRANT UPDATE (tip_seq, tip_hash, seal) ON audit_seal TO {', '.join(WRITERS)}"
    yield f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {', '.join(WRITERS)}"


def _policy(table: str, command: str, label: str, using: str | None, check: str | None) -> str:
    name = _ident(f"formers_{label}")
    parts = [f"CREATE POLICY {name} ON {_ident(table)} FOR {command} TO PUBLIC"]
    if using is not None:
        parts.append(f"USING ({using})")
    if check is not None:
        parts.append(f"WITH CHECK ({check})")
    return " ".join(parts)


def drop_statements(existing: Iterable[tuple[str, str]]) -> Iterator[str]:
    """Drop every policy ``(table, name)`` already there, so each run installs afresh."""
    for table, name in existing:
        yield f"DROP POLICY IF EXISTS {_ident(name)} ON {_ident(table)}"


def _types_only(signature: str) -> str:
    """``f(_a text, _b name)`` -> ``f(text, name)``: how GRANT and REVOKE name a function."""
    name, _, args = signature.partition("(")
    types = [a.strip().split()[-1] for a in args.rstrip(")").split(",") if a.strip()]
    return f"{name}({', '.join(types)})"


def _ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------- install


def install(connection: Any) -> None:
    """Create or bring up to date the tables, functions, grants and policies, in one transaction.

    ``connection`` is a SQLAlchemy connection of the database owner, inside a
    transaction the caller commits.
    """
    for statement in TABLES:
        connection.exec_driver_sql(statement)
    rows = connection.exec_driver_sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    ).all()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(str(table), set()).add(str(column))
    database = str(connection.exec_driver_sql("SELECT current_database()").scalar_one())
    existing = connection.exec_driver_sql(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
    ).all()
    for statement in drop_statements((str(t), str(n)) for t, n in existing):
        connection.exec_driver_sql(statement)
    for statement in statements(tables, database):
        connection.exec_driver_sql(statement)
    index_stored_protocols(connection)


# ------------------------------------------------------------ indicator -> domain


def domain_rows(sha256: str, protocol: Any) -> list[dict[str, str]]:
    """Rows of :data:`DOMAIN_TABLE` for a parsed protocol stored under ``sha256``."""
    return [
        {"protocol_hash": sha256, "indicator_id": i.id, "domain_id": d.id}
        for d in protocol.domains()
        for i in d.indicators
    ]


def index_protocol(connection: Any, sha256: str, protocol: Any) -> None:
    """Record which domain holds each indicator of a protocol just stored on the server.

    The policies can read no TOML; without these rows an indicator's domain
    is unknown to them and the ratings of it stay hidden from other
    panelists until finalization (never shown too early).
    """
    from sqlalchemy import text

    rows = domain_rows(sha256, protocol)
    if rows:
        connection.execute(
            text(
                f"INSERT INTO {DOMAIN_TABLE} (protocol_hash, indicator_id, domain_id) "
                "VALUES (:protocol_hash, :indicator_id, :domain_id) ON CONFLICT DO NOTHING"
            ),
            rows,
        )


_INDEXED: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def index_if_server(session: Any, sha256: str) -> None:
    """After a protocol is stored: index it when the store is a server with policies.

    Nothing on SQLite, or on a server ``init`` has not prepared (``init``
    indexes what it finds).
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    if not _INDEXED.get(connection.engine):
        found = connection.exec_driver_sql(f"SELECT to_regclass('{DOMAIN_TABLE}')").scalar()
        if found is None:
            return
        _INDEXED[connection.engine] = True
    from formers_tui.store.common import stored_protocol

    index_protocol(connection, sha256, stored_protocol(session, sha256))


def index_stored_protocols(connection: Any) -> int:
    """Index every stored protocol not yet indexed (a store from before ``init``); how many."""
    from formers_tui.protocol.loader import load_text

    pending = connection.exec_driver_sql(
        f"SELECT s.sha256, s.text FROM protocol_snapshot s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {DOMAIN_TABLE} d WHERE d.protocol_hash = s.sha256)"
    ).all()
    for sha256, text in pending:
        protocol = load_text(str(text), origin=f"stored protocol {str(sha256)[:12]}").protocol
        index_protocol(connection, str(sha256), protocol)
    return len(pending)
