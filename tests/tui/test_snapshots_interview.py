"""Snapshots of the interview screen and its dialogs at 80x24 and 120x40.

Timers, the clock and the time zone are frozen so the pictures only change
when the screen does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from formers_tui.store import capture, ratings
from formers_tui.store.models import Bearing, EvidenceSource, FlagKind, Panelist, Reliability
from formers_tui.store.store import Store
from tests.tui.harness import FIXED_NOW, frozen, opened

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Show times in UTC whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def steps(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Wait for the interview, stop the cursor blinking, then press ``keys``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        for screen in pilot.app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False  # shows the cursor steadily
            for area in screen.query(TextArea):
                area.cursor_blink = False
                area.notify_style_update()  # drops lines cached with the cursor blinked off
                area.refresh()
        await pilot.pause()

    return run_before


@pytest.fixture
def captured(store: Store, interview_id: str) -> str:
    """An interview with notes, a quote, evidence, a rating and an open flag."""
    with store.session() as session:
        capture.save_note(
            session,
            interview_id=interview_id,
            indicator_id="DIS-1",
            text="Joined 2009 through a cousin; left 2018 after prison.\nNo contact since 2019.",
            actor="Dr. Ada Example",
        )
        capture.save_note(
            session, interview_id=interview_id, indicator_id="DIS-2", text="Church group", actor="A"
        )
        capture.add_quote(
            session,
            interview_id=interview_id,
            indicator_id="DIS-1",
            text="I was in for nine years and I've been out for seven.",
            speaker="PM-TEST-01",
            actor="Dr. Ada Example",
            spoken_at=FIXED_NOW,
        )
        capture.add_evidence(
            session,
            interview_id=interview_id,
            item=capture.EvidenceIn(
                source_type=EvidenceSource.probation_parole,
                informant="Officer J. Doe",
                obtained_on=date(2026, 10, 1),
                reliability=Reliability.high,
                summary="Release 2018-06; no violations during supervision.",
                bearing=Bearing.supports,
                indicator_ids=("DIS-1", "DIS-3"),
            ),
            actor="Dr. Ada Example",
        )
        capture.raise_flag(
            session,
            interview_id=interview_id,
            kind=FlagKind.threat_of_violence,
            note="Angry remark about a former associate.",
            actor="Dr. Ada Example",
            indicator_id="DIS-3",
            raised_at=FIXED_NOW,
        )
        chair = session.exec(
            select(Panelist).where(Panelist.interview_id == interview_id, Panelist.is_chair)
        ).one()
        ratings.save_rating(
            session,
            interview_id=interview_id,
            panelist_id=chair.id,
            indicator_id="DIS-1",
            value=2,
            rationale="Dates consistent with records.",
            actor="Dr. Ada Example",
        )
        session.commit()
    return interview_id


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_interview_screen(snap_compare: Any, store: Store, interview_id: str, size: Any) -> None:
    assert snap_compare(frozen(store, interview_id), terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_interview_screen_with_captures(
    snap_compare: Any, store: Store, captured: str, size: Any
) -> None:
    assert snap_compare(frozen(store, captured), terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_evidence_dialog(snap_compare: Any, store: Store, interview_id: str, size: Any) -> None:
    assert snap_compare(frozen(store, interview_id), terminal_size=size, run_before=steps("ctrl+l"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_flag_dialog(snap_compare: Any, store: Store, interview_id: str, size: Any) -> None:
    assert snap_compare(frozen(store, interview_id), terminal_size=size, run_before=steps("ctrl+f"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rating_dialog(snap_compare: Any, store: Store, captured: str, size: Any) -> None:
    with store.session() as session:
        chair = session.exec(
            select(Panelist).where(Panelist.interview_id == captured, Panelist.is_chair)
        ).one()
    assert snap_compare(
        frozen(store, captured, panelist_id=chair.id),
        terminal_size=size,
        run_before=steps("ctrl+r"),
    )


def test_timeline_dialog(snap_compare: Any, store: Store, interview_id: str) -> None:
    with store.session() as session:
        capture.set_timeline(
            session,
            interview_id=interview_id,
            fact_id="involvement_start",
            value="2016-11-01",
            actor="A",
        )
        capture.set_timeline(
            session,
            interview_id=interview_id,
            fact_id="disengaged_on",
            value="2022-11-02",
            actor="A",
        )
        session.commit()
    assert snap_compare(frozen(store, interview_id), terminal_size=(80, 24), run_before=steps("f8"))
