"""Row-level security: each person's own connection, as a raw SQL client, held to the rules.

The store holds one interview in each blind-rating state (``tests.rules.blind_store``)
and one Bo does not sit on. Each person connects with plain psycopg as their
own login; what they read is compared with the answers worked out by hand in
``blind_store.visible_to`` and with the Python rule itself
(:func:`~formers_tui.store.rules.visibility.visibility`) on the same states.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from formers_tui.store.rules.visibility import visibility
from tests.pg import Cluster
from tests.rules.blind_store import (
    STATES,
    canary,
    ratings_of,
    visible_to,
)
from tests.server.people import (
    LOGINS,
    OUTSIDER,
    SUPERVISOR,
    Served,
    owner_engine,
    panelist_ids,
    refused,
    rows,
    serve,
)

READERS = (*LOGINS, SUPERVISOR)


@pytest.fixture(scope="module")
def served(pg_cluster: Cluster) -> Served:
    """Built once: the read tests only read, and write tests roll back."""
    found = serve(pg_cluster)
    yield found  # type: ignore[misc]
    pg_cluster.drop_database(found.database)


def reader_name(login: str) -> str | None:
    return LOGINS.get(login)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("login", READERS)
def test_a_connection_reads_exactly_the_ratings_the_rule_allows(
    served: Served, state: str, login: str
) -> None:
    iid = served.ids[state]
    seen = {
        str(r[0])
        for r in rows(served, login, "SELECT rationale FROM rating WHERE interview_id = %s", iid)
    }
    revisions = rows(
        served,
        login,
        "SELECT v.rationale FROM rating_revision v JOIN rating r ON r.id = v.rating_id "
        "WHERE r.interview_id = %s",
        iid,
    )
    engine = owner_engine(served)
    try:
        with Session(engine) as session:
            members = panelist_ids(served, iid)
            reader = reader_name(login)
            rule = visibility(session, iid, members[reader] if reader else None)
            for who, indicator in ratings_of(state):
                expected = visible_to(state, reader, who, indicator)
                submitted = served_submitted(served, iid, members[who], indicator)
                # The hand-worked answer, the Python rule and the database agree.
                assert rule.may_see(members[who], indicator, submitted=submitted) == expected
                assert (canary(state, who, indicator) in seen) == expected, (login, who, indicator)
    finally:
        engine.dispose()
    assert all(str(r[0]) in seen for r in revisions)


def served_submitted(served: Served, iid: str, panelist_id: str, indicator: str) -> bool:
    found = rows(
        served,
        "postgres",
        "SELECT submitted_at IS NOT NULL FROM rating "
        "WHERE interview_id = %s AND panelist_id = %s AND indicator_id = %s",
        iid,
        panelist_id,
        indicator,
    )
    return bool(found and found[0][0])


@pytest.mark.parametrize("login", READERS)
def test_the_audit_log_never_carries_a_hidden_rating(served: Served, login: str) -> None:
    text = "\n".join(
        f"{old}\n{new}" for old, new in rows(served, login, "SELECT old, new FROM audit_entry")
    )
    reader = reader_name(login)
    for state in STATES:
        for who, indicator in ratings_of(state):
            if not visible_to(state, reader, who, indicator):
                assert canary(state, who, indicator) not in text, (login, state, who, indicator)
    # What one may see is there: the log is filtered, not emptied.
    if reader is not None:
        state, indicator = next((s, i) for s in STATES for who, i in ratings_of(s) if who == reader)
        assert canary(state, reader, indicator) in text


def test_an_interview_not_sat_on_is_invisible(served: Served) -> None:
    elsewhere = served.without_bo
    assert rows(served, "bo", "SELECT id FROM interview WHERE id = %s", elsewhere) == []
    for table in ("panelist", "audit_entry", "note", "rating"):
        assert rows(served, "bo", f"SELECT 1 FROM {table} WHERE interview_id = %s", elsewhere) == []
    assert rows(served, "bo", "SELECT code FROM candidate WHERE code = 'PM-ELSEWHERE'") == []
    assert len(rows(served, "bo", "SELECT id FROM interview")) == len(STATES)
    # Ann and Cy sit on it; the supervisor reads every interview.
    for login in ("ann", "cy", SUPERVISOR):
        assert rows(served, login, "SELECT 1 FROM interview WHERE id = %s", elsewhere)
    # Someone on no panel reads nothing at all.
    for table in ("interview", "panelist", "rating", "audit_entry", "candidate"):
        assert rows(served, OUTSIDER, f"SELECT 1 FROM {table}") == []


def test_nobody_writes_another_panelists_rating(served: Served) -> None:
    iid = served.ids["draft"]
    members = panelist_ids(served, iid)
    cy, bo = members["Cy Dee"], members["Bo Ray"]
    assert refused(served, "bo", "UPDATE rating SET value = 0 WHERE panelist_id = %s", cy)
    assert refused(served, "bo", "DELETE FROM rating WHERE panelist_id = %s", cy)
    assert "row-level security" in str(
        refused(
            served,
            "bo",
            "INSERT INTO rating (id, interview_id, indicator_id, panelist_id, value, omitted, "
            "rationale, updated_at) VALUES ('forged', %s, 'ONE-1', %s, 0, false, '', now())",
            iid,
            cy,
        )
    )
    # Bo may not move his own rating onto Cy either.
    assert refused(
        served, "bo", "UPDATE rating SET panelist_id = %s WHERE panelist_id = %s", cy, bo
    )
    # His own rating he may revise (rolled back).
    assert refused(served, "bo", "UPDATE rating SET value = 2 WHERE panelist_id = %s", bo) is None


def test_the_blind_rating_write_rules_hold_in_the_database(served: Served) -> None:
    revealed = served.ids["revealed"]
    members = panelist_ids(served, revealed)
    # After the reveal, Cy (who submitted nothing) can neither submit nor rate blind.
    assert refused(
        served,
        "cy",
        "INSERT INTO domain_submission VALUES (%s, %s, 'one', now())",
        revealed,
        members["Cy Dee"],
    )
    assert refused(
        served, "cy", "UPDATE rating SET value = 0 WHERE panelist_id = %s", members["Cy Dee"]
    )
    # Bo submitted domain one, so he may still revise it.
    assert (
        refused(
            served,
            "bo",
            "UPDATE rating SET value = 0 WHERE panelist_id = %s AND indicator_id = 'ONE-1'",
            members["Bo Ray"],
        )
        is None
    )
    # Only the chair records the panel's consensus; Bo's attempt is refused.
    consensus = (
        "INSERT INTO consensus (interview_id, indicator_id, value, omitted, rationale, dissent, "
        "recorded_at) VALUES (%s, 'ONE-1', 2, false, '', '', now())"
    )
    assert refused(served, "bo", consensus, revealed)
    assert refused(served, "ann", consensus, revealed) is None
    # Nobody signs for someone else.
    assert refused(
        served, "bo", "INSERT INTO sign_off VALUES (%s, %s, now())", revealed, members["Cy Dee"]
    )


@pytest.mark.parametrize("login", (*LOGINS, SUPERVISOR))
def test_nobody_but_the_owner_updates_or_deletes_audit_entries(served: Served, login: str) -> None:
    for sql in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"):
        assert "permission denied" in str(refused(served, login, sql))
    assert "permission denied" in str(
        refused(served, login, "UPDATE audit_seal SET key_wrap = 'x'")
    )


def test_a_supervisor_reads_and_writes_nothing(served: Served) -> None:
    iid = served.ids["draft"]
    for sql in (
        "UPDATE interview SET current_indicator = 'x'",
        "DELETE FROM note",
        "INSERT INTO addendum VALUES ('a', %s, 'Sue Vee', 'r', 't', now())",
    ):
        args = (iid,) if "%s" in sql else ()
        assert "permission denied" in str(refused(served, SUPERVISOR, sql, *args))


def test_only_a_chair_starts_an_interview_or_names_a_panel(served: Served) -> None:
    assert refused(
        served,
        "bo",
        "INSERT INTO panelist (id, interview_id, name, role, is_chair, position) "
        "VALUES ('me', %s, 'Bo Ray', 'other', false, 9)",
        served.without_bo,
    )
    # Nor may a panelist rename themselves into someone else's seat.
    bo = panelist_ids(served, served.ids["draft"])["Bo Ray"]
    assert refused(served, "bo", "UPDATE panelist SET name = 'Zed Oh' WHERE id = %s", bo)


def test_a_panelist_moves_an_interview_on_but_does_not_rewrite_it(served: Served) -> None:
    iid = served.ids["draft"]
    assert (
        refused(served, "bo", "UPDATE interview SET current_indicator = 'TWO-1' WHERE id = %s", iid)
        is None
    )
    for column, value in (
        ("candidate_id", "x"),
        ("consent_given", "false"),
        ("protocol_hash", "x"),
    ):
        sql = f"UPDATE interview SET {column} = '{value}' WHERE id = %s"
        assert "permission denied" in str(refused(served, "bo", sql, iid))
