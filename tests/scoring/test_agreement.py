"""Krippendorff's alpha against published examples, a reference implementation and random data."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formers_tui.scoring.agreement import (
    MIN_UNITS,
    NO_PAIRS,
    agreement,
    alpha,
    bootstrap_interval,
    coincidence_alpha,
)

N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 observers x 12 units, values 1-5, with missing values. Published: nominal
# 0.743, ordinal 0.815, interval 0.849, ratio 0.797, from n.. = 40 pairable values.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]

# The worked example of Wikipedia's "Krippendorff's alpha" article: 3 coders x 15
# units with many gaps. Published: nominal 0.691, interval 0.811.
WIKIPEDIA = [
    [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
    [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
    [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
]


def units_of(matrix: list[list[int | None]]) -> list[list[int]]:
    """Reliability data (coders x units) as units of the values present."""
    return [[row[j] for row in matrix if row[j] is not None] for j in range(len(matrix[0]))]


@pytest.mark.parametrize(
    ("metric", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorffs_own_example(metric: str, published: float) -> None:
    result = alpha(units_of(KRIPPENDORFF_2011), [1, 2, 3, 4, 5], metric)  # type: ignore[arg-type]
    assert result.value is not None and round(result.value, 3) == published
    assert result.pairable == 40  # n.. in the paper
    assert result.units == 11  # the last unit has a single value and cannot be paired
    assert result.reason == ""


@pytest.mark.parametrize(("metric", "published"), [("nominal", 0.691), ("interval", 0.811)])
def test_wikipedia_example(metric: str, published: float) -> None:
    result = alpha(units_of(WIKIPEDIA), [1, 2, 3, 4], metric)  # type: ignore[arg-type]
    assert result.value is not None and round(result.value, 3) == published


def reference_alpha(units: Sequence[Sequence[int]], levels: Sequence[int], metric: str) -> float:
    """Krippendorff's coincidence-matrix definition, written out plainly."""
    paired = [u for u in units if len(u) >= 2]
    o: Counter[tuple[int, int]] = Counter()
    for unit in paired:
        m = len(unit)
        for i, c in enumerate(unit):
            for j, k in enumerate(unit):
                if i != j:
                    o[(c, k)] += 1 / (m - 1)  # type: ignore[assignment]
    n_c = {c: sum(o[(c, k)] for k in levels) for c in levels}
    n = sum(n_c.values())

    def delta(c: int, k: int) -> float:
        if metric == "nominal":
            return 0.0 if c == k else 1.0
        if metric == "interval":
            return float((c - k) ** 2)
        lo, hi = sorted((levels.index(c), levels.index(k)))
        between = sum(n_c[levels[g]] for g in range(lo, hi + 1))
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(o[(c, k)] * delta(c, k) for c in levels for k in levels)
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in levels for k in levels) / (n - 1)
    return 1 - observed / expected


LEVELS = [0, 1, 2, 3]
unit_strategy = st.lists(st.sampled_from(LEVELS), min_size=0, max_size=6)
units_strategy = st.lists(unit_strategy, min_size=0, max_size=30)


@settings(max_examples=300, deadline=None)
@given(units_strategy)
def test_random_matrices_give_alpha_in_range_or_a_reason(units: list[list[int]]) -> None:
    for metric in ("nominal", "ordinal", "interval"):
        result = alpha(units, LEVELS, metric)  # type: ignore[arg-type]
        if result.value is None:
            assert result.reason
        else:
            assert -1.0 <= result.value <= 1.0
            assert math.isclose(result.value, reference_alpha(units, LEVELS, metric), abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(LEVELS), st.integers(min_value=2, max_value=6)),
        min_size=2,
        max_size=20,
    ).filter(lambda rows: len({v for v, _ in rows}) >= 2)
)
def test_perfect_agreement_with_variation_is_one(rows: list[tuple[int, int]]) -> None:
    units = [[value] * raters for value, raters in rows]
    assert alpha(units, LEVELS).value == pytest.approx(1.0)
    stats = agreement(units, LEVELS)
    assert (stats.exact, stats.within_one) == (1.0, 1.0)


@settings(max_examples=100, deadline=None)
@given(units_strategy, st.randoms(use_true_random=False))
def test_order_of_units_and_raters_does_not_matter(units: list[list[int]], rnd: object) -> None:
    import random

    assert isinstance(rnd, random.Random)
    shuffled = [rnd.sample(u, len(u)) for u in units]
    rnd.shuffle(shuffled)
    first, second = alpha(units, LEVELS), alpha(shuffled, LEVELS)
    assert first.reason == second.reason and first.pairable == second.pairable
    if first.value is None:
        assert second.value is None
    else:
        assert second.value == pytest.approx(first.value)


def test_too_little_data_is_said_plainly() -> None:
    lonely = alpha([[2], [3], []], LEVELS)
    assert lonely.value is None and lonely.reason == NO_PAIRS
    assert (lonely.pairable, lonely.units) == (0, 0)
    same = alpha([[2, 2], [2, 2, 2], [3]], LEVELS)
    assert same.value is None and same.reason.startswith("no variation: every paired rating is 2")
    assert same.pairable == 5
    single = alpha([[1, 1]], [1])
    assert single.value is None and "single level" in single.reason
    stats = agreement([[1], []], LEVELS)
    assert stats.exact is None and stats.within_one is None and stats.percent_reason == NO_PAIRS


def test_values_off_the_scale_are_a_bug_not_data() -> None:
    with pytest.raises(ValueError, match="7 is not one of the levels"):
        alpha([[1, 7]], LEVELS)


def test_percentages_count_steps_of_the_scale() -> None:
    # Values with gaps: 0, 5, 10 are neighbouring levels, so 0 and 5 are "within one".
    stats = agreement([[0, 0, 0], [0, 5], [0, 10], [10, 10, 5]], [0, 5, 10])
    assert stats.units == 4
    assert stats.exact == pytest.approx(1 / 4)
    assert stats.within_one == pytest.approx(3 / 4)
    assert stats.alpha is not None and stats.pairable == 10


def test_omits_are_missing_not_zero() -> None:
    """Leaving a rater out of a unit must differ from rating it at the bottom of the scale."""
    with_gap = alpha([[3, 3], [3], [1, 1], [2, 2]], LEVELS).value
    with_zero = alpha([[3, 3], [3, 0], [1, 1], [2, 2]], LEVELS).value
    assert with_gap == pytest.approx(1.0)
    assert with_zero is not None and with_zero < 1.0


# ------------------------------------------------------------- minimum and bootstrap interval


def test_alpha_is_withheld_below_the_minimum_and_given_with_an_interval_above() -> None:
    few = [[1, 2], [2, 2], [3, 3]]
    shown = agreement(few, [0, 1, 2, 3])
    assert shown.alpha is not None and shown.interval is None
    held = agreement(few, [0, 1, 2, 3], minimum_units=MIN_UNITS, interval=True)
    assert held.alpha is None and held.interval is None
    assert held.alpha_reason.startswith("alpha not shown: 3 indicators rated by two or more")
    assert held.exact == 2 / 3  # the plain figures stay
    many = [[1, 2], [2, 2], [3, 3], [0, 0], [2, 3]] * 5
    full = agreement(many, [0, 1, 2, 3], minimum_units=MIN_UNITS, interval=True)
    assert full.alpha is not None and full.interval is not None
    low, high = full.interval
    assert low <= full.alpha <= high
    assert full.interval == agreement(many, [0, 1, 2, 3], interval=True).interval  # seeded


def test_two_raters_agreeing_on_23_of_24_get_a_wide_interval_not_a_bare_zero() -> None:
    units = [[2, 2]] * 23 + [[2, 3]]
    result = agreement(units, [0, 1, 2, 3], minimum_units=MIN_UNITS, interval=True)
    assert result.exact == 23 / 24
    assert result.alpha is not None and result.alpha < 0.05
    # Almost every resample has no variation at all: too little to give an interval.
    assert result.interval is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=5),
        min_size=1,
        max_size=40,
    )
)
def test_coincidence_alpha_matches_the_package(units: list[list[int]]) -> None:
    import numpy as np

    expected = alpha(units, [0, 1, 2, 3]).value
    paired = [u for u in units if len(u) >= 2]
    o = np.zeros((4, 4))
    for unit in paired:
        c = np.bincount(unit, minlength=4).astype(float)
        m = np.outer(c, c)
        m[range(4), range(4)] -= c
        o += m / (len(unit) - 1)
    (found,) = coincidence_alpha(o[None])
    if expected is None:
        assert not paired or np.isnan(found) or len({v for u in paired for v in u}) < 2
    else:
        assert abs(found - expected) < 1e-9


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=4),
        min_size=2,
        max_size=30,
    )
)
def test_bootstrap_interval_is_ordered_and_reproducible(units: list[list[int]]) -> None:
    first = bootstrap_interval(units, [0, 1, 2, 3])
    assert first == bootstrap_interval(units, [0, 1, 2, 3])
    if first is not None:
        assert -1 - 1e-9 <= first[0] <= first[1] <= 1 + 1e-9
