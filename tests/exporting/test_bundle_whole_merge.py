"""A whole interview arriving by bundle in a store that has it: content merges, nothing drops."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.errors import FormersError
from formers_tui.exporting import bundle as bundle_module
from formers_tui.exporting.bundle import import_bundle, merge_payload, seal, unseal, write_bundle
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, signing
from formers_tui.store.models import (
    Bearing,
    EvidenceSource,
    FlagKind,
    Note,
    Quote,
    Reliability,
    SafetyFlag,
    SignOff,
)
from formers_tui.store.panel_decision import sign_off
from formers_tui.store.panel_view import suggestion
from formers_tui.store.store import Store
from tests.conftest import make_interview
from tests.exporting.builders import snapshot
from tests.exporting.conftest import open_copy
from tests.exporting.test_bundle_rules import ADA, PAT, PIN_OF, SAM, Laptops, agree, determine
from tests.store.test_panel import DOMAINS, give_pins


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_module, "SCRYPT_N", 2**10)
    monkeypatch.setattr(signing, "SCRYPT_N", 2**10)


@pytest.fixture
def laptops(
    templates: dict[str, Path], mini_protocol: LoadedProtocol, tmp_path: Path
) -> Iterator[Laptops]:
    chair = open_copy(templates["empty"], tmp_path / "chair.db")
    laptop = open_copy(templates["empty"], tmp_path / "laptop.db")
    iid = make_interview(chair, mini_protocol)
    give_pins(chair, iid)
    with chair.session() as session:
        capture.save_note(
            session, interview_id=iid, indicator_id="ONE-1", text="Chair's note.", actor="A"
        )
        session.commit()
        write_bundle(session, iid, tmp_path / "blank.bundle", with_ratings=False)
    with laptop.session() as session:
        import_bundle(session, tmp_path / "blank.bundle")
    yield Laptops(chair, laptop, iid, tmp_path)
    chair.close()
    laptop.close()


def capture_on_laptop(state: Laptops) -> str:
    """The laptop captures a note, a quote, evidence, a timeline fact and a safety flag."""
    iid = state.iid
    with state.laptop.session() as session:
        capture.save_note(
            session, interview_id=iid, indicator_id="TWO-1", text="Laptop's note.", actor="S"
        )
        capture.add_quote(
            session,
            interview_id=iid,
            indicator_id="ONE-2",
            text="I walked away.",
            speaker="Candidate",
            actor="S",
        )
        capture.add_evidence(
            session,
            interview_id=iid,
            item=capture.EvidenceIn(
                source_type=EvidenceSource.employer,
                informant="Boss",
                obtained_on=date(2026, 10, 1),
                reliability=Reliability.high,
                summary="Reliable at work.",
                bearing=Bearing.supports,
                indicator_ids=("ONE-1", "TWO-1"),
            ),
            actor="S",
        )
        capture.set_timeline(
            session, interview_id=iid, fact_id="involvement_start", value="2005-01-01", actor="S"
        )
        flag = capture.raise_flag(
            session,
            interview_id=iid,
            kind=FlagKind.threat_of_violence,
            note="Spoke of getting even.",
            actor="S",
        )
        session.commit()
        return flag.id


def whole(state: Laptops, store: Store, name: str) -> Path:
    path = state.folder / name
    with store.session() as session:
        write_bundle(session, state.iid, path)
    return path


def flag_reasons(session: Any, iid: str) -> list[str]:
    reasons = suggestion(session, iid).reasons
    return [r.text for r in reasons if r.rule == "safety_flags"]


def counts(store: Store) -> dict[str, Any]:
    with store.session() as session:
        return {
            "notes": sorted((n.indicator_id, n.text) for n in session.exec(select(Note))),
            "quotes": sorted(q.id for q in session.exec(select(Quote))),
            "flags": sorted(
                (f.id, f.resolved_at is not None) for f in session.exec(select(SafetyFlag))
            ),
            **snapshot(store),
        }


def test_notes_quotes_evidence_timeline_and_flags_come_across(laptops: Laptops) -> None:
    flag = capture_on_laptop(laptops)
    path = whole(laptops, laptops.laptop, "back.bundle")
    with laptops.chair.session() as session:
        flagged_before = flag_reasons(session, laptops.iid)
        report = import_bundle(session, path)
    assert report.merged == {
        "notes": 1,
        "timeline facts": 1,
        "quotes": 1,
        "evidence items": 1,
        "safety flags": 1,
    }
    assert report.not_merged == []
    with laptops.chair.session() as session:
        flags = capture.flags_of(session, laptops.iid, open_only=True)
        assert [f.id for f in flags] == [flag]
        assert capture.notes_of(session, laptops.iid) == {
            "ONE-1": "Chair's note.",
            "TWO-1": "Laptop's note.",
        }
        assert capture.timeline_of(session, laptops.iid)["involvement_start"] == "2005-01-01"
        ((item, linked),) = capture.evidence_of(session, laptops.iid)
        assert item.summary == "Reliable at work." and sorted(linked) == ["ONE-1", "TWO-1"]
        flagged_after = flag_reasons(session, laptops.iid)
    assert flagged_before == [] and len(flagged_after) == 1
    assert "safety flag" in flagged_after[0], "the merged flag weighs as a typed one would"
    before = counts(laptops.chair)
    with laptops.chair.session() as session:
        again = import_bundle(session, path)
    assert again.merged == {} and again.not_merged == []
    assert counts(laptops.chair) == before


def test_a_flag_resolved_elsewhere_is_resolved_here(laptops: Laptops) -> None:
    flag = capture_on_laptop(laptops)
    with laptops.chair.session() as session:
        import_bundle(session, whole(laptops, laptops.laptop, "first.bundle"))
    with laptops.laptop.session() as session:
        capture.resolve_flag(
            session, interview_id=laptops.iid, flag_id=flag, action_taken="Called.", actor="S"
        )
        session.commit()
    with laptops.chair.session() as session:
        report = import_bundle(session, whole(laptops, laptops.laptop, "second.bundle"))
        assert report.merged == {"flag resolutions": 1}
        row = session.get(SafetyFlag, flag)
        assert row is not None and row.action_taken == "Called."


def test_what_differs_is_kept_and_named_and_the_cli_exits_1(laptops: Laptops) -> None:
    capture_on_laptop(laptops)
    with laptops.laptop.session() as session:
        capture.save_note(
            session, interview_id=laptops.iid, indicator_id="ONE-1", text="Rewritten.", actor="S"
        )
        session.commit()
    laptops.rate(laptops.laptop, SAM, 2)
    path = whole(laptops, laptops.laptop, "back.bundle")
    with laptops.laptop.session() as session:
        # A whole bundle made as Sam carries Sam's own ratings: still not how ratings travel.
        sam = laptops.member(laptops.laptop, SAM).id
        write_bundle(session, laptops.iid, laptops.folder / "as-sam.bundle", reader_id=sam)
    result = CliRunner().invoke(
        app, ["--db", str(laptops.chair.path), "bundle", "import", str(path), "--json"]
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["merged"]["safety flags"] == 1
    assert any("note on ONE-1 differs" in s for s in report["not_merged"])
    with laptops.chair.session() as session:
        assert capture.notes_of(session, laptops.iid)["ONE-1"] == "Chair's note."
        mine = import_bundle(session, laptops.folder / "as-sam.bundle")
    assert any("ratings" in s and "signed bundle" in s for s in mine.not_merged)
    result = CliRunner().invoke(
        app, ["--db", str(laptops.chair.path), "bundle", "import", str(path)]
    )
    assert result.exit_code == 1 and "Not merged: The note on ONE-1 differs" in result.stderr


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))] or [path]
    return [path]


SCALARS = st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=8)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), replacement=SCALARS)
def test_an_edited_whole_bundle_merges_or_is_refused_without_a_trace(
    laptops: Laptops, data: st.DataObject, replacement: Any
) -> None:
    path = laptops.folder / "fuzz-whole.bundle"
    if not path.exists():
        capture_on_laptop(laptops)
        path = whole(laptops, laptops.laptop, "fuzz-whole.bundle")
    payload = unseal(path.read_bytes())
    where = data.draw(st.sampled_from([p for p in leaves(payload["interview"]) if p]))
    target = payload["interview"]
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = replacement
    before = counts(laptops.chair)
    try:
        with laptops.chair.session() as session:
            merge_payload(session, unseal(seal(payload)))
    except FormersError:
        assert counts(laptops.chair) == before


def test_content_arriving_after_a_sign_off_withdraws_it_as_typing_does(laptops: Laptops) -> None:
    for name in (ADA, SAM, PAT):
        laptops.rate(laptops.chair, name, 2)
    ada = laptops.member(laptops.chair, ADA)
    with laptops.chair.session() as session:
        agree(session, laptops.iid, tuple(i for d in DOMAINS.values() for i in d))
        determine(session, laptops.iid)
        sign_off(session, interview_id=laptops.iid, panelist_id=ada.id, pin=PIN_OF[ADA], actor=ADA)
        session.commit()
    with laptops.laptop.session() as session:
        flag = capture.raise_flag(
            session, interview_id=laptops.iid, kind=FlagKind.other, note="Late news.", actor="S"
        ).id
        session.commit()
    with laptops.chair.session() as session:
        report = import_bundle(session, whole(laptops, laptops.laptop, "late.bundle"))
        assert report.merged == {"safety flags": 1}
        assert session.exec(select(SignOff)).all() == []
        assert session.get(SafetyFlag, flag) is not None
