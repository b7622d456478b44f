"""Go to any indicator by typing part of its id, title or domain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from formers_tui.tui.widgets.navigator import GLYPHS, SCRIPT_GLYPH, SCRIPT_PREFIX, Mark


@dataclass(frozen=True)
class JumpTarget:
    """One indicator as the jump list shows it (or the opening, closing or a role play)."""

    indicator_id: str
    title: str
    domain: str


class JumpDialog(ModalScreen[str | None]):
    """A filter box over the list of indicators; enter goes, esc stays."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    DEFAULT_CSS = """
    JumpDialog {
        align: center middle;
        background: $background 60%;
        & > Vertical {
            width: 80;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        & #jump-list { height: auto; max-height: 16; text-wrap: nowrap; text-overflow: ellipsis; }
        & .hint { color: $text-muted; }
    }
    """

    def __init__(
        self, targets: Sequence[JumpTarget], marks: Mapping[str, Mark], current: str
    ) -> None:
        """Prepare the list.

        Args:
            targets: every indicator, in protocol order.
            marks: the state glyph of each indicator.
            current: the indicator on screen (highlighted first).
        """
        super().__init__()
        self._targets = list(targets)
        self._marks = dict(marks)
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Go to indicator"
            yield Input(
                placeholder="type to filter: id, title or domain", id="jump-filter", compact=True
            )
            yield OptionList(id="jump-list", compact=True)
            yield Static("↑↓ choose · enter go · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#jump-filter", Input).focus()

    def _fill(self, needle: str) -> None:
        words = needle.casefold().split()
        shown = [
            t
            for t in self._targets
            if all(w in f"{t.indicator_id} {t.title} {t.domain}".casefold() for w in words)
        ]
        options = self.query_one("#jump-list", OptionList)
        options.clear_options()
        options.add_options(Option(self._line(t), id=t.indicator_id) for t in shown)
        ids = [t.indicator_id for t in shown]
        if ids:
            options.highlighted = ids.index(self._current) if self._current in ids else 0

    def _line(self, target: JumpTarget) -> Content:
        """Glyph, id, title and domain; the opening, closing and role plays have no id to show.

        The protocol's words are shown as written, never read as markup.
        """
        if target.indicator_id.startswith(SCRIPT_PREFIX):
            return Content(f"{SCRIPT_GLYPH} {'':<10} {target.title} · {target.domain}")
        glyph = GLYPHS[self._marks.get(target.indicator_id, Mark.empty)]
        return Content(f"{glyph} {target.indicator_id:<10} {target.title} · {target.domain}")

    @on(Input.Changed, "#jump-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#jump-filter")
    def _go(self) -> None:
        options = self.query_one("#jump-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#jump-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one("#jump-list", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
