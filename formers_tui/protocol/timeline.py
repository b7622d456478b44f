"""The source document's proportionality rule, computed from timeline facts.

"If actively involved in violent extremism for 5 years, peer mentors have been
disengaged for a minimum of 5 years." Involvement runs from its start to the
disengagement date (plus any earlier periods of involvement); disengagement
runs from that date to the day of the interview. The result is a fact for the
panel, not a verdict: the source says "ideally", and asks for time
"proportionate to their time and depth", so depth is shown beside the ratio.

Time is counted in calendar years and months, never in days, so equal
calendar spans compare equal across leap days. A date may be known to the
day, the month or only the year ("2010", "2010-06", "2010-06-15"): the rule
is worked out at both ends of what the dates allow, and when the answer
depends on where in the year or month a date falls, it says so rather than
pretending to a precision the history does not have.

Stored values are text written by earlier versions, imports or hand edits,
so every parser here accepts what it can and explains in one sentence what it
cannot; none lets an exception's own wording reach the panel.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from formers_tui.protocol.model import Proportionality

MONTH_NAMES = tuple(calendar.month_name)
"""English month names by number (index 0 is empty)."""

ONGOING_WORDS = frozenset({"ongoing", "still involved", "present", "now"})
"""What a panel may write instead of an exit date when involvement has not ended."""

DATE_HINT = "write a year (2010), a month (2010-06) or a day (2010-06-15)"

_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?!\d)(?:[-/.](\d{1,2})(?!\d))?)?")
_FILLER = re.compile(r"(?:\s|[;,–—-]|\bto\b|\buntil\b|\band\b)*", re.IGNORECASE)
_ONGOING_TOKEN = re.compile(
    "|".join(sorted((re.escape(w) for w in ONGOING_WORDS), key=len, reverse=True)),
    re.IGNORECASE,
)


class TimelineError(ValueError):
    """Dates that cannot be read, or cannot describe a real history (e.g. exit before entry)."""


class Precision(str, enum.Enum):
    """How much of a date is known."""

    year = "year"
    month = "month"
    day = "day"


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int = 0
    """1–12, or 0 when only the year is known."""
    day: int = 0
    """1–31, or 0 when the day is not known."""

    @property
    def precision(self) -> Precision:
        """What is known of the date."""
        if not self.month:
            return Precision.year
        return Precision.day if self.day else Precision.month

    @property
    def earliest(self) -> date:
        """The first day the date may stand for."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        """The last day the date may stand for."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def iso(self) -> str:
        """The stored form: ``2010``, ``2010-06`` or ``2010-06-15``."""
        if not self.month:
            return f"{self.year:04d}"
        if not self.day:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def describe(self) -> str:
        """In words: ``2010``, ``June 2010`` or ``15 June 2010``."""
        if not self.month:
            return str(self.year)
        if not self.day:
            return f"{MONTH_NAMES[self.month]} {self.year}"
        return f"{self.day} {MONTH_NAMES[self.month]} {self.year}"


def _build(year: str, month: str | None, day: str | None, text: str) -> PartialDate:
    number = int(year)
    if number < 1:
        raise TimelineError(f"'{text}' is not a date: {DATE_HINT}.")
    m = int(month) if month else 0
    d = int(day) if day else 0
    if month is not None and not 1 <= m <= 12:
        raise TimelineError(f"'{text}' has no month {m}: {DATE_HINT}.")
    if day is not None and not 1 <= d <= calendar.monthrange(number, m)[1]:
        raise TimelineError(f"'{text}' has no day {d} in {MONTH_NAMES[m]} {number}.")
    return PartialDate(number, m, d)


def parse_date(text: str) -> PartialDate:
    """Read a date known to the year, the month or the day.

    Accepts ``2010``, ``2010-06``, ``2010-06-15`` (``/`` or ``.`` may stand
    for ``-``, and a month or day may have one digit).

    Raises:
        TimelineError: with one sentence saying what to write instead.
    """
    value = text.strip()
    match = _DATE.fullmatch(value)
    if match is None:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise TimelineError(f"'{shown}' is not a date: {DATE_HINT}.")
    return _build(match.group(1), match.group(2), match.group(3), value)


def is_ongoing(text: str) -> bool:
    """Whether ``text`` says involvement has not ended (``ongoing``, ``present``…)."""
    return text.strip().lower() in ONGOING_WORDS


@dataclass(frozen=True)
class Period:
    """One period of active involvement."""

    start: PartialDate
    end: PartialDate | None
    """``None`` while involvement is ongoing."""

    def text(self) -> str:
        """The stored form, e.g. ``2003 to 2005-06``."""
        return f"{self.start.iso()} to {self.end.iso() if self.end else 'ongoing'}"


def parse_periods(text: str) -> tuple[Period, ...]:
    """Read periods of involvement such as ``2003 to 2005; 2008-06 – 2009``.

    Each period is a start and an end (a date or ``ongoing``); periods are
    separated by ``;``, ``,`` or a new line. Periods come back in order of
    their start.

    Raises:
        TimelineError: text that is not a list of periods, or a period that ends
            before it starts.
    """
    tokens: list[PartialDate | None] = []
    position = 0
    value = text.strip()
    while position < len(value):
        filler = _FILLER.match(value, position)
        if filler is not None and filler.end() > position:
            position = filler.end()
            continue
        found = _DATE.match(value, position)
        if found is not None:
            tokens.append(_build(found.group(1), found.group(2), found.group(3), found.group(0)))
            position = found.end()
            continue
        ongoing = _ONGOING_TOKEN.match(value, position)
        if ongoing is not None:
            tokens.append(None)
            position = ongoing.end()
            continue
        raise TimelineError(
            "Write each period as a start and an end, e.g. '2003 to 2005; 2008-06 to 2009'."
        )
    if len(tokens) % 2:
        raise TimelineError("A period needs both a start and an end (or 'ongoing').")
    periods: list[Period] = []
    for start, end in zip(tokens[::2], tokens[1::2], strict=True):
        if start is None:
            raise TimelineError("A period cannot start with 'ongoing'.")
        if end is not None and end.latest < start.earliest:
            raise TimelineError(f"The period {start.iso()} to {end.iso()} ends before it starts.")
        periods.append(Period(start, end))
    return tuple(sorted(periods, key=lambda p: p.start.earliest))


def periods_text(periods: tuple[Period, ...]) -> str:
    """The stored form of ``periods``, e.g. ``2003 to 2005; 2008-06 to 2009``."""
    return "; ".join(p.text() for p in periods)


# ------------------------------------------------------------------------ calendar spans


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, end: date) -> float:
    """Calendar months from ``start`` to ``end``: whole months, then days as a fraction.

    Whole months are counted on the calendar (1 March to 1 March is twelve,
    leap year or not); the days left over add ``days / 31``, so a span a day
    short of a whole month stays below it.
    """
    if end < start:
        return -months_between(end, start)
    whole = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, whole) > end:
        whole -= 1
    rest = (end - _add_months(start, whole)).days
    return whole + rest / 31


def span_text(months: float) -> str:
    """A span in years and months, e.g. ``5 y 2 m``, ``7 m``, ``under 1 m``."""
    whole = int(months + 1e-9)
    if whole <= 0:
        return "under 1 m" if months > 0 else "0 m"
    years, rest = divmod(whole, 12)
    if not years:
        return f"{rest} m"
    return f"{years} y" if not rest else f"{years} y {rest} m"


@dataclass(frozen=True)
class Range:
    """A span of months known between two bounds (equal when the dates are exact)."""

    low: float
    high: float

    @property
    def mid(self) -> float:
        """The middle of the range, for display."""
        return (self.low + self.high) / 2

    @property
    def exact(self) -> bool:
        """Whether the dates fix the span."""
        return self.low == self.high

    def text(self) -> str:
        """``5 y 2 m``, with ``about`` when the dates do not fix it."""
        return span_text(self.mid) if self.exact else f"about {span_text(round(self.mid))}"


def _span(start: PartialDate, end: PartialDate | date) -> Range:
    if isinstance(end, date):
        low, high = months_between(start.latest, end), months_between(start.earliest, end)
    else:
        low = months_between(start.latest, end.earliest)
        high = months_between(start.earliest, end.latest)
    return Range(max(0.0, low), max(0.0, high))


# ------------------------------------------------------------------------------- the rule


class ProportionalityStatus(str, enum.Enum):
    """Outcome of the proportionality rule for one interview."""

    met = "met"
    not_met = "not_met"
    ongoing = "ongoing"
    """Involvement has not ended: the candidate has not disengaged."""
    uncertain = "uncertain"
    """The dates are too coarse to tell (e.g. years only, and the spans close)."""
    incomplete = "incomplete"
    """The dates are missing, unreadable or impossible."""
    not_applicable = "not_applicable"
    """The protocol has no proportionality rule."""


@dataclass(frozen=True)
class ProportionalityResult:
    """The rule worked out for one history."""

    involved: Range
    """Months of active involvement, all periods together."""
    disengaged: Range
    """Months from the last exit to the interview date."""
    ratio: float
    met: bool | None
    """``None`` when the answer depends on where in a year or month a date falls."""
    depth: str = ""
    """The depth of involvement as recorded, shown beside the ratio."""
    periods: int = 1

    @property
    def required(self) -> Range:
        """Months of disengagement the ratio asks for."""
        return Range(self.involved.low * self.ratio, self.involved.high * self.ratio)

    @property
    def shortfall(self) -> Range:
        """Months still to go (0 when met)."""
        return Range(
            max(0.0, self.required.low - self.disengaged.high),
            max(0.0, self.required.high - self.disengaged.low),
        )

    @property
    def approximate(self) -> bool:
        """Whether any date was known only to the month or the year."""
        return not (self.involved.exact and self.disengaged.exact)

    def describe(self) -> str:
        """One line, e.g. ``involved 6 y (depth: member), disengaged 4 y: below …``."""
        periods = f" over {self.periods} periods" if self.periods > 1 else ""
        depth = f" (depth: {self.depth})" if self.depth else ""
        head = (
            f"involved {self.involved.text()}{periods}{depth}, disengaged {self.disengaged.text()}"
        )
        rule = "as long as involved" if self.ratio == 1 else f"{self.ratio:g} × as long as involved"
        if self.met is None:
            return (
                f"{head}: too close to tell at the precision of the dates whether the "
                f"guideline (disengaged at least {rule}) is met"
            )
        if self.met:
            return f"{head}: meets the guideline (disengaged at least {rule})"
        return f"{head}: below the guideline ({self.shortfall.text()} to go)"


@dataclass(frozen=True)
class ProportionalityCheck:
    """The rule "disengaged at least as long as involved" for one candidate."""

    status: ProportionalityStatus
    text: str
    result: ProportionalityResult | None = None


def proportionality(
    rule: Proportionality,
    involved_from: PartialDate | date,
    disengaged_on: PartialDate | date,
    as_of: date,
    *,
    earlier: tuple[Period, ...] = (),
    depth: str = "",
) -> ProportionalityResult:
    """Apply ``rule`` to the dates of one history.

    Args:
        rule: the protocol's rule (ratio of disengaged to involved time).
        involved_from: when the last period of active involvement began.
        disengaged_on: when the person disengaged.
        as_of: the day the interview takes place.
        earlier: earlier periods of involvement, each ended before ``involved_from``.
        depth: the recorded depth of involvement, shown beside the ratio.

    Raises:
        TimelineError: if the dates are out of order or after the interview.
    """
    start = _partial(involved_from)
    end = _partial(disengaged_on)
    if end.latest < start.earliest:
        raise TimelineError("The disengagement date is before involvement began.")
    if end.earliest > as_of:
        raise TimelineError("The disengagement date is after the interview date.")
    periods = [*earlier, Period(start, end)]
    low = high = 0.0
    for previous, period in zip(periods, periods[1:], strict=False):
        if previous.end is None:
            raise TimelineError("Only the last period of involvement can be ongoing.")
        if period.start.earliest < previous.end.earliest:
            raise TimelineError(
                f"The periods {previous.text()} and {period.text()} overlap or are out of order."
            )
    for period in periods:
        assert period.end is not None  # checked above; the last one is ``end``
        span = _span(period.start, period.end)
        low, high = low + span.low, high + span.high
    involved = Range(low, high)
    disengaged = _span(end, as_of)
    if disengaged.low >= involved.high * rule.ratio:
        met: bool | None = True
    elif disengaged.high < involved.low * rule.ratio:
        met = False
    else:
        met = None
    return ProportionalityResult(
        involved=involved,
        disengaged=disengaged,
        ratio=rule.ratio,
        met=met,
        depth=depth,
        periods=len(periods),
    )


def _partial(value: PartialDate | date) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    return PartialDate(value.year, value.month, value.day)


def check_rule(
    rule: Proportionality | None, timeline: Mapping[str, str], as_of: date
) -> ProportionalityCheck:
    """Apply a protocol's proportionality rule to stored timeline text.

    Never raises: unreadable or impossible values give an ``incomplete``
    check whose text says what is wrong in one sentence.

    Args:
        rule: the protocol's rule, or ``None`` when it has none.
        timeline: fact id -> stored text.
        as_of: the interview date.
    """
    if rule is None:
        return ProportionalityCheck(ProportionalityStatus.not_applicable, "no rule in the protocol")
    start_text = timeline.get(rule.involved_from, "").strip()
    end_text = timeline.get(rule.disengaged_on, "").strip()
    depth = timeline.get(rule.depth, "").strip() if rule.depth else ""
    try:
        start = parse_date(start_text) if start_text else None
        earlier = (
            parse_periods(timeline.get(rule.earlier_periods, "")) if rule.earlier_periods else ()
        )
        if start is not None and is_ongoing(end_text):
            # No date in the sentence: it travels into de-identified exports as it is.
            text = "involvement is ongoing: the candidate has not disengaged"
            return ProportionalityCheck(ProportionalityStatus.ongoing, text)
        if start is None or not end_text:
            return ProportionalityCheck(
                ProportionalityStatus.incomplete, "the timeline lacks the involvement or exit date"
            )
        result = proportionality(
            rule, start, parse_date(end_text), as_of, earlier=earlier, depth=depth
        )
    except TimelineError as exc:
        return ProportionalityCheck(ProportionalityStatus.incomplete, str(exc).rstrip("."))
    if result.met is None:
        status = ProportionalityStatus.uncertain
    else:
        status = ProportionalityStatus.met if result.met else ProportionalityStatus.not_met
    return ProportionalityCheck(status, result.describe(), result)


def fact_value(kind: str, label: str, value: str, *, as_of: date | None, ongoing: bool) -> str:
    """The stored form of one timeline value of ``kind``, or one sentence saying what is wrong.

    Args:
        kind: the fact's kind (``date``, ``periods``; others pass through).
        label: the fact's label, to start the sentence.
        value: what was typed or imported.
        as_of: the interview date: no date may come after it (``None``: not checked).
        ongoing: whether ``ongoing`` may stand for the date (an exit date).

    Raises:
        TimelineError: the value cannot be read or lies after the interview date.
    """
    value = value.strip()
    if not value:
        return value
    if kind == "date":
        if ongoing and is_ongoing(value):
            return "ongoing"
        try:
            when = parse_date(value)
        except TimelineError as exc:
            extra = " or 'ongoing'" if ongoing else ""
            raise TimelineError(f"{label}: {str(exc).rstrip('.')}{extra}.") from None
        if as_of is not None and when.earliest > as_of:
            raise TimelineError(f"{label}: {when.iso()} is after the interview date.")
        return when.iso()
    if kind == "periods":
        try:
            periods = parse_periods(value)
        except TimelineError as exc:
            raise TimelineError(f"{label}: {exc}") from None
        for period in periods:
            last = period.end or period.start
            if as_of is not None and last.earliest > as_of:
                raise TimelineError(f"{label}: {period.text()} runs past the interview date.")
        return periods_text(periods)
    return value


def _shift_date(value: PartialDate, shift: timedelta) -> PartialDate:
    moved = value.earliest + shift
    if value.precision is Precision.year:
        return PartialDate(moved.year)
    if value.precision is Precision.month:
        return PartialDate(moved.year, moved.month)
    return PartialDate(moved.year, moved.month, moved.day)


def shift_value(kind: str, value: str, shift: timedelta) -> str | None:
    """A stored date or periods value moved by ``shift``, at the precision it had.

    De-identification moves every date of a candidate by the same offset;
    a date known only to the month or the year stays so.

    Returns:
        The moved value, ``ongoing`` as it was, or ``None`` when ``value``
        cannot be read (the caller drops it rather than keep a real date).
    """
    try:
        if kind == "periods":
            periods = parse_periods(value)
            moved = tuple(
                Period(
                    _shift_date(p.start, shift),
                    None if p.end is None else _shift_date(p.end, shift),
                )
                for p in periods
            )
            return periods_text(moved)
        if is_ongoing(value):
            return "ongoing"
        return _shift_date(parse_date(value), shift).iso()
    except (TimelineError, OverflowError, ValueError):
        return None
