"""Raise a safety flag: what kind, a short note, and the time, with the protocol's guidance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from formers_tui.store.capture import FLAG_LABELS
from formers_tui.store.models import FlagKind
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.dialogs.store_form import ChoiceList, FormTextArea
from formers_tui.tui.widgets.formatting import clock

DEFAULT_GUIDANCE = (
    "Attend to the person. Consult the team members responsible for reporting potential "
    "harm now; follow the duty to warn and protect and mandated reporting."
)
"""Shown when a protocol carries no safety guidance of its own."""


@dataclass(frozen=True)
class NewFlag:
    """A safety concern to record."""

    kind: FlagKind
    note: str
    raised_at: datetime
    """When the chair pressed the flag key."""


class FlagDialog(FormDialog[NewFlag]):
    """Quick to fill in (arrow keys pick the kind, then type), guidance in view."""

    submit_label = "Raise flag"

    DEFAULT_CSS = """
    FlagDialog {
        & > .dialog { border: thick $error; }
        & #flag-guidance {
            height: auto;
            max-height: 5;
            border-left: thick $warning;
            padding: 0 1;
            color: $text;
            background: $warning 10%;
        }
        & #flag-kind { height: auto; }
        & #flag-note { height: 3; }
        & #flag-reminder { color: $error; text-style: bold; }
    }
    """

    def __init__(self, *, guidance: str, raised_at: datetime, indicator_id: str | None) -> None:
        """Prepare the form.

        Args:
            guidance: the protocol's safety guidance, shown in full.
            raised_at: time captured when the key was pressed.
            indicator_id: the indicator on screen when the flag was raised.
        """
        super().__init__()
        self._guidance = " ".join((guidance or DEFAULT_GUIDANCE).split())
        self._raised_at = raised_at
        self._indicator_id = indicator_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            where = f" · during {self._indicator_id}" if self._indicator_id else ""
            box.border_title = f"⚑ Safety flag · {clock(self._raised_at)}{where}"
            yield Static(
                "Consult the team now · duty to warn and protect · mandated reporting",
                id="flag-reminder",
            )
            with VerticalScroll(id="flag-guidance"):
                yield Static(self._guidance)
            yield Label("Concern (↑↓ to choose, tab to the note)", classes="field")
            yield ChoiceList(
                *(Option(label, id=kind.value) for kind, label in FLAG_LABELS.items()),
                id="flag-kind",
                compact=True,
            )
            yield Label("What was said or seen (facts, no interpretation)", classes="field")
            yield FormTextArea(id="flag-note")
            yield from self.buttons()

    def on_mount(self) -> None:
        kinds = self.query_one("#flag-kind", OptionList)
        kinds.highlighted = 0
        kinds.focus()

    @on(OptionList.OptionSelected, "#flag-kind")
    def _kind_chosen(self) -> None:
        self.query_one("#flag-note", TextArea).focus()

    def result(self) -> NewFlag:
        kinds = self.query_one("#flag-kind", OptionList)
        index = kinds.highlighted
        kind = FlagKind.other
        if index is not None:
            kind = FlagKind(kinds.get_option_at_index(index).id)
        note = self.query_one("#flag-note", TextArea).text.strip()
        return NewFlag(kind=kind, note=note, raised_at=self._raised_at)
