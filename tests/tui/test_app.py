"""The app shell: background store opening, start-up interview, themes, commands."""

from __future__ import annotations

import subprocess
import sys
import threading
import types
from pathlib import Path
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.store import Store
from formers_tui.tui.app import HIGH_CONTRAST, FormersApp, make_app
from formers_tui.tui.screens.help import HelpScreen, all_groups
from tests.conftest import make_interview

INTERVIEW_MODULE = "formers_tui.tui.screens.interview"


class StandInInterviewScreen(Screen[None]):
    """Takes the interview screen's place so these tests do not depend on it."""

    opened: list[tuple[Store, str]] = []

    def __init__(self, store: Store, interview_id: str, read: object = None) -> None:
        super().__init__()
        self.store = store
        self.interview_id = interview_id
        self.opened.append((store, interview_id))

    def compose(self) -> ComposeResult:
        yield Static(f"Interview {self.interview_id}")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Store, str]]:
    """Record the interviews the app opens instead of showing them."""
    module = types.ModuleType(INTERVIEW_MODULE)
    module.InterviewScreen = StandInInterviewScreen  # type: ignore[attr-defined]
    module.read_interview = lambda *args: None  # type: ignore[attr-defined]  # reads nothing
    monkeypatch.setitem(sys.modules, INTERVIEW_MODULE, module)
    calls: list[tuple[Store, str]] = []
    monkeypatch.setattr(StandInInterviewScreen, "opened", calls)
    return calls


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let the store open and every follow-up worker and message finish.

    Failed workers are expected here (they are how errors reach the screen),
    so this waits for them instead of using ``wait_for_complete``, which raises.
    """
    for _ in range(rounds):
        for _ in range(1000):
            if all(worker.is_finished for worker in pilot.app.workers):
                break
            await pilot.pause(0.01)
        await pilot.pause()


def line(app: FormersApp, selector: str) -> str:
    return str(app.home.query_one(selector, Static).content)


async def test_home_is_drawn_before_the_store_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def slow_open(cls: type[Store], path: Path, **kwargs: Any) -> Store:
        assert release.wait(10)
        store: Store = real_open(cls, path, **kwargs)
        return store

    monkeypatch.setattr(Store, "open", classmethod(slow_open))
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, type(app.home))
        assert line(app, "#status") == "Opening store…"
        assert app.store is None
        release.set()
        await settle(pilot)
        assert app.store is not None
        assert app.catalogue is not None and "peer-mentor-readiness" in app.catalogue.protocols
        assert line(app, "#status") == "No interviews yet."
        assert line(app, "#empty") == "Press n to start the first interview."
    assert (tmp_path / "formers.db").exists()


async def test_a_store_that_cannot_be_opened_is_one_sentence_on_home(tmp_path: Path) -> None:
    broken = tmp_path / "formers.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"but nothing after the header is right " * 200)
    app = make_app(store_path=broken)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        error = line(app, "#error")
        assert error.startswith(f"{broken} is not a readable store")
        assert "\n" not in error and "Traceback" not in error
        assert app.store is None
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is app.home


async def test_unknown_interview_at_start_is_an_inline_error(
    store: Store, opened: list[tuple[Store, str]]
) -> None:
    app = make_app(store_path=store.path, open_interview="deadbeef")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert line(app, "#error") == (
            "No interview with id 'deadbeef', nor a candidate with that code."
        )
        assert app.screen is app.home
    assert opened == []


async def test_interview_given_at_start_is_opened_by_prefix(
    store: Store, mini_protocol: LoadedProtocol, opened: list[tuple[Store, str]]
) -> None:
    interview_id = make_interview(store, mini_protocol)
    app = make_app(store_path=store.path, open_interview=interview_id[:8])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StandInInterviewScreen)
        assert app.screen.interview_id == interview_id
        assert app.screen.store is app.store
        assert line(app, "#error") == ""


PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def encrypted_store(tmp_path: Path, mini_protocol: LoadedProtocol) -> Path:
    """An encrypted store holding one interview."""
    path = tmp_path / "locked.db"
    store = Store.open(path, passphrase=PASSPHRASE)
    make_interview(store, mini_protocol)
    store.close()
    return path


async def test_an_encrypted_store_is_unlocked_on_home(encrypted_store: Path) -> None:
    app = make_app(store_path=encrypted_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.store is None
        assert "is encrypted" in line(app, "#status")
        assert app.focused is app.home.query_one("#passphrase")
        await pilot.press(*"wrong guess", "enter")
        await settle(pilot)
        assert line(app, "#error") == f"Wrong passphrase for the store at {encrypted_store}."
        assert app.store is None
        await pilot.press(*PASSPHRASE, "enter")
        await settle(pilot)
        assert app.store is not None and app.store.encrypted
        assert line(app, "#error") == ""
        assert app.home.rows is not None and len(app.home.rows) == 1


async def test_formers_passphrase_opens_an_encrypted_store_directly(
    encrypted_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMERS_PASSPHRASE", PASSPHRASE)
    app = make_app(store_path=encrypted_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.store is not None
        assert not app.home.query_one("#unlock").has_class("-shown")


async def test_a_folder_given_as_store_is_one_sentence(tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert line(app, "#error") == f"{tmp_path} is a folder, not a store file."
        assert app.store is None


async def test_notice_is_shown_on_home(tmp_path: Path) -> None:
    notice = "Demo store in a temporary folder — nothing here is real; it is deleted on exit"
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False, notice=notice)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert line(app, "#notice") == notice


async def test_f12_switches_high_contrast_on_and_off(tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.theme
        await pilot.press("f12")
        assert app.theme == HIGH_CONTRAST.name
        await pilot.press("f12")
        assert app.theme == before


async def test_f1_shows_and_hides_the_keys(tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen is app.home


def test_help_lists_the_apps_keys_first_grouped_by_task(store: Store) -> None:
    """Finding: F1 listed editor keys before the app's own, and not ctrl+down."""
    from formers_tui.tui.screens.interview import InterviewScreen

    app = FormersApp(store_path=store.path)
    groups = all_groups(app, InterviewScreen(store, "x"))
    titles = [title for title, _ in groups]
    assert titles[:4] == ["Move around", "Capture", "Rate (blind)", "Screen"]
    assert titles[-1] == "Editing text"
    rows = {what: keys for _, group in groups for keys, what in group}
    assert rows["Capture a verbatim quote"] == "^t or f3"
    assert rows["Scroll prompts down"].startswith("^↓")
    assert rows["Back to the interview list"] == "esc"


async def test_command_palette_offers_the_apps_actions(tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("New interview", "Resume last interview", "Filter interviews"):
            assert title in titles
        assert "High contrast" in titles
        assert "Quit" in titles


async def test_q_quits_from_home(tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def test_importing_the_app_does_not_load_the_database_layer() -> None:
    code = (
        "import sys, formers_tui.tui.app; "
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'alembic') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


async def test_a_new_store_asks_for_a_passphrase_twice_and_is_encrypted(tmp_path: Path) -> None:
    from textual.widgets import Input

    from formers_tui.store.store import is_encrypted

    path = tmp_path / "new.db"
    app = make_app(store_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.__class__.__name__ == "NewPassphraseDialog"
        assert not path.exists()
        app.screen.query_one("#first", Input).value = "river stone lantern 42"
        app.screen.query_one("#again", Input).value = "river stone lanter 42"
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "differ" in str(app.screen.query_one("#pass-error").render())
        app.screen.query_one("#again", Input).value = "river stone lantern 42"
        app.screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.store is not None and app.store.encrypted
    assert is_encrypted(path)


async def test_a_short_new_passphrase_is_refused_in_one_sentence(tmp_path: Path) -> None:
    from textual.widgets import Input

    path = tmp_path / "new.db"
    app = make_app(store_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"short", "tab", *"short", "enter")
        await settle(pilot)
        error = str(app.screen.query_one("#pass-error").render())
        hint = str(app.screen.query_one("#pass-hint").render())
        assert "at least 8 characters" in error
        assert hint.strip() == ""
        assert app.screen.query_one("#again", Input).value == ""
    assert not path.exists()


async def test_leaving_the_new_passphrase_dialog_quits_without_a_store(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    app = make_app(store_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert not path.exists()


async def test_idle_lock_hides_everything_until_the_passphrase(encrypted_store: Path) -> None:
    from textual.widgets import Input

    app = make_app(store_path=encrypted_store, passphrase=PASSPHRASE, lock_minutes=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.store is not None
        app.last_activity -= 601
        app.lock_if_idle()
        await settle(pilot)
        assert app.screen.id == "lock"
        assert "PM-" not in "".join(str(s) for s in app.screen.query("Static").results())
        field = app.screen.query_one("#unlock-passphrase", Input)
        field.value = "wrong passphrase here"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.screen.id == "lock"
        assert "Wrong passphrase" in str(app.screen.query_one("#lock-error").render())
        app.screen.query_one("#unlock-passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.screen is app.home


async def test_f11_locks_a_plaintext_store_and_enter_unlocks(tmp_path: Path) -> None:
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await settle(pilot)
        await pilot.press("f11")
        await settle(pilot)
        assert app.screen.id == "lock"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.home


async def test_the_days_backup_is_taken_after_the_list_is_up(
    store: Store, mini_protocol: LoadedProtocol, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formers_tui.store.backup import list_backups
    from formers_tui.tui import app as app_module

    make_interview(store, mini_protocol)
    monkeypatch.setattr(app_module, "BACKUP_DELAY", 0.3)
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.store is not None
        assert list_backups(store.path) == [], "opening does not wait for a copy"
        await pilot.pause(0.5)
        await settle(pilot)
        (daily,) = list_backups(store.path)
        assert daily.stem.endswith("-daily")
