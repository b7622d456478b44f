"""An addendum to a finalized interview: who writes it, why it is needed, and what it says.

The finalized record itself never changes; corrections and later facts are
added beside it, dated, with their author and reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from formers_tui.errors import ValidationError
from formers_tui.store.panel_actions import AddendumIn, AddendumView, addendum
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.pin import PanelistChoice, PinFields
from formers_tui.tui.dialogs.store_form import (
    ChoiceList,
    FormInput,
    FormTextArea,
    StoreFormDialog,
)
from formers_tui.tui.literal import literal


class AddendumDialog(StoreFormDialog[AddendumIn, AddendumView]):
    """Author (a panelist, with their PIN), reason and text; the time is added when saved."""

    submit_label = "Add addendum"

    DEFAULT_CSS = """
    AddendumDialog {
        & #addendum-text { height: 5; }
        & #addendum-author { height: auto; max-height: 6; }
    }
    """

    def __init__(
        self,
        store: Store,
        interview_id: str,
        *,
        panel: Sequence[PanelistChoice],
        author_id: str | None = None,
    ) -> None:
        """Prepare the form.

        Args:
            store: the open store.
            interview_id: the interview's full id.
            panel: the panel, in order: the author is one of them.
            author_id: the panelist highlighted first (the one viewing).
        """
        super().__init__(partial(addendum, store, interview_id))
        self._panel = [p for p in panel if p.has_pin]
        self._author_id = author_id
        self._fields = PinFields(chair=None, id="addendum-pin")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = "Addendum to the finalized interview"
            yield Label("Author (↑↓): the panelist who writes it", classes="field field-first")
            yield ChoiceList(
                *(Option(literal(p.label()), id=p.id) for p in self._panel),
                id="addendum-author",
                compact=True,
            )
            yield self._fields
            yield Label("Why the addendum is needed", classes="field")
            yield FormInput(id="addendum-reason", compact=True)
            yield Label("Addendum", classes="field")
            yield FormTextArea(id="addendum-text")
            yield from self.buttons()

    def on_mount(self) -> None:
        authors = self.query_one("#addendum-author", OptionList)
        ids = [p.id for p in self._panel]
        if ids:
            authors.highlighted = ids.index(self._author_id) if self._author_id in ids else 0
            self._fields.follow(self._panel, ids[authors.highlighted or 0])
        self.set_focus(self.query_one("#addendum-reason"))

    @on(OptionList.OptionHighlighted, "#addendum-author")
    def _author_changed(self, event: OptionList.OptionHighlighted) -> None:
        # The list as it is now: this message can come after later moves and a PIN
        # typed since, which following an earlier highlight would clear.
        authors = event.option_list
        if authors.highlighted is None:
            return
        option = authors.get_option_at_index(authors.highlighted)
        if self._fields.follow(self._panel, option.id):
            self.show_error(None)

    def choice_moved(self, choices: OptionList) -> None:
        if choices.id == "addendum-author" and choices.highlighted is not None:
            self._fields.follow(self._panel, choices.get_option_at_index(choices.highlighted).id)

    def form(self) -> AddendumIn:
        reason = self.query_one("#addendum-reason", Input).value.strip()
        text = self.query_one("#addendum-text", TextArea).text.strip()
        if not self._panel:
            raise ValidationError("An addendum is written by a panelist with a PIN.")
        if not reason:
            raise ValidationError("Say why the addendum is needed.")
        if not text:
            raise ValidationError("An addendum needs its text.")
        return AddendumIn(reason, text, self._fields.typed())
