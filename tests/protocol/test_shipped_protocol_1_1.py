# Guards protocol 1.1 (interviews/peer-mentor-readiness-1.1.toml) and its
# place beside 1.0.0: both load; 1.1 is what new interviews get; 1.0.0 is
# unchanged byte for byte, since interviews begun with it point at its text.
# What a clinical review asked of 1.1 and a machine can check is held here:
# every requirement covered and every passage verbatim; each critical flag
# carries its rationale; no anchor at "met" or above needs collateral unless
# "where available"; the opening covers consent, the limits of
# confidentiality and mandated reporting; the order of asking places every
# indicator once, rapport first; the prompts the review named are rewritten;
# no health questions; the role plays are defined; the collateral lists hold
# no recovery sponsors, no informally supported people, no observation.

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formers_tui.protocol.advice import COLLATERAL_WORDS, HEALTH_WORDS, YES_NO_OPENERS, advise
from formers_tui.protocol.loader import load_path, text_hash
from formers_tui.protocol.model import Protocol
from formers_tui.protocol.registry import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
V1_0 = ROOT / "interviews" / "peer-mentor-readiness.toml"
V1_1 = ROOT / "interviews" / "peer-mentor-readiness-1.1.toml"
SOURCE_PATH = ROOT / "docs" / "source" / "formers-as-peer-mentors-2023.txt"
PROTOCOL_ID = "peer-mentor-readiness"
V1_0_SHA256 = "4ba6c5eb3e1074cc5642881c70852e0bfeb76a0f8057ff25d07acec14eba888d"

# Requirement -> indicator, as in 1.0.0, with the legal-obligations clause of
# the second responsibility bullet rated apart (RES-4).
REQUIREMENTS = {
    "disengagement": ["DIS-1", "DIS-2", "DIS-3", "DIS-4"],
    "deradicalization": ["DER-1", "DER-2", "DER-3"],
    "responsibility": ["RES-1", "RES-2", "RES-3", "RES-4"],
    "reintegration": ["REI-1", "REI-2", "REI-3"],
    "motivation": ["APP-MOT-1", "APP-MOT-2"],
    "relating": ["APP-REL-1", "APP-REL-2", "APP-REL-3"],
    "growth": ["APP-GRO-1", "APP-GRO-2"],
    "stability": ["APP-STA-1", "APP-STA-2"],
    "selfcare": ["APP-CARE-1", "APP-CARE-2"],
}

# The prompts (P) and probes (Q) of 1.0.0 the review named, 1-based: each must
# be gone from 1.1, rewritten rather than kept.
NAMED_IN_REVIEW = [
    ("DIS-1", "P", 2), ("DIS-1", "Q", 1), ("DIS-2", "Q", 3), ("DIS-3", "P", 3),
    ("DIS-3", "Q", 3), ("DIS-4", "Q", 2), ("DER-1", "P", 1), ("DER-3", "P", 1),
    ("DER-3", "P", 3), ("DER-3", "Q", 2), ("RES-1", "P", 3), ("RES-1", "Q", 1),
    ("RES-1", "Q", 2), ("RES-2", "P", 2), ("RES-2", "Q", 2), ("RES-2", "Q", 3),
    ("RES-3", "P", 2), ("RES-3", "Q", 2), ("REI-3", "P", 3), ("REI-3", "Q", 1),
    ("APP-MOT-1", "Q", 1), ("APP-MOT-1", "Q", 2), ("APP-REL-1", "P", 1),
    ("APP-REL-3", "Q", 2), ("APP-STA-1", "P", 1), ("APP-STA-2", "P", 1),
    ("APP-STA-2", "Q", 1), ("APP-STA-2", "Q", 3), ("APP-CARE-1", "P", 2),
    ("APP-CARE-2", "P", 2), ("APP-CARE-2", "Q", 2), ("APP-CARE-2", "Q", 3),
]  # fmt: skip


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_path(V1_1).protocol


@pytest.fixture(scope="module")
def old() -> Protocol:
    return load_path(V1_0).protocol


def questions(protocol: Protocol) -> list[tuple[str, str]]:
    """Every question the panel may ask, with where it comes from."""
    out = [(i.id, q) for i in protocol.indicators() for q in i.prompts + i.probes]
    out += [(v.id, q) for v in protocol.vignettes for q in v.prompts]
    for script in (protocol.opening, protocol.closing):
        assert script is not None
        out += [(script.title, q) for q in script.prompts]
    return out


def test_both_versions_ship_and_new_interviews_get_1_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FORMERS_HOME", str(tmp_path))
    catalogue = load_catalogue()
    assert not catalogue.broken
    current = catalogue.get(PROTOCOL_ID)
    assert current.protocol.version == "1.1.0"
    assert Path(current.origin).resolve() == V1_1
    older = catalogue.get(f"{PROTOCOL_ID}@1.0.0")
    assert Path(older.origin).resolve() == V1_0
    assert [p.protocol.version for p in catalogue.all_versions()] == ["1.1.0", "1.0.0"]


def test_1_0_is_unchanged() -> None:
    # Interviews begun with 1.0.0 are tied to this exact text by its hash.
    text = V1_0.read_text(encoding="utf-8")
    assert text_hash(text) == V1_0_SHA256
    assert load_path(V1_0).protocol.version == "1.0.0"


def test_header_and_requirements(protocol: Protocol, old: Protocol) -> None:
    assert protocol.id == old.id == PROTOCOL_ID
    assert protocol.version == "1.1.0"
    assert protocol.scale.values == old.scale.values == (0, 1, 2, 3)
    assert protocol.scale.met_at == old.scale.met_at == 2
    assert [p.id for p in protocol.parts] == ["readiness", "appropriateness"]
    assert {d.id: [i.id for i in d.indicators] for d in protocol.domains()} == REQUIREMENTS
    # Every 1.0.0 indicator keeps its id, so notes and evidence read the same way.
    assert {i.id for i in old.indicators()} <= {i.id for i in protocol.indicators()}


def test_passages_are_verbatim(protocol: Protocol) -> None:
    source = SOURCE_PATH.read_text(encoding="utf-8")
    for indicator in protocol.indicators():
        assert indicator.source.section
        assert indicator.source.passage in source, indicator.id
    assert protocol.proportionality is not None and protocol.proportionality.source is not None
    assert protocol.proportionality.source.passage in source


def test_res_2_is_split_into_amends_and_legal_obligations(protocol: Protocol) -> None:
    amends, legal = protocol.indicator("RES-2"), protocol.indicator("RES-4")
    assert "amends" in amends.source.passage and "legal" not in amends.source.passage
    assert "legal system" in legal.source.passage and "amends" not in legal.source.passage
    assert not any("legal" in a for a in amends.anchors.values())
    assert legal.critical and not amends.critical


def test_every_critical_flag_carries_its_rationale(protocol: Protocol) -> None:
    critical = [i for i in protocol.indicators() if i.critical]
    assert critical
    for indicator in critical:
        assert len(indicator.critical_rationale.split()) >= 8, indicator.id
    # The non-critical ones say why not, too: the review found the flags inconsistent.
    for indicator in protocol.indicators():
        assert indicator.critical_rationale, indicator.id


def test_critical_flags(protocol: Protocol) -> None:
    critical = {i.id for i in protocol.indicators() if i.critical}
    # Boundaries and legal obligations are firm in the source and protect mentees.
    assert {"APP-REL-3", "RES-4", "APP-STA-2", "APP-MOT-1", "DIS-3", "DER-1"} <= critical
    # "Ideally" and "endeavor" never make an indicator critical.
    for indicator in protocol.indicators():
        passage = indicator.source.passage.lower()
        if passage.startswith("ideally") or " endeavor to " in passage.split(".")[0]:
            assert not indicator.critical, indicator.id
    assert not protocol.indicator("DIS-1").critical


def test_no_anchor_at_met_or_above_requires_collateral(protocol: Protocol) -> None:
    met = protocol.scale.met_at
    for indicator in protocol.indicators():
        for value, text in indicator.anchors.items():
            if value >= met and COLLATERAL_WORDS.search(text):
                assert "where available" in text, f"{indicator.id} level {value}: {text}"
    for level in protocol.scale.levels:
        if level.value >= met and COLLATERAL_WORDS.search(level.meaning):
            assert "where available" in level.meaning, level.label


def test_level_0_and_omit_are_told_apart(protocol: Protocol) -> None:
    zero = protocol.scale.level(0).meaning.lower()
    assert "despite adequate inquiry" in zero and "omit" in zero
    omit = protocol.scale.omit_meaning.lower()
    assert "declin" in omit and "never as 0" in omit


def test_named_anchor_repairs(protocol: Protocol) -> None:
    res1 = protocol.indicator("RES-1").anchors
    assert "openly" in res1[2] and "publicly" in res1[3]
    assert "administering" in protocol.indicator("DIS-3").anchors[0]
    assert "administering" not in protocol.indicator("DIS-3").anchors[1]
    # One condition for REI-3 at 0, not three at once; APP-STA-2 at 0 is no prediction.
    assert " and no " not in protocol.indicator("REI-3").anchors[0]
    assert "likely" not in protocol.indicator("APP-STA-2").anchors[0]
    der1 = protocol.indicator("DER-1").anchors
    assert "in their own words" in der1[3] and "in their own words" not in der1[2]
    dis1 = protocol.indicator("DIS-1").anchors
    assert "roughly" not in dis1[2] and "guideline is met" in dis1[2]


def test_opening_and_closing(protocol: Protocol) -> None:
    assert protocol.opening is not None and protocol.closing is not None
    opening = " ".join(protocol.opening.points).lower()
    for phrase in (
        "consent",
        "limits of confidentiality",
        "mandated reporting",
        "duty to warn",
        "purpose",
        "decline",
    ):
        assert phrase in opening, phrase
    closing = " ".join(protocol.closing.points + protocol.closing.prompts).lower()
    for phrase in ("did not ask", "check in", "support"):
        assert phrase in closing, phrase


def test_order_of_asking_places_every_indicator_once_rapport_first(protocol: Protocol) -> None:
    asked = [i.id for i in protocol.asking_order()]
    assert sorted(asked) == sorted(i.id for i in protocol.indicators())
    assert len(asked) == len(set(asked))
    assert asked != [i.id for i in protocol.indicators()]
    assert asked[:2] == ["APP-MOT-2", "APP-MOT-1"]
    # The most sensitive material and the fact checks come after the candidate's own story.
    for late in ("DIS-2", "DIS-3", "DIS-4", "RES-1", "RES-4"):
        assert asked.index(late) > asked.index("RES-3"), late
    placed = [v for stage in protocol.asking for v in stage.vignettes]
    assert sorted(placed) == sorted(v.id for v in protocol.vignettes)


def test_role_plays_are_defined(protocol: Protocol) -> None:
    assert len(protocol.vignettes) >= 2
    informed = {i for v in protocol.vignettes for i in v.indicators}
    for vignette in protocol.vignettes:
        assert vignette.situation and vignette.setup and vignette.prompts and vignette.listen_for
    for indicator in protocol.indicators():
        mentions = any("role play" in a for a in indicator.anchors.values())
        assert not mentions or indicator.id in informed, indicator.id


def test_prompts_are_open_single_questions(protocol: Protocol) -> None:
    for where, question in questions(protocol):
        first = question.split()[0].strip(",").lower()
        assert first not in YES_NO_OPENERS, f"{where}: yes/no question {question!r}"
        assert question.count("?") <= 1, f"{where}: more than one question in {question!r}"
        assert question.endswith(("?", ".")), f"{where}: {question!r}"
    for indicator in protocol.indicators():
        assert 2 <= len(indicator.prompts) <= 4, indicator.id
        assert 2 <= len(indicator.probes) <= 4, indicator.id
        assert 2 <= len(indicator.collateral) <= 5, indicator.id
    texts = [q for _, q in questions(protocol)]
    assert len(texts) == len(set(texts)), "the same question is asked twice"


def test_no_health_questions(protocol: Protocol) -> None:
    for where, question in questions(protocol):
        assert not HEALTH_WORDS.search(question), f"{where}: {question!r}"
    assert "diagnoses" in protocol.guidance["health"]


def test_prompts_named_in_the_review_are_rewritten(protocol: Protocol, old: Protocol) -> None:
    now = {q for _, q in questions(protocol)}
    for indicator_id, kind, number in NAMED_IN_REVIEW:
        indicator = old.indicator(indicator_id)
        before = (indicator.prompts if kind == "P" else indicator.probes)[number - 1]
        assert before not in now, f"{indicator_id} {kind}{number} is unchanged: {before!r}"


def test_collateral_corrections(protocol: Protocol) -> None:
    banned = re.compile(
        r"sponsor|recovery|informally supported|observation|during the interview", re.IGNORECASE
    )
    everything = [c for i in protocol.indicators() for c in i.collateral]
    for item in everything:
        assert not banned.search(item), item
    joined = " ".join(everything).lower()
    assert "background check" in joined
    assert "earlier peer" in joined
    assert "specific written consent" in joined  # therapists only with specific consent
    collateral = protocol.guidance["collateral"].lower()
    assert "use with care" in collateral and "anonymity" in collateral


def test_evidence_is_rated_once(protocol: Protocol) -> None:
    # Neighbouring indicators say where the shared evidence is rated.
    assert "REI-1" in protocol.indicator("DIS-2").statement
    assert "DIS-2" in protocol.indicator("REI-1").statement
    assert "APP-STA-2" in protocol.indicator("REI-3").statement
    assert "APP-CARE-2" in protocol.indicator("APP-CARE-1").statement
    assert "REI-3" in protocol.indicator("APP-CARE-2").statement
    assert "RES-4" in protocol.indicator("RES-2").statement
    # The relational network is no longer confirmed at DIS-2's top level by REI-1's evidence.
    assert "several areas of life" not in protocol.indicator("DIS-2").anchors[3]
    assert "rating" in protocol.guidance and "once" in protocol.guidance["rating"]


def test_thresholds_are_non_compensatory_and_explained(protocol: Protocol) -> None:
    t = protocol.thresholds
    assert t.rationale and t.critical_must_be_met
    assert t.part_minimum("readiness") == t.part_minimum("appropriateness") == 2.0
    assert t.indicator_floor == 1
    assert t.max_noncritical_omits is not None and t.max_noncritical_omits <= 2
    assert not t.proportionality_required  # "Ideally" in the source
    for minimum in t.domain_minimums:
        assert minimum.rationale, minimum.domain


def test_timeline_carries_depth_partial_dates_and_earlier_periods(protocol: Protocol) -> None:
    from datetime import date

    from formers_tui.protocol.timeline import ProportionalityStatus, check_rule

    rule = protocol.proportionality
    assert rule is not None
    assert protocol.fact(rule.depth).kind == "choice"
    assert protocol.fact(rule.earlier_periods).kind == "periods"
    for fact_id in (rule.involved_from, rule.disengaged_on):
        assert "2010-06" in protocol.fact(fact_id).help or "a month" in protocol.fact(fact_id).help
    assert "ongoing" in protocol.fact(rule.disengaged_on).help
    history = {
        "involvement_start": "2008",
        "disengaged_on": "2012-06",
        "earlier_involvement": "2003 to 2005",
        "depth": "recruiter",
    }
    check = check_rule(rule, history, date(2026, 11, 2))
    assert check.status is ProportionalityStatus.met
    assert "over 2 periods" in check.text and "recruiter" in check.text
    ongoing = check_rule(rule, {**history, "disengaged_on": "ongoing"}, date(2026, 11, 2))
    assert ongoing.status is ProportionalityStatus.ongoing


def test_a_review_by_machine_finds_nothing_in_1_1_and_what_the_review_found_in_1_0(
    protocol: Protocol, old: Protocol
) -> None:
    assert advise(protocol) == []
    found = [str(a) for a in advise(old)]
    level_2 = [a for a in found if "anchor for level 2 requires collateral" in a]
    assert len(level_2) >= 7  # the review counted seven at level 2
    assert sum("critical, but" in a for a in found) == 8
    assert sum("health or substances" in a for a in found) == 3
    assert any(a.startswith("opening: none") for a in found)
