"""The source document's proportionality rule, computed from timeline facts.

"If actively involved in violent extremism for 5 years, peer mentors have been
disengaged for a minimum of 5 years." Involvement runs from its start to the
disengagement date; disengagement runs from that date to the day of the
interview. The result is a fact for the panel, not a verdict: the source says
"ideally".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from formers_tui.protocol.model import Proportionality

DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True)
class ProportionalityResult:
    """Outcome of the rule for one candidate."""

    involved_days: int
    disengaged_days: int
    required_days: int
    met: bool

    @property
    def involved_years(self) -> float:
        return self.involved_days / DAYS_PER_YEAR

    @property
    def disengaged_years(self) -> float:
        return self.disengaged_days / DAYS_PER_YEAR

    @property
    def shortfall_days(self) -> int:
        """Days still to go before the guideline is met (0 when met)."""
        return max(0, self.required_days - self.disengaged_days)

    def describe(self) -> str:
        """One line for the screen, e.g. ``involved 6.0 y, disengaged 4.0 y: below …``."""
        head = f"involved {self.involved_years:.1f} y, disengaged {self.disengaged_years:.1f} y"
        if self.met:
            return f"{head}: meets the guideline (disengaged at least as long as involved)"
        return f"{head}: below the guideline ({self.shortfall_days / DAYS_PER_YEAR:.1f} y to go)"


class TimelineError(ValueError):
    """Dates that cannot describe a real history (e.g. exit before entry)."""


def proportionality(
    rule: Proportionality, involved_from: date, disengaged_on: date, as_of: date
) -> ProportionalityResult:
    """Apply ``rule`` to the dates of one history.

    Args:
        rule: the protocol's rule (ratio of disengaged to involved time).
        involved_from: when active involvement began.
        disengaged_on: when the person disengaged.
        as_of: the day the interview takes place.

    Raises:
        TimelineError: if the dates are out of order.
    """
    if disengaged_on < involved_from:
        raise TimelineError("The disengagement date is before involvement began.")
    if as_of < disengaged_on:
        raise TimelineError("The disengagement date is after the interview date.")
    involved = (disengaged_on - involved_from).days
    disengaged = (as_of - disengaged_on).days
    required = round(involved * rule.ratio)
    return ProportionalityResult(
        involved_days=involved,
        disengaged_days=disengaged,
        required_days=required,
        met=disengaged >= required,
    )
