"""Start-up: the passphrase prompt from the file header, the key derived early."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from formers_tui import cli
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.early_key import derive_early
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from tests.conftest import make_interview
from tests.tui.test_app import line, settle

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def encrypted_store(tmp_path: Path, mini_protocol: LoadedProtocol) -> Path:
    path = tmp_path / "locked.db"
    store = Store.open(path, passphrase=PASSPHRASE, daily=False)
    make_interview(store, mini_protocol)
    store.close()
    return path


async def test_the_prompt_is_up_before_anything_is_opened(encrypted_store: Path) -> None:
    app = make_app(store_path=encrypted_store, lock_minutes=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.home.query_one("#unlock").has_class("-shown")
        assert app.focused is app.home.query_one("#passphrase")
        assert "is encrypted" in line(app, "#status")
        await settle(pilot)
        assert app.store is None
        await pilot.press(*PASSPHRASE, "enter")
        await settle(pilot)
        assert app.store is not None and app.store.encrypted
        assert app.home.rows is not None and len(app.home.rows) == 1


async def test_a_key_derived_early_opens_the_store(encrypted_store: Path) -> None:
    app = make_app(
        store_path=encrypted_store,
        lock_minutes=0,
        early_key=derive_early(encrypted_store, PASSPHRASE),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.store is not None and app.store.encrypted
        assert not app.home.query_one("#unlock").has_class("-shown")


async def test_a_wrong_passphrase_derived_early_asks_again(encrypted_store: Path) -> None:
    app = make_app(
        store_path=encrypted_store, lock_minutes=0, early_key=derive_early(encrypted_store, "nope")
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.store is None
        assert app.home.query_one("#unlock").has_class("-shown")
        await pilot.press(*PASSPHRASE, "enter")
        await settle(pilot)
        assert app.store is not None


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], None), (["open", "ab12"], "ab12")],
)
def test_open_and_no_arguments_skip_the_parser(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: str | None
) -> None:
    calls: list[str | None] = []

    def fake_open(open_interview: str | None = None) -> int:
        calls.append(open_interview)
        return 0

    monkeypatch.setattr(cli, "open_app", fake_open)
    monkeypatch.setattr(sys, "argv", ["formers", *argv])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 0
    assert calls == [expected]


async def test_an_interview_opened_at_start_is_read_before_its_screen_is_up(
    tmp_path: Path, mini_protocol: LoadedProtocol
) -> None:
    from formers_tui.tui.screens.interview import InterviewScreen
    from formers_tui.tui.widgets.navigator import Navigator

    store = Store.open(tmp_path / "store.db", daily=False)
    interview_id = make_interview(store, mini_protocol)
    store.close()
    laid_out_empty: list[bool] = []
    app = make_app(store_path=tmp_path / "store.db", open_interview=interview_id[:8])
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(1000):  # up to 10 s on a busy machine
            if isinstance(app.screen, InterviewScreen) and app.screen.is_loaded:
                break
            if isinstance(app.screen, InterviewScreen) and app.screen.is_attached:
                laid_out_empty.append(not app.screen.query(Navigator))
            await pilot.pause(0.01)
        screen = app.screen
        assert isinstance(screen, InterviewScreen) and screen.is_loaded
        assert not any(w.name == "load" for w in app.workers)  # the screen read nothing itself
        assert not any(laid_out_empty[1:])  # filled from its first layout on
        await pilot.press(*"typed at once")
        assert screen.has_unsaved_changes  # held by the autosaver from the first key
    reopened = Store.open(tmp_path / "store.db", daily=False)
    try:
        from formers_tui.store.interview_reading import read_opened

        assert "typed at once" in "".join(read_opened(reopened, interview_id, "").notes.values())
    finally:
        reopened.close()


async def test_the_list_given_its_store_while_the_app_closes_does_not_fail(
    tmp_path: Path, mini_protocol: LoadedProtocol
) -> None:
    """Quitting within a second of ``formers open ID`` ends cleanly.

    The list is handed the store a second after the interview opens; by then
    the app may be closing and the list's widgets gone.
    """
    from formers_tui.tui.screens.interview import InterviewScreen

    store = Store.open(tmp_path / "store.db", daily=False)
    interview_id = make_interview(store, mini_protocol)
    store.close()
    app = make_app(store_path=tmp_path / "store.db", open_interview=interview_id[:8])
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(1000):
            if isinstance(app.screen, InterviewScreen) and app.screen.is_loaded:
                break
            await pilot.pause(0.01)
        assert app.store is not None and app.catalogue is not None
        opened, catalogue = app.store, app.catalogue
    app.home.store_opened(opened, catalogue)  # the late hand-over, after the app closed
    assert app.home.rows is None
