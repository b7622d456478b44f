"""``formers score``: the panel summary for staff and, behind a PIN, for one panelist."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.paths import store_path
from formers_tui.store import panel
from formers_tui.store.common import get_interview, protocol_of
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import Outcome
from formers_tui.store.panel_decision import (
    DissentIn,
    add_addendum,
    record_consensus,
    record_determination,
    sign_off,
)
from formers_tui.store.store import Store

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def new_interview() -> str:
    exit_code, out, err = run(
        "new", "--candidate", "PM-S", "--panelist", "Ann Lee:psychologist",
        "--panelist", "Bo Ray:probation", "--date", "2026-11-02", "--consent",
    )  # fmt: skip
    assert exit_code == 0, err
    return out.strip()


def rate(iid: str, who: str, value: int | None, domains: int | None = None) -> None:
    """``who`` rates every indicator ``value`` and submits the first ``domains`` domains."""
    store = Store.open(store_path())
    try:
        with store.session() as session:
            interview = get_interview(session, iid)
            member = panel.find_panelist(session, iid, who)
            if member.pin_hash is None:
                pin = "1111" if who == "Ann Lee" else "2222"
                panel.set_pin(session, interview_id=iid, panelist_id=member.id, pin=pin, actor=who)
            for number, domain in enumerate(protocol_of(interview).domains()):
                for indicator in domain.indicators:
                    panel.rate(
                        session,
                        interview_id=iid,
                        panelist_id=member.id,
                        indicator_id=indicator.id,
                        value=value,
                        rationale="",
                        actor=who,
                    )
                if domains is None or number < domains:
                    panel.submit_domain(
                        session,
                        interview_id=iid,
                        panelist_id=member.id,
                        domain_id=domain.id,
                        actor=who,
                    )
            session.commit()
    finally:
        store.close()


def test_staff_view_waits_for_the_whole_panel() -> None:
    iid = new_interview()
    rate(iid, "Ann Lee", 2, domains=1)
    exit_code, out, err = run("score", iid[:8])
    assert exit_code == 2 and out == ""
    assert err == (
        "Error: The panel's ratings stay hidden until every panelist has submitted every "
        "domain (0 of 2 have) or the chair reveals them.\n"
    )


def test_a_panelist_sees_only_domains_they_submitted() -> None:
    iid = new_interview()
    rate(iid, "Ann Lee", 2, domains=1)
    rate(iid, "Bo Ray", 3)
    exit_code, out, _ = run("score", iid, "--as", "ann lee", "--pin", "1111", "--json")
    assert exit_code == 0
    doc = json.loads(out)
    assert doc["format"] == "formers-tui/panel-summary"
    assert doc["viewer_id"] is not None
    rows = doc["scores"]["rows"]
    first, later = rows[0], rows[-1]
    assert [c["state"] for c in first["cells"]] == ["rated", "rated"]
    assert [c["value"] for c in first["cells"]] == [2, 3]
    assert [c["state"] for c in later["cells"]] == ["rated", "hidden"]
    assert later["cells"][0]["submitted"] is False  # Ann's own draft
    assert later["cells"][1]["value"] is None
    overall = doc["scores"]["agreement"][-1]
    assert overall["key"] == "overall" and overall["stats"]["alpha"] is None
    exit_code, out, _ = run("score", iid, "--as", "Ann Lee", "--pin", "1111")
    assert exit_code == 0
    assert "others' ratings show only in domains you have submitted" in out
    assert "hidden" in out and "(draft)" in out


def test_wrong_or_missing_credentials_are_one_line() -> None:
    iid = new_interview()
    rate(iid, "Ann Lee", 2)
    for args, message in (
        (("--as", "Ann Lee", "--pin", "9999"), "Wrong PIN for Ann Lee."),
        (("--as", "Bo Ray", "--pin", "9999"), "Bo Ray has no PIN yet; set one first."),
        (("--as", "Cy", "--pin", "1"), "No panelist 'Cy' on this interview's panel"),
        (
            (
                "--pin",
                "1111",
            ),
            "--pin goes with --as PANELIST.",
        ),
    ):
        exit_code, _, err = run("score", iid, *args)
        assert exit_code == 2, args
        assert err.startswith("Error: ") and message in err and err.count("\n") == 1


def test_the_pin_can_be_typed_at_a_hidden_prompt() -> None:
    iid = new_interview()
    rate(iid, "Ann Lee", 2, domains=2)
    exit_code, out, _ = run("score", iid, "--as", "Ann Lee", "--json", stdin="1111\n")
    assert exit_code == 0
    assert "1111" not in out
    assert json.loads(out)["viewer_id"] is not None  # the prompt went to stderr


def test_open_panel_summary_with_determination() -> None:
    iid = new_interview()
    rate(iid, "Ann Lee", 3)
    rate(iid, "Bo Ray", 1)
    exit_code, out, _ = run("score", iid, "--json")
    assert exit_code == 0
    doc = json.loads(out)
    assert doc["status"] == "consensus" and doc["progress"]["revealed"] is None
    indicators = len(doc["scores"]["rows"])
    assert len(doc["scores"]["disagreements"]) == indicators
    overall = doc["scores"]["agreement"][-1]["stats"]
    assert overall["pairable"] == 2 * indicators and overall["exact"] == 0.0
    assert overall["units"] == indicators
    low, high = overall["interval"]  # every unit is (3, 1): each resample is the same
    assert low == high == overall["alpha"] < 0
    assert doc["scores"]["suggestion"]["disclaimer"] == "A suggestion only; the panel decides."
    assert doc["definitions"]["within_one"].startswith("within one: share of compared")
    assert doc["scores"]["suggestion"]["label"] == "Insufficient information"

    store = Store.open(store_path())
    try:
        with store.session() as session:
            protocol = protocol_of(get_interview(session, iid))
            bo = panel.find_panelist(session, iid, "Bo Ray")
            for n, indicator_id in enumerate(i.id for i in protocol.indicators()):
                record_consensus(
                    session,
                    interview_id=iid,
                    indicator_id=indicator_id,
                    value=1,
                    rationale="Partial evidence.",
                    chair_pin="1111",
                    dissent=[DissentIn(bo.id, "One recent example only.")] if n == 0 else [],
                )
            record_determination(
                session,
                interview_id=iid,
                outcome=Outcome.not_yet_ready,
                rationale="Below the minimums throughout.",
                work_on="Supervised volunteering; amends work.",
                chair_pin="1111",
            )
            session.commit()
            names = [p.name for p in interview_header(session, get_interview(session, iid)).panel]
    finally:
        store.close()
    exit_code, out, _ = run("score", iid)
    assert exit_code == 0
    for expected in (
        "Agreement",
        "Overall",
        "Exact: share of compared indicators on which every rater chose the same level.",
        "Within one: share of compared indicators whose ratings are at most one level apart.",
        "A suggestion only; the panel decides.",
        "Readiness: Not yet ready · Appropriateness: Not yet ready",
        "Computed suggestion: Not yet ready",
        "Determination: Not yet ready",
        "Work on: Supervised volunteering",
        f"waiting for: {', '.join(names)}",
        "DIS-2 *",
        "DIS-1: Bo Ray dissents: One recent example only.",
    ):
        assert expected in out, expected

    store = Store.open(store_path())
    try:
        with store.session() as session:
            for who, pin in (("Ann Lee", "1111"), ("Bo Ray", "2222")):
                member = panel.find_panelist(session, iid, who)
                sign_off(session, interview_id=iid, panelist_id=member.id, pin=pin, actor=who)
            add_addendum(
                session,
                interview_id=iid,
                author_id=panel.find_panelist(session, iid, "Ann Lee").id,
                pin="1111",
                reason="A reference arrived late.",
                text="The employer confirms two years of steady work.",
            )
            session.commit()
    finally:
        store.close()
    exit_code, out, _ = run("score", iid)
    assert exit_code == 0
    assert "Addendum by Ann Lee" in out and "Why: A reference arrived late." in out
    assert "The employer confirms two years of steady work." in out
    exit_code, out, _ = run("score", iid, "--json")
    (addendum,) = json.loads(out)["addenda"]
    assert addendum["reason"] == "A reference arrived late."


def test_score_is_listed_in_help() -> None:
    exit_code, out, _ = run("--help")
    assert exit_code == 0 and "score" in out
