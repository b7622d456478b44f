"""The clinical review's scenarios, run through the shipped protocol.

Each scenario once let strengths hide a failure (a compensatory mean); each
test holds the outcome a clinician would expect, and that the reasons name
what falls short without claiming that conditions could make up for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from formers_tui.protocol.loader import load_path
from formers_tui.protocol.model import Protocol
from formers_tui.protocol.timeline import ProportionalityCheck, ProportionalityStatus
from formers_tui.scoring.suggestion import Severity, Suggested, Suggestion, suggest

SHIPPED = Path(__file__).resolve().parents[2] / "interviews" / "peer-mentor-readiness.toml"
MET = ProportionalityCheck(ProportionalityStatus.met, "involved 5 y, disengaged 9 y: meets")


@pytest.fixture(scope="module")
def shipped() -> Protocol:
    protocol = load_path(SHIPPED).protocol
    assert protocol.version == "1.0.0"
    return protocol


def high(protocol: Protocol, **changes: int | None) -> dict[str, int | None]:
    """Consensus 3 everywhere, then the scenario's changes (``APP_REL_1`` for ``APP-REL-1``)."""
    consensus: dict[str, int | None] = {i.id: 3 for i in protocol.indicators()}
    for key, value in changes.items():
        indicator = key.replace("_", "-")
        assert indicator in consensus
        consensus[indicator] = value
    return consensus


def run(protocol: Protocol, consensus: dict[str, int | None], **extra: object) -> Suggestion:
    result = suggest(protocol, consensus, proportionality=MET, **extra)  # type: ignore[arg-type]
    assert "could address" not in " ".join(r.text for r in result.reasons)
    return result


def part(result: Suggestion, part_id: str) -> Suggested:
    return next(p.outcome for p in result.parts if p.part_id == part_id)


def test_all_high_is_ready(shipped: Protocol) -> None:
    result = run(shipped, high(shipped))
    assert result.outcome is Suggested.ready
    assert [p.outcome for p in result.parts] == [Suggested.ready, Suggested.ready]


def test_relational_criteria_at_zero_are_not_ready(shipped: Protocol) -> None:
    """Not generalising one's story, empathy and boundaries at 0: strengths do not hide it."""
    result = run(shipped, high(shipped, APP_REL_1=0, APP_REL_2=0, APP_REL_3=0))
    assert result.outcome is Suggested.not_yet_ready
    assert part(result, "appropriateness") is Suggested.not_yet_ready
    assert part(result, "readiness") is Suggested.ready
    blocking = [r.text for r in result.reasons if r.severity is Severity.blocks]
    assert any("APP-REL-1, APP-REL-2, APP-REL-3" in text for text in blocking)


def test_open_legal_obligations_at_zero_are_not_ready(shipped: Protocol) -> None:
    result = run(shipped, high(shipped, RES_2=0))
    assert result.outcome is Suggested.not_yet_ready
    assert part(result, "readiness") is Suggested.not_yet_ready
    assert any("RES-2" in r.text for r in result.reasons if r.severity is Severity.blocks)


def test_three_requirements_at_zero_are_not_ready(shipped: Protocol) -> None:
    result = run(shipped, high(shipped, DIS_1=0, DER_2=0, RES_3=0))
    assert result.outcome is Suggested.not_yet_ready


def test_most_of_appropriateness_at_one_is_not_ready(shipped: Protocol) -> None:
    """9 of 11 at 1 (the two critical ones at 3): pooled with readiness the mean was 2.25."""
    appropriateness = [
        i.id
        for d in next(p for p in shipped.parts if p.id == "appropriateness").domains
        for i in d.indicators
    ]
    low = [i for i in appropriateness if not shipped.indicator(i).critical]
    assert len(appropriateness) == 11 and len(low) == 9
    consensus = high(shipped)
    consensus.update(dict.fromkeys(low, 1))
    result = run(shipped, consensus)
    assert result.overall_mean is not None and result.overall_mean > 2.0
    assert result.outcome is Suggested.not_yet_ready
    assert part(result, "appropriateness") is Suggested.not_yet_ready
    assert "Appropriateness: mean 1.36 is below the minimum 2, judged apart from the other " in (
        " ".join(r.text for r in result.reasons)
    )


def test_six_omitted_non_critical_indicators_are_not_a_plain_ready(shipped: Protocol) -> None:
    consensus = high(
        shipped, DIS_1=None, DER_2=None, RES_2=None, REI_1=None, APP_REL_1=None, APP_GRO_1=None
    )
    result = run(shipped, consensus)
    assert result.outcome is Suggested.ready_with_conditions
    (reason,) = [r for r in result.reasons if r.rule == "omitted"]
    assert reason.severity is Severity.caution
    assert reason.text.startswith("6 non-critical indicators omitted (DIS-1, DER-2, RES-2, ")
    two = run(shipped, high(shipped, DIS_1=None, DER_2=None))
    assert two.outcome is Suggested.ready


def test_one_panelist_rating_a_critical_indicator_low_is_surfaced(shipped: Protocol) -> None:
    """2/2/1 on a critical indicator, consensus 2: named in the suggestion, not in a cell only."""
    result = run(shipped, high(shipped, DIS_2=2), concerns={"DIS-2": ("Pat",)})
    assert result.outcome is Suggested.ready  # the panel weighed it; the note does not decide
    (note,) = [r for r in result.reasons if r.rule == "critical_concern"]
    assert note.severity is Severity.note
    assert "DIS-2" in note.text and "Pat" in note.text
    (score,) = [c for c in result.critical if c.indicator_id == "DIS-2"]
    assert score.rated_below_met_by == ("Pat",)


def test_an_open_threat_flag_is_not_ready(shipped: Protocol) -> None:
    result = run(shipped, high(shipped), open_flags=["Threat of violence"])
    assert result.outcome is Suggested.not_yet_ready
    assert result.reasons[0].rule == "safety_flags"


def test_ongoing_involvement_is_not_ready_even_where_proportionality_is_guidance(
    shipped: Protocol,
) -> None:
    assert not shipped.thresholds.proportionality_required
    ongoing = ProportionalityCheck(ProportionalityStatus.ongoing, "involvement is ongoing")
    result = suggest(shipped, high(shipped), proportionality=ongoing)
    assert result.outcome is Suggested.not_yet_ready


# ---------------------------------------------------------------------------- protocol 1.1

SHIPPED_1_1 = SHIPPED.with_name("peer-mentor-readiness-1.1.toml")


@pytest.fixture(scope="module")
def current() -> Protocol:
    protocol = load_path(SHIPPED_1_1).protocol
    assert protocol.version == "1.1.0"
    return protocol


def test_1_1_relational_criteria_at_one_are_not_ready(current: Protocol) -> None:
    """Below met but above the floor: empathy and boundaries are critical in 1.1."""
    result = run(current, high(current, APP_REL_1=1, APP_REL_2=1, APP_REL_3=1))
    assert result.outcome is Suggested.not_yet_ready
    assert part(result, "appropriateness") is Suggested.not_yet_ready
    texts = " ".join(r.text for r in result.reasons if r.severity is Severity.blocks)
    assert "APP-REL-2" in texts and "APP-REL-3" in texts


def test_1_1_open_legal_obligations_are_not_ready(current: Protocol) -> None:
    result = run(current, high(current, RES_4=1))
    assert result.outcome is Suggested.not_yet_ready
    assert any("RES-4" in r.text for r in result.reasons if r.rule == "critical")


def test_1_1_scenarios_hold_as_in_1_0(current: Protocol) -> None:
    assert run(current, high(current)).outcome is Suggested.ready
    assert run(current, high(current, RES_2=0)).outcome is Suggested.not_yet_ready
    low = [
        i.id
        for d in next(p for p in current.parts if p.id == "appropriateness").domains
        for i in d.indicators
        if not i.critical
    ]
    consensus = high(current)
    consensus.update(dict.fromkeys(low, 1))
    assert run(current, consensus).outcome is Suggested.not_yet_ready
    six = high(current, DIS_1=None, DER_2=None, RES_2=None, REI_1=None, APP_GRO_1=None)
    six["APP-CARE-1"] = None
    assert run(current, six).outcome is Suggested.ready_with_conditions
    flagged = run(current, high(current), open_flags=["Threat of violence"])
    assert flagged.outcome is Suggested.not_yet_ready


def test_the_parts_line_names_the_whole_interview_when_it_decides(current: Protocol) -> None:
    ongoing = ProportionalityCheck(ProportionalityStatus.ongoing, "involvement is ongoing")
    result = suggest(current, high(current), proportionality=ongoing)
    assert result.parts_line() == (
        "Readiness: Ready · Appropriateness: Ready · whole interview: Not yet ready"
    )
    plain = run(current, high(current, APP_REL_3=0))
    assert plain.parts_line() == "Readiness: Ready · Appropriateness: Not yet ready"
