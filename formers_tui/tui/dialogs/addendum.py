"""An addendum to a finalized interview: who writes it, why it is needed, and what it says.

The finalized record itself never changes; corrections and later facts are
added beside it, dated, with their author and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, TextArea

from formers_tui.errors import ValidationError
from formers_tui.store.panel_decision import add_addendum
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.store_form import FormInput, FormTextArea, StoreFormDialog


@dataclass(frozen=True)
class AddendumIn:
    """An addendum as typed."""

    author: str
    reason: str
    text: str


@dataclass(frozen=True)
class AddendumView:
    """An addendum as shown with the record."""

    author: str
    created_at: datetime
    reason: str
    text: str


def add(store: Store, interview_id: str, entry: AddendumIn) -> AddendumView:
    """Add the addendum and commit it (call from a worker)."""
    with store.session() as session:
        row = add_addendum(
            session,
            interview_id=interview_id,
            author=entry.author,
            reason=entry.reason,
            text=entry.text,
        )
        session.commit()
        return AddendumView(row.author, row.created_at, row.reason, row.text)


class AddendumDialog(StoreFormDialog[AddendumIn, AddendumView]):
    """Author, reason and text; the time is added when it is saved."""

    submit_label = "Add addendum"

    DEFAULT_CSS = """
    AddendumDialog {
        & #addendum-text { height: 5; }
    }
    """

    def __init__(self, store: Store, interview_id: str, *, author: str) -> None:
        """Prepare the form.

        Args:
            store: the open store.
            interview_id: the interview's full id.
            author: filled in as the author (it can be changed).
        """
        super().__init__(partial(add, store, interview_id))
        self._author = author

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = "Addendum to the finalized interview"
            yield Label("Author (your name)", classes="field field-first")
            yield FormInput(self._author, id="addendum-author", compact=True)
            yield Label("Why the addendum is needed", classes="field")
            yield FormInput(id="addendum-reason", compact=True)
            yield Label("Addendum", classes="field")
            yield FormTextArea(id="addendum-text")
            yield from self.buttons()

    def on_mount(self) -> None:
        target = "#addendum-reason" if self._author else "#addendum-author"
        self.set_focus(self.query_one(target))

    def form(self) -> AddendumIn:
        author = self.query_one("#addendum-author", Input).value.strip()
        reason = self.query_one("#addendum-reason", Input).value.strip()
        text = self.query_one("#addendum-text", TextArea).text.strip()
        if not author:
            raise ValidationError("An addendum needs its author.")
        if not reason:
            raise ValidationError("Say why the addendum is needed.")
        if not text:
            raise ValidationError("An addendum needs its text.")
        return AddendumIn(author, reason, text)
