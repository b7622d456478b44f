"""Names that look like markup or hold escapes are shown as written in every list of people.

A name comes from a person or from an imported or hand-edited file; a list
option given a plain string would read it as markup (``[/b]`` stops the
dialog with a ``MarkupError``) and pass ESC through to the terminal.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import OptionList, Static

from formers_tui.store.panel_actions import PanelistChoice
from formers_tui.tui.dialogs.addendum import AddendumDialog
from formers_tui.tui.dialogs.quote import QuoteDialog
from formers_tui.tui.dialogs.reveal import RevealDialog

HOSTILE = "Ana [/b] \x1b]52;c;ZWNobyBwd25lZA==\x1b\\"
WHEN = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)


class Host(App[None]):
    """Pushes one dialog at start."""

    def __init__(self, dialog: Screen[Any]) -> None:
        super().__init__()
        self.dialog = dialog

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


def shown(dialog: Screen[Any], selector: str) -> list[str]:
    """The plain text of each option of the list at ``selector``."""
    options = dialog.query_one(selector, OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def assert_literal(lines: list[str]) -> None:
    assert any("Ana [/b]" in line for line in lines), lines
    assert not any("\x1b" in line for line in lines), lines


async def test_quote_speakers_are_shown_as_written() -> None:
    dialog = QuoteDialog(indicator_id="DIS-1", speakers=["PM-1", HOSTILE], spoken_at=WHEN)
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert_literal(shown(dialog, "#quote-speaker"))


async def test_addendum_authors_are_shown_as_written() -> None:
    panel = [PanelistChoice("p1", HOSTILE, True, True), PanelistChoice("p2", "Bo Ray", True)]
    dialog = AddendumDialog(None, "iid", panel=panel)  # type: ignore[arg-type]
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert_literal(shown(dialog, "#addendum-author"))


async def test_reveal_names_who_is_still_to_submit_as_written() -> None:
    chair = PanelistChoice("p1", "Chair [b]", True, True)
    dialog = RevealDialog(None, "iid", chair=chair, waiting=[HOSTILE])  # type: ignore[arg-type]
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = str(dialog.query_one("#reveal-waiting", Static).render())
        assert_literal([line])
