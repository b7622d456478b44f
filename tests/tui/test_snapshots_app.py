"""The interview as users see it: the real app with its stylesheet, at 80x24 and 120x40.

:class:`FormersApp` opens the interview from the list as it always does; only
its clocks are frozen (a subclass hands the interview screen fixed ones), so
the pictures change only when the screens do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.store import Store
from formers_tui.tui import app as app_module
from formers_tui.tui.app import FormersApp
from formers_tui.tui.screens.interview import InterviewScreen
from tests.conftest import make_interview
from tests.tui.harness import FIXED_NOW

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class FrozenApp(FormersApp):
    """The app, with the interview screen's clocks fixed."""

    CSS_PATH = Path(app_module.__file__).with_name("app.tcss")  # the app's own stylesheet

    def open_interview(self, interview_id: str) -> None:
        assert self.store is not None
        self.push_screen(
            InterviewScreen(self.store, interview_id, clock=lambda: 0.0, now=lambda: FIXED_NOW)
        )


@pytest.fixture
def app(tmp_path: Path, shipped_protocol: LoadedProtocol) -> FrozenApp:
    path = tmp_path / "snap.db"
    store = Store.open(path)
    make_interview(store, shipped_protocol)
    store.close()
    return FrozenApp(store_path=path, encrypt_new_store=False, lock_minutes=0)


def steps(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Open the interview from the list, then press ``keys``; steady cursors."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        for _ in range(500):
            await pilot.pause(0.01)
            table = app.screen.query("#interviews")
            listed = table and table.first().row_count
            # the first page shows before the store has opened; Enter then only says so
            if listed and getattr(app.screen, "store", None) is not None:
                break
        await pilot.press("enter")
        for _ in range(500):
            await pilot.pause(0.01)
            if isinstance(app.screen, InterviewScreen) and app.screen.is_loaded:
                break
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        for screen in app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
            for area in screen.query(TextArea):
                area.cursor_blink = False
                area.notify_style_update()
                area.refresh()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_interview_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_help_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("f1"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_who_rates_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("f6"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_timeline_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("f8"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_quote_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("ctrl+t"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_lock_in_the_app(snap_compare: Any, app: FrozenApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steps("f11"))
