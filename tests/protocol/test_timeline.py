# Guards the proportionality rule ("if actively involved in violent extremism
# for 5 years, peer mentors have been disengaged for a minimum of 5 years"):
# calendar arithmetic (no leap-day artefacts), dates known to the year or the
# month, several periods, ongoing involvement, depth beside the ratio, and
# one plain sentence for anything that cannot be read.

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formers_tui.protocol.model import Proportionality
from formers_tui.protocol.timeline import (
    PartialDate,
    Precision,
    ProportionalityStatus,
    TimelineError,
    check_rule,
    fact_value,
    months_between,
    parse_date,
    parse_periods,
    proportionality,
    shift_value,
    span_text,
)

RULE = Proportionality(involved_from="involvement_start", disengaged_on="disengaged_on")
FULL = Proportionality(
    involved_from="involvement_start",
    disengaged_on="disengaged_on",
    depth="depth",
    earlier_periods="earlier",
)


def facts(start: str, end: str, **more: str) -> dict[str, str]:
    return {"involvement_start": start, "disengaged_on": end, **more}


def test_five_years_in_five_years_out_is_met() -> None:
    result = proportionality(RULE, date(2010, 1, 1), date(2015, 1, 1), date(2020, 1, 1))
    assert result.involved.low == result.disengaged.low == 60
    assert result.met is True
    assert result.describe() == (
        "involved 5 y, disengaged 5 y: meets the guideline (disengaged at least as long as "
        "involved)"
    )


def test_equal_calendar_spans_across_leap_days_are_met() -> None:
    """2000 to 2010 to 2020 holds three leap days against two: still equal spans."""
    result = proportionality(RULE, date(2000, 1, 1), date(2010, 1, 1), date(2020, 1, 1))
    assert result.met is True
    assert "to go" not in result.describe()
    leap = proportionality(RULE, date(2004, 2, 29), date(2008, 2, 29), date(2012, 2, 29))
    assert leap.met is True


def test_six_years_in_four_years_out_is_not_met() -> None:
    result = proportionality(RULE, date(2010, 1, 1), date(2016, 1, 1), date(2020, 1, 1))
    assert result.met is False
    assert result.describe() == "involved 6 y, disengaged 4 y: below the guideline (2 y to go)"


def test_one_day_short_is_not_met_and_says_so_without_zero() -> None:
    result = proportionality(RULE, date(2010, 1, 1), date(2015, 1, 1), date(2019, 12, 31))
    assert result.met is False
    assert "under 1 m to go" in result.describe()
    assert "0.0" not in result.describe()


def test_ratio_two_doubles_the_requirement() -> None:
    rule = Proportionality("involvement_start", "disengaged_on", ratio=2.0)
    start, exit_day = date(2001, 1, 1), date(2006, 1, 1)
    assert proportionality(rule, start, exit_day, date(2016, 1, 1)).met is True
    assert proportionality(rule, start, exit_day, date(2015, 12, 31)).met is False
    assert proportionality(RULE, start, exit_day, date(2015, 1, 1)).met is True
    assert "2 × as long" in proportionality(rule, start, exit_day, date(2016, 1, 1)).describe()


def test_disengagement_before_involvement_is_rejected() -> None:
    with pytest.raises(TimelineError, match="before involvement began"):
        proportionality(RULE, date(2015, 1, 1), date(2010, 1, 1), date(2020, 1, 1))


def test_disengagement_after_interview_is_rejected() -> None:
    with pytest.raises(TimelineError, match="after the interview date"):
        proportionality(RULE, date(2010, 1, 1), date(2021, 1, 1), date(2020, 1, 1))


def test_same_day_dates_are_allowed() -> None:
    day = date(2020, 6, 1)
    result = proportionality(RULE, day, day, day)
    assert result.met is True


def test_year_only_dates_say_about_and_decide_when_clear() -> None:
    clear = check_rule(RULE, facts("2000", "2004"), date(2020, 6, 1))
    assert clear.status is ProportionalityStatus.met
    assert "involved about 4 y" in clear.text and "disengaged about 15 y 11 m" in clear.text
    short = check_rule(RULE, facts("2000", "2010"), date(2012, 6, 1))
    assert short.status is ProportionalityStatus.not_met
    assert "about" in short.text and "to go" in short.text


def test_year_only_dates_too_close_to_call_say_so() -> None:
    check = check_rule(RULE, facts("2005", "2010"), date(2015, 3, 1))
    assert check.status is ProportionalityStatus.uncertain
    assert "too close to tell at the precision of the dates" in check.text


def test_month_dates_are_read_and_imported_partial_dates_never_leak_exceptions() -> None:
    check = check_rule(RULE, facts("2004-06", "2010-06"), date(2020, 1, 15))
    assert check.status is ProportionalityStatus.met
    assert check.result is not None and check.result.approximate
    garbled = check_rule(RULE, facts("2010-06", "soon"), date(2020, 1, 1))
    assert garbled.status is ProportionalityStatus.incomplete
    assert (
        garbled.text
        == "'soon' is not a date: write a year (2010), a month (2010-06) or a day (2010-06-15)"
    )
    bad_month = check_rule(RULE, facts("2010-13", "2012"), date(2020, 1, 1))
    assert (
        bad_month.text
        == "'2010-13' has no month 13: write a year (2010), a month (2010-06) or a day (2010-06-15)"
    )


def test_ongoing_involvement_is_clearly_not_met() -> None:
    check = check_rule(RULE, facts("2015-03", "ongoing"), date(2020, 1, 1))
    assert check.status is ProportionalityStatus.ongoing
    assert check.text == "involvement is ongoing: the candidate has not disengaged"


def test_several_periods_add_up_and_depth_is_shown() -> None:
    timeline = facts("2008-01", "2010-01", earlier="2000-01 to 2003-01", depth="leader")
    check = check_rule(FULL, timeline, date(2014, 6, 1))
    assert check.result is not None
    assert check.result.periods == 2
    assert check.status is ProportionalityStatus.not_met  # about 5 y in, 4 y 5 m out
    assert check.text.startswith("involved about 5 y over 2 periods (depth: leader), ")
    later = check_rule(FULL, timeline, date(2016, 6, 1))
    assert later.status is ProportionalityStatus.met
    # Counting only the last period would have met the guideline in 2014 already.
    assert check_rule(RULE, timeline, date(2014, 6, 1)).status is ProportionalityStatus.met
    overlap = check_rule(FULL, facts("2002", "2010", earlier="2000 to 2005"), date(2020, 1, 1))
    assert overlap.status is ProportionalityStatus.incomplete
    assert "overlap" in overlap.text


def test_depth_shown_even_when_met() -> None:
    check = check_rule(FULL, facts("2010-01-01", "2015-01-01", depth="leader"), date(2020, 1, 1))
    assert check.text.startswith("involved 5 y (depth: leader), disengaged 5 y: meets")


def test_periods_parse_in_several_spellings() -> None:
    periods = parse_periods("2008-06 – 2009; 2003 to 2005,\n2011 until ongoing")
    assert [p.text() for p in periods] == [
        "2003 to 2005",
        "2008-06 to 2009",
        "2011 to ongoing",
    ]
    assert parse_periods("2003-2005")[0].text() == "2003 to 2005"
    assert parse_periods("") == ()
    for bad in ("2003", "sometime in 2003 to 2005", "2005 to 2003", "ongoing to 2005"):
        with pytest.raises(TimelineError):
            parse_periods(bad)


def test_fact_value_checks_against_the_interview_date() -> None:
    day = date(2020, 5, 1)
    assert fact_value("date", "Exit", " 2010/6 ", as_of=day, ongoing=False) == "2010-06"
    assert fact_value("date", "Exit", "Ongoing", as_of=day, ongoing=True) == "ongoing"
    with pytest.raises(TimelineError, match="Exit: 2021 is after the interview date"):
        fact_value("date", "Exit", "2021", as_of=day, ongoing=False)
    with pytest.raises(TimelineError, match="or 'ongoing'"):
        fact_value("date", "Exit", "soon", as_of=day, ongoing=True)
    with pytest.raises(TimelineError, match="is not a date"):
        fact_value("date", "Start", "ongoing", as_of=day, ongoing=False)
    assert fact_value("periods", "Earlier", "2001-2003", as_of=day, ongoing=False) == (
        "2001 to 2003"
    )
    with pytest.raises(TimelineError, match="runs past the interview date"):
        fact_value("periods", "Earlier", "2019 to 2022", as_of=day, ongoing=False)


def test_span_text() -> None:
    assert span_text(0) == "0 m"
    assert span_text(0.2) == "under 1 m"
    assert span_text(7) == "7 m"
    assert span_text(24) == "2 y"
    assert span_text(62.5) == "5 y 2 m"


# ------------------------------------------------------------------------------ hypothesis


@settings(max_examples=150, deadline=None)
@given(day=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_parse_date_reads_back_every_day_month_and_year(day: date) -> None:
    full = parse_date(day.isoformat())
    assert (full.earliest, full.latest, full.precision) == (day, day, Precision.day)
    month = parse_date(day.isoformat()[:7])
    assert month.precision is Precision.month
    assert month.earliest <= day <= month.latest
    year = parse_date(day.isoformat()[:4])
    assert year.precision is Precision.year and year.earliest <= day <= year.latest
    for partial in (full, month, year):
        assert parse_date(partial.iso()) == partial


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30))
def test_parse_date_raises_only_timeline_error(text: str) -> None:
    try:
        found = parse_date(text)
    except TimelineError as exc:
        message = str(exc)
        assert "\n" not in message.strip("'") or "\n" in text
        assert "invalid literal" not in message and "fromisoformat" not in message
    else:
        assert isinstance(found, PartialDate)
        assert found.earliest <= found.latest


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="0123456789-/ .;,tonguiglav\n–", max_size=40))
def test_parse_periods_raises_only_timeline_error(text: str) -> None:
    try:
        periods = parse_periods(text)
    except TimelineError:
        return
    for period in periods:
        assert period.end is None or period.start.earliest <= period.end.latest


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
    years=st.integers(min_value=0, max_value=40),
    months=st.integers(min_value=0, max_value=11),
)
def test_equal_calendar_spans_always_meet(start: date, years: int, months: int) -> None:
    """The same number of years and months in and out meets the 1:1 rule, leap days or not."""
    step = years * 12 + months
    index = start.year * 12 + start.month - 1

    def shift(n: int) -> date:
        y, m = divmod(index + n, 12)
        return date(y, m + 1, min(start.day, 28))

    first = shift(0)
    exit_day, as_of = shift(step), shift(2 * step)
    result = proportionality(RULE, first, exit_day, as_of)
    assert result.met is True
    assert months_between(first, exit_day) == months_between(exit_day, as_of) == step


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
    involved=st.integers(min_value=0, max_value=40 * 366),
    disengaged=st.integers(min_value=0, max_value=40 * 366),
)
def test_exact_dates_decide_and_longer_exit_never_hurts(
    start: date, involved: int, disengaged: int
) -> None:
    exit_day = start + timedelta(days=involved)
    as_of = exit_day + timedelta(days=disengaged)
    result = proportionality(RULE, start, exit_day, as_of)
    assert result.met is not None and not result.approximate
    assert ("below" in result.describe()) != result.met
    if result.met:
        assert proportionality(RULE, start, exit_day, as_of + timedelta(days=40)).met


def test_shift_keeps_the_precision_of_each_date() -> None:
    week = timedelta(days=40)
    assert shift_value("date", "2010-06-15", week) == "2010-07-25"
    assert shift_value("date", "2010-12", week) == "2011-01"  # 1 December + 40 days
    assert shift_value("date", "2010", week) == "2010"
    assert shift_value("date", "ongoing", week) == "ongoing"
    assert shift_value("date", "soon", week) is None
    assert shift_value("periods", "2001 to 2003-05", week) == "2001 to 2003-06"
