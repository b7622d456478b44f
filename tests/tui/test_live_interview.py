"""The live interview in the real app at 80x24: leaving, locking, typing where it belongs.

Each test drives :class:`FormersApp` with its stylesheet, as a panel would:
an interview opened from the list, then keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, panel
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import interview_header
from formers_tui.store.store import Store
from formers_tui.tui.app import FormersApp, make_app
from formers_tui.tui.screens.interview import InterviewScreen
from formers_tui.tui.screens.lock import PIN_TRIES, LockScreen
from formers_tui.tui.widgets.notes_editor import NotesEditor
from tests.conftest import make_interview

PASSPHRASE = "correct horse battery staple"
PINS = {"Dr. Ada Example": "1111", "Sam Sample": "2222", "Pat Placeholder": "3333"}


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let workers and the messages they post finish."""
    for _ in range(rounds):
        for _ in range(1000):
            if all(worker.is_finished for worker in pilot.app.workers):
                break
            await pilot.pause(0.01)
        await pilot.pause()


def with_pins(store: Store, interview_id: str) -> dict[str, str]:
    """Give every panelist their PIN; return panelist id by name."""
    ids = {}
    with store.session() as session:
        header = interview_header(session, get_interview(session, interview_id))
        for member in header.panel:
            panel.set_pin(
                session,
                interview_id=interview_id,
                panelist_id=member.id,
                pin=PINS[member.name],
                actor=member.name,
            )
            ids[member.name] = member.id
        session.commit()
    return ids


async def open_interview(pilot: Pilot[Any], app: FormersApp) -> InterviewScreen:
    await settle(pilot)
    table = app.home.query_one("#interviews", DataTable)
    for _ in range(300):
        if table.row_count and app.focused is table:
            break
        await pilot.pause(0.01)
    await pilot.press("enter")  # the only interview, highlighted
    for _ in range(300):
        await pilot.pause(0.01)
        if isinstance(app.screen, InterviewScreen) and app.screen.is_loaded:
            await pilot.pause()
            return app.screen
    raise AssertionError("the interview did not open")


def _status(screen: InterviewScreen) -> str:
    return str(screen.query_one("#progress", Static).content)


async def test_escape_leaves_the_interview_for_the_list_and_keeps_the_store_open(
    store: Store, shipped_protocol: LoadedProtocol
) -> None:
    make_interview(store, shipped_protocol)
    store.close()
    app = make_app(store_path=store.path, encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_interview(pilot, app)
        await pilot.press(*"left for the list")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.home
        assert app.store is not None  # no passphrase again to come back
        with app.store.session() as session:
            assert list(capture.notes_of(session, screen.interview_id).values()) == [
                "left for the list"
            ]
        screen = await open_interview(pilot, app)
        assert screen.query_one(NotesEditor).text == "left for the list"
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Back to the list" in titles
        app.action_home()
        await settle(pilot)
        assert app.screen is app.home


async def test_typing_after_shift_tab_still_goes_into_the_notes(
    store: Store, shipped_protocol: LoadedProtocol
) -> None:
    make_interview(store, shipped_protocol)
    store.close()
    app = make_app(store_path=store.path, encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_interview(pilot, app)
        editor = screen.query_one(NotesEditor)
        await pilot.press("shift+tab")
        assert app.focused is not screen.query_one("#indicator")  # the prompts take no cursor
        await pilot.press(*"kept")
        assert editor.text == "kept"
        assert app.focused is editor


async def test_progress_names_no_rating_count_until_someone_rates(
    store: Store, shipped_protocol: LoadedProtocol
) -> None:
    interview_id = make_interview(store, shipped_protocol)
    with_pins(store, interview_id)
    store.close()
    app = make_app(store_path=store.path, encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_interview(pilot, app)
        assert _status(screen) == "notes 0/24"
        await pilot.press("f6", *"1111", "enter")
        await settle(pilot)
        assert _status(screen) == "notes 0/24 · rated 0/24"


async def test_the_idle_lock_opens_with_a_panelists_pin_and_asks_who_rates(
    tmp_path: Path, shipped_protocol: LoadedProtocol
) -> None:
    path = tmp_path / "locked.db"
    store = Store.open(path, passphrase=PASSPHRASE)
    ids = with_pins(store, make_interview(store, shipped_protocol))
    store.close()
    app = make_app(store_path=path, passphrase=PASSPHRASE, lock_minutes=10)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_interview(pilot, app)
        await pilot.press("f6", "down", *"2222", "enter")  # Sam rates, PIN before Enter
        await settle(pilot)
        assert screen.rater_id == ids["Sam Sample"]
        app.last_activity -= 601
        app.lock_if_idle()
        await settle(pilot)
        lock = app.screen
        assert isinstance(lock, LockScreen)
        assert screen.rater_id == ""  # nobody rates behind the lock
        who = lock.query_one("#lock-who", OptionList)
        assert who.highlighted is not None
        assert who.get_option_at_index(who.highlighted).id == ids["Sam Sample"]
        await pilot.press("down", *"3333", "enter")  # Pat takes over with Pat's PIN
        await settle(pilot)
        assert app.screen is screen
        assert screen.rater_id == ids["Pat Placeholder"]
        assert "rating: Pat Placeholder" in str(screen.query_one("#interview-title").render())


async def test_after_wrong_pins_only_the_passphrase_unlocks(
    tmp_path: Path, shipped_protocol: LoadedProtocol
) -> None:
    path = tmp_path / "locked.db"
    store = Store.open(path, passphrase=PASSPHRASE)
    with_pins(store, make_interview(store, shipped_protocol))
    store.close()
    app = make_app(store_path=path, passphrase=PASSPHRASE, lock_minutes=10)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_interview(pilot, app)
        await pilot.press("f11")
        await settle(pilot)
        lock = app.screen
        assert isinstance(lock, LockScreen)
        for _ in range(PIN_TRIES):
            await pilot.press(*"9999", "enter")
            await settle(pilot)
        assert not lock.pins_taken
        assert "only the store passphrase" in str(lock.query_one("#lock-error").render())
        await pilot.press(*"1111", "enter")  # the chair's right PIN: too late
        await settle(pilot)
        assert app.screen is lock
        lock.query_one("#unlock-passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await settle(pilot)
        # Unlocked by the passphrase: who is rating now?
        assert "Who is rating now?" in str(app.screen.query_one(".dialog").border_title)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert screen.rater_id == ""
