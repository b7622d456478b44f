"""How far the panel agrees: Krippendorff's alpha and two plain percentages.

Panelists rate blind, so their agreement tells the panel (and the program)
how much a rating can be trusted and where anchors or training need work.
Krippendorff's alpha corrects for the agreement expected by chance, copes
with any number of raters per indicator and with missing values, and has an
ordinal form that respects the order of the levels without pretending the
steps between them are equal. An omit is *missing*: it never enters as 0.

The percentages (exact agreement, agreement within one level) are what a
panel reads at a glance; alpha is what a reliability study reports.

A statistic that cannot be computed is returned as ``None`` with a reason in
plain words rather than as NaN or an exception: too little data is a normal
state early in a program, not an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Metric = Literal["nominal", "ordinal", "interval"]

NO_PAIRS = "too little data: no indicator was rated by at least two panelists"
ONE_LEVEL_SCALE = "the scale has a single level, so there is nothing to disagree about"


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha for one set of units, or why it is undefined."""

    value: float | None
    """Alpha in [-1, 1]; 1 is perfect agreement, 0 is chance level. ``None`` if undefined."""
    reason: str
    """Why :attr:`value` is ``None`` (empty when it was computed)."""
    pairable: int
    """Pairable values (Krippendorff's n..): ratings in units rated by two or more raters."""
    units: int
    """Units (indicators) rated by two or more raters: the only ones alpha can use."""


@dataclass(frozen=True)
class Agreement:
    """Alpha plus the share of indicators on which the raters agree exactly or within one level."""

    alpha: float | None
    """Ordinal Krippendorff's alpha, or ``None`` (see :attr:`alpha_reason`)."""
    alpha_reason: str
    """Why :attr:`alpha` is ``None``; empty when it was computed."""
    pairable: int
    """Pairable values behind alpha (more values, steadier estimate)."""
    units: int
    """Indicators rated by at least two raters (the ones compared)."""
    exact: float | None
    """Share of compared indicators on which every rater chose the same level."""
    within_one: float | None
    """Share of compared indicators whose ratings span at most one level."""

    @property
    def percent_reason(self) -> str:
        """Why the percentages are ``None`` (empty when they were computed)."""
        return self.alpha_reason if self.units == 0 else ""


def _paired(units: Sequence[Sequence[int]]) -> list[Sequence[int]]:
    return [unit for unit in units if len(unit) >= 2]


def _check_levels(units: Sequence[Sequence[int]], levels: Sequence[int]) -> None:
    known = set(levels)
    for unit in units:
        for value in unit:
            if value not in known:
                raise ValueError(f"{value} is not one of the levels {list(levels)}")


def alpha(
    units: Sequence[Sequence[int]], levels: Sequence[int], metric: Metric = "ordinal"
) -> Alpha:
    """Krippendorff's alpha over ``units``.

    Args:
        units: for each unit (indicator), the values the raters gave it; omits
            and unrated cells are simply left out, so units may differ in size.
        levels: every value of the scale, ascending (the order matters for the
            ordinal metric; values nobody used change nothing).
        metric: ``ordinal`` for rating scales; ``nominal`` and ``interval``
            for checks against published examples.

    Returns:
        The coefficient, or ``None`` with a reason when fewer than two raters
        rated any unit, or every paired rating used the same level (alpha is
        0/0 then: no variation to measure agreement against).

    Raises:
        ValueError: a value that is not one of ``levels``.
    """
    _check_levels(units, levels)
    paired = _paired(units)
    pairable = sum(len(unit) for unit in paired)
    if len(set(levels)) < 2:
        return Alpha(None, ONE_LEVEL_SCALE, pairable, len(paired))
    if not paired:
        return Alpha(None, NO_PAIRS, 0, 0)
    used = {value for unit in paired for value in unit}
    if len(used) < 2:
        (only,) = used
        return Alpha(
            None,
            f"no variation: every paired rating is {only}, so agreement beyond chance "
            "cannot be estimated",
            pairable,
            len(paired),
        )
    import krippendorff  # numpy is heavy: load it only when a statistic is wanted

    index = {value: i for i, value in enumerate(levels)}
    counts = [[0] * len(levels) for _ in paired]
    for row, unit in zip(counts, paired, strict=True):
        for level in unit:
            row[index[level]] += 1
    coefficient = float(
        krippendorff.alpha(
            value_counts=counts, value_domain=list(levels), level_of_measurement=metric
        )
    )
    return Alpha(coefficient, "", pairable, len(paired))


def agreement(units: Sequence[Sequence[int]], levels: Sequence[int]) -> Agreement:
    """Ordinal alpha, exact agreement and agreement within one level over ``units``.

    "Within one level" counts steps on the scale (its order), not differences
    of the stored numbers, so a scale with gaps in its values still reads right.

    Args:
        units: for each indicator, the levels the raters gave it (omits left out).
        levels: the scale's level values, ascending.

    Raises:
        ValueError: a value that is not one of ``levels``.
    """
    result = alpha(units, levels, "ordinal")
    rank = {value: i for i, value in enumerate(levels)}
    paired = _paired(units)
    if not paired:
        return Agreement(result.value, result.reason, 0, 0, None, None)
    spans = [max(rank[v] for v in unit) - min(rank[v] for v in unit) for unit in paired]
    return Agreement(
        alpha=result.value,
        alpha_reason=result.reason,
        pairable=result.pairable,
        units=len(paired),
        exact=sum(1 for s in spans if s == 0) / len(spans),
        within_one=sum(1 for s in spans if s <= 1) / len(spans),
    )
