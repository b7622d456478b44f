"""Capture a verbatim quote: the exact words, who said them, and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Select, TextArea

from formers_tui.errors import ValidationError
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.widgets.formatting import clock


@dataclass(frozen=True)
class NewQuote:
    """A quote to store against the current indicator."""

    text: str
    speaker: str
    spoken_at: datetime
    """When the chair pressed the quote key: the moment the words were said."""


class QuoteDialog(FormDialog[NewQuote]):
    """Words exactly as spoken, kept apart from the paraphrase in the notes."""

    def __init__(
        self,
        *,
        indicator_id: str,
        speakers: Sequence[str],
        spoken_at: datetime,
        text: str = "",
    ) -> None:
        """Prepare the form.

        Args:
            indicator_id: the indicator the quote belongs to (for the title).
            speakers: who can be quoted; the first (the candidate) is the default.
            spoken_at: time captured when the dialog was opened.
            text: words to start from (e.g. what was selected in the notes).
        """
        super().__init__()
        self._indicator_id = indicator_id
        self._speakers = list(speakers)
        self._spoken_at = spoken_at
        self._text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = f"Verbatim quote · {self._indicator_id} · {clock(self._spoken_at)}"
            yield Label("Words, exactly as spoken", classes="field field-first")
            yield TextArea(
                self._text, id="quote-text", soft_wrap=True, tab_behavior="focus", compact=True
            )
            yield Label("Speaker", classes="field")
            yield Select(
                [(name, name) for name in self._speakers],
                value=self._speakers[0],
                allow_blank=False,
                id="quote-speaker",
                compact=True,
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        editor = self.query_one("#quote-text", TextArea)
        editor.move_cursor(editor.document.end)
        editor.focus()

    def result(self) -> NewQuote:
        text = self.query_one("#quote-text", TextArea).text.strip()
        if not text:
            raise ValidationError("Type the words of the quote (or press esc to cancel).")
        speaker = self.query_one("#quote-speaker", Select).value
        return NewQuote(text=text, speaker=str(speaker), spoken_at=self._spoken_at)
