"""Signing off the determination: each panelist in turn, with their PIN.

The dialog stays open while the laptop goes round the table, saying who has
signed and who is still to sign. The last signature finalizes and locks the
interview (the store does that), and the dialog closes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from formers_tui.store.panel_actions import sign
from formers_tui.store.panel_decision import SignOffState
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.pin import PanelistChoice, PinEntry, PinFields
from formers_tui.tui.dialogs.store_form import ChoiceList, StoreFormDialog
from formers_tui.tui.literal import literal


def signed_line(signed: Sequence[str], waiting: Sequence[str]) -> str:
    """``Signed: A, B · waiting for: C`` in plain words."""
    done = ", ".join(signed) or "nobody yet"
    return f"Signed: {done}" + (f" · waiting for: {', '.join(waiting)}" if waiting else "")


class SignOffDialog(StoreFormDialog[PinEntry, SignOffState]):
    """Choose who signs, type their PIN; repeat until everyone has signed."""

    submit_label = "Sign"
    key_hint = "ctrl+s sign · esc close"
    cancel_label = "Close"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reset_pin", "Chair resets the PIN", show=False),
    ]

    DEFAULT_CSS = """
    SignOffDialog {
        & > .dialog { width: 72; }
        & #sign-determination { background: $primary 15%; padding: 0 1; }
        & #sign-state { text-style: bold; margin-top: 1; }
        & #sign-done { color: $text-success; text-style: bold; }
        & #sign-who { height: auto; max-height: 8; }
    }
    """

    def __init__(
        self,
        store: Store,
        interview_id: str,
        *,
        determination: str,
        panel: Sequence[PanelistChoice],
        signed: Collection[str],
    ) -> None:
        """Prepare the dialog.

        Args:
            store: the open store.
            interview_id: the interview's full id.
            determination: the determination in a sentence or two.
            panel: the panel, in order.
            signed: ids of the panelists who have signed already.
        """
        super().__init__(partial(sign, store, interview_id))
        self._determination = determination
        self._panel = list(panel)
        self._signed = set(signed)
        self._fields = PinFields(chair=next((p for p in panel if p.is_chair), None))

    def _waiting(self) -> list[PanelistChoice]:
        return [p for p in self._panel if p.id not in self._signed]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = "Sign off the determination"
            yield Static(self._determination, id="sign-determination", markup=False)
            yield Static(
                "Signing confirms the determination. When every panelist has signed, the "
                "interview is finalized and locked; later corrections go in addenda.",
                classes="hint",
            )
            yield Static("", id="sign-state", markup=False)
            yield Static("", id="sign-done", markup=False)
            yield Label("Who signs now (↑↓, then enter)", classes="field")
            yield ChoiceList(id="sign-who", compact=True)
            yield self._fields
            yield from self.buttons()

    def on_mount(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        signed = [p.name for p in self._panel if p.id in self._signed]
        waiting = self._waiting()
        self.query_one("#sign-state", Static).update(
            literal(signed_line(signed, [p.name for p in waiting]))
        )
        who = self.query_one("#sign-who", OptionList)
        who.clear_options()
        who.add_options([Option(literal(p.label()), id=p.id) for p in waiting])
        if waiting:
            who.highlighted = 0
            self._fields.show_for(waiting[0])
            self._fields.focus_first()

    @on(OptionList.OptionHighlighted, "#sign-who")
    def _who_changed(self, event: OptionList.OptionHighlighted) -> None:
        # The list as it is now: this message can come after later moves and a PIN
        # typed since, which following an earlier highlight would clear.
        choices = event.option_list
        if choices.highlighted is None:
            return
        option = choices.get_option_at_index(choices.highlighted)
        if self._fields.follow(self._panel, option.id):
            self.show_error(None)

    def choice_moved(self, choices: OptionList) -> None:
        if choices.id == "sign-who" and choices.highlighted is not None:
            self._fields.follow(self._panel, choices.get_option_at_index(choices.highlighted).id)

    def action_reset_pin(self) -> None:
        """Let the chair give the highlighted panelist a new PIN, then sign."""
        self.show_error(self._fields.toggle_reset())

    def form(self) -> PinEntry:
        return self._fields.entry()

    def applied(self, result: SignOffState) -> bool:
        if result.finalized:
            return True
        names = set(result.signed)
        self._signed = {p.id for p in self._panel if p.name in names}
        just = self._fields.who.name if self._fields.who is not None else "The panelist"
        self.query_one("#sign-done", Static).update(
            f"{just} has signed. Pass the laptop to the next panelist."
        )
        self._fields.who = None  # a fresh start: clears what was typed
        self._refresh()
        return False
