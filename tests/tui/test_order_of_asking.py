"""The interview screen walks a protocol in its order of asking, with the opening and closing.

Protocol 1.1 declares a rapport-first order: the navigator shows its steps
(with the role plays) between an Opening and a Closing, next/previous follow
it, and the opening, closing and role plays open a read-only dialog from the
navigator or the go-to list. An interview on 1.0.0, which declares no order,
keeps the order of its domains.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static, TextArea

from formers_tui.protocol.loader import LoadedProtocol, load_path
from formers_tui.store import capture
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.script import ScriptDialog
from formers_tui.tui.widgets.navigator import CLOSING, OPENING, ROLE_PLAY, Navigator
from tests.conftest import make_interview
from tests.tui.harness import InterviewHarness, frozen, opened, settled, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def protocol_1_1() -> LoadedProtocol:
    return load_path(ROOT / "interviews" / "peer-mentor-readiness-1.1.toml")


@pytest.fixture
def interview_1_1(store: Store, protocol_1_1: LoadedProtocol) -> str:
    return make_interview(store, protocol_1_1, "PM-ASK-01")


def shown(app: InterviewHarness) -> str:
    """The indicator on screen, as its notes box names it."""
    notes = app.interview.query_one("#notes", TextArea)
    return str(notes.border_title).split("·")[-1].strip()


def leaves(navigator: Navigator) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in node.children:
            if child.data is not None:
                out.append(child.data)
            walk(child)

    walk(navigator.root)
    return out


async def test_navigator_and_next_follow_the_order_of_asking(
    store: Store, interview_1_1: str, protocol_1_1: LoadedProtocol
) -> None:
    app = frozen(store, interview_1_1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        navigator = screen.query_one(Navigator)
        asked = [i.id for i in protocol_1_1.protocol.asking_order()]
        data = leaves(navigator)
        assert data[0] == OPENING and data[-1] == CLOSING
        assert [d for d in data if not d.startswith("#")] == asked
        assert ROLE_PLAY + "V-LATE-TEXT" in data
        stages = [str(node.label) for node in navigator.root.children if node.children]
        assert stages == [s.title for s in protocol_1_1.protocol.asking]
        assert shown(app) == "APP-MOT-2"
        for expected in asked[1:4]:
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert shown(app) == expected
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert shown(app) == asked[2]
        view = " ".join(str(s.render()) for s in screen.query_one("#indicator").query(Static))
        assert "3 of 25" in view  # the position counts in the same order
        await settled(pilot)


async def test_a_1_0_interview_keeps_the_order_of_its_domains(
    store: Store, interview_id: str, shipped_protocol: LoadedProtocol
) -> None:
    app = frozen(store, interview_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        data = leaves(screen.query_one(Navigator))
        assert data == [i.id for i in shipped_protocol.protocol.indicators()]
        assert shown(app) == "DIS-1"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert shown(app) == "DIS-2"


async def test_opening_from_the_go_to_list_and_back_to_the_notes(
    store: Store, interview_1_1: str
) -> None:
    with store.session() as session:
        capture.save_note(
            session, interview_id=interview_1_1, indicator_id="APP-MOT-2", text="Keen.", actor="A"
        )
        session.commit()
    app = frozen(store, interview_1_1)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"opening", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ScriptDialog), "the opening")
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        for phrase in ("Consent", "Limits of confidentiality", "Mandated reporting"):
            assert phrase in text, phrase
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ScriptDialog), "closed")
        notes = app.interview.query_one("#notes", TextArea)
        assert notes.has_focus and notes.text == "Keen." and shown(app) == "APP-MOT-2"


async def test_role_play_and_closing_from_the_navigator(store: Store, interview_1_1: str) -> None:
    app = frozen(store, interview_1_1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        navigator = screen.query_one(Navigator)
        for key, expected in ((ROLE_PLAY + "V-LATE-TEXT", "11 pm"), (CLOSING, "did not ask")):
            node = next(n for n in navigator._tree_lines if n.node.data == key).node
            navigator.select_node(node)
            await wait_until(pilot, lambda: isinstance(app.screen, ScriptDialog), key)
            text = " ".join(str(s.render()) for s in app.screen.query(Static))
            assert expected in text
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ScriptDialog), "closed")
        assert shown(app) == "APP-MOT-2"


async def test_titles_with_markup_are_shown_as_written(
    store: Store, protocol_1_1: LoadedProtocol
) -> None:
    from formers_tui.protocol.loader import load_text
    from formers_tui.tui.dialogs.jump import JumpDialog

    text = protocol_1_1.text.replace('title = "Why this work"', 'title = "[/] Why [b]this"')
    text = text.replace('title = "A late-night message"', 'title = "[red]Late[/"')
    interview = make_interview(store, load_text(text), "PM-ASK-02")
    app = frozen(store, interview)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        stages = [str(n.label) for n in screen.query_one(Navigator).root.children if n.children]
        assert stages[0] == "[/] Why [b]this"
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, JumpDialog), "the go-to list")
        await pilot.press(*"late", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ScriptDialog), "the role play")
        await pilot.pause()
        picture = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "Role play · [red]Late[/" in picture


def test_the_view_says_why_an_indicator_is_critical(protocol_1_1: LoadedProtocol) -> None:
    from dataclasses import replace

    from formers_tui.tui.widgets.indicator_view import IndicatorDetails, plain, render_details

    protocol = protocol_1_1.protocol

    def shown_for(indicator_id: str, rationale: str | None = None) -> str:
        indicator = protocol.indicator(indicator_id)
        if rationale is not None:
            indicator = replace(indicator, critical_rationale=rationale)
        domain = protocol.domain_of(indicator_id)
        details = IndicatorDetails(
            indicator=indicator,
            domain=domain,
            part=protocol.part_of(domain.id),
            position=1,
            total=25,
            scale=protocol.scale,
            rater="",
        )
        return plain(render_details(details))

    assert "Critical: Firm in the source, which singles out" in shown_for("APP-REL-3")
    assert "Critical:" not in shown_for("APP-REL-1")  # not critical: nothing to explain here
    assert "Critical: [red]why[/]" in shown_for("RES-4", "[red]why[/]")
