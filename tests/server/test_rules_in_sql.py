"""The SQL beside each Python rule answers as the Python rule does, on any facts.

Hypothesis draws the facts of one interview (who submitted which domain,
whether the chair revealed, the consensus so far, the status); they are
written into a server database inside a transaction that is rolled back,
and every question is put to both: may this reader see this rating version
(:func:`~formers_tui.store.rules.visibility.decide`), may this panelist rate
this indicator now (:func:`~formers_tui.store.panel.rating_refusal`), may a
submission be taken (:func:`~formers_tui.store.panel.submission_refusal`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session

from formers_tui.protocol.loader import load_path
from formers_tui.store.common import get_interview
from formers_tui.store.models import Status
from formers_tui.store.panel import rating_refusal, submission_refusal
from formers_tui.store.rules.visibility import decide
from formers_tui.store.server import roles
from formers_tui.store.store import Store
from tests.conftest import FIXTURES, make_interview

PROTOCOL = load_path(FIXTURES / "mini-protocol.toml")
DOMAINS = [d.id for d in PROTOCOL.protocol.domains()]
INDICATORS = [i.id for i in PROTOCOL.protocol.indicators()]
ASKED = [*INDICATORS, "NO-SUCH-1"]


@pytest.fixture(scope="module")
def server(pg_cluster: Any) -> Iterator[tuple[Store, str, list[str]]]:
    """A server store with one interview of three panelists, initialised; nothing rated."""
    database = pg_cluster.fresh_database()
    url = pg_cluster.url(database)
    roles.init_server(url)
    store = Store.open(url)
    iid = make_interview(store, PROTOCOL)
    with store.session() as session:
        panel = [
            str(p)
            for (p,) in session.execute(
                text("SELECT id FROM panelist WHERE interview_id = :i ORDER BY position"),
                {"i": iid},
            )
        ]
    yield store, iid, panel
    store.close()
    pg_cluster.drop_database(database)


facts = st.fixed_dictionaries(
    {
        "submissions": st.sets(st.tuples(st.integers(0, 2), st.sampled_from(DOMAINS))),
        "revealed": st.booleans(),
        "agreed": st.sets(st.sampled_from(INDICATORS), max_size=2),
        "status": st.sampled_from([Status.rating, Status.consensus, Status.finalized]),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(facts=facts)
def test_sql_and_python_rules_agree(
    server: tuple[Store, str, list[str]], facts: dict[str, Any]
) -> None:
    store, iid, panel = server
    submissions = sorted({(panel[i], d) for i, d in facts["submissions"]})
    with store.session() as session:
        try:
            _write_facts(session, iid, panel, submissions, facts)
            _compare_visibility(session, iid, panel, submissions, facts)
            if facts["status"] is not Status.finalized:
                _compare_writes(session, iid, panel)
        finally:
            session.rollback()


def _write_facts(
    session: Session,
    iid: str,
    panel: list[str],
    submissions: list[tuple[str, str]],
    facts: dict[str, Any],
) -> None:
    for panelist, domain in submissions:
        session.execute(
            text("INSERT INTO domain_submission VALUES (:i, :p, :d, now())"),
            {"i": iid, "p": panelist, "d": domain},
        )
    if facts["revealed"]:
        session.execute(
            text("INSERT INTO chair_reveal VALUES (:i, :p, 'why', now())"),
            {"i": iid, "p": panel[0]},
        )
    for indicator in facts["agreed"]:
        session.execute(
            text("INSERT INTO consensus VALUES (:i, :n, 2, false, '', '', now())"),
            {"i": iid, "n": indicator},
        )
    session.execute(
        text("UPDATE interview SET status = :s WHERE id = :i"),
        {"s": facts["status"].value, "i": iid},
    )


def _compare_visibility(
    session: Session,
    iid: str,
    panel: list[str],
    submissions: list[tuple[str, str]],
    facts: dict[str, Any],
) -> None:
    readers: list[str | None] = [*panel, None]
    found = session.execute(
        text(
            "SELECT r, a, n, s, formers_may_see(:i, r, a, n, s) "
            "FROM unnest(CAST(:readers AS text[])) r, "
            "unnest(CAST(:authors AS text[])) a, unnest(CAST(:asked AS text[])) n, "
            "unnest(ARRAY[true, false]) s"
        ),
        {"i": iid, "readers": readers, "authors": panel, "asked": ASKED},
    ).all()
    rules = {
        reader: decide(
            PROTOCOL.protocol,
            status=facts["status"],
            reader_id=reader,
            panel=panel,
            submissions=submissions,
            revealed=facts["revealed"],
        )
        for reader in readers
    }
    assert len(found) == len(readers) * len(panel) * len(ASKED) * 2
    for reader, author, indicator, submitted, sql in found:
        python = rules[reader].may_see(author, indicator, submitted=submitted)
        assert sql == python, (reader, author, indicator, submitted, facts)


def _compare_writes(session: Session, iid: str, panel: list[str]) -> None:
    interview = get_interview(session, iid)
    found = session.execute(
        text(
            "SELECT p, n, formers_rating_allowed(:i, p, n) FROM unnest(CAST(:panel AS text[])) p, "
            "unnest(CAST(:asked AS text[])) n"
        ),
        {"i": iid, "panel": panel, "asked": ASKED},
    ).all()
    for panelist, indicator, sql in found:
        python = rating_refusal(session, interview, panelist, indicator) is None
        assert sql == python, (panelist, indicator)
    allowed = session.execute(
        text("SELECT formers_submission_allowed(:i)"), {"i": iid}
    ).scalar_one()
    assert allowed == (submission_refusal(session, interview, DOMAINS[0]) is None)
