"""The protocol's thresholds applied to the consensus: a computed suggestion.

The suggestion is advice with its reasons listed, never the decision: the
panel records its own determination and, where it differs, says why. Every
rule that was checked appears in the reasons, passed or not, so the panel can
see what the suggestion rests on.

Reasons have a severity, and the outcome follows from the worst one:

* ``blocks``: something known rules readiness out (a critical indicator not
  met, a mean below its minimum, an open safety flag, a required
  proportionality rule not met) -> *not yet ready*;
* ``missing``: too little is known to judge (consensus not recorded, a
  critical indicator omitted, too many omits, a required timeline missing)
  -> *insufficient information*;
* ``caution``: compatible with readiness under conditions (indicators below
  the met level, proportionality short where it is only guidance)
  -> *ready with conditions*;
* ``met``: checked and passed, or listed for information -> *ready* if
  nothing worse.

A definite failure outranks missing information: what is known already rules
readiness out, whatever the rest would show.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from formers_tui.protocol.model import Domain, Protocol
from formers_tui.protocol.timeline import (
    ProportionalityResult,
    TimelineError,
    proportionality,
)


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
    met = "met"


@dataclass(frozen=True)
class Reason:
    """One rule checked, and what it found."""

    severity: Severity
    rule: str
    """Which rule: ``consensus``, ``critical``, ``domain_minimum``, ``overall_minimum``,
    ``omitted``, ``below_met``, ``proportionality`` or ``safety_flags``."""
    text: str
    """One sentence for the panel."""


class ProportionalityStatus(str, enum.Enum):
    """Outcome of the proportionality rule for one interview."""

    met = "met"
    not_met = "not_met"
    incomplete = "incomplete"
    """The dates are missing or impossible."""
    not_applicable = "not_applicable"
    """The protocol has no proportionality rule."""


@dataclass(frozen=True)
class ProportionalityCheck:
    """The rule "disengaged at least as long as involved" for one candidate."""

    status: ProportionalityStatus
    text: str
    result: ProportionalityResult | None = None


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


@dataclass(frozen=True)
class Suggestion:
    """The computed suggestion with everything it was computed from."""

    outcome: Suggested
    reasons: tuple[Reason, ...]
    """Every rule checked, worst first."""
    domains: tuple[DomainScore, ...]
    critical: tuple[CriticalScore, ...]
    overall_mean: float | None
    omitted_fraction: float | None
    """Share of recorded consensus ratings that are omits."""
    proportionality: ProportionalityCheck
    open_flags: tuple[str, ...]

    @property
    def label(self) -> str:
        """The outcome in words."""
        return SUGGESTED_LABELS[self.outcome]


def check_proportionality(
    protocol: Protocol, timeline: Mapping[str, str], as_of: date
) -> ProportionalityCheck:
    """Apply the protocol's proportionality rule to stored timeline facts.

    Args:
        protocol: holds the rule (or none).
        timeline: fact id -> stored text (dates as ``YYYY-MM-DD``).
        as_of: the interview date.
    """
    rule = protocol.proportionality
    if rule is None:
        return ProportionalityCheck(ProportionalityStatus.not_applicable, "no rule in the protocol")
    start, end = timeline.get(rule.involved_from, ""), timeline.get(rule.disengaged_on, "")
    if not start or not end:
        return ProportionalityCheck(
            ProportionalityStatus.incomplete, "the timeline lacks the involvement or exit date"
        )
    try:
        result = proportionality(rule, date.fromisoformat(start), date.fromisoformat(end), as_of)
    except (ValueError, TimelineError) as exc:
        return ProportionalityCheck(ProportionalityStatus.incomplete, str(exc).rstrip("."))
    status = ProportionalityStatus.met if result.met else ProportionalityStatus.not_met
    return ProportionalityCheck(status, result.describe(), result)


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


def _needs(protocol: Protocol) -> str:
    scale = protocol.scale
    if scale.met_at in scale.values:
        return f"{scale.level(scale.met_at).label} ({scale.met_at})"
    return str(scale.met_at)


def _consensus_reasons(protocol: Protocol, consensus: Mapping[str, int | None]) -> list[Reason]:
    ids = [i.id for i in protocol.indicators()]
    missing = [i for i in ids if i not in consensus]
    if not missing:
        return []
    more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
    return [
        Reason(
            Severity.missing,
            "consensus",
            f"No consensus recorded yet for {missing[0]}{more} "
            f"({len(missing)} of {len(ids)} indicators).",
        )
    ]


def _critical(
    protocol: Protocol, consensus: Mapping[str, int | None]
) -> tuple[list[CriticalScore], list[Reason]]:
    scale, must = protocol.scale, protocol.thresholds.critical_must_be_met
    scores: list[CriticalScore] = []
    reasons: list[Reason] = []
    for ind in (i for i in protocol.indicators() if i.critical):
        recorded = ind.id in consensus
        value = consensus.get(ind.id)
        met = None if value is None else value >= scale.met_at
        scores.append(CriticalScore(ind.id, ind.title, recorded, value, met))
        name = f"Critical indicator {ind.id} ({ind.title})"
        if recorded and value is None:
            reasons.append(
                Reason(
                    Severity.missing if must else Severity.caution,
                    "critical",
                    f"{name} was omitted; it must be judged at least {_needs(protocol)}.",
                )
            )
        elif value is not None and not met:
            reasons.append(
                Reason(
                    Severity.blocks if must else Severity.caution,
                    "critical",
                    f"{name} is not met: consensus {scale.level(value).label} ({value}), "
                    f"needs {_needs(protocol)}.",
                )
            )
    if scores and all(c.met for c in scores):
        reasons.append(
            Reason(Severity.met, "critical", f"All {len(scores)} critical indicators are met.")
        )
    return scores, reasons


def _domains(
    protocol: Protocol, consensus: Mapping[str, int | None]
) -> tuple[list[DomainScore], list[Reason]]:
    scores: list[DomainScore] = []
    reasons: list[Reason] = []
    for part in protocol.parts:
        for domain in part.domains:
            marks = [consensus[i.id] for i in domain.indicators if i.id in consensus]
            levels = [m for m in marks if m is not None]
            mean = _mean(levels)
            minimum = minimum_for(protocol, domain)
            passed = None
            # A mean over part of a domain could pass or fail by accident: judge it complete.
            if minimum is not None and len(marks) == len(domain.indicators):
                if mean is None:
                    reasons.append(
                        Reason(
                            Severity.missing,
                            "domain_minimum",
                            f"{domain.title}: every indicator was omitted, so its minimum "
                            f"mean ({minimum:g}) cannot be checked.",
                        )
                    )
                else:
                    passed = mean >= minimum
                    relation = "at or above" if passed else "below"
                    reasons.append(
                        Reason(
                            Severity.met if passed else Severity.blocks,
                            "domain_minimum",
                            f"{domain.title}: mean {mean:.2f} is {relation} "
                            f"the minimum {minimum:g}.",
                        )
                    )
            scores.append(
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
    return scores, reasons


def _overall(
    protocol: Protocol, consensus: Mapping[str, int | None]
) -> tuple[float | None, float | None, list[Reason]]:
    rules = protocol.thresholds
    indicators = list(protocol.indicators())
    marks = [consensus[i.id] for i in indicators if i.id in consensus]
    levels = [m for m in marks if m is not None]
    overall = _mean(levels)
    reasons: list[Reason] = []
    floor = rules.overall_minimum_mean
    if floor is not None and len(marks) == len(indicators):
        if overall is None:
            reasons.append(
                Reason(
                    Severity.missing,
                    "overall_minimum",
                    f"Every indicator was omitted, so the overall minimum mean ({floor:g}) "
                    "cannot be checked.",
                )
            )
        else:
            ok = overall >= floor
            relation = "at or above" if ok else "below"
            reasons.append(
                Reason(
                    Severity.met if ok else Severity.blocks,
                    "overall_minimum",
                    f"Overall mean {overall:.2f} is {relation} the minimum {floor:g}.",
                )
            )
    omitted = len(marks) - len(levels)
    fraction = omitted / len(marks) if marks else None
    if fraction is not None and omitted:
        share = f"{_plural(omitted, 'indicator')} omitted ({fraction:.0%} of those with consensus)"
        limit = rules.max_omitted_fraction
        if limit is not None and fraction > limit:
            reasons.append(
                Reason(
                    Severity.missing,
                    "omitted",
                    f"{share}, more than the {limit:.0%} allowed: gather more information.",
                )
            )
        else:
            within = f", within the {limit:.0%} allowed" if limit is not None else ""
            reasons.append(Reason(Severity.met, "omitted", f"{share}{within}."))
    below = []
    for ind in indicators:
        value = consensus.get(ind.id)
        if not ind.critical and value is not None and value < protocol.scale.met_at:
            below.append(ind.id)
    if below:
        reasons.append(
            Reason(
                Severity.caution,
                "below_met",
                f"{_plural(len(below), 'indicator')} below {_needs(protocol)}: "
                f"{', '.join(below)}; conditions could address them.",
            )
        )
    return overall, fraction, reasons


def _proportionality(protocol: Protocol, check: ProportionalityCheck) -> list[Reason]:
    required = protocol.thresholds.proportionality_required
    if check.status is ProportionalityStatus.met:
        return [Reason(Severity.met, "proportionality", f"Proportionality: {check.text}.")]
    if check.status is ProportionalityStatus.not_met:
        note = "." if required else " (guidance, not a bar)."
        return [
            Reason(
                Severity.blocks if required else Severity.caution,
                "proportionality",
                f"Proportionality: {check.text}{note}",
            )
        ]
    if check.status is ProportionalityStatus.incomplete:
        return [
            Reason(
                Severity.missing if required else Severity.caution,
                "proportionality",
                f"Proportionality not checked: {check.text}.",
            )
        ]
    return []


OUTCOME_OF: dict[Severity, Suggested] = {
    Severity.blocks: Suggested.not_yet_ready,
    Severity.missing: Suggested.insufficient_information,
    Severity.caution: Suggested.ready_with_conditions,
    Severity.met: Suggested.ready,
}
"""The suggestion each worst severity leads to."""


def suggest(
    protocol: Protocol,
    consensus: Mapping[str, int | None],
    *,
    proportionality: ProportionalityCheck,
    open_flags: Sequence[str] = (),
) -> Suggestion:
    """Compute the suggestion from the panel's consensus.

    Args:
        protocol: indicators, scale and thresholds.
        consensus: indicator id -> consensus level, ``None`` for omit; an
            indicator absent from the mapping has no consensus yet.
        proportionality: see :func:`check_proportionality`.
        open_flags: one label per unresolved safety flag.

    Returns:
        The outcome that the worst reason leads to, with every reason, worst first.
    """
    reasons = _consensus_reasons(protocol, consensus)
    critical, found = _critical(protocol, consensus)
    reasons += found
    domains, found = _domains(protocol, consensus)
    reasons += found
    overall, fraction, found = _overall(protocol, consensus)
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
    worst = reasons[0].severity if reasons else Severity.met
    return Suggestion(
        outcome=OUTCOME_OF[worst],
        reasons=tuple(reasons),
        domains=tuple(domains),
        critical=tuple(critical),
        overall_mean=overall,
        omitted_fraction=fraction,
        proportionality=proportionality,
        open_flags=tuple(open_flags),
    )
