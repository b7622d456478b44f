"""The whole panel view from plain rows: agreement per domain, part and overall."""

from __future__ import annotations

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.scoring.matrix import ConsensusEntry, RatingIn
from formers_tui.scoring.suggestion import ProportionalityCheck, ProportionalityStatus, Suggested
from formers_tui.scoring.summary import HIDDEN, PanelistInfo, build_summary

PANEL = [PanelistInfo("a", "Ada", "psychologist", True), PanelistInfo("b", "Bo", "other")]
MET = ProportionalityCheck(ProportionalityStatus.met, "meets")


def ratings(a: dict[str, int | None], b: dict[str, int | None]) -> list[RatingIn]:
    return [RatingIn(k, "a", v) for k, v in a.items()] + [RatingIn(k, "b", v) for k, v in b.items()]


def test_agreement_rows_cover_domains_parts_and_overall(mini_protocol: LoadedProtocol) -> None:
    rows = ratings(
        {"ONE-1": 3, "ONE-2": 2, "TWO-1": 0, "THREE-1": 1},
        {"ONE-1": 3, "ONE-2": 2, "TWO-1": 2, "THREE-1": None},
    )
    result = build_summary(mini_protocol.protocol, PANEL, rows, {}, proportionality=MET)
    keys = [(r.scope, r.key) for r in result.agreement]
    assert keys == [
        ("domain", "one"),
        ("domain", "two"),
        ("domain", "three"),
        ("part", "first"),
        ("part", "second"),
        ("overall", "overall"),
    ]
    one = result.agreement[0].stats
    # Two units: alpha would be 1.0 by luck as much as by skill, so a caution stands in for it.
    assert one.alpha is None and one.pairable == 4 and one.exact == 1.0
    assert one.alpha_reason == (
        "alpha not shown: 2 indicators rated by two or more, fewer than the 20 it needs to "
        "mean much; read exact and within-one agreement"
    )
    three = result.agreement[2].stats
    assert three.alpha is None and three.units == 0 and three.exact is None
    overall = result.overall.stats
    assert overall.units == 3 and overall.pairable == 6
    assert overall.exact == 2 / 3 and overall.within_one == 2 / 3
    assert overall.alpha is None and overall.alpha_reason.startswith("alpha not shown: 3 ")
    assert [r.indicator_id for r in result.disagreements] == ["TWO-1", "THREE-1"]
    assert result.suggestion.outcome is Suggested.insufficient_information


def test_pooled_statistics_stay_hidden_while_any_domain_is(mini_protocol: LoadedProtocol) -> None:
    rows = ratings({"ONE-1": 3, "ONE-2": 2}, {"ONE-1": 3, "ONE-2": 1})
    result = build_summary(
        mini_protocol.protocol,
        PANEL,
        rows,
        {"ONE-1": ConsensusEntry("ONE-1", 3, "clear")},
        proportionality=MET,
        viewer_id="a",
        visible_domains={"two"},
    )
    by_key = {r.key: r.stats for r in result.agreement}
    for hidden in ("one", "first", "overall"):
        assert by_key[hidden].alpha is None and by_key[hidden].alpha_reason == HIDDEN
        assert by_key[hidden].pairable == 0 and by_key[hidden].percent_reason == HIDDEN
    assert by_key["two"].alpha_reason.startswith("too little data")
    assert result.suggestion.critical[0].met is True
