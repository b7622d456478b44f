"""The interview's dialogs as users see them: the real app, its stylesheet, keys only.

Each picture starts from the interview list of a store built once per module
and copied per test, opens the interview with Enter and reaches the dialog by
the keys a panel would press (F6 and a PIN before rating or submitting).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from formers_tui.protocol.loader import load_path
from formers_tui.store import capture, ratings
from formers_tui.store.models import Bearing, EvidenceSource, FlagKind, Reliability
from formers_tui.store.store import Store
from tests.conftest import ROOT, make_interview
from tests.tui import panel_stores as ps
from tests.tui.harness import FIXED_NOW
from tests.tui.test_snapshots_app import SIZES, FrozenApp, steps

IDS = ["80x24", "120x40"]
WHO_RATES = ("f6", "enter", *ps.PINS[ps.ADA], "enter")
"""Say who rates: the chair, first in the list, with her PIN."""


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One interview on the protocol in the order of asking.

    PINs are set; the first indicator has notes, a quote, evidence, an open
    flag and the chair's rating; two timeline facts are recorded.
    """
    path = tmp_path_factory.mktemp("dialog-snapshots") / "store.db"
    store = Store.open(path)
    try:
        loaded = load_path(ROOT / "interviews" / "peer-mentor-readiness-1.1.toml")
        iid = make_interview(store, loaded, "PM-ASK-01")
        ps.give_pins(store, iid)
        with store.session() as session:
            first = "APP-MOT-2"
            capture.save_note(
                session,
                interview_id=iid,
                indicator_id=first,
                text="Spoke to a youth group twice in 2025.\nWants to mentor, not only speak.",
                actor=ps.ADA,
            )
            capture.add_quote(
                session,
                interview_id=iid,
                indicator_id=first,
                text="I want to be the person I needed when I was seventeen.",
                speaker="PM-ASK-01",
                actor=ps.ADA,
                spoken_at=FIXED_NOW,
            )
            capture.add_evidence(
                session,
                interview_id=iid,
                item=capture.EvidenceIn(
                    source_type=EvidenceSource.probation_parole,
                    informant="Officer J. Doe",
                    obtained_on=date(2026, 10, 1),
                    reliability=Reliability.high,
                    summary="Release 2018-06; no violations during supervision.",
                    bearing=Bearing.supports,
                    indicator_ids=(first, "DIS-1"),
                ),
                actor=ps.ADA,
            )
            capture.raise_flag(
                session,
                interview_id=iid,
                kind=FlagKind.threat_of_violence,
                note="Angry remark about a former associate.",
                actor=ps.ADA,
                indicator_id=first,
                raised_at=FIXED_NOW,
            )
            facts = (("involvement_start", "2006-03-01"), ("disengaged_on", "2016-11-02"))
            for fact, value in facts:
                capture.set_timeline(
                    session, interview_id=iid, fact_id=fact, value=value, actor=ps.ADA
                )
            chair = ps.members(session, iid)[ps.ADA]
            ratings.save_rating(
                session,
                interview_id=iid,
                panelist_id=chair.id,
                indicator_id=first,
                value=2,
                rationale="Has thought about what to share.",
                actor=ps.ADA,
            )
            session.commit()
    finally:
        store.close()
    return path


@pytest.fixture
def app(template: Path, tmp_path: Path) -> FrozenApp:
    path = ps.copy_store(template, tmp_path / "store.db")
    return FrozenApp(store_path=path, encrypt_new_store=False, lock_minutes=0)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_captures_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(*WHO_RATES))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_timeline_facts_in_the_app(
    snap_compare: Any, app: FrozenApp, size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("f8"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_rating_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(*WHO_RATES, "ctrl+r"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_evidence_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("ctrl+l"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_flag_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("ctrl+f"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_resolve_flag_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("f10"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_submit_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps(*WHO_RATES, "ctrl+u"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_go_to_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("ctrl+g"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_opening_item_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    keys = ("ctrl+g", *"opening", "enter")
    assert snap_compare(app, terminal_size=size, run_before=steps(*keys))
