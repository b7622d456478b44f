"""Starting an interview from the form: what is written, and what is refused."""

from __future__ import annotations

import shutil
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual import events
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static

from formers_tui.paths import user_protocols_dir
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.models import Candidate, CandidateIdentity, Interview, Panelist, Role
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from formers_tui.tui.screens import new_interview
from formers_tui.tui.screens.new_interview import NewInterviewScreen, PanelMember, parse_day
from tests.conftest import FIXTURES, make_interview

INTERVIEW_MODULE = "formers_tui.tui.screens.interview"
TODAY = date(2026, 11, 2)


class StandInInterviewScreen(Screen[None]):
    """Takes the interview screen's place so these tests do not depend on it."""

    def __init__(self, store: Store, interview_id: str, read: object = None) -> None:
        super().__init__()
        self.interview_id = interview_id

    def compose(self) -> ComposeResult:
        yield Static(f"Interview {self.interview_id}")


@pytest.fixture(autouse=True)
def setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed today, and a stand-in for the interview screen."""
    module = types.ModuleType(INTERVIEW_MODULE)
    module.InterviewScreen = StandInInterviewScreen  # type: ignore[attr-defined]
    module.read_interview = lambda *args: None  # type: ignore[attr-defined]  # reads nothing
    monkeypatch.setitem(sys.modules, INTERVIEW_MODULE, module)
    monkeypatch.setattr(new_interview, "today", lambda: TODAY)


@pytest.fixture
def two_protocols() -> None:
    """Install the mini protocol beside the shipped one, as a programme would."""
    folder = user_protocols_dir()
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "mini-protocol.toml", folder / "mini.toml")


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let every worker (and the messages it posts) finish."""
    for _ in range(rounds):
        for _ in range(1000):
            if all(worker.is_finished for worker in pilot.app.workers):
                break
            await pilot.pause(0.01)
        await pilot.pause()


async def open_form(pilot: Pilot[Any]) -> NewInterviewScreen:
    await settle(pilot)
    await pilot.press("n")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, NewInterviewScreen)
    return screen


def error_of(screen: NewInterviewScreen) -> str:
    return str(screen.query_one("#form-error", Static).content)


def members(screen: NewInterviewScreen) -> list[PanelMember]:
    return list(screen.query(PanelMember))


async def fill(
    pilot: Pilot[Any],
    screen: NewInterviewScreen,
    *,
    code: str = "PM-2026-100",
    names: tuple[str, ...] = ("Dr. Ada Example", "Sam Sample"),
    consent: bool = True,
) -> None:
    """Type a code and panel names; tick consent."""
    screen.query_one("#code", Input).focus()
    await pilot.press(*code)
    for number, name in enumerate(names):
        if number:
            await pilot.press("ctrl+n")
            await pilot.pause()
        else:
            members(screen)[0].name_input.focus()
        await pilot.press(*name)
    if consent:
        await pilot.click("#consent")
    await pilot.pause()


def interviews_in(path: Path) -> list[tuple[Interview, str]]:
    store = Store.open(path)
    try:
        with store.session() as session:
            rows = session.exec(
                select(Interview, Candidate.code).join(
                    Candidate, col(Candidate.id) == col(Interview.candidate_id)
                )
            ).all()
            return [(interview, code) for interview, code in rows]
    finally:
        store.close()


async def test_the_form_creates_the_interview_and_opens_it(
    store: Store, two_protocols: None
) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        assert app.focused is screen.query_one("#code")
        assert screen.query_one("#date", Input).value == "2026-11-02"
        await pilot.press(*"PM-2026-100", "tab", *"Jane Q. Candidate", "tab")
        await pilot.press("enter", "up", "enter")  # the protocol: Mini, above the shipped one
        await pilot.press("tab", *"2026-10-30")
        members(screen)[0].name_input.focus()
        await pilot.press(*"Dr. Ada Example")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.focused is members(screen)[1].name_input
        await pilot.press(*"Sam Sample")
        await pilot.click("#consent")
        assert screen.query_one("#consent", Checkbox).value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StandInInterviewScreen)
        opened_id = app.screen.interview_id

    created = interviews_in(store.path)
    assert len(created) == 1
    interview, code = created[0]
    assert interview.id == opened_id
    assert code == "PM-2026-100"
    assert interview.protocol_id == "mini"
    assert interview.interview_date == date(2026, 10, 30)
    # an untouched consent date follows the interview date: consent never comes after it
    assert interview.consent_given and interview.consent_date == date(2026, 10, 30)
    fresh = Store.open(store.path)
    try:
        with fresh.session() as session:
            panel = session.exec(
                select(Panelist)
                .where(Panelist.interview_id == interview.id)
                .order_by(col(Panelist.position))
            ).all()
            identity = session.exec(select(CandidateIdentity)).one()
    finally:
        fresh.close()
    assert [(p.name, p.role, p.is_chair) for p in panel] == [
        ("Dr. Ada Example", Role.psychologist, True),
        ("Sam Sample", Role.social_worker, False),
    ]
    assert identity.full_name == "Jane Q. Candidate"


@pytest.mark.parametrize(
    ("change", "sentence", "field"),
    [
        (
            {"consent": False},
            "The candidate's informed consent is required before the interview can start.",
            "#consent",
        ),
        ({"code": ""}, "A candidate code is required.", "#code"),
        ({"code": "   "}, "A candidate code is required.", "#code"),
        ({"names": ("Sam Sample", "sam sample")}, "'sam sample' is on the panel twice.", None),
        ({"names": ("Sam Sample", "")}, "Every panel member needs a name.", None),
    ],
)
async def test_form_problems_are_one_sentence_and_nothing_is_written(
    store: Store, change: dict[str, Any], sentence: str, field: str | None
) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        await fill(pilot, screen, **change)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert error_of(screen) == sentence
        if field is not None:
            assert app.focused is screen.query_one(field)
        else:
            assert app.focused is members(screen)[1].name_input
    assert interviews_in(store.path) == []


@pytest.mark.parametrize(
    ("field", "typed", "sentence"),
    [
        ("#date", "2026-13-01", "Interview date 2026-13-01 is not a real date."),
        ("#date", "02/11/2026", "Interview date must be written YYYY-MM-DD, e.g. 2026-11-02."),
        ("#date", "", "Interview date is required (YYYY-MM-DD)."),
        ("#consent-date", "2026-02-30", "Consent date 2026-02-30 is not a real date."),
        ("#consent-date", "2026-11-03", "The consent date cannot be in the future."),
    ],
)
async def test_bad_dates_are_refused(store: Store, field: str, typed: str, sentence: str) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        await fill(pilot, screen)
        screen.query_one(field, Input).value = typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(screen) == sentence
        assert app.focused is screen.query_one(field)
    assert interviews_in(store.path) == []


async def test_a_candidate_with_an_open_interview_is_refused(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    existing = make_interview(store, mini_protocol, "PM-2026-100")
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        await fill(pilot, screen, code="PM-2026-100")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert error_of(screen) == (
            f"Candidate PM-2026-100 already has an open interview ({existing[:8]})."
        )
        assert app.focused is screen.query_one("#code")
        assert not screen.query_one("#start").disabled
    assert [interview.id for interview, _ in interviews_in(store.path)] == [existing]


async def test_only_one_chair_and_removing_the_chair_passes_it_on(store: Store) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        await fill(pilot, screen, names=("Ada", "Sam", "Pat"))
        rows = members(screen)
        assert [row.chair_box.value for row in rows] == [True, False, False]
        rows[2].chair_box.value = True
        await pilot.pause()
        assert [row.chair_box.value for row in rows] == [False, False, True]
        rows[2].chair_box.value = False  # the chair cannot be left without a chair
        await pilot.pause()
        assert [row.chair_box.value for row in rows] == [False, False, True]
        await pilot.click(f"#{rows[2].id} .member-remove")
        await pilot.pause()
        rows = members(screen)
        assert [(row.member().name, row.chair_box.value) for row in rows] == [
            ("Ada", True),
            ("Sam", False),
        ]


async def test_escape_leaves_an_empty_form_at_once(store: Store) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.home


async def test_escape_asks_twice_before_throwing_typing_away(store: Store) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        await pilot.press(*"PM-1")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert error_of(screen) == "Press Escape again to discard this form, or carry on typing."
        await pilot.press("2")  # typing on disarms it
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.home
    assert interviews_in(store.path) == []


def test_parse_day() -> None:
    assert parse_day(" 2026-11-02 ", "Interview date") == date(2026, 11, 2)


def burst(app: Any, keys: list[str]) -> None:
    """Queue keys with no pause between them, as a fast typist sends them."""
    for key in keys:
        character = " " if key == "space" else key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def test_a_fast_typist_loses_nothing_while_the_form_opens_and_fields_change(
    store: Store,
) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = ["n", *"PM-1", "tab", *"Jane", "tab", "tab", "tab", "tab", "tab", *"Ada"]
        burst(app, [*keys, "ctrl+n", *"Sam", "ctrl+n", *"Pat"])
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewInterviewScreen)
        assert screen.query_one("#code", Input).value == "PM-1"
        assert screen.query_one("#full-name", Input).value == "Jane"
        assert [row.name_input.value for row in members(screen)] == ["Ada", "Sam", "Pat"]


async def test_consent_is_four_tabs_from_the_code_and_reads_ticked_or_not(store: Store) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        await pilot.press(*"PM-9", "tab", "tab", "tab", "tab")
        consent = screen.query_one("#consent", Checkbox)
        assert app.focused is consent
        button = consent.get_component_styles("toggle--button")
        off = (button.color, button.background)
        off_text = consent.render().plain
        await pilot.press("space")
        await pilot.pause()
        assert consent.value
        button = consent.get_component_styles("toggle--button")
        on = (button.color, button.background)
        assert off[0] == off[1]  # unticked: an empty box, no X
        assert on[0] != on[1] and on[1] != off[1]
        # ... and without colour: the characters alone tell the two apart
        assert "X" not in off_text.split("Candidate")[0]
        assert "X" in consent.render().plain.split("Candidate")[0]
        await pilot.press("space")
        await pilot.pause()
        assert not consent.value and consent.render().plain == off_text


async def test_the_full_name_field_says_where_it_goes(store: Store) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        note = str(screen.query_one("#identifying", Static).content)
        assert "only in full JSON exports" in note


async def test_ctrl_s_straight_after_typing_saves_every_character(store: Store) -> None:
    app = make_app(store_path=store.path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot)
        await fill(pilot, screen, code="PM-7", names=("Ada", "Sam"))
        name = members(screen)[0].name_input
        name.focus()
        await pilot.pause()
        name.action_end()
        burst(app, ["space", *"Lovelace", "ctrl+s"])
        await settle(pilot)
        assert isinstance(app.screen, StandInInterviewScreen)
    fresh = Store.open(store.path)
    try:
        with fresh.session() as session:
            names = [p.name for p in session.exec(select(Panelist).order_by(Panelist.position))]
    finally:
        fresh.close()
    assert names == ["Ada Lovelace", "Sam"]
