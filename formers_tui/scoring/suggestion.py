"""The protocol's thresholds applied to the consensus: a computed suggestion.

The suggestion is advice with its reasons listed, never the decision: the
panel records its own determination and, where it differs, says why. Every
rule that was checked appears in the reasons, passed or not, so the panel can
see what the suggestion rests on.

The rules are non-compensatory, as the source document is: readiness and
appropriateness are judged apart (each part gets its own result, and the
suggestion is the worse of them), an indicator below the floor rules
readiness out whatever else is strong, and an indicator below *met* is named,
never averaged away. A pooled mean across parts is shown for information and
decides nothing.

Reasons have a severity, and the outcome follows from the worst one:

* ``blocks``: something known rules readiness out (a critical indicator not
  met, an indicator below the floor, a part or domain mean below its minimum,
  an open safety flag, a required proportionality rule not met)
  -> *not yet ready*;
* ``missing``: too little is known to judge (consensus not recorded, a
  critical indicator omitted, too many omits, a required timeline missing)
  -> *insufficient information*;
* ``caution``: readiness is possible but something falls short and the panel
  must weigh it (indicators below the met level, more omits than the
  protocol tolerates, proportionality short where it is only guidance)
  -> *ready with conditions* at best;
* ``note``: nothing falls short, but the panel should see it (a panelist
  rated a critical indicator below met) -> does not change the outcome;
* ``met``: checked and passed -> *ready* if nothing worse.

A definite failure outranks missing information: what is known already rules
readiness out, whatever the rest would show.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from formers_tui.protocol.model import Domain, Part, Protocol
from formers_tui.protocol.timeline import (
    ProportionalityCheck,
    ProportionalityResult,
    ProportionalityStatus,
    check_rule,
)

__all__ = [
    "DISCLAIMER",
    "SUGGESTED_LABELS",
    "CriticalScore",
    "DomainScore",
    "PartResult",
    "ProportionalityCheck",
    "ProportionalityResult",
    "ProportionalityStatus",
    "Reason",
    "Severity",
    "Suggested",
    "Suggestion",
    "check_proportionality",
    "critical_concerns",
    "minimum_for",
    "suggest",
]


class Suggested(str, enum.Enum):
    """A computed suggestion; the first three share their values with the panel's outcomes."""

    ready = "ready"
    ready_with_conditions = "ready_with_conditions"
    not_yet_ready = "not_yet_ready"
    insufficient_information = "insufficient_information"


SUGGESTED_LABELS: dict[Suggested, str] = {
    Suggested.ready: "Ready",
    Suggested.ready_with_conditions: "Ready with conditions",
    Suggested.not_yet_ready: "Not yet ready",
    Suggested.insufficient_information: "Insufficient information",
}


class Severity(str, enum.Enum):
    """How a reason bears on the suggestion (worst first)."""

    blocks = "blocks"
    missing = "missing"
    caution = "caution"
    note = "note"
    met = "met"


@dataclass(frozen=True)
class Reason:
    """One rule checked, and what it found."""

    severity: Severity
    rule: str
    """Which rule: ``consensus``, ``critical``, ``critical_concern``, ``floor``,
    ``domain_minimum``, ``part_minimum``, ``omitted``, ``below_met``,
    ``proportionality`` or ``safety_flags``."""
    text: str
    """One sentence for the panel."""
    part_id: str | None = None
    """The part the reason belongs to; ``None`` for the whole interview."""


@dataclass(frozen=True)
class DomainScore:
    """A domain's consensus ratings against its minimum mean."""

    domain_id: str
    title: str
    part_id: str
    mean: float | None
    """Mean of the consensus levels recorded so far (omits left out); ``None`` if none."""
    minimum: float | None
    """The stricter of the protocol's and the domain's own minimum mean, if any."""
    total: int
    recorded: int
    """Indicators with a consensus (a level or omit)."""
    omitted: int
    passed: bool | None
    """``None`` when there is no minimum or it cannot be judged yet."""


@dataclass(frozen=True)
class CriticalScore:
    """A critical indicator's consensus against the scale's *met* level."""

    indicator_id: str
    title: str
    recorded: bool
    value: int | None
    met: bool | None
    """``None`` when not recorded or omitted."""
    rated_below_met_by: tuple[str, ...] = ()
    """Panelists (as named to the viewer) whose own rating was below *met*."""


@dataclass(frozen=True)
class PartResult:
    """One part (readiness, appropriateness) judged on its own."""

    part_id: str
    title: str
    outcome: Suggested
    """What this part alone suggests (its worst reason decides)."""
    mean: float | None
    """Mean of the part's consensus levels (omits left out), for information."""
    minimum: float | None
    """The floor for the mean, if any."""
    passed: bool | None
    """``None`` when there is no floor or the part is not complete."""

    @property
    def label(self) -> str:
        """The outcome in words."""
        return SUGGESTED_LABELS[self.outcome]


@dataclass(frozen=True)
class Suggestion:
    """The computed suggestion with everything it was computed from."""

    outcome: Suggested
    """The worse of the parts' outcomes and the whole-interview rules."""
    reasons: tuple[Reason, ...]
    """Every rule checked, worst first."""
    parts: tuple[PartResult, ...]
    """Each part judged on its own, in protocol order."""
    domains: tuple[DomainScore, ...]
    critical: tuple[CriticalScore, ...]
    overall_mean: float | None
    """Mean over both parts, for information only: it decides nothing."""
    omitted_fraction: float | None
    """Share of recorded consensus ratings that are omits."""
    proportionality: ProportionalityCheck
    open_flags: tuple[str, ...]

    @property
    def label(self) -> str:
        """The outcome in words."""
        return SUGGESTED_LABELS[self.outcome]

    @property
    def whole(self) -> Suggested:
        """What the rules about the whole interview alone suggest (flags, proportionality…)."""
        return _outcome([r for r in self.reasons if r.part_id is None])

    def parts_line(self) -> str:
        """Each part's result, then the whole interview's when it is worse, in one line.

        E.g. ``Readiness: Ready · Appropriateness: Not yet ready``.
        """
        items = [f"{p.title}: {p.label}" for p in self.parts]
        worst_part = max((WORSE[p.outcome] for p in self.parts), default=0)
        if WORSE[self.whole] > worst_part or not self.parts:
            items.append(f"whole interview: {SUGGESTED_LABELS[self.whole]}")
        return " · ".join(items)


WORSE: dict[Suggested, int] = {
    Suggested.ready: 0,
    Suggested.ready_with_conditions: 1,
    Suggested.insufficient_information: 2,
    Suggested.not_yet_ready: 3,
}
"""How far each outcome is from *ready* (what is known to fail outranks what is missing)."""

DISCLAIMER = "A suggestion only; the panel decides."
"""Printed with the suggestion wherever it is shown."""


def check_proportionality(
    protocol: Protocol, timeline: Mapping[str, str], as_of: date
) -> ProportionalityCheck:
    """Apply the protocol's proportionality rule to stored timeline facts.

    Args:
        protocol: holds the rule (or none).
        timeline: fact id -> stored text (dates as ``2010``, ``2010-06`` or ``2010-06-15``).
        as_of: the interview date.
    """
    return check_rule(protocol.proportionality, timeline, as_of)


def minimum_for(protocol: Protocol, domain: Domain) -> float | None:
    """The stricter of the protocol's threshold for ``domain`` and the domain's own minimum."""
    found = [m.minimum_mean for m in protocol.thresholds.domain_minimums if m.domain == domain.id]
    if domain.minimum_mean is not None:
        found.append(domain.minimum_mean)
    return max(found) if found else None


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _level(protocol: Protocol, value: int) -> str:
    scale = protocol.scale
    if value in scale.values:
        return f"{scale.level(value).label} ({value})"
    return str(value)


def _needs(protocol: Protocol) -> str:
    return _level(protocol, protocol.scale.met_at)


def _listing(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def critical_concerns(
    protocol: Protocol, ratings: Mapping[str, Mapping[str, int | None]]
) -> dict[str, tuple[str, ...]]:
    """Critical indicators that some panelist rated below *met*, with who did.

    The panel must see these however the consensus comes out, and the
    consensus on them must say in a sentence how the low rating was weighed.

    Args:
        protocol: marks which indicators are critical and where *met* is.
        ratings: indicator id -> {panelist name: submitted level, ``None`` for omit}.

    Returns:
        Indicator id -> the panelists whose rating was below *met*, in the order given.
    """
    met = protocol.scale.met_at
    found: dict[str, tuple[str, ...]] = {}
    for indicator in protocol.indicators():
        if not indicator.critical:
            continue
        marks = ratings.get(indicator.id, {})
        low = tuple(name for name, value in marks.items() if value is not None and value < met)
        if low:
            found[indicator.id] = low
    return found


def _part_reasons(
    protocol: Protocol,
    part: Part,
    consensus: Mapping[str, int | None],
    concerns: Mapping[str, Sequence[str]],
) -> tuple[list[CriticalScore], list[DomainScore], list[Reason], PartResult]:
    """Every rule that looks at one part, and the part's own outcome."""
    rules = protocol.thresholds
    scale = protocol.scale
    indicators = [i for d in part.domains for i in d.indicators]
    reasons: list[Reason] = []

    def add(severity: Severity, rule: str, text: str) -> None:
        reasons.append(Reason(severity, rule, text, part.id))

    missing = [i.id for i in indicators if i.id not in consensus]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        add(
            Severity.missing,
            "consensus",
            f"{part.title}: no consensus recorded yet for {missing[0]}{more} "
            f"({len(missing)} of {len(indicators)} indicators).",
        )

    critical: list[CriticalScore] = []
    must = rules.critical_must_be_met
    for ind in (i for i in indicators if i.critical):
        recorded = ind.id in consensus
        value = consensus.get(ind.id)
        met = None if value is None else value >= scale.met_at
        low = tuple(concerns.get(ind.id, ()))
        critical.append(CriticalScore(ind.id, ind.title, recorded, value, met, low))
        name = f"Critical indicator {ind.id} ({ind.title})"
        if recorded and value is None:
            add(
                Severity.missing if must else Severity.caution,
                "critical",
                f"{name} was omitted; it must be judged at least {_needs(protocol)}.",
            )
        elif value is not None and not met:
            add(
                Severity.blocks if must else Severity.caution,
                "critical",
                f"{name} is not met: consensus {_level(protocol, value)}, "
                f"needs {_needs(protocol)}.",
            )
        if low and (value is None or met):
            who = ", ".join(low)
            add(
                Severity.note,
                "critical_concern",
                f"{name}: rated below {_needs(protocol)} by {who}; the consensus records "
                "how that was weighed.",
            )
    scored = [c for c in critical if c.recorded]
    if critical and len(scored) == len(critical) and all(c.met for c in critical):
        add(
            Severity.met,
            "critical",
            f"{part.title}: all {_plural(len(critical), 'critical indicator')} met.",
        )

    floor = rules.indicator_floor
    below_floor = [
        i.id
        for i in indicators
        if not (i.critical and must)
        and consensus.get(i.id) is not None
        and floor is not None
        and (consensus[i.id] or 0) < floor
    ]
    if below_floor and floor is not None:
        add(
            Severity.blocks,
            "floor",
            f"{part.title}: {_listing(below_floor)} below the floor of "
            f"{_level(protocol, floor)}; a strength elsewhere does not make up for it.",
        )
    below_met = [
        i.id
        for i in indicators
        if not i.critical
        and i.id not in below_floor
        and consensus.get(i.id) is not None
        and (consensus[i.id] or 0) < scale.met_at
    ]
    if below_met:
        add(
            Severity.caution,
            "below_met",
            f"{part.title}: {_plural(len(below_met), 'indicator')} below {_needs(protocol)} "
            f"({_listing(below_met)}); the panel weighs each one and says how in its rationale.",
        )

    domains: list[DomainScore] = []
    for domain in part.domains:
        marks = [consensus[i.id] for i in domain.indicators if i.id in consensus]
        levels = [m for m in marks if m is not None]
        mean = _mean(levels)
        minimum = minimum_for(protocol, domain)
        passed = None
        # A mean over part of a domain could pass or fail by accident: judge it complete.
        if minimum is not None and len(marks) == len(domain.indicators):
            if mean is None:
                add(
                    Severity.missing,
                    "domain_minimum",
                    f"{domain.title}: every indicator was omitted, so its minimum "
                    f"mean ({minimum:g}) cannot be checked.",
                )
            else:
                passed = mean >= minimum
                relation = "at or above" if passed else "below"
                add(
                    Severity.met if passed else Severity.blocks,
                    "domain_minimum",
                    f"{domain.title}: mean {mean:.2f} is {relation} the minimum {minimum:g}.",
                )
        domains.append(
            DomainScore(
                domain_id=domain.id,
                title=domain.title,
                part_id=part.id,
                mean=mean,
                minimum=minimum,
                total=len(domain.indicators),
                recorded=len(marks),
                omitted=len(marks) - len(levels),
                passed=passed,
            )
        )

    marks = [consensus[i.id] for i in indicators if i.id in consensus]
    levels = [m for m in marks if m is not None]
    mean = _mean(levels)
    minimum = rules.part_minimum(part.id)
    passed = None
    if minimum is not None and len(marks) == len(indicators):
        if mean is None:
            add(
                Severity.missing,
                "part_minimum",
                f"{part.title}: every indicator was omitted, so its minimum mean "
                f"({minimum:g}) cannot be checked.",
            )
        else:
            passed = mean >= minimum
            relation = "at or above" if passed else "below"
            add(
                Severity.met if passed else Severity.blocks,
                "part_minimum",
                f"{part.title}: mean {mean:.2f} is {relation} the minimum {minimum:g}, "
                "judged apart from the other parts.",
            )
    outcome = _outcome(reasons)
    result = PartResult(part.id, part.title, outcome, mean, minimum, passed)
    return critical, domains, reasons, result


def _omits(
    protocol: Protocol, consensus: Mapping[str, int | None]
) -> tuple[float | None, list[Reason]]:
    """Omits across the whole interview: too many non-critical ones, or too large a share."""
    rules = protocol.thresholds
    indicators = list(protocol.indicators())
    marks = [consensus[i.id] for i in indicators if i.id in consensus]
    omitted = [i.id for i in indicators if i.id in consensus and consensus[i.id] is None]
    fraction = len(omitted) / len(marks) if marks else None
    reasons: list[Reason] = []
    if fraction is None or not omitted:
        return fraction, reasons
    share = f"{_plural(len(omitted), 'indicator')} omitted ({fraction:.0%} of those with consensus)"
    limit = rules.max_omitted_fraction
    if limit is not None and fraction > limit:
        reasons.append(
            Reason(
                Severity.missing,
                "omitted",
                f"{share}, more than the {limit:.0%} allowed: gather more information.",
            )
        )
        return fraction, reasons
    plain = [i.id for i in indicators if i.id in omitted and not i.critical]
    cap = rules.max_noncritical_omits
    if cap is not None and len(plain) > cap:
        reasons.append(
            Reason(
                Severity.caution,
                "omitted",
                f"{_plural(len(plain), 'non-critical indicator')} omitted ({_listing(plain)}), "
                f"more than the {cap} the protocol accepts without a caution: the suggestion "
                "rests on less than the interview was meant to learn.",
            )
        )
    else:
        within = f", within the {limit:.0%} allowed" if limit is not None else ""
        reasons.append(Reason(Severity.met, "omitted", f"{share}{within}."))
    return fraction, reasons


def _proportionality(protocol: Protocol, check: ProportionalityCheck) -> list[Reason]:
    required = protocol.thresholds.proportionality_required
    status = check.status
    if status is ProportionalityStatus.met:
        return [Reason(Severity.met, "proportionality", f"Proportionality: {check.text}.")]
    if status is ProportionalityStatus.ongoing:
        return [Reason(Severity.blocks, "proportionality", f"Proportionality: {check.text}.")]
    if status is ProportionalityStatus.not_met:
        note = "." if required else " (guidance, not a bar)."
        return [
            Reason(
                Severity.blocks if required else Severity.caution,
                "proportionality",
                f"Proportionality: {check.text}{note}",
            )
        ]
    if status in (ProportionalityStatus.incomplete, ProportionalityStatus.uncertain):
        head = (
            "Proportionality"
            if status is ProportionalityStatus.uncertain
            else ("Proportionality not checked")
        )
        return [
            Reason(
                Severity.missing if required else Severity.caution,
                "proportionality",
                f"{head}: {check.text}.",
            )
        ]
    return []


OUTCOME_OF: dict[Severity, Suggested] = {
    Severity.blocks: Suggested.not_yet_ready,
    Severity.missing: Suggested.insufficient_information,
    Severity.caution: Suggested.ready_with_conditions,
    Severity.note: Suggested.ready,
    Severity.met: Suggested.ready,
}
"""The suggestion each worst severity leads to."""


def _outcome(reasons: Sequence[Reason]) -> Suggested:
    order = list(Severity)
    worst = min((order.index(r.severity) for r in reasons), default=order.index(Severity.met))
    return OUTCOME_OF[order[worst]]


def suggest(
    protocol: Protocol,
    consensus: Mapping[str, int | None],
    *,
    proportionality: ProportionalityCheck,
    open_flags: Sequence[str] = (),
    concerns: Mapping[str, Sequence[str]] | None = None,
) -> Suggestion:
    """Compute the suggestion from the panel's consensus.

    Args:
        protocol: indicators, scale and thresholds.
        consensus: indicator id -> consensus level, ``None`` for omit; an
            indicator absent from the mapping has no consensus yet.
        proportionality: see :func:`check_proportionality`.
        open_flags: one label per unresolved safety flag.
        concerns: critical indicators some panelist rated below *met*, with
            who (see :func:`critical_concerns`); only what the viewer may see.

    Returns:
        The worse of each part's outcome and the whole-interview rules, with
        every reason, worst first.
    """
    reasons: list[Reason] = []
    critical: list[CriticalScore] = []
    domains: list[DomainScore] = []
    parts: list[PartResult] = []
    for part in protocol.parts:
        found_critical, found_domains, found, result = _part_reasons(
            protocol, part, consensus, concerns or {}
        )
        critical += found_critical
        domains += found_domains
        reasons += found
        parts.append(result)
    fraction, found = _omits(protocol, consensus)
    reasons += found
    reasons += _proportionality(protocol, proportionality)
    if open_flags:
        reasons.append(
            Reason(
                Severity.blocks,
                "safety_flags",
                f"{_plural(len(open_flags), 'safety flag')} still open "
                f"({'; '.join(open_flags)}): resolve before a positive determination.",
            )
        )
    order = list(Severity)
    reasons.sort(key=lambda r: order.index(r.severity))
    levels = [v for i in protocol.indicators() if (v := consensus.get(i.id)) is not None]
    return Suggestion(
        outcome=_outcome(reasons),
        reasons=tuple(reasons),
        parts=tuple(parts),
        domains=tuple(domains),
        critical=tuple(critical),
        overall_mean=_mean(levels),
        omitted_fraction=fraction,
        proportionality=proportionality,
        open_flags=tuple(open_flags),
    )
