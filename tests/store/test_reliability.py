"""Programme-wide reliability: pooled per indicator, domain and part, and each rater's lean."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.paths import store_path
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.scoring.reliability import RaterMark, leans
from formers_tui.store.panel_decision import record_consensus
from formers_tui.store.reliability import programme_reliability
from formers_tui.store.store import Store
from tests.conftest import make_interview
from tests.store.test_panel import DOMAINS, PINS, give_pins, members, rate_everything

PAT = "Pat Placeholder"


def settled(store: Store, loaded: LoadedProtocol, code: str, pat: int, consensus: int) -> str:
    """An interview everyone rated (Ada and Sam 2, Pat ``pat``) with consensus everywhere."""
    iid = make_interview(store, loaded, code=code)
    give_pins(store, iid)
    rate_everything(store, iid, {"Dr. Ada Example": 2, "Sam Sample": 2, PAT: pat})
    with store.session() as session:
        for indicators in DOMAINS.values():
            for indicator in indicators:
                record_consensus(
                    session,
                    interview_id=iid,
                    indicator_id=indicator,
                    value=consensus,
                    rationale=f"Agreed; {PAT}'s rating weighed.",
                    chair_pin=PINS[0],
                )
        session.commit()
    return iid


@pytest.fixture
def programme(tmp_path: Path, mini_protocol: LoadedProtocol) -> Path:
    """Five settled interviews in which Pat rates one level above the consensus, one open."""
    path = store_path()
    store = Store.open(path)
    try:
        for n in range(5):
            settled(store, mini_protocol, f"PM-R{n}", pat=3, consensus=2)
        open_one = make_interview(store, mini_protocol, code="PM-OPEN")  # not settled
        assert len(members(store, open_one)) == 3
    finally:
        store.close()
    return path


def test_pooled_figures_carry_counts_and_intervals(programme: Path) -> None:
    store = Store.open(programme)
    try:
        with store.session() as session:
            (found,) = programme_reliability(session)
            assert programme_reliability(session, protocol_id="nope") == []
            assert programme_reliability(session, since=date(2026, 11, 3)) == []
            assert len(programme_reliability(session, since=date(2026, 11, 2))) == 1
    finally:
        store.close()
    assert (found.protocol_id, found.protocol_version, found.interviews) == ("mini", "0.1", 5)
    scopes = {(s.scope, s.key): s for s in found.scopes}
    assert [s.scope for s in found.scopes][:3] == ["overall", "part", "part"]
    overall = scopes[("overall", "overall")]
    assert overall.interviews == 5 and overall.stats.units == 20
    assert overall.stats.exact == 0.0 and overall.stats.within_one == 1.0
    # Every unit is (2, 2, 3): no spread between units, so alpha is well below chance.
    assert overall.stats.alpha is not None and overall.stats.alpha < 0
    assert overall.stats.interval is not None
    one = scopes[("indicator", "ONE-1")]
    assert one.stats.units == 5 and one.stats.alpha is None
    assert one.stats.alpha_reason.startswith("alpha not shown: 5 indicators")
    (ada, pat, sam) = found.raters
    assert (pat.rater, pat.compared, pat.interviews) == (PAT, 20, 5)
    assert pat.lean == 1.0 and pat.exact == 0.0
    assert ada.lean == 0.0 and ada.exact == 1.0 and sam.rater == "Sam Sample"


def test_leans_need_enough_ratings_and_group_spellings() -> None:
    marks = [RaterMark("Ann Lee", "i1", 2, 2), RaterMark("ann  lee", "i2", 3, 2)]
    (ann,) = leans(marks)
    assert (ann.compared, ann.interviews, ann.lean, ann.exact) == (2, 2, None, 0.5)
    many = [RaterMark("Bo", f"i{n}", 1 + n % 2, 2) for n in range(40)]
    (bo,) = leans(many)
    assert bo.lean == -0.5 and bo.interval is not None
    assert bo.interval[0] < -0.5 < bo.interval[1]


def test_the_command_prints_pooled_figures_and_json(programme: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["reliability"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "5 settled interviews" in text
    assert "Pat Placeholder" in text and "+1.00" in text
    assert "Exact: share of compared indicators on which every rater chose the same level" in text
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["reliability", "--json", "--protocol", "mini"])
    assert result.exit_code == 0
    import json

    doc = json.loads(result.stdout)
    assert doc["format"] == "formers-tui/reliability"
    (entry,) = doc["protocols"]
    assert entry["interviews"] == 5 and entry["scopes"][0]["stats"]["units"] == 20
    assert entry["scopes"][0]["stats"]["interval"] is not None
    empty = runner.invoke(app, ["reliability", "--since", "2030-01-01"])
    assert empty.exit_code == 0 and "nothing to pool yet" in empty.stdout
    bad = runner.invoke(app, ["reliability", "--since", "last year"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "Error: --since takes a day as YYYY-MM-DD, not 'last year'."
