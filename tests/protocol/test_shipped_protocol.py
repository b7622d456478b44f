# Guards the shipped interview 1.0.0 (interviews/peer-mentor-readiness.toml): it
# loads, every requirement of the source document ("Formers as Peer Mentors",
# Life After Hate, 2023) is covered by an indicator, every quoted passage is
# verbatim, prompts stay open and non-leading, and anchors are complete.

from __future__ import annotations

from pathlib import Path

import pytest

from formers_tui.protocol.loader import load_path
from formers_tui.protocol.model import Indicator, Protocol
from formers_tui.protocol.registry import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_PATH = ROOT / "interviews" / "peer-mentor-readiness.toml"
SOURCE_PATH = ROOT / "docs" / "source" / "formers-as-peer-mentors-2023.txt"
PROTOCOL_ID = "peer-mentor-readiness"

# Each requirement of the source document -> the indicator(s) covering it.
# Readiness: one entry per bullet of "Readiness: Formers > Requirements", in order.
READINESS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "disengagement": [
        ("disengaged for a period proportionate to their time and depth", ("DIS-1",)),
        ("primary social networks of individuals who are not involved", ("DIS-2",)),
        ("not engaged in online or real-world violent extremist behavior", ("DIS-3",)),
        ("not actively consuming violent extremist or hateful content", ("DIS-4",)),
    ],
    "deradicalization": [
        ("rejected ... the belief that violence is justified", ("DER-1",)),
        ("understand and acknowledge diverse viewpoints", ("DER-2",)),
        ("all humans are worthy of respect ... no longer dehumanizing", ("DER-3",)),
    ],
    "responsibility": [
        ("any involvement creates harm; no minimizing or excusing violence", ("RES-1",)),
        ("accountability, amends, obligations within the legal system", ("RES-2",)),
        ("self-examination; accurate, accountable account of the journey", ("RES-3",)),
    ],
    "reintegration": [
        ("build and maintain primary social networks", ("REI-1",)),
        ("establish and maintain prosocial roles in society", ("REI-2",)),
        ("healthy choices, regular self-examination, seek support", ("REI-3",)),
    ],
}
READINESS_BULLETS = {
    "disengagement": 4,
    "deradicalization": 3,
    "responsibility": 3,
    "reintegration": 3,
}
# Appropriateness: its prose and its Knowledge, Skills, and Attitudes list.
APPROPRIATENESS: list[tuple[str, tuple[str, ...]]] = [
    ("altruism, not status, power, control or self-promotion", ("APP-MOT-1",)),
    ("wish to share their stories and mentor others", ("APP-MOT-2",)),
    ("own experience cannot be generalized or applied to others", ("APP-REL-1",)),
    ("nonjudgmental compassion, empathy, desire to understand", ("APP-REL-2",)),
    ("connect, form working relationships, maintain boundaries", ("APP-REL-3",)),
    ("increasing knowledge and developing skills", ("APP-GRO-1",)),
    ("seek feedback and incorporate it to grow", ("APP-GRO-2",)),
    ("general stability and well-being; focus on the mentee", ("APP-STA-1",)),
    ("personal problems, mental health, substance, legal do not interfere", ("APP-STA-2",)),
    ("self-assessment of psychological state, limits, self-care", ("APP-CARE-1",)),
    ("seek support and consultation from supervisors, peers", ("APP-CARE-2",)),
]
# Requirements the document states without "ideally" or "endeavor" and that
# a positive determination cannot do without.
CRITICAL = {"DIS-2", "DIS-3", "DIS-4", "DER-1", "DER-3", "RES-1", "APP-MOT-1", "APP-STA-2"}

YES_NO_OPENERS = {
    "do",
    "does",
    "did",
    "are",
    "is",
    "was",
    "were",
    "have",
    "has",
    "had",
    "can",
    "could",
    "would",
    "will",
    "should",
}


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_path(PROTOCOL_PATH).protocol


@pytest.fixture(scope="module")
def source_text() -> str:
    return SOURCE_PATH.read_text(encoding="utf-8")


def _indicators(protocol: Protocol) -> list[Indicator]:
    return list(protocol.indicators())


def test_found_in_catalogue_by_id(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FORMERS_HOME", str(tmp_path))
    catalogue = load_catalogue()
    loaded = catalogue.get(f"{PROTOCOL_ID}@1.0.0")  # 1.1.0 is current; 1.0.0 stays available
    assert Path(loaded.origin).resolve() == PROTOCOL_PATH
    assert not [e for e in catalogue.broken if Path(e.origin).name == PROTOCOL_PATH.name]


def test_header(protocol: Protocol) -> None:
    assert protocol.id == PROTOCOL_ID
    assert protocol.version == "1.0.0"
    assert protocol.source == "Formers as Peer Mentors, Life After Hate, March 2023"
    assert protocol.scale.values == (0, 1, 2, 3)
    assert protocol.scale.met_at == 2
    assert protocol.scale.omit_label == "Omit — insufficient information"
    assert protocol.scale.omit_meaning


def test_parts_and_readiness_domains(protocol: Protocol) -> None:
    assert [p.id for p in protocol.parts] == ["readiness", "appropriateness"]
    readiness = protocol.parts[0]
    assert [d.id for d in readiness.domains] == list(READINESS_BULLETS)
    for domain in readiness.domains:
        assert len(domain.indicators) == READINESS_BULLETS[domain.id]
        mapped = [ids[0] for _, ids in READINESS[domain.id]]
        assert [i.id for i in domain.indicators] == mapped
    assert protocol.parts[0].domains[2].title == "Responsibility and Accountability"


def test_requirements_are_covered(protocol: Protocol) -> None:
    known = {i.id for i in protocol.indicators()}
    for domain_id, rows in READINESS.items():
        assert len(rows) == READINESS_BULLETS[domain_id]
        for label, ids in rows:
            assert ids, label
            for indicator_id in ids:
                assert indicator_id in known, f"{label}: no indicator {indicator_id}"
                assert protocol.domain_of(indicator_id).id == domain_id
    for label, ids in APPROPRIATENESS:
        assert ids, label
        for indicator_id in ids:
            assert indicator_id in known, f"{label}: no indicator {indicator_id}"
            assert protocol.part_of(protocol.domain_of(indicator_id).id).id == "appropriateness"


def test_every_indicator_is_mapped_to_a_requirement(protocol: Protocol) -> None:
    mapped = {i for rows in READINESS.values() for _, ids in rows for i in ids}
    mapped |= {i for _, ids in APPROPRIATENESS for i in ids}
    assert {i.id for i in protocol.indicators()} == mapped
    appropriateness = [i.id for d in protocol.parts[1].domains for i in d.indicators]
    assert all(i.startswith("APP-") for i in appropriateness)


def test_passages_are_verbatim(protocol: Protocol, source_text: str) -> None:
    for indicator in protocol.indicators():
        assert indicator.source.section
        assert indicator.source.passage in source_text, indicator.id
    assert protocol.proportionality is not None
    assert protocol.proportionality.source is not None
    assert protocol.proportionality.source.passage in source_text
    assert "minimum of 5 years" in protocol.proportionality.source.passage


def test_indicator_shape(protocol: Protocol) -> None:
    for indicator in protocol.indicators():
        assert len(indicator.title) <= 40, indicator.id
        assert indicator.statement
        assert 2 <= len(indicator.prompts) <= 4, indicator.id
        assert 2 <= len(indicator.probes) <= 4, indicator.id
        assert 2 <= len(indicator.collateral) <= 5, indicator.id


def test_prompts_are_open_questions(protocol: Protocol) -> None:
    for indicator in protocol.indicators():
        for question in indicator.prompts + indicator.probes:
            first = question.split()[0].strip(",").lower()
            assert first not in YES_NO_OPENERS, f"{indicator.id}: yes/no question {question!r}"
        for prompt in indicator.prompts:
            assert prompt.endswith(("?", ".")), f"{indicator.id}: {prompt!r}"


def test_anchors_complete_and_distinct(protocol: Protocol) -> None:
    levels = set(protocol.scale.values)
    for indicator in protocol.indicators():
        assert set(indicator.anchors) == levels, indicator.id
        texts = [indicator.anchors[v] for v in sorted(levels)]
        assert len(set(texts)) == len(texts), indicator.id


def test_critical_indicators(protocol: Protocol) -> None:
    critical = {i.id for i in protocol.indicators() if i.critical}
    assert critical == CRITICAL
    assert 6 <= len(critical) <= 9
    # "Ideally" in the source: proportionate time is a caution, not a bar.
    assert not protocol.indicator("DIS-1").critical
    assert not protocol.thresholds.proportionality_required


def test_proportionality_uses_date_facts(protocol: Protocol) -> None:
    rule = protocol.proportionality
    assert rule is not None
    assert rule.ratio == 1.0
    assert protocol.fact(rule.involved_from).kind == "date"
    assert protocol.fact(rule.disengaged_on).kind == "date"
    depth = protocol.fact("depth")
    assert depth.kind == "choice"
    assert depth.choices == ("peripheral", "member", "recruiter", "leader")
    assert depth.help


def test_thresholds(protocol: Protocol) -> None:
    t = protocol.thresholds
    assert t.critical_must_be_met
    assert t.overall_minimum_mean == 2.0
    assert t.max_omitted_fraction == 0.25
    minimums = {m.domain: m.minimum_mean for m in t.domain_minimums}
    assert set(minimums) == set(READINESS_BULLETS)
    assert all(value in (1.5, 2.0) for value in minimums.values())


def test_guidance(protocol: Protocol) -> None:
    safety = protocol.guidance["safety"].lower()
    for phrase in (
        "suicide",
        "threat of violence",
        "multidisciplinary team",
        "immediately",
        "duty to warn",
        "duty to protect",
        "mandated reporting",
        "children or vulnerable adults",
        "limits",
        "confidentiality",
    ):
        assert phrase in safety, phrase
    interview = protocol.guidance["interview"].lower()
    for phrase in ("semi-structured", "multidisciplinary", "collateral", "trauma-informed"):
        assert phrase in interview, phrase
