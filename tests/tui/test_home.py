"""The home screen: the list, its filter, and the keys that open interviews."""

from __future__ import annotations

import sys
import threading
import types
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, ratings
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import InterviewSummary, interview_header
from formers_tui.store.models import FlagKind, Status
from formers_tui.store.store import Store
from formers_tui.tui.app import FormersApp, make_app
from formers_tui.tui.screens import home
from formers_tui.tui.screens.home import (
    MAX_ROWS,
    MIN_PROTOCOL_WIDTH,
    HomeScreen,
    Listed,
    column_layout,
    listed,
    matches,
    narrows,
)
from tests.conftest import make_interview

INTERVIEW_MODULE = "formers_tui.tui.screens.interview"


class StandInInterviewScreen(Screen[None]):
    """Takes the interview screen's place so these tests do not depend on it."""

    def __init__(self, store: Store, interview_id: str, read: object = None) -> None:
        super().__init__()
        self.interview_id = interview_id

    def compose(self) -> ComposeResult:
        yield Static(f"Interview {self.interview_id}")


@pytest.fixture(autouse=True)
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType(INTERVIEW_MODULE)
    module.InterviewScreen = StandInInterviewScreen  # type: ignore[attr-defined]
    module.read_interview = lambda *args: None  # type: ignore[attr-defined]  # reads nothing
    monkeypatch.setitem(sys.modules, INTERVIEW_MODULE, module)


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let every worker (and the messages it posts) finish."""
    for _ in range(rounds):
        for _ in range(1000):
            if all(worker.is_finished for worker in pilot.app.workers):
                break
            await pilot.pause(0.01)
        await pilot.pause()


def table(app: FormersApp) -> DataTable[Any]:
    return app.home.query_one("#interviews", DataTable)


def codes(app: FormersApp) -> list[str]:
    grid = table(app)
    return [str(grid.get_row_at(i)[0]) for i in range(grid.row_count)]


def text_of(app: FormersApp, selector: str) -> str:
    return str(app.home.query_one(selector, Static).content)


@pytest.fixture
def three(store: Store, shipped_protocol: LoadedProtocol, mini_protocol: LoadedProtocol) -> Store:
    """Three interviews; the last one created has notes, a rating and an open flag."""
    make_interview(store, shipped_protocol, "PM-2026-001")
    make_interview(store, mini_protocol, "PM-2026-002")
    busy = make_interview(store, shipped_protocol, "XY-0003")
    with store.session() as session:
        interview = get_interview(session, busy)
        protocol = shipped_protocol.protocol
        first, second = [indicator.id for indicator in protocol.indicators()][:2]
        for indicator in (first, second):
            capture.save_note(
                session, interview_id=busy, indicator_id=indicator, text="Said a lot.", actor="t"
            )
        chair = interview_header(session, interview).panel[0]
        ratings.save_rating(
            session,
            interview_id=busy,
            panelist_id=chair.id,
            indicator_id=first,
            value=protocol.scale.values[-1],
            rationale="Clear.",
            actor="t",
        )
        capture.raise_flag(
            session, interview_id=busy, kind=FlagKind.other, note="Check in.", actor="t"
        )
        session.commit()
    return store


async def test_lists_interviews_with_progress_and_flags(three: Store) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert codes(app) == ["XY-0003", "PM-2026-002", "PM-2026-001"]
        first = [str(cell) for cell in table(app).get_row_at(0)]
        assert first[1] == "in progress"
        assert first[2].startswith("peer-mentor-readiness ")
        assert first[3] == "2026-11-02"
        assert first[4] == "2/24 notes · 1 rated"
        assert first[5] == "⚑ 1"
        assert [str(cell) for cell in table(app).get_row_at(1)][4] == "0/4 notes · 0 rated"
        assert text_of(app, "#status") == "3 interviews, most recently changed first."
        assert app.focused is table(app)


async def test_nothing_essential_is_cut_at_80_columns(three: Store) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = table(app)
        keys = [str(column.key.value) for column in grid.ordered_columns]
        assert keys[:2] == ["code", "status"] and keys[-3:] == ["date", "progress", "flags"]
        widths = sum(column.get_render_width(grid) for column in grid.ordered_columns)
        assert widths <= 80 - 1
        assert [str(cell) for cell in grid.get_row_at(0)][-2:] == ["2/24 notes · 1 rated", "⚑ 1"]


async def test_typing_in_the_filter_narrows_the_table(three: Store) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.home.query_one("#filter")
        await pilot.press(*"pm-2026")
        assert codes(app) == ["PM-2026-002", "PM-2026-001"]
        await pilot.press(*" mini")
        assert codes(app) == ["PM-2026-002"]
        assert text_of(app, "#status") == "Showing 1 of 3 interviews."
        await pilot.press(*"zzz")
        assert codes(app) == []
        assert "No interview matches" in text_of(app, "#empty")
        await pilot.press("escape")
        assert codes(app) == ["XY-0003", "PM-2026-002", "PM-2026-001"]
        assert app.focused is table(app)


async def test_typing_a_code_on_the_table_starts_the_filter(three: Store) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"XY")
        assert app.home.query_one("#filter", Input).value == "XY"
        assert codes(app) == ["XY-0003"]
        await pilot.press("enter")
        assert app.focused is table(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StandInInterviewScreen)


async def test_keys_typed_in_a_burst_all_reach_the_filter(three: Store) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ["slash", *"zz", "escape", *"pm -001", "enter", "enter"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert app.home.query_one("#filter", Input).value == "pm -001"
        assert isinstance(app.screen, StandInInterviewScreen)
        with three.session() as session:
            opened = get_interview(session, app.screen.interview_id)
            assert interview_header(session, opened).candidate_code == "PM-2026-001"


async def test_a_code_typed_or_pasted_on_the_list_is_a_filter_not_commands(three: Store) -> None:
    """A burst like a paste without bracketing: the ``n``, ``r`` and ``v`` in it are text."""
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in "PM-nrv":
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert app.screen is app.home
        assert app.home.query_one("#filter", Input).value == "PM-nrv"
        await pilot.press("escape")
        await settle(pilot)
        app.home.post_message(events.Paste("PM-2026\nnv"))
        await settle(pilot)
        assert app.screen is app.home
        assert app.home.query_one("#filter", Input).value == "PM-2026 nv"
        await pilot.press("escape", "n")  # back on the list, n is a command again
        await settle(pilot)
        assert app.screen is not app.home


async def test_enter_opens_the_highlighted_interview(three: Store) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StandInInterviewScreen)
        with three.session() as session:
            opened = get_interview(session, app.screen.interview_id)
            assert interview_header(session, opened).candidate_code == "PM-2026-002"


async def test_r_resumes_the_most_recent_unfinished_interview(three: Store) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "r")
        await pilot.pause()
        assert isinstance(app.screen, StandInInterviewScreen)
        assert app.screen.interview_id == app.home.rows[0].summary.id  # type: ignore[index]


async def test_the_list_is_read_again_on_coming_back(
    three: Store, mini_protocol: LoadedProtocol
) -> None:
    app = make_app(store_path=three.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        make_interview(three, mini_protocol, "AB-NEW")
        app.pop_screen()
        await settle(pilot)
        assert codes(app)[0] == "AB-NEW"


async def test_empty_store_explains_how_to_start(tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert text_of(app, "#empty") == "Press n to start the first interview."
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is app.home


def summary(number: int, code: str | None = None) -> InterviewSummary:
    return InterviewSummary(
        id=f"{number:032x}",
        candidate_code=code or f"PM-{number:05d}",
        status=Status.in_progress,
        protocol_id="peer-mentor-readiness",
        protocol_version="1.0.0",
        interview_date=date(2026, 11, 2),
        updated_at=datetime(2026, 11, 2, tzinfo=timezone.utc) - timedelta(minutes=number),  # noqa: UP017
        indicators=24,
        with_notes=number % 25,
        rated=0,
        open_flags=0,
    )


def test_filter_words_all_have_to_match() -> None:
    rows = [listed(summary(1, "PM-ALPHA"), "draft"), listed(summary(2, "PM-BETA"), "finalized")]
    assert matches(rows, "") == rows
    assert matches(rows, "pm") == rows
    assert matches(rows, "PM final") == rows[1:]
    assert matches(rows, "alpha final") == []


def test_protocol_column_only_when_it_fits() -> None:
    rows = [listed(summary(1), "in progress")]
    full = len("peer-mentor-readiness 1.0.0")
    wide = column_layout(120, rows)
    assert [c.key for c in wide] == ["code", "status", "protocol", "date", "progress", "flags"]
    assert next(c for c in wide if c.key == "protocol").width == full
    shortened = column_layout(80, rows)
    protocol = next(c for c in shortened if c.key == "protocol")
    assert MIN_PROTOCOL_WIDTH <= protocol.width < full
    long_codes = [listed(summary(1, "PM-2026-0001-REFERRAL"), "in progress")]
    dropped = column_layout(80, long_codes)
    assert [c.key for c in dropped] == ["code", "status", "date", "progress", "flags"]
    for layout, width in ((wide, 120), (shortened, 80), (dropped, 80)):
        assert sum(c.width + 2 for c in layout) <= width - 1


async def test_ten_thousand_interviews_filter_quickly(tmp_path: Path) -> None:
    rows: list[Listed] = [listed(summary(n), "in progress") for n in range(10_000)]
    rows[9_999] = replace(rows[9_999], haystack=rows[9_999].haystack + " needle")
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.home.post_message(HomeScreen.Loaded(rows))
        await pilot.pause()
        assert table(app).row_count == MAX_ROWS
        assert text_of(app, "#status") == (
            "Showing the 500 most recently changed of 10,000 interviews; type to narrow."
        )
        await pilot.press("slash")
        rebuilds: list[str] = []
        refilter = app.home.refilter

        def counted() -> None:
            rebuilds.append(app.home.query_one("#filter", Input).value)
            refilter()

        app.home.refilter = counted  # type: ignore[method-assign]
        for character in "needle":  # as fast as a person types: no pause between keys
            app.post_message(events.Key(character, character))
        await pilot.pause(0.5)
        assert codes(app) == ["PM-09999"]
        assert text_of(app, "#status") == "Showing 1 of 10,000 interviews."
        # Typing does not rebuild the table per keystroke: it waits for a pause.
        assert rebuilds == ["needle"]


def test_a_longer_filter_narrows_the_previous_matches() -> None:
    assert narrows("pm", "pm-0")
    assert narrows("pm ", "pm fin")
    assert narrows("", "x")
    assert narrows("PM", "pm-0")
    assert not narrows("pm-0", "pm")
    assert not narrows("pm fin", "pm in")


async def test_a_large_store_shows_its_first_page_before_the_rest(
    three: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formers_tui.store import interviews, quick

    limits: list[tuple[str, int | None]] = []
    real_list, real_page = interviews.list_interviews, quick.first_page

    def recorded(session: Any, **kwargs: Any) -> list[InterviewSummary]:
        limits.append(("store", kwargs.get("limit")))
        return real_list(session, **kwargs)

    def first_page(path: Path, key: Any, limit: int) -> list[InterviewSummary] | None:
        limits.append(("plain", limit))
        return real_page(path, key, limit)

    monkeypatch.setattr(interviews, "list_interviews", recorded)
    monkeypatch.setattr(quick, "first_page", first_page)
    monkeypatch.setattr(home, "FIRST_PAGE", 2)
    app = make_app(store_path=three.path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The first page through plain SQLite, then the whole list once the store is open.
        assert limits == [("plain", 2), ("store", None)]
        assert codes(app) == ["XY-0003", "PM-2026-002", "PM-2026-001"]
        assert text_of(app, "#status") == "3 interviews, most recently changed first."
        # Coming back reads the list again, all at once: the old one is on screen meanwhile.
        app.home.load()
        await settle(pilot)
        assert limits == [("plain", 2), ("store", None), ("store", None)]


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold every store's opening back until the test sets this event."""
    from formers_tui.store.store import Store as StoreClass

    released = threading.Event()
    real_open = StoreClass.open.__func__  # type: ignore[attr-defined]

    def slow_open(cls: type[Store], *args: Any, **kwargs: Any) -> Store:
        released.wait(10)
        opened: Store = real_open(cls, *args, **kwargs)
        return opened

    monkeypatch.setattr(StoreClass, "open", classmethod(slow_open))
    return released


@pytest.mark.parametrize("key", ["enter", "r"])
async def test_the_first_page_is_up_before_the_store_opens(
    three: Store, release: threading.Event, key: str
) -> None:
    """The page read without the ORM is shown; the list's actions wait for the store.

    Enter (the interview under the cursor) and r (the last one unfinished,
    here the same) are kept and done once the store is open.
    """
    app = make_app(store_path=three.path)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):  # not settle(): the store's opening is held back
            await pilot.pause(0.02)
            if app.home.rows is not None:
                break
        await pilot.pause()
        assert app.store is None
        assert codes(app) == ["XY-0003", "PM-2026-002", "PM-2026-001"]
        await pilot.press(key)  # chosen now, opened once the store is
        await pilot.pause(0.1)
        assert len(app.screen_stack) == 1
        release.set()
        for _ in range(50):
            await pilot.pause(0.05)
            if app.store is not None:
                break
        await settle(pilot)
        assert app.store is not None
        assert isinstance(app.screen, StandInInterviewScreen)
        assert app.screen.interview_id == app.home.shown[0].summary.id
        app.pop_screen()
        await settle(pilot)
        assert codes(app) == ["XY-0003", "PM-2026-002", "PM-2026-001"]
        assert text_of(app, "#status") == "3 interviews, most recently changed first."


@pytest.mark.parametrize(
    ("key", "screen_name"),
    [("n", "NewInterviewScreen"), ("v", "PanelScreen"), ("ctrl+r", "ReliabilityScreen")],
)
async def test_a_list_key_pressed_before_the_store_opens_is_done_once_it_has(
    three: Store, release: threading.Event, key: str, screen_name: str
) -> None:
    """New, panel view and reliability pressed on the early first page are not dropped."""
    app = make_app(store_path=three.path)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):  # not settle(): the store's opening is held back
            await pilot.pause(0.02)
            if app.home.rows is not None:
                break
        assert app.store is None and app.home.rows is not None
        await pilot.press(key)
        await pilot.pause(0.1)
        assert len(app.screen_stack) == 1
        release.set()
        for _ in range(100):
            await pilot.pause(0.05)
            if type(app.screen).__name__ == screen_name:
                break
        assert type(app.screen).__name__ == screen_name
        await settle(pilot)  # let it finish mounting before the app closes


async def test_resume_pressed_before_any_list_is_shown_is_done_once_it_is(
    three: Store, release: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """r pressed in the first instant (no page read early here) is kept, not refused."""
    from formers_tui.store import quick

    monkeypatch.setattr(quick, "first_page", lambda *args, **kwargs: None)
    app = make_app(store_path=three.path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.05)
        assert app.store is None and app.home.rows is None
        await pilot.press("r")
        await pilot.pause(0.1)
        assert len(app.screen_stack) == 1
        release.set()
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, StandInInterviewScreen):
                break
        assert isinstance(app.screen, StandInInterviewScreen)
        await settle(pilot)


async def test_until_the_rest_arrives_the_list_says_so(tmp_path: Path) -> None:
    rows = [listed(summary(n), "finalized") for n in range(1_000)]
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.home.post_message(HomeScreen.Loaded(rows[:100], complete=False))
        await pilot.pause()
        app.home.action_focus_table()  # the empty store had hidden it
        assert table(app).row_count == 100
        assert text_of(app, "#status") == (
            "Showing the 100 most recently changed; reading the rest…"
        )
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is app.home  # none of the first page is unfinished
        await pilot.press(*"zzz")
        await pilot.pause()
        assert text_of(app, "#empty") == ""  # no "nothing matches" before all are read
        await pilot.press("escape")
        await pilot.press("down", "down")
        highlighted = app.home.current_id()
        assert highlighted == rows[2].summary.id
        app.home.post_message(HomeScreen.Loaded(rows))
        await pilot.pause()
        assert table(app).row_count == MAX_ROWS
        assert app.home.current_id() == highlighted


async def test_each_key_typed_in_a_large_list_filters_at_once(tmp_path: Path) -> None:
    rows = [listed(summary(n), "in progress") for n in range(10_000)]
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.home.post_message(HomeScreen.Loaded(rows))
        await pilot.pause()
        app.home.action_focus_table()  # the empty store had hidden it
        await pilot.press("down", "down", "down")
        highlighted = app.home.current_id()
        assert highlighted == rows[3].summary.id
        await pilot.press("slash", "p")
        await pilot.pause()
        assert text_of(app, "#status") == (
            "Showing the 500 most recently changed of 10,000 matching interviews; type to narrow."
        )
        # The same first rows match: the table and its cursor are left alone.
        assert app.home.current_id() == highlighted
        for character, count in zip(
            "m-0999", (10_000, 10_000, 10_000, 1_000, 100, 10), strict=True
        ):
            await pilot.press(character)
            await pilot.pause()
            assert len(app.home.shown) == min(count, MAX_ROWS)
        assert codes(app) == [f"PM-0999{n}" for n in range(10)]
        await pilot.press("backspace")  # wider again: every row is searched
        await pilot.pause()
        assert text_of(app, "#status") == "Showing 100 of 10,000 interviews."
        # A screenful at once, the rest over the next frames.
        assert 0 < table(app).row_count <= 100
        for _ in range(100):
            if table(app).row_count == 100:
                break
            await pilot.pause(0.02)
        assert codes(app) == [f"PM-099{n:02d}" for n in range(100)]
