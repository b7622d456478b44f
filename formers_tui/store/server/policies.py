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
  filled in here for every row of a query at once, the login's facts (the
  interviews it sees, its seats, the domains open to it) as sets computed
  once per query rather than once per row. Staff not on a panel read as
  "nobody identified": only ratings every panelist may already see. Earlier
  versions of a rating and the audit entries that carry rating content are
  held to the same rule.
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
    # Sets for the policies: computed once per query, not once per row.
    "formers_seats(_who name)": (
        "TABLE (interview_id text, panelist_id text)",
        f"SELECT p.interview_id, p.id FROM panelist p JOIN {PERSON_TABLE} f ON f.name = p.name "
        "WHERE f.role_name = _who",
        "sql",
    ),
    "formers_seen(_who name)": (
        # Every interview the login sees, with the panelist it is there (NULL: none).
        "TABLE (interview_id text, status text, protocol_hash text, reader text)",
        "WITH staff AS (SELECT formers_staff(_who) AS yes) "
        "SELECT i.id, i.status::text, i.protocol_hash, s.panelist_id FROM interview i "
        "CROSS JOIN staff LEFT JOIN formers_seats(_who) s ON s.interview_id = i.id "
        "WHERE staff.yes OR s.panelist_id IS NOT NULL",
        "sql",
    ),
    "formers_seat_candidates(_who name)": (
        "TABLE (candidate_id text)",
        "SELECT i.candidate_id FROM interview i JOIN formers_seats(_who) s "
        "ON s.interview_id = i.id",
        "sql",
    ),
    "formers_open_indicators(_who name)": (
        # (interview, indicator) whose submitted ratings the login may see: the domain rule
        # on every interview it sees at once.
        "TABLE (interview_id text, indicator_id text)",
        "SELECT facts._iid, d.indicator_id FROM (SELECT f.interview_id AS _iid, "
        "f.status AS _status, f.protocol_hash AS _hash, f.reader AS _reader, "
        "dd.domain_id AS _domain FROM formers_seen(_who) f JOIN "
        f"(SELECT DISTINCT x.protocol_hash, x.domain_id FROM {DOMAIN_TABLE} x) dd "
        "ON dd.protocol_hash = f.protocol_hash) AS facts "
        f"JOIN {DOMAIN_TABLE} d ON d.protocol_hash = facts._hash AND d.domain_id = facts._domain "
        f"WHERE {visibility.SQL_DOMAIN_OPEN}",
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
            **{
                **visibility.SQL_MAY_SEE_ONE,
                "domain_open": "formers_domain_open(_iid, _status, _reader, _domain)",
            }
        )
        + " FROM (SELECT i.status::text AS _status, formers_domain_of(_iid, _indicator) "
        "AS _domain FROM interview i WHERE i.id = _iid) AS facts), false)",
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
}
"""Every helper the policies call, by signature: ``(returns, body, language)``."""


def _call(name: str, *args: str) -> str:
    return f"{name}({', '.join(args)})"


SEATS = f"(SELECT s.interview_id FROM formers_seats({ME}) s)"
STAFF = f"(SELECT formers_staff({ME}))"
"""Once per query (an init plan), not once per row."""
CHAIR_LOGIN = f"(SELECT formers_in_group({ME}, '{CHAIR}'))"


def sees(iid: str = "interview_id") -> str:
    """The login sees interview ``iid``: staff see all, panelists those they sit on."""
    return f"({STAFF} OR {iid} IN {SEATS})"


def writes_to(iid: str = "interview_id") -> str:
    """The login may change interview ``iid``'s rows: it sits on it, or a chair's draft."""
    return f"({iid} IN {SEATS} OR ({CHAIR_LOGIN} AND formers_unstarted({iid})))"


def reader(iid: str = "interview_id") -> str:
    return _call("formers_reader", iid, ME)


def chair_of(iid: str = "interview_id") -> str:
    return _call("formers_chair_of", iid, ME)


IN_CHAIR_GROUP = CHAIR_LOGIN

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


SEES_CANDIDATE = (
    f"({STAFF} OR {{column}} IN (SELECT c.candidate_id FROM formers_seat_candidates({ME}) c))"
)

FINALIZED = f"(SELECT s.interview_id FROM formers_seen({ME}) s WHERE s.status = 'finalized')"
OWN = f"(SELECT s.panelist_id FROM formers_seats({ME}) s)"
OPEN = f"(SELECT o.interview_id, o.indicator_id FROM formers_open_indicators({ME}) o)"
"""The login's facts for the blind-rating rule, as sets: each computed once per query."""


def may_see_rows(iid: str, panelist: str, indicator: str, submitted: str) -> str:
    """:data:`~formers_tui.store.rules.visibility.SQL_MAY_SEE` on every row of a query.

    Args:
        iid, panelist, indicator: SQL for the rating version's interview, panelist
            and indicator; ``submitted``: SQL true when the version was submitted.
    """
    return visibility.SQL_MAY_SEE.format(
        finalized=f"{iid} IN {FINALIZED}",
        own=f"{panelist} IN {OWN}",
        submitted=submitted,
        domain_open=f"({iid}, {indicator}) IN {OPEN}",
    )


RATING_READ = may_see_rows(
    "interview_id", "panelist_id", "indicator_id", "submitted_at IS NOT NULL"
)
"""The blind-rating rule on every rating row of a query."""


def _versions_of_visible_ratings(submitted: str) -> str:
    """Ids of the ratings the login sees whose version, ``submitted`` or not, it may see.

    Read as the login (the rating table's own policy applies): a rating hidden
    now hides its whole history, as documents drop it.
    """
    return (
        "(SELECT r.id FROM rating r WHERE "
        + may_see_rows("r.interview_id", "r.panelist_id", "r.indicator_id", submitted)
        + ")"
    )


def revision_visible(rating_id: str, submitted: str) -> str:
    """An earlier version of rating ``rating_id``, ``submitted`` or not: SQL for every row."""
    return (
        f"CASE WHEN {submitted} THEN {rating_id} IN {_versions_of_visible_ratings('true')} "
        f"ELSE {rating_id} IN {_versions_of_visible_ratings('false')} END"
    )


def _version_in_entry(value: str) -> str:
    """An audit entry's ``old`` or ``new`` rating values (a JSON text) the login may see."""
    j = f"formers_json({value})"
    rating = may_see_rows(
        "interview_id", f"({j}->>'panelist_id')", f"({j}->>'indicator_id')",
        f"({j}->>'submitted_at') IS NOT NULL",
    )  # fmt: skip
    revision = revision_visible(f"({j}->>'rating_id')", f"({j}->>'submitted_at') IS NOT NULL")
    return (
        f"({value} IS NULL OR (jsonb_typeof({j}) = 'object' AND "
        f"CASE WHEN left(entity, 15) = 'rating_revision' THEN {revision} ELSE {rating} END))"
    )


ENTRY_READ = (
    f"CASE WHEN interview_id IS NULL THEN {STAFF} "
    f"WHEN left(entity, 6) = 'rating' THEN {sees()} "
    f"AND COALESCE({_version_in_entry('old')} AND {_version_in_entry('new')}, false) "
    f"ELSE {sees()} END"
)
"""An audit entry: its interview's, and any rating version it carries held to the rule."""

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
        ("SELECT", "read", SEES_CANDIDATE.format(column="id"), None),
        ("INSERT", "add", None, IN_CHAIR_GROUP),
        ("UPDATE", "change", IN_CHAIR_GROUP, IN_CHAIR_GROUP),
    ],
    "candidate_identity": [
        ("SELECT", "read", SEES_CANDIDATE.format(column="candidate_id"), None),
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
        ("SELECT", "read", RATING_READ, None),
        ("INSERT", "rate", None, RATING_WRITE),
        ("UPDATE", "revise", f"panelist_id = {reader()}", RATING_WRITE),
        ("DELETE", "remove", f"panelist_id = {reader()}", None),
    ],
    "rating_revision": [
        ("SELECT", "read", revision_visible("rating_id", "submitted_at IS NOT NULL"), None),
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
        ("SELECT", "read", ENTRY_READ, None),
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
