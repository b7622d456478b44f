"""Reliability of a protocol across a programme: pooled agreement and each rater's lean.

One interview holds too few units for a steady alpha; a programme checking how
reliably its panels apply the protocol pools the panels of every settled
interview. Each indicator of each interview is one unit, so panels of
different sizes pool naturally. Figures come per indicator (where anchors or
training need work), per domain, per part and overall, each with the number
of units and interviews behind it and a seeded bootstrap interval.

A rater's *lean* is the mean of (their rating minus the panel's consensus)
over the indicators both rated: above 0 the rater tends to rate higher than
the panel settles, below 0 lower. Its interval is approximate (normal, with
the ratings treated as independent), which is enough to tell a lean from
noise once a rater has a few interviews behind them.

Pure functions over plain rows; :mod:`formers_tui.store.reliability` loads them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from formers_tui.protocol.model import Protocol
from formers_tui.scoring.agreement import (
    BOOTSTRAP_SEED,
    Agreement,
    Profile,
    pooled_agreement,
    resample_coincidences,
)

MIN_RATINGS_FOR_LEAN = 10
"""Ratings compared with the consensus below which a rater's lean is not given."""


class UnitRatings(NamedTuple):
    """The submitted levels of one indicator in one interview (omits left out)."""

    interview_id: str
    indicator_id: str
    values: tuple[int, ...]


class RaterMark(NamedTuple):
    """One rater's submitted level beside the panel's consensus level.

    A named tuple rather than a dataclass: a programme has hundreds of
    thousands of them.
    """

    rater: str
    """The rater as named on their panels."""
    interview_id: str
    value: int
    consensus: int


@dataclass(frozen=True)
class ScopeReliability:
    """Pooled agreement over one indicator, domain, part, or the whole protocol."""

    scope: str
    """``indicator``, ``domain``, ``part`` or ``overall``."""
    key: str
    title: str
    interviews: int
    """Interviews that contributed at least one paired unit."""
    stats: Agreement


@dataclass(frozen=True)
class RaterLean:
    """How one rater's ratings sit against the consensus their panels reached."""

    rater: str
    interviews: int
    compared: int
    """Ratings compared with a consensus level (omits on either side left out)."""
    lean: float | None
    """Mean of rating minus consensus; ``None`` below :data:`MIN_RATINGS_FOR_LEAN`."""
    interval: tuple[float, float] | None
    """Approximate 95% interval of the lean."""
    exact: float | None
    """Share of the compared ratings equal to the consensus."""


@dataclass(frozen=True)
class ProtocolReliability:
    """Reliability of one protocol version across the programme."""

    protocol_id: str
    protocol_version: str
    protocol_title: str
    interviews: int
    """Settled interviews in the selection."""
    scopes: tuple[ScopeReliability, ...]
    """Overall, then parts, domains and indicators in protocol order."""
    raters: tuple[RaterLean, ...]
    """By name."""


def pooled_scopes(protocol: Protocol, units: Iterable[UnitRatings]) -> tuple[ScopeReliability, ...]:
    """Agreement pooled per indicator, domain, part and overall.

    Units naming an indicator the protocol does not have are left out. Each
    unit is reduced once to its profile (how many raters chose each level);
    every scope sums the profiles of its indicators.
    """
    levels = protocol.scale.values
    index = {value: i for i, value in enumerate(levels)}
    profiles: dict[str, Counter[Profile]] = {i.id: Counter() for i in protocol.indicators()}
    seen: dict[str, set[str]] = {i.id: set() for i in protocol.indicators()}
    for unit in units:
        counter = profiles.get(unit.indicator_id)
        if counter is None or len(unit.values) < 2:
            continue
        row = [0] * len(levels)
        for value in unit.values:
            row[index[value]] += 1
        counter[tuple(row)] += 1
        seen[unit.indicator_id].add(unit.interview_id)

    # One stack of resamples per indicator (its own seeded stream); a domain, a part and
    # the whole add up their indicators' stacks: a bootstrap stratified by indicator.
    stacks = {
        indicator_id: resample_coincidences(counter, seed=(BOOTSTRAP_SEED, number))
        for number, (indicator_id, counter) in enumerate(profiles.items())
        if counter
    }

    def scope(kind: str, key: str, title: str, ids: Sequence[str]) -> ScopeReliability:
        total: Counter[Profile] = Counter()
        interviews: set[str] = set()
        for indicator_id in ids:
            total.update(profiles[indicator_id])
            interviews |= seen[indicator_id]
        mine = [stacks[i] for i in ids if i in stacks]
        resampled = sum(mine[1:], mine[0]) if mine else None
        stats = pooled_agreement(total, resampled=resampled)
        return ScopeReliability(kind, key, title, len(interviews), stats)

    every = [i.id for i in protocol.indicators()]
    out = [scope("overall", "overall", "Overall", every)]
    for part in protocol.parts:
        ids = [i.id for d in part.domains for i in d.indicators]
        out.append(scope("part", part.id, part.title, ids))
    for domain in protocol.domains():
        out.append(scope("domain", domain.id, domain.title, [i.id for i in domain.indicators]))
    for indicator in protocol.indicators():
        out.append(scope("indicator", indicator.id, indicator.title, [indicator.id]))
    return tuple(out)


def rater_key(name: str) -> str:
    """How a rater is recognised across panels: the name, case and spacing aside."""
    return " ".join(name.split()).casefold()


def leans(marks: Iterable[RaterMark]) -> tuple[RaterLean, ...]:
    """Each rater's lean against the consensus, sorted by name."""
    groups: dict[str, list[RaterMark]] = defaultdict(list)
    spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    keys: dict[str, str] = {}  # a programme has few names and many marks
    for mark in marks:
        key = keys.get(mark.rater)
        if key is None:
            key = keys[mark.rater] = rater_key(mark.rater)
        groups[key].append(mark)
        spellings[key][mark.rater] += 1
    out = []
    for key, group in groups.items():
        name = max(spellings[key].items(), key=lambda item: (item[1], item[0]))[0]
        differences = [m.value - m.consensus for m in group]
        n = len(differences)
        interviews = len({m.interview_id for m in group})
        exact = sum(1 for d in differences if d == 0) / n
        if n < MIN_RATINGS_FOR_LEAN:
            out.append(RaterLean(name, interviews, n, None, None, exact))
            continue
        mean = sum(differences) / n
        variance = sum((d - mean) ** 2 for d in differences) / (n - 1)
        half = 1.96 * math.sqrt(variance / n)
        out.append(RaterLean(name, interviews, n, mean, (mean - half, mean + half), exact))
    return tuple(sorted(out, key=lambda r: rater_key(r.rater)))


def reliability(
    protocol: Protocol,
    *,
    protocol_id: str,
    protocol_version: str,
    interviews: int,
    units: Iterable[UnitRatings],
    marks: Iterable[RaterMark],
) -> ProtocolReliability:
    """Everything the programme view shows for one protocol version."""
    return ProtocolReliability(
        protocol_id=protocol_id,
        protocol_version=protocol_version,
        protocol_title=protocol.title,
        interviews=interviews,
        scopes=pooled_scopes(protocol, units),
        raters=leans(marks),
    )


def by_interview(
    rows: Iterable[tuple[str, str, int]],
) -> list[UnitRatings]:
    """Group (interview, indicator, level) rows into units."""
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for interview_id, indicator_id, value in rows:
        found[(interview_id, indicator_id)].append(value)
    return [UnitRatings(i, k, tuple(v)) for (i, k), v in found.items()]
