"""The computed suggestion: every threshold rule, and how the worst reason decides."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.protocol.model import DomainMinimum, Protocol
from formers_tui.scoring.suggestion import (
    ProportionalityCheck,
    ProportionalityStatus,
    Severity,
    Suggested,
    Suggestion,
    check_proportionality,
    minimum_for,
    suggest,
)

MET = ProportionalityCheck(ProportionalityStatus.met, "involved 2.0 y, disengaged 9.0 y: meets")
SHORT = ProportionalityCheck(ProportionalityStatus.not_met, "involved 6.0 y, disengaged 4.0 y")
UNKNOWN = ProportionalityCheck(ProportionalityStatus.incomplete, "the timeline lacks a date")
NONE = ProportionalityCheck(ProportionalityStatus.not_applicable, "no rule")
ALL_THREE = {"ONE-1": 3, "ONE-2": 3, "TWO-1": 3, "THREE-1": 3}


@pytest.fixture
def proto(mini_protocol: LoadedProtocol) -> Protocol:
    return mini_protocol.protocol


def with_rules(protocol: Protocol, **changes: object) -> Protocol:
    return dataclasses.replace(
        protocol, thresholds=dataclasses.replace(protocol.thresholds, **changes)
    )


def rules_of(result: Suggestion, severity: Severity) -> list[str]:
    return [r.rule for r in result.reasons if r.severity is severity]


def test_no_consensus_yet_is_insufficient_information(proto: Protocol) -> None:
    result = suggest(proto, {}, proportionality=MET)
    assert result.outcome is Suggested.insufficient_information
    assert [r.text for r in result.reasons[:2]] == [
        "First part: no consensus recorded yet for ONE-1 and 2 more (3 of 3 indicators).",
        "Second part: no consensus recorded yet for THREE-1 (1 of 1 indicators).",
    ]
    assert [p.outcome for p in result.parts] == [Suggested.insufficient_information] * 2
    assert result.label == "Insufficient information"


def test_everything_met_is_ready_and_lists_what_was_checked(proto: Protocol) -> None:
    result = suggest(proto, ALL_THREE, proportionality=MET)
    assert result.outcome is Suggested.ready
    assert {r.severity for r in result.reasons} == {Severity.met}
    assert set(rules_of(result, Severity.met)) == {
        "critical",
        "domain_minimum",
        "part_minimum",
        "proportionality",
    }
    assert [(p.part_id, p.outcome, p.mean) for p in result.parts] == [
        ("first", Suggested.ready, 3.0),
        ("second", Suggested.ready, 3.0),
    ]
    assert result.overall_mean == 3.0 and result.omitted_fraction == 0.0
    (one, two, three) = result.domains
    assert (one.domain_id, one.mean, one.minimum, one.passed) == ("one", 3.0, 1.5, True)
    assert (two.minimum, two.passed) == (None, None)
    assert result.critical[0].met is True


def test_a_critical_indicator_not_met_blocks(proto: Protocol) -> None:
    result = suggest(proto, {**ALL_THREE, "ONE-1": 1}, proportionality=MET)
    assert result.outcome is Suggested.not_yet_ready
    assert result.reasons[0].text == (
        "Critical indicator ONE-1 (First indicator) is not met: consensus Emerging (1), "
        "needs Largely evident (2)."
    )


def test_a_critical_indicator_omitted_is_missing_information(proto: Protocol) -> None:
    result = suggest(proto, {**ALL_THREE, "ONE-1": None}, proportionality=MET)
    assert result.outcome is Suggested.insufficient_information
    assert "ONE-1" in result.reasons[0].text and "omitted" in result.reasons[0].text
    assert result.critical[0].met is None


def test_critical_rule_can_be_advisory(proto: Protocol) -> None:
    relaxed = with_rules(proto, critical_must_be_met=False)
    result = suggest(relaxed, {**ALL_THREE, "ONE-1": 1}, proportionality=MET)
    assert result.outcome is Suggested.ready_with_conditions
    assert "critical" in rules_of(result, Severity.caution)


def test_domain_mean_below_its_minimum_blocks(proto: Protocol) -> None:
    result = suggest(proto, {**ALL_THREE, "ONE-1": 2, "ONE-2": 0}, proportionality=MET)
    assert result.outcome is Suggested.not_yet_ready
    assert "Domain one: mean 1.00 is below the minimum 1.5." in [r.text for r in result.reasons]


def test_a_domain_is_judged_only_when_complete(proto: Protocol) -> None:
    result = suggest(proto, {"ONE-2": 0}, proportionality=MET)
    assert "domain_minimum" not in {r.rule for r in result.reasons}
    assert result.domains[0].mean == 0.0 and result.domains[0].passed is None


def test_a_domain_entirely_omitted_cannot_be_checked(proto: Protocol) -> None:
    result = suggest(proto, {**ALL_THREE, "ONE-1": 2, "ONE-2": None}, proportionality=MET)
    assert result.outcome is Suggested.ready  # one omit in four, no limit set
    result = suggest(
        dataclasses.replace(proto),
        {**ALL_THREE, "ONE-1": None, "ONE-2": None},
        proportionality=MET,
    )
    assert result.outcome is Suggested.insufficient_information
    assert "every indicator was omitted" in " ".join(r.text for r in result.reasons)


def test_stricter_minimum_applies(proto: Protocol) -> None:
    domain = next(proto.domains())
    assert minimum_for(proto, domain) == 1.5
    assert minimum_for(proto, dataclasses.replace(domain, minimum_mean=2.5)) == 2.5
    stricter = with_rules(proto, domain_minimums=(DomainMinimum("one", 2.8),))
    assert minimum_for(stricter, dataclasses.replace(domain, minimum_mean=2.5)) == 2.8


def test_a_part_below_its_minimum_blocks_whatever_the_other_part(proto: Protocol) -> None:
    consensus = {"ONE-1": 2, "ONE-2": 2, "TWO-1": 1, "THREE-1": 3}
    result = suggest(proto, consensus, proportionality=MET)
    assert result.outcome is Suggested.not_yet_ready
    assert "First part: mean 1.67 is below the minimum 2, judged apart from the other parts." in [
        r.text for r in result.reasons
    ]
    assert "below_met" in rules_of(result, Severity.caution)
    first, second = result.parts
    assert first.outcome is Suggested.not_yet_ready and first.passed is False
    assert second.outcome is Suggested.ready
    # Pooled over both parts the mean is 2.0, which would have passed.
    assert result.overall_mean == 2.0


def test_indicators_below_met_suggest_conditions(proto: Protocol) -> None:
    result = suggest(proto, {**ALL_THREE, "TWO-1": 1}, proportionality=MET)
    assert result.outcome is Suggested.ready_with_conditions
    assert result.reasons[0].text == (
        "First part: 1 indicator below Largely evident (2) (TWO-1); the panel weighs each one "
        "and says how in its rationale."
    )
    assert "could address" not in " ".join(r.text for r in result.reasons)


def test_too_many_omits_is_missing_information(proto: Protocol) -> None:
    limited = with_rules(proto, max_omitted_fraction=0.25)
    many = {**ALL_THREE, "TWO-1": None, "THREE-1": None}
    result = suggest(limited, many, proportionality=MET)
    assert result.outcome is Suggested.insufficient_information
    assert result.omitted_fraction == 0.5
    assert "more than the 25% allowed" in " ".join(r.text for r in result.reasons)
    few = suggest(limited, {**ALL_THREE, "TWO-1": None}, proportionality=MET)
    assert few.outcome is Suggested.ready
    assert "within the 25% allowed" in " ".join(r.text for r in few.reasons)


@pytest.mark.parametrize(
    ("check", "required", "outcome"),
    [
        (SHORT, False, Suggested.ready_with_conditions),
        (SHORT, True, Suggested.not_yet_ready),
        (UNKNOWN, False, Suggested.ready_with_conditions),
        (UNKNOWN, True, Suggested.insufficient_information),
        (NONE, True, Suggested.ready),
    ],
)
def test_proportionality_is_a_caution_unless_required(
    proto: Protocol, check: ProportionalityCheck, required: bool, outcome: Suggested
) -> None:
    result = suggest(
        with_rules(proto, proportionality_required=required), ALL_THREE, proportionality=check
    )
    assert result.outcome is outcome


def test_open_safety_flags_block(proto: Protocol) -> None:
    result = suggest(proto, ALL_THREE, proportionality=MET, open_flags=["Threat of violence"])
    assert result.outcome is Suggested.not_yet_ready
    assert result.reasons[0].text == (
        "1 safety flag still open (Threat of violence): resolve before a positive determination."
    )


def test_what_is_known_to_fail_outranks_what_is_missing(proto: Protocol) -> None:
    result = suggest(proto, {"ONE-1": 0}, proportionality=UNKNOWN)
    assert result.outcome is Suggested.not_yet_ready
    assert [r.severity for r in result.reasons] == sorted(
        (r.severity for r in result.reasons), key=list(Severity).index
    )


def test_proportionality_check_from_stored_timeline(proto: Protocol) -> None:
    as_of = date(2026, 11, 2)
    facts = {"involvement_start": "2010-01-01", "disengaged_on": "2016-01-01"}
    met = check_proportionality(proto, facts, as_of)
    assert met.status is ProportionalityStatus.met and met.result is not None
    assert "meets the guideline" in met.text
    short = check_proportionality(proto, {**facts, "disengaged_on": "2022-01-01"}, as_of)
    assert short.status is ProportionalityStatus.not_met
    missing = check_proportionality(proto, {"involvement_start": "2010-01-01"}, as_of)
    assert missing.status is ProportionalityStatus.incomplete
    backwards = check_proportionality(
        proto, {"involvement_start": "2016-01-01", "disengaged_on": "2010-01-01"}, as_of
    )
    assert backwards.status is ProportionalityStatus.incomplete
    assert "before involvement began" in backwards.text
    garbled = check_proportionality(proto, {**facts, "disengaged_on": "soon"}, as_of)
    assert garbled.status is ProportionalityStatus.incomplete
    no_rule = dataclasses.replace(proto, proportionality=None)
    assert check_proportionality(no_rule, facts, as_of).status is (
        ProportionalityStatus.not_applicable
    )
