# Guards the proportionality rule ("if actively involved in violent extremism
# for 5 years, peer mentors have been disengaged for a minimum of 5 years"):
# the arithmetic, the one-line description, and the rejection of impossible
# histories.

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formers_tui.protocol.model import Proportionality
from formers_tui.protocol.timeline import TimelineError, proportionality

RULE = Proportionality(involved_from="involvement_start", disengaged_on="disengaged_on")


def test_five_years_in_five_years_out_is_met() -> None:
    result = proportionality(RULE, date(2010, 1, 1), date(2015, 1, 1), date(2020, 1, 1))
    assert result.involved_days == result.disengaged_days == 1826
    assert result.required_days == 1826
    assert result.met
    assert result.shortfall_days == 0
    assert "meets the guideline" in result.describe()


def test_six_years_in_four_years_out_is_not_met() -> None:
    result = proportionality(RULE, date(2010, 1, 1), date(2016, 1, 1), date(2020, 1, 1))
    assert round(result.involved_years) == 6
    assert round(result.disengaged_years) == 4
    assert not result.met
    assert result.shortfall_days == result.required_days - result.disengaged_days > 0
    text = result.describe()
    assert "below" in text
    assert "involved 6.0 y, disengaged 4.0 y" in text
    assert "2.0 y to go" in text


def test_one_day_short_is_not_met() -> None:
    result = proportionality(RULE, date(2010, 1, 1), date(2015, 1, 1), date(2019, 12, 31))
    assert not result.met
    assert result.shortfall_days == 1


def test_ratio_two_doubles_the_requirement() -> None:
    rule = Proportionality("involvement_start", "disengaged_on", ratio=2.0)
    start, exit_day = date(2001, 1, 1), date(2006, 1, 1)
    twice = exit_day + 2 * (exit_day - start)
    met = proportionality(rule, start, exit_day, twice)
    assert met.met
    assert met.required_days == 2 * met.involved_days == met.disengaged_days
    short = proportionality(rule, start, exit_day, twice - timedelta(days=1))
    assert not short.met
    assert short.shortfall_days == 1
    # Nine years out after five in: met under the plain 1:1 rule, not under 2:1.
    nine_out = date(2015, 1, 1)
    assert proportionality(RULE, start, exit_day, nine_out).met
    assert not proportionality(rule, start, exit_day, nine_out).met


def test_disengagement_before_involvement_is_rejected() -> None:
    with pytest.raises(TimelineError, match="before involvement began"):
        proportionality(RULE, date(2015, 1, 1), date(2010, 1, 1), date(2020, 1, 1))


def test_disengagement_after_interview_is_rejected() -> None:
    with pytest.raises(TimelineError, match="after the interview date"):
        proportionality(RULE, date(2010, 1, 1), date(2021, 1, 1), date(2020, 1, 1))


def test_same_day_dates_are_allowed() -> None:
    day = date(2020, 6, 1)
    result = proportionality(RULE, day, day, day)
    assert result.involved_days == result.disengaged_days == result.required_days == 0
    assert result.met


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
    involved=st.integers(min_value=0, max_value=40 * 366),
    disengaged=st.integers(min_value=0, max_value=40 * 366),
    ratio=st.floats(min_value=0.1, max_value=5.0, allow_nan=False),
)
def test_met_iff_disengaged_at_least_required(
    start: date, involved: int, disengaged: int, ratio: float
) -> None:
    exit_day = start + timedelta(days=involved)
    as_of = exit_day + timedelta(days=disengaged)
    rule = Proportionality("involvement_start", "disengaged_on", ratio=ratio)
    result = proportionality(rule, start, exit_day, as_of)
    assert result.involved_days == involved
    assert result.disengaged_days == disengaged
    assert result.required_days == round(involved * ratio)
    assert result.met == (result.disengaged_days >= result.required_days)
    assert (result.shortfall_days == 0) == result.met
    assert ("below" in result.describe()) != result.met
