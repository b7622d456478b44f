"""Advice on a valid protocol: what a clinical review of the interview checks by machine.

A protocol can load and still measure the wrong thing. These checks are the
mechanical part of a review: anchors at or above *met* that require
collateral (the scale says "where available"), critical flags without a
written reason, questions that invite a yes or no or ask two things at once,
health questions in a selection interview, and an opening that leaves out
consent, the limits of confidentiality or mandated reporting. They advise;
they never stop a protocol from loading, since a programme may have reasons.
The shipped protocol 1.1 draws no advice; ``formers protocol validate
--advice`` lists it for any file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from formers_tui.protocol.model import Protocol

COLLATERAL_WORDS = re.compile(
    r"\b(collateral|records|references?|confirm\w*|corroborat\w*|attest\w*)\b", re.IGNORECASE
)
"""Words that make an anchor lean on collateral."""

WHERE_AVAILABLE = "where available"
_CONDITIONAL = re.compile(r"where (?:it is |they are )?available", re.IGNORECASE)

YES_NO_OPENERS = frozenset(
    "do does did are is was were have has had can could would will should".split()
)
"""First words of a question that can be answered yes or no."""

HEALTH_WORDS = re.compile(
    r"\b(health|diagnos\w*|medicat\w*|drink\w*|drug\w*|alcohol|substance|therap\w*|"
    r"treatment|relapse|sober\w*)\b",
    re.IGNORECASE,
)
"""Words of a health or substance question, which a selection interview should not ask."""

OPENING_MUST_COVER = {
    "consent": re.compile(r"\bconsent", re.IGNORECASE),
    "the limits of confidentiality": re.compile(r"confidential", re.IGNORECASE),
    "mandated reporting": re.compile(r"mandat\w* report", re.IGNORECASE),
}


@dataclass(frozen=True)
class Advice:
    """One thing a reviewer would question."""

    where: str
    """An indicator id, ``scale``, ``opening`` or a role play id."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def advise(protocol: Protocol) -> list[Advice]:
    """Every piece of advice on ``protocol``, in protocol order."""
    out: list[Advice] = []
    met = protocol.scale.met_at
    for level in protocol.scale.levels:
        if level.value >= met and _needs_collateral(level.meaning):
            text = f"level {level.value} requires collateral; say '{WHERE_AVAILABLE}'"
            out.append(Advice("scale", text))
    for indicator in protocol.indicators():
        if indicator.critical and not indicator.critical_rationale:
            out.append(Advice(indicator.id, "critical, but critical_rationale does not say why"))
        for value in sorted(indicator.anchors):
            if value >= met and _needs_collateral(indicator.anchors[value]):
                out.append(
                    Advice(
                        indicator.id,
                        f"the anchor for level {value} requires collateral; "
                        f"say '{WHERE_AVAILABLE}'",
                    )
                )
        out += _questions(indicator.id, indicator.prompts + indicator.probes)
    for vignette in protocol.vignettes:
        out += _questions(vignette.id, vignette.prompts)
    for script in (protocol.opening, protocol.closing):
        if script is not None:
            out += _questions(script.title.lower(), script.prompts)
    out += _opening(protocol)
    return out


def _needs_collateral(text: str) -> bool:
    return bool(COLLATERAL_WORDS.search(text)) and not _CONDITIONAL.search(text)


def _questions(where: str, questions: tuple[str, ...]) -> list[Advice]:
    out: list[Advice] = []
    for question in questions:
        words = question.split()
        if words and words[0].strip(",").lower() in YES_NO_OPENERS:
            out.append(Advice(where, f"can be answered yes or no: {question!r}"))
        if question.count("?") > 1:
            out.append(Advice(where, f"asks more than one question: {question!r}"))
        if HEALTH_WORDS.search(question):
            out.append(Advice(where, f"asks about health or substances: {question!r}"))
    return out


def _opening(protocol: Protocol) -> list[Advice]:
    if protocol.opening is None:
        return [
            Advice(
                "opening",
                "none: an opening covers the purpose, consent, the limits of confidentiality "
                "and mandated reporting before the first question",
            )
        ]
    text = " ".join(protocol.opening.points + protocol.opening.prompts)
    missing = [name for name, pattern in OPENING_MUST_COVER.items() if not pattern.search(text)]
    if missing:
        return [Advice("opening", f"does not cover {', '.join(missing)}")]
    return []
