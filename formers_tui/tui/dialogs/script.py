"""What the chair says at the opening or closing, or how a role play runs: read, never rated.

The opening (purpose, consent, the limits of confidentiality, mandated
reporting) and the closing are read from the protocol, as are the role plays,
so every candidate hears the same words. The dialog only shows them; esc
returns to the notes with nothing changed.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from formers_tui.protocol.model import Script, Vignette


def _section(heading: str, items: tuple[str, ...]) -> list[Static]:
    """A heading and one bullet per item; the protocol's text is shown literally."""
    if not items:
        return []
    return [
        Static(Content(heading), classes="script-heading"),
        *(Static(Content(f"• {item}"), classes="script-item") for item in items),
    ]


class ScriptDialog(ModalScreen[None]):
    """The opening, the closing, or one role play, to read out; esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close"),
    ]

    DEFAULT_CSS = """
    ScriptDialog {
        align: center middle;
        background: $background 60%;
        & > Vertical {
            width: 90;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $primary;
            border-title-style: bold;
            background: $surface;
            padding: 0 1;
        }
        & #script-body { height: auto; max-height: 80vh; scrollbar-size-vertical: 1; }
        & .script-heading { text-style: bold; margin-top: 1; }
        & .script-heading:first-child { margin-top: 0; }
        & .script-item { padding-left: 1; }
        & .script-text { margin-top: 1; }
        & .hint { color: $text-muted; }
    }
    """

    def __init__(self, item: Script | Vignette) -> None:
        """Prepare the dialog.

        Args:
            item: the opening or closing (a :class:`Script`) or a role play.
        """
        super().__init__()
        self._item = item

    def compose(self) -> ComposeResult:
        item = self._item
        with Vertical() as box:
            title = f"Role play · {item.title}" if isinstance(item, Vignette) else item.title
            box.border_title = Content(title)  # as written: never read as markup
            with VerticalScroll(id="script-body"):
                if isinstance(item, Vignette):
                    yield Static(Content("Read aloud"), classes="script-heading")
                    yield Static(Content(item.situation), classes="script-item")
                    yield Static(Content("For the panel"), classes="script-heading")
                    yield Static(Content(item.setup), classes="script-item")
                    yield from _section("Ask", item.prompts)
                    yield from _section("Listen for", item.listen_for)
                    informs = ", ".join(item.indicators)
                    yield Static(Content(f"Rated under {informs}"), classes="script-text hint")
                else:
                    yield from _section("Cover", item.points)
                    yield from _section("Ask", item.prompts)
            yield Static("↑↓ scroll · esc close · read out, not rated", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#script-body", VerticalScroll).focus()

    def action_close(self) -> None:
        """Back to the interview."""
        self.dismiss(None)
