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

Alpha over a handful of units says little: with identical rater behaviour the
alpha of a three-indicator domain ranges from about 0 to 1 by chance alone.
So the panel and program views ask for :data:`MIN_UNITS` paired units before
they show alpha at all (a caution stands in its place), and give every alpha
they show with a bootstrap interval over its units. The bootstrap is seeded:
the same ratings always give the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Metric = Literal["nominal", "ordinal", "interval"]

NO_PAIRS = "too little data: no indicator was rated by at least two panelists"
MIN_UNITS = 20
"""Paired units (indicators rated by two or more) below which alpha is not shown."""
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 14
"""Fixed, so an interval is reproducible from the same ratings."""
POISSON_FROM = 200
"""Units from which a resample is drawn as Poisson counts (see :func:`profile_interval`)."""
NORMAL_FROM = 20
"""Units of one profile from which its Poisson count is drawn from the normal approximation."""
EXACT_MEANS = "exact: share of compared indicators on which every rater chose the same level"
WITHIN_ONE_MEANS = (
    "within one: share of compared indicators whose ratings are at most one level apart"
)
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
    interval: tuple[float, float] | None = None
    """95% bootstrap interval of alpha over the units, when alpha is shown and one was asked for."""

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


def too_few_units(units: int, minimum: int = MIN_UNITS) -> str:
    """The caution shown instead of alpha over fewer than ``minimum`` paired units."""
    noun = "indicator" if units == 1 else "indicators"
    return (
        f"alpha not shown: {units} {noun} rated by two or more, fewer than the {minimum} "
        "it needs to mean much; read exact and within-one agreement"
    )


def agreement(
    units: Sequence[Sequence[int]],
    levels: Sequence[int],
    *,
    minimum_units: int = 0,
    interval: bool = False,
) -> Agreement:
    """Ordinal alpha, exact agreement and agreement within one level over ``units``.

    "Within one level" counts steps on the scale (its order), not differences
    of the stored numbers, so a scale with gaps in its values still reads right.

    Args:
        units: for each indicator, the levels the raters gave it (omits left out).
        levels: the scale's level values, ascending.
        minimum_units: below this many paired units alpha is withheld and
            :attr:`Agreement.alpha_reason` says why (see :func:`too_few_units`).
        interval: add a seeded 95% bootstrap interval to the alpha shown.

    Raises:
        ValueError: a value that is not one of ``levels``.
    """
    result = alpha(units, levels, "ordinal")
    if result.value is not None and result.units < minimum_units:
        result = Alpha(
            None, too_few_units(result.units, minimum_units), result.pairable, result.units
        )
    bounds = bootstrap_interval(units, levels) if interval and result.value is not None else None
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
        interval=bounds,
    )


Profile = tuple[int, ...]
"""How many raters chose each level of the scale, for one unit."""


def profiles_of(units: Sequence[Sequence[int]], levels: Sequence[int]) -> dict[Profile, int]:
    """Count the paired units by profile (units with the same profile weigh the same)."""
    index = {value: i for i, value in enumerate(levels)}
    found: dict[Profile, int] = {}
    for unit in units:
        if len(unit) < 2:
            continue
        row = [0] * len(levels)
        for value in unit:
            row[index[value]] += 1
        key = tuple(row)
        found[key] = found.get(key, 0) + 1
    return found


def bootstrap_interval(
    units: Sequence[Sequence[int]],
    levels: Sequence[int],
    *,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
    coverage: float = 0.95,
) -> tuple[float, float] | None:
    """A percentile bootstrap interval for ordinal alpha, resampling units.

    Returns:
        ``(low, high)``, or ``None`` when alpha is undefined in more than a
        tenth of the resamples (too little variation to say).
    """
    if len(set(levels)) < 2:
        return None
    return profile_interval(
        profiles_of(units, levels), samples=samples, seed=seed, coverage=coverage
    )


def _coincidences(profiles: Mapping[Profile, int]) -> tuple[Any, Any]:
    """Each profile's coincidence matrix (c c^T minus its diagonal, over m - 1), and weights."""
    import numpy as np

    counts = np.array(list(profiles), dtype=float)  # profiles x levels
    weights = np.array(list(profiles.values()), dtype=float)
    size = counts.shape[1]
    matrices = counts[:, :, None] * counts[:, None, :]
    matrices[:, range(size), range(size)] -= counts
    matrices /= (counts.sum(axis=1) - 1)[:, None, None]
    return matrices, weights


def resample_coincidences(
    profiles: Mapping[Profile, int],
    *,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int | Sequence[int] = BOOTSTRAP_SEED,
) -> Any:
    """Coincidence matrices of ``samples`` bootstrap resamples of the units.

    A resample of the units is drawn as counts of each distinct profile, so
    the cost depends on how many profiles there are, not on how many units.
    From :data:`POISSON_FROM` units each unit's count in a resample is drawn
    as Poisson(1) (the Poisson bootstrap, which the classic one approaches
    as units grow) because a multinomial over so many is slow to draw; a
    profile held by :data:`NORMAL_FROM` units or more gets its Poisson count
    from the normal approximation, twenty times quicker. Stacks of disjoint
    unit sets add up: the sum is a resample of their union, stratified by set.

    Returns:
        Array of shape (samples, levels, levels).
    """
    import numpy as np

    matrices, weights = _coincidences(profiles)
    rng = np.random.default_rng(seed)
    total = int(weights.sum())
    if total >= POISSON_FROM:
        noise = rng.standard_normal(size=(samples, len(weights)))
        draws = np.maximum(0.0, np.rint(weights + np.sqrt(weights) * noise))
        few = weights < NORMAL_FROM
        if few.any():
            draws[:, few] = rng.poisson(weights[few], size=(samples, int(few.sum())))
    else:
        draws = rng.multinomial(total, weights / total, size=samples)
    return np.tensordot(draws, matrices, axes=1)


def interval_of(resampled: Any, coverage: float = 0.95) -> tuple[float, float] | None:
    """The percentile interval of alpha over resampled coincidence matrices.

    Returns:
        ``(low, high)``, or ``None`` when alpha is undefined in more than a
        tenth of the resamples (too little variation to say).
    """
    import numpy as np

    values = coincidence_alpha(resampled)
    defined = values[~np.isnan(values)]
    if len(defined) < 0.9 * len(values):
        return None
    tail = (1 - coverage) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return float(low), float(high)


def profile_interval(
    profiles: Mapping[Profile, int],
    *,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
    coverage: float = 0.95,
) -> tuple[float, float] | None:
    """The bootstrap interval of :func:`bootstrap_interval`, from unit profiles."""
    if not profiles:
        return None
    return interval_of(resample_coincidences(profiles, samples=samples, seed=seed), coverage)


def pooled_agreement(
    profiles: Mapping[Profile, int],
    *,
    minimum_units: int = MIN_UNITS,
    interval: bool = True,
    resampled: Any = None,
) -> Agreement:
    """:func:`agreement` from unit profiles, for many units at once.

    Alpha comes from the same coincidence matrix as the ``krippendorff``
    package's (they agree to rounding); exact and within-one agreement count
    steps of the scale between the lowest and highest level each unit used.

    Args:
        profiles: paired units counted by profile.
        minimum_units: below this alpha is withheld with a caution.
        interval: give alpha a bootstrap interval.
        resampled: resampled coincidence matrices to take the interval from
            (see :func:`resample_coincidences`); drawn here when not given.
    """
    import numpy as np

    units = sum(profiles.values())
    pairable = sum(sum(p) * n for p, n in profiles.items())
    if not units:
        return Agreement(None, NO_PAIRS, 0, 0, None, None)
    exact = within = 0
    for profile, n in profiles.items():
        used = [i for i, c in enumerate(profile) if c]
        spread = used[-1] - used[0]
        exact += n if spread == 0 else 0
        within += n if spread <= 1 else 0
    matrices, weights = _coincidences(profiles)
    value = float(coincidence_alpha(np.tensordot(weights, matrices, axes=1)[None])[0])
    reason = ""
    if math.isnan(value):
        value_or_none: float | None = None
        reason = (
            "no variation: every paired rating is the same level, so agreement beyond "
            "chance cannot be estimated"
        )
    elif units < minimum_units:
        value_or_none, reason = None, too_few_units(units, minimum_units)
    else:
        value_or_none = value
    bounds = None
    if interval and value_or_none is not None:
        bounds = profile_interval(profiles) if resampled is None else interval_of(resampled)
    return Agreement(
        alpha=value_or_none,
        alpha_reason=reason,
        pairable=pairable,
        units=units,
        exact=exact / units,
        within_one=within / units,
        interval=bounds,
    )


def coincidence_alpha(matrices: Any) -> Any:
    """Ordinal alpha for each coincidence matrix of a stack (NaN where undefined).

    Args:
        matrices: array of shape (samples, levels, levels).

    Returns:
        Array of shape (samples,).
    """
    import numpy as np

    o = np.asarray(matrices, dtype=float)
    n_c = o.sum(axis=2)  # marginals, samples x levels
    total = n_c.sum(axis=1)
    cumulative = np.cumsum(n_c, axis=1)
    # sum of n_g for g from c to k (c <= k) = S_k - S_c + n_c
    span = cumulative[:, None, :] - cumulative[:, :, None] + n_c[:, :, None]
    upper = span - (n_c[:, :, None] + n_c[:, None, :]) / 2
    c_index, k_index = np.indices(o.shape[1:])
    delta = np.where(k_index >= c_index, upper, np.swapaxes(upper, 1, 2)) ** 2
    observed = (o * delta).sum(axis=(1, 2))
    expected = (n_c[:, :, None] * n_c[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        result = 1 - (total - 1) * observed / expected
    return np.where(expected > 0, result, np.nan)
