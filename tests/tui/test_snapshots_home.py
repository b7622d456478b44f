"""Snapshots of the home screen and the new-interview form, small and large.

The store is built from fixtures with fixed dates, and "today" is frozen, so
nothing in a snapshot depends on the clock. Cursor blinking is switched off
before each screenshot for the same reason.
"""

from __future__ import annotations

import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, ratings
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import FlagKind
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from formers_tui.tui.screens import new_interview
from tests.conftest import make_interview

SMALL = (80, 24)
LARGE = (120, 40)
NOTICE = "Demo store in a temporary folder — nothing here is real; it is deleted on exit"


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed today; no interview screen is ever opened here."""
    monkeypatch.setattr(new_interview, "today", lambda: date(2026, 11, 2))
    module = types.ModuleType("formers_tui.tui.screens.interview")
    module.InterviewScreen = Screen  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)


@pytest.fixture
def store_path(
    tmp_path: Path, shipped_protocol: LoadedProtocol, mini_protocol: LoadedProtocol
) -> Path:
    """Three interviews, one with notes, a rating and an open safety flag."""
    path = tmp_path / "snapshots.db"
    store = Store.open(path)
    make_interview(store, shipped_protocol, "PM-2026-001")
    make_interview(store, mini_protocol, "PM-2026-002")
    busy = make_interview(store, shipped_protocol, "PM-2026-003")
    protocol = shipped_protocol.protocol
    indicators = [indicator.id for indicator in protocol.indicators()]
    with store.session() as session:
        for indicator in indicators[:5]:
            capture.save_note(
                session, interview_id=busy, indicator_id=indicator, text="Notes.", actor="t"
            )
        panel = interview_header(session, get_interview(session, busy)).panel
        for indicator in indicators[:3]:
            ratings.save_rating(
                session,
                interview_id=busy,
                panelist_id=panel[0].id,
                indicator_id=indicator,
                value=protocol.scale.values[-1],
                rationale="Clear.",
                actor="t",
            )
        capture.raise_flag(
            session, interview_id=busy, kind=FlagKind.other, note="Check in.", actor="t"
        )
        session.commit()
    store.close()
    return path


async def settled(pilot: Pilot[Any]) -> None:
    """Wait for the store and the list; stop cursors blinking."""
    for _ in range(3):
        for _ in range(1000):
            if all(worker.is_finished for worker in pilot.app.workers):
                break
            await pilot.pause(0.01)
        await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


async def on_new_form(pilot: Pilot[Any]) -> None:
    await settled(pilot)
    await pilot.press("n")
    await settled(pilot)


async def on_filled_form_with_error(pilot: Pilot[Any]) -> None:
    await on_new_form(pilot)
    await pilot.press(*"PM-2026-014")
    pilot.app.screen.query(".member-name").first(Input).focus()
    await pilot.press(*"Dr. Ada Example", "ctrl+n", *"Sam Sample", "ctrl+n", *"Pat Placeholder")
    await pilot.press("ctrl+s")
    await settled(pilot)


async def on_filter(pilot: Pilot[Any]) -> None:
    await settled(pilot)
    await pilot.press(*"PM-2026-00", "1")
    await settled(pilot)


def test_home_small(snap_compare: Any, store_path: Path) -> None:
    assert snap_compare(make_app(store_path=store_path), terminal_size=SMALL, run_before=settled)


def test_home_large_with_notice(snap_compare: Any, store_path: Path) -> None:
    app = make_app(store_path=store_path, notice=NOTICE)
    assert snap_compare(app, terminal_size=LARGE, run_before=settled)


def test_home_filtered_small(snap_compare: Any, store_path: Path) -> None:
    assert snap_compare(make_app(store_path=store_path), terminal_size=SMALL, run_before=on_filter)


def test_home_empty_small(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path / "empty.db", encrypt_new_store=False)
    assert snap_compare(app, terminal_size=SMALL, run_before=settled)


def test_home_high_contrast_small(snap_compare: Any, store_path: Path) -> None:
    app = make_app(store_path=store_path)
    assert snap_compare(app, terminal_size=SMALL, press=["f12"], run_before=settled)


def test_new_interview_small(snap_compare: Any, store_path: Path) -> None:
    app = make_app(store_path=store_path)
    assert snap_compare(app, terminal_size=SMALL, run_before=on_new_form)


def test_new_interview_large(snap_compare: Any, store_path: Path) -> None:
    app = make_app(store_path=store_path)
    assert snap_compare(app, terminal_size=LARGE, run_before=on_new_form)


def test_new_interview_refused_small(snap_compare: Any, store_path: Path) -> None:
    app = make_app(store_path=store_path)
    assert snap_compare(app, terminal_size=SMALL, run_before=on_filled_form_with_error)
