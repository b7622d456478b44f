"""The app connected as a person's own login: it reads as them, writes as them, keeps the chain.

Here ``server init`` runs before the interviews are made, so the protocol's
domains are indexed as the app stores it (the other modules index at init).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from formers_tui.store import audit, panel
from formers_tui.store.failures import describe_store_failure
from formers_tui.store.rules.visibility import visibility
from formers_tui.store.server.people import connected_person, connected_reader
from formers_tui.store.store import Store
from tests.pg import Cluster
from tests.rules.blind_store import PINS, canary
from tests.server.people import SUPERVISOR, Served, panelist_ids, serve


@pytest.fixture(scope="module")
def served(pg_cluster: Cluster) -> Iterator[Served]:
    found = serve(pg_cluster, init_first=True)
    yield found
    pg_cluster.drop_database(found.database)


def test_the_connected_login_reads_as_its_panelist(served: Served) -> None:
    iid = served.ids["draft"]
    members = panelist_ids(served, iid)
    store = Store.open(served.url("bo"))
    try:
        with store.session() as session:
            assert connected_person(session) == "Bo Ray"
            assert connected_reader(session, iid) == members["Bo Ray"]
            seen = visibility(session, iid)
            assert seen.reader_id == members["Bo Ray"]
            assert seen.may_see(members["Bo Ray"], "ONE-1", submitted=False)
    finally:
        store.close()
    supervisor = Store.open(served.url(SUPERVISOR))
    try:
        with supervisor.session() as session:
            assert connected_person(session) == "Sue Vee"
            assert visibility(session, iid).reader_id is None
    finally:
        supervisor.close()


def test_a_person_writes_through_the_app_and_the_chain_holds(served: Served) -> None:
    iid = served.ids["submitted"]
    members = panelist_ids(served, iid)
    store = Store.open(served.url("cy"))
    try:
        with store.session() as session:
            panel.rate(
                session,
                interview_id=iid,
                panelist_id=members["Cy Dee"],
                indicator_id="TWO-1",
                value=3,
                rationale="Revised after more thought.",
                actor="Cy Dee",
            )
            session.commit()
        with store.session() as session, pytest.raises(DBAPIError) as refused:
            panel.rate(
                session,
                interview_id=iid,
                panelist_id=members["Bo Ray"],
                indicator_id="THREE-1",
                value=0,
                rationale="Not mine to give.",
                actor="Cy Dee",
            )
        assert "does not let this login" in str(describe_store_failure(refused.value))
    finally:
        store.close()
    owner = Store.open(served.url())
    try:
        with owner.session() as session:
            # The entries Cy's connection chained sit on the real end of the chain.
            assert audit.verify_chain(session) == []
            assert audit.verify_state(session) == []
            assert audit.pending_outside(session) == []
    finally:
        owner.close()


def test_a_chair_reveals_and_a_panelist_then_sees_the_panel(served: Served) -> None:
    iid = served.ids["submitted"]
    members = panelist_ids(served, iid)
    ann = Store.open(served.url("ann"))
    try:
        with ann.session() as session:
            panel.reveal(
                session,
                interview_id=iid,
                chair_id=members["Ann Lee"],
                pin=PINS["Ann Lee"],
                reason="Cy must leave early.",
                actor="Ann Lee",
            )
            session.commit()
    finally:
        ann.close()
    cy = Store.open(served.url("cy"))
    try:
        with cy.session() as session:
            shown = panel.visible_ratings(session, iid, members["Cy Dee"], "one")
            # Bo's submitted ratings of domain one now reach Cy; nobody's drafts do.
            assert {r.rationale for r in shown} >= {canary("submitted", "Bo Ray", "ONE-1")}
            assert all(
                r.submitted_at is not None or r.panelist_id == members["Cy Dee"] for r in shown
            )
    finally:
        cy.close()


def _new_interview(store: Store, code: str, chair: str, other: str) -> str:
    from datetime import date

    from formers_tui.protocol.loader import load_path
    from formers_tui.store.interviews import PanelistIn, create_interview
    from formers_tui.store.models import Role
    from tests.conftest import FIXTURES

    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code=code,
            protocol=load_path(FIXTURES / "mini-protocol.toml"),
            panel=[
                PanelistIn(chair, Role.psychologist, is_chair=True),
                PanelistIn(other, Role.social_worker),
            ],
            actor=chair,
            interview_date=date(2026, 11, 4),
            consent_given=True,
            consent_date=date(2026, 11, 4),
        )
        session.commit()
        return interview.id


def test_a_chair_starts_an_interview_and_a_panelist_cannot(served: Served) -> None:
    ann = Store.open(served.url("ann"))
    try:
        mine = _new_interview(ann, "PM-ANN-1", "Ann Lee", "Bo Ray")
        # A chair may start one for a panel without her, too (programme staff).
        theirs = _new_interview(ann, "PM-ANN-2", "Cy Dee", "Bo Ray")
    finally:
        ann.close()
    bo = Store.open(served.url("bo"))
    try:
        with bo.session() as session:
            assert connected_reader(session, mine) is not None
            assert connected_reader(session, theirs) is not None
        with pytest.raises(DBAPIError) as refused:
            _new_interview(bo, "PM-BO-1", "Bo Ray", "Cy Dee")
        assert "does not let this login" in str(describe_store_failure(refused.value))
    finally:
        bo.close()
    owner = Store.open(served.url())
    try:
        with owner.session() as session:
            assert audit.verify_chain(session) == []
            assert audit.verify_state(session) == []
    finally:
        owner.close()


def test_only_an_unrestricted_login_checks_the_whole_chain(served: Served) -> None:
    from typer.testing import CliRunner

    from formers_tui.cli import app

    cy = Store.open(served.url("cy"))
    try:
        with cy.session() as session, pytest.raises(audit.PartialLog):
            audit.verify_chain(session)
    finally:
        cy.close()
    for args in (["audit", "verify"], ["db", "check"]):
        result = CliRunner().invoke(app, ["--db", served.url("cy"), *args])
        assert result.exit_code == 2
        assert result.stderr == (
            "Error: This login reads only its own part of the audit log; check the chain "
            "as the database's owner.\n"
        )


def test_two_people_writing_at_once_keep_one_chain(served: Served) -> None:
    from concurrent.futures import ThreadPoolExecutor

    iid = served.ids["draft"]
    members = panelist_ids(served, iid)

    def rate_as(login: str, name: str) -> None:
        store = Store.open(served.url(login))
        try:
            for n in range(4):
                with store.session() as session:
                    panel.rate(
                        session,
                        interview_id=iid,
                        panelist_id=members[name],
                        indicator_id="THREE-1",
                        value=n % 4,
                        rationale=f"{name} pass {n}",
                        actor=name,
                    )
                    session.commit()
        finally:
            store.close()

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(rate_as, "bo", "Bo Ray"), pool.submit(rate_as, "cy", "Cy Dee")]:
            done.result()
    owner = Store.open(served.url())
    try:
        with owner.session() as session:
            assert audit.verify_chain(session) == []
            assert audit.verify_state(session) == []
    finally:
        owner.close()


def test_show_and_export_count_what_the_server_kept_back(served: Served, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from formers_tui.cli import app

    iid = served.ids["revealed"]
    # Cy submitted nothing: after the reveal he sees the others' submitted ratings
    # (Ann's four, Bo's domain one: six) and his own four; Bo's two drafts stay hidden.
    runner = CliRunner()
    shown = runner.invoke(app, ["--db", served.url("cy"), "show", iid], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "10 of the panel's ratings shown; 2 more stay hidden" in shown.stdout
    out = tmp_path / "cy.json"
    exported = runner.invoke(app, ["--db", served.url("cy"), "export", iid, "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "Left out 2 ratings" in exported.stderr
    # The owner reads every row; as nobody identified, the app itself hides the drafts.
    owner = runner.invoke(app, ["--db", served.url(), "show", iid], env={"COLUMNS": "200"})
    assert "6 of the panel's ratings shown; 6 more stay hidden" in owner.stdout


def test_earlier_versions_follow_the_rule_of_their_own_version(served: Served) -> None:
    from tests.server.people import rows

    iid = served.ids["draft"]
    members = panelist_ids(served, iid)
    bo = Store.open(served.url("bo"))

    def rate(text: str) -> None:
        with bo.session() as session:
            panel.rate(
                session,
                interview_id=iid,
                panelist_id=members["Bo Ray"],
                indicator_id="ONE-2",
                value=len(text) % 4,
                rationale=text,
                actor="Bo Ray",
            )
            session.commit()

    try:
        rate("zqdraftonly")  # a draft, overwritten before it was ever submitted
        rate("zqfinal")
        with bo.session() as session:
            panel.submit_domain(
                session,
                interview_id=iid,
                panelist_id=members["Bo Ray"],
                domain_id="one",
                actor="Bo Ray",
            )
            session.commit()
        rate("zqrevised")  # the submitted version is kept as an earlier version
    finally:
        bo.close()
    versions = (
        "SELECT v.rationale FROM rating_revision v JOIN rating r ON r.id = v.rating_id "
        "WHERE r.interview_id = %s AND r.panelist_id = %s"
    )
    current = (
        "SELECT rationale FROM rating WHERE interview_id = %s AND panelist_id = %s "
        "AND indicator_id = 'ONE-2'"
    )
    bo_id = members["Bo Ray"]
    assert rows(served, "bo", versions, iid, bo_id) == [("zqfinal",)]
    # Ann submitted domain one: Bo's submitted versions reach her.
    assert rows(served, "ann", versions, iid, bo_id) == [("zqfinal",)]
    assert rows(served, "ann", current, iid, bo_id) == [("zqrevised",)]
    # Cy submitted nothing: neither the rating nor its history.
    assert rows(served, "cy", versions, iid, bo_id) == []
    assert rows(served, "cy", current, iid, bo_id) == []
    logs = {
        login: " ".join(str(r) for r in rows(served, login, "SELECT old, new FROM audit_entry"))
        for login in ("ann", "cy")
    }
    assert "zqdraftonly" not in logs["ann"]
    assert not any(t in logs["cy"] for t in ("zqdraftonly", "zqfinal", "zqrevised"))
