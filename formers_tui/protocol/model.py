"""The interview protocol as plain, immutable data.

A protocol is loaded once from TOML (see :mod:`formers_tui.protocol.loader`)
and then only read: by the TUI to show prompts and anchors, by scoring to
apply thresholds, by the store to freeze a copy into each interview. Frozen
dataclasses keep it hashable and safe to share between threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where in the source document an indicator or domain comes from."""

    section: str
    """Section path in the source document, e.g. ``Readiness > Disengagement``."""
    passage: str
    """The passage itself, quoted verbatim, so the link can be checked by eye."""


@dataclass(frozen=True)
class Level:
    """One point of the rating scale."""

    value: int
    """The number stored and used in statistics."""
    label: str
    """Short name shown on buttons and in tables."""
    meaning: str
    """What the level means in general, independent of any indicator."""


@dataclass(frozen=True)
class Scale:
    """The rating scale: ordered levels plus an explicit *omit*.

    Omit ("insufficient information") is not a level: a rating that omits is
    stored as missing and never enters a mean or an agreement statistic as 0.
    """

    levels: tuple[Level, ...]
    """Levels in ascending order of value."""
    met_at: int
    """Lowest value at which an indicator counts as *met* (used for critical indicators)."""
    omit_label: str = "Omit — insufficient information"
    """Label of the omit choice."""
    omit_meaning: str = "Not enough information was gathered to rate this indicator."
    """What choosing omit means."""

    @property
    def values(self) -> tuple[int, ...]:
        """All level values, ascending."""
        return tuple(level.value for level in self.levels)

    def level(self, value: int) -> Level:
        """Return the level with ``value``.

        Raises:
            KeyError: if the scale has no such level.
        """
        for level in self.levels:
            if level.value == value:
                return level
        raise KeyError(value)


@dataclass(frozen=True)
class Indicator:
    """One thing the panel rates: a statement traced to the source document."""

    id: str
    """Stable id, unique within the protocol; stored with every note and rating."""
    title: str
    """A few words for the navigator."""
    statement: str
    """What a ready candidate shows, in full."""
    source: Source
    """The passage of the source document the indicator derives from."""
    prompts: tuple[str, ...]
    """Open-ended questions to ask."""
    probes: tuple[str, ...]
    """Follow-up probes."""
    collateral: tuple[str, ...]
    """Suggested collateral sources that can confirm or contradict."""
    anchors: dict[int, str] = field(hash=False)
    """Behavioural anchor for each level value of the scale."""
    critical: bool = False
    """Must be met for a positive determination."""
    critical_rationale: str = ""
    """Why the indicator is (or is not) critical, in the protocol author's words."""


@dataclass(frozen=True)
class Domain:
    """A group of indicators, e.g. *Disengagement*."""

    id: str
    title: str
    description: str
    indicators: tuple[Indicator, ...]
    minimum_mean: float | None = None
    """Optional floor for the mean of this domain's consensus ratings."""


@dataclass(frozen=True)
class Part:
    """A top-level part, e.g. *Readiness* or *Appropriateness*."""

    id: str
    title: str
    description: str
    domains: tuple[Domain, ...]


@dataclass(frozen=True)
class TimelineFact:
    """A fact about the candidate's history the protocol asks for."""

    id: str
    label: str
    kind: str
    """``date``, ``choice``, ``text`` or ``periods`` (periods of involvement)."""
    help: str = ""
    choices: tuple[str, ...] = ()
    """Allowed values when ``kind == "choice"``."""


@dataclass(frozen=True)
class Proportionality:
    """The rule "disengaged at least as long as involved", over timeline facts."""

    involved_from: str
    """Fact id (a date) when active involvement began."""
    disengaged_on: str
    """Fact id (a date) when the person disengaged; ends involvement."""
    ratio: float = 1.0
    """Required disengaged time as a multiple of involved time."""
    source: Source | None = None
    depth: str = ""
    """Fact id (a choice) of the depth of involvement, shown beside the ratio."""
    earlier_periods: str = ""
    """Fact id (periods) of earlier periods of involvement, added to involved time."""


@dataclass(frozen=True)
class DomainMinimum:
    """A protocol-level threshold on one domain."""

    domain: str
    minimum_mean: float
    rationale: str = ""
    """Why this domain has this floor, in the protocol author's words."""


@dataclass(frozen=True)
class PartMinimum:
    """A floor for the mean of one part's consensus ratings, overriding the default."""

    part: str
    minimum_mean: float
    rationale: str = ""
    """Why this part has this floor."""


DEFAULT_MAX_NONCRITICAL_OMITS = 2
"""Omitted non-critical indicators tolerated before the suggestion carries a caution."""


@dataclass(frozen=True)
class Thresholds:
    """Rules for the computed suggestion; the panel's determination decides.

    The rules are non-compensatory: each part (readiness, appropriateness) is
    judged on its own, so a strong part cannot lift a weak one, and an
    indicator below the floor rules readiness out whatever the means show.
    """

    critical_must_be_met: bool = True
    overall_minimum_mean: float | None = None
    """Older name for :attr:`part_minimum_mean`, still read from protocol 1.0 files."""
    max_omitted_fraction: float | None = None
    """More omits than this share of the recorded consensus: insufficient information."""
    proportionality_required: bool = False
    """Whether failing proportionality blocks a *ready* suggestion (else it is a caution)."""
    domain_minimums: tuple[DomainMinimum, ...] = ()
    part_minimum_mean: float | None = None
    """Floor for the mean of each part's consensus ratings (``None``: no floor)."""
    part_minimums: tuple[PartMinimum, ...] = ()
    """Per-part floors that replace :attr:`part_minimum_mean` for the parts they name."""
    indicator_floor: int | None = None
    """A consensus level below this rules readiness out (``None``: no floor)."""
    max_noncritical_omits: int | None = DEFAULT_MAX_NONCRITICAL_OMITS
    """More omitted non-critical indicators than this: a caution (``None``: never)."""
    rationale: str = ""
    """Why the thresholds are what they are, in the protocol author's words."""

    def part_minimum(self, part_id: str) -> float | None:
        """The floor for the mean of part ``part_id``, if any."""
        for entry in self.part_minimums:
            if entry.part == part_id:
                return entry.minimum_mean
        return self.part_minimum_mean


@dataclass(frozen=True)
class Script:
    """What the chair says and asks at the opening or the closing of the interview.

    Neither is rated: they frame the interview (purpose, consent, the limits
    of confidentiality) and end it safely (what was not asked, how the
    candidate is, support afterwards).
    """

    title: str
    points: tuple[str, ...]
    """What the chair covers, one point per entry, in order."""
    prompts: tuple[str, ...] = ()
    """Questions to ask the candidate."""


@dataclass(frozen=True)
class Vignette:
    """A defined role play: the same situation for every candidate, so answers compare."""

    id: str
    """Stable id, unique among ids of the protocol."""
    title: str
    situation: str
    """What is read aloud to the candidate."""
    setup: str
    """For the panel: who plays whom, what they say, how long it runs."""
    prompts: tuple[str, ...]
    """What to ask once the situation is read."""
    listen_for: tuple[str, ...]
    """What the anchors of the informed indicators look for."""
    indicators: tuple[str, ...]
    """Ids of the indicators the role play gives evidence on."""


@dataclass(frozen=True)
class Stage:
    """One step of the order of asking: indicators asked together, and role plays."""

    title: str
    indicators: tuple[str, ...]
    """Indicator ids, in the order they are asked."""
    vignettes: tuple[str, ...] = ()
    """Ids of the role plays run in this step."""
    note: str = ""
    """Why the step comes here, or how to lead into it."""


@dataclass(frozen=True)
class Protocol:
    """A whole interview protocol."""

    id: str
    title: str
    version: str
    source: str
    description: str
    scale: Scale
    parts: tuple[Part, ...]
    timeline: tuple[TimelineFact, ...]
    proportionality: Proportionality | None
    thresholds: Thresholds
    guidance: dict[str, str] = field(default_factory=dict, hash=False)
    """Free-text guidance blocks keyed by name (e.g. ``safety``)."""
    opening: Script | None = None
    """Said before the first question, if the protocol has an opening."""
    closing: Script | None = None
    """Said after the last question, if the protocol has a closing."""
    asking: tuple[Stage, ...] = ()
    """The order of asking, when it differs from the order of the domains (empty: it does not)."""
    vignettes: tuple[Vignette, ...] = ()
    """The role plays the protocol defines."""

    def domains(self) -> Iterator[Domain]:
        """Yield every domain in protocol order."""
        for part in self.parts:
            yield from part.domains

    def indicators(self) -> Iterator[Indicator]:
        """Yield every indicator in protocol order."""
        for domain in self.domains():
            yield from domain.indicators

    def asking_order(self) -> tuple[Indicator, ...]:
        """Every indicator in the order the panel asks: the stages if declared, else protocol order.

        The loader has checked that the stages name each indicator exactly once.
        """
        if not self.asking:
            return tuple(self.indicators())
        by_id = {indicator.id: indicator for indicator in self.indicators()}
        return tuple(by_id[i] for stage in self.asking for i in stage.indicators)

    def vignette(self, vignette_id: str) -> Vignette:
        """Return the role play with ``vignette_id``.

        Raises:
            KeyError: if there is none.
        """
        for vignette in self.vignettes:
            if vignette.id == vignette_id:
                return vignette
        raise KeyError(vignette_id)

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the indicator with ``indicator_id``.

        Raises:
            KeyError: if there is none.
        """
        for indicator in self.indicators():
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def domain_of(self, indicator_id: str) -> Domain:
        """Return the domain that holds ``indicator_id``.

        Raises:
            KeyError: if no domain holds it.
        """
        for domain in self.domains():
            if any(i.id == indicator_id for i in domain.indicators):
                return domain
        raise KeyError(indicator_id)

    def part_of(self, domain_id: str) -> Part:
        """Return the part that holds ``domain_id``.

        Raises:
            KeyError: if no part holds it.
        """
        for part in self.parts:
            if any(d.id == domain_id for d in part.domains):
                return part
        raise KeyError(domain_id)

    def fact(self, fact_id: str) -> TimelineFact:
        """Return the timeline fact with ``fact_id``.

        Raises:
            KeyError: if there is none.
        """
        for fact in self.timeline:
            if fact.id == fact_id:
                return fact
        raise KeyError(fact_id)
