"""The help screen (F1): the app's own keys first, grouped by task, then editing keys.

The keys are read from the bindings of the screen underneath, so the help
never disagrees with what the keys do. A screen may group its keys with a
``KEY_GROUPS`` class attribute (a title and action names per group); keys
not in a group are listed under the screen's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

Group = tuple[str, list[tuple[str, str]]]
"""A group's title and its rows: the keys, what they do."""

APP_KEYS: tuple[tuple[str, str], ...] = (
    ("f1", "This help (Esc closes it)"),
    ("ctrl+p", "Command palette: every action by name"),
    ("f11", "Lock the screen"),
    ("f12", "High-contrast theme"),
    ("ctrl+q", "Quit (everything typed is saved)"),
)

EDITING_KEYS: tuple[tuple[str, str], ...] = (
    ("tab / shift+tab", "Next / previous field"),
    ("shift+arrows", "Select text"),
    ("ctrl+c / ctrl+x / ctrl+v", "Copy / cut / paste"),
    ("ctrl+z / ctrl+y", "Undo / redo"),
    ("ctrl+w / ctrl+k", "Delete the word before / the rest of the line"),
    ("home / end", "Start / end of the line"),
)


def _display(app: App[Any], keys: str) -> str:
    return " or ".join(app.get_key_display(Binding(key, "")) for key in keys.split(","))


def screen_groups(app: App[Any], screen: Screen[Any]) -> list[Group]:
    """The screen's described bindings, grouped as its ``KEY_GROUPS`` say."""
    described: dict[str, tuple[str, str]] = {}
    for item in getattr(screen, "BINDINGS", []):
        if not isinstance(item, Binding) or not item.description or item.action in described:
            continue
        described[item.action] = (_display(app, item.key), item.tooltip or item.description)
    groups: list[Group] = []
    for title, actions in getattr(screen, "KEY_GROUPS", ()):
        rows = [described.pop(action) for action in actions if action in described]
        if rows:
            groups.append((title, rows))
    if described:
        name = getattr(screen, "HELP_TITLE", "This screen")
        groups.insert(0, (name, list(described.values())))
    return groups


def all_groups(app: App[Any], screen: Screen[Any]) -> list[Group]:
    """Everything the help lists, in order: the screen's keys, the app's, then editing."""
    return [
        *screen_groups(app, screen),
        ("Anywhere", [(_display(app, k), what) for k, what in APP_KEYS]),
        ("Editing text", list(EDITING_KEYS)),
    ]


def _table(groups: Iterable[Group]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    first = True
    for title, rows in groups:
        if not first:
            table.add_row("", "")
        first = False
        table.add_row(Text(title.upper(), style="bold underline"), "")
        for keys, what in rows:
            table.add_row(keys, what)
    return table


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath, the app's own first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
        & > VerticalScroll {
            width: 80;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $primary;
            border-title-style: bold;
            border-subtitle-color: $text-muted;
            background: $surface;
            padding: 0 1;
            scrollbar-size-vertical: 1;
        }
    }
    """

    def __init__(self, groups: Sequence[Group]) -> None:
        super().__init__()
        self._groups = list(groups)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Keys"
            box.border_subtitle = "↑↓ scroll · esc close"
            yield Static(_table(self._groups), id="help-keys")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
