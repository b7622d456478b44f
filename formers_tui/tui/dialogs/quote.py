"""Capture a verbatim quote: the exact words, who said them, and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList, TextArea
from textual.widgets.option_list import Option

from formers_tui.errors import ValidationError
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.dialogs.store_form import ChoiceList, FormTextArea
from formers_tui.tui.literal import literal
from formers_tui.tui.widgets.formatting import clock


@dataclass(frozen=True)
class NewQuote:
    """A quote to store against the current indicator."""

    text: str
    speaker: str
    spoken_at: datetime
    """When the chair pressed the quote key: the moment the words were said."""


class QuoteDialog(FormDialog[NewQuote]):
    """Words exactly as spoken, kept apart from the paraphrase in the notes.

    The speakers are a short list inside the dialog (the candidate first), not
    a drop-down that opens over the edge of a small terminal.
    """

    DEFAULT_CSS: ClassVar[str] = """
    QuoteDialog {
        & #quote-speaker { height: auto; max-height: 6; }
    }
    """

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
            yield FormTextArea(id="quote-text")
            yield Label("Speaker (↑↓)", classes="field")
            yield ChoiceList(
                *(Option(literal(name)) for name in self._speakers),
                id="quote-speaker",
                compact=True,
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        editor = self.query_one("#quote-text", TextArea)
        editor.load_text(self._text)
        editor.move_cursor(editor.document.end)
        editor.focus()
        self.query_one("#quote-speaker", OptionList).highlighted = 0

    def result(self) -> NewQuote:
        text = self.query_one("#quote-text", TextArea).text.strip()
        if not text:
            raise ValidationError("Type the words of the quote (or press esc to cancel).")
        speakers = self.query_one("#quote-speaker", OptionList)
        index = speakers.highlighted or 0
        return NewQuote(text=text, speaker=self._speakers[index], spoken_at=self._spoken_at)
