"""PINs on a shared laptop: who is at the keyboard, proved before they rate or look.

A panelist without a PIN chooses one the first time (typed twice); one who
forgot theirs gets a new one from the chair, who types the chair's own PIN.
The PIN is checked by the store (:mod:`formers_tui.store.panel`) in a worker;
a wrong one is one sentence under the form, and the fields stay as typed.
The same fields serve the sign-off and the chair's reveal.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from formers_tui.store.panel import PIN_MIN_LENGTH, PinError
from formers_tui.store.panel_actions import PanelistChoice, PinEntry, apply_pin, confirm_pin
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.store_form import ChoiceList, FormInput, StoreFormDialog
from formers_tui.tui.literal import literal

__all__ = [
    "PanelistChoice",
    "PinDialog",
    "PinEntry",
    "PinFields",
    "apply_pin",
    "confirm_pin",
]


class PinFields(Vertical):
    """One PIN; or a new PIN twice; or, for a reset, the chair's PIN and the new one twice."""

    DEFAULT_CSS = """
    PinFields {
        height: auto;
        & Label { color: $text-muted; margin-top: 1; width: 1fr; }
        & .-hidden { display: none; }
        & #pin-hint { color: $text-muted; }
    }
    """

    def __init__(self, *, chair: PanelistChoice | None, id: str | None = None) -> None:  # noqa: A002
        """Prepare the fields.

        Args:
            chair: who may reset a forgotten PIN (``None``: nobody).
        """
        super().__init__(id=id)
        self._chair = chair
        self.who: PanelistChoice | None = None
        """Whose PIN is being typed."""
        self.resetting = False
        """Whether the chair is giving :attr:`who` a new PIN."""

    def compose(self) -> ComposeResult:
        yield Label("", id="chair-pin-label")
        yield FormInput(password=True, id="chair-pin", compact=True)
        yield Label("PIN", id="pin-label")
        yield FormInput(password=True, id="pin", compact=True)
        yield Label("Type it again", id="pin-again-label")
        yield FormInput(password=True, id="pin-again", compact=True)
        yield Static("", id="pin-hint")

    @property
    def new(self) -> bool:
        """Whether a new PIN is being chosen (first PIN or reset)."""
        return self.resetting or (self.who is not None and not self.who.has_pin)

    @property
    def can_reset(self) -> bool:
        """Whether the chair can give :attr:`who` a new PIN here."""
        chair, who = self._chair, self.who
        return chair is not None and chair.has_pin and who is not None and who.id != chair.id

    def show_for(self, who: PanelistChoice, *, reset: bool = False) -> None:
        """Ask for ``who``'s PIN (clearing anything typed for someone else)."""
        if self.who is None or who.id != self.who.id or reset != self.resetting:
            for box in self.query(Input):
                box.value = ""
        self.who = who
        self.resetting = reset and self.can_reset
        chair = self._chair
        first = f"{who.name} has no PIN yet: choose one ({PIN_MIN_LENGTH} or more characters)"
        if self.resetting and chair is not None:
            label = f"New PIN for {who.name}"
            hint = "The chair sets a new PIN; the old one stops working."
        elif who.has_pin:
            label = f"PIN for {who.name}"
            hint = "Forgotten? ctrl+r: the chair sets a new one." if self.can_reset else ""
        else:
            label, hint = first, ""
        self.query_one("#pin-label", Label).update(literal(label))
        self.query_one("#chair-pin-label", Label).update(
            literal(f"Chair's PIN ({chair.name})" if chair is not None else "")
        )
        self.query_one("#pin-hint", Static).update(hint)
        for selector in ("#chair-pin-label", "#chair-pin"):
            self.query_one(selector).set_class(not self.resetting, "-hidden")
        for selector in ("#pin-again-label", "#pin-again"):
            self.query_one(selector).set_class(not self.new, "-hidden")

    def follow(self, panel: Sequence[PanelistChoice], option_id: str | None) -> bool:
        """Ask for the PIN of the panelist highlighted in a list of ``panel``; whether found."""
        chosen = next((p for p in panel if p.id == option_id), None)
        if chosen is not None:
            self.show_for(chosen)
        return chosen is not None

    def toggle_reset(self) -> str | None:
        """Switch to (or back from) the chair resetting this panelist's PIN.

        Returns:
            Why it is not allowed, or ``None`` once switched.
        """
        if self.who is None:
            return None
        if not self.can_reset:
            return (
                "Only the chair can set a new PIN, with the chair's own PIN, "
                "for another panelist who already has one."
            )
        self.show_for(self.who, reset=not self.resetting)
        self.focus_first()
        return None

    def focus_first(self) -> None:
        """Put the cursor in the first field to type in."""
        self.screen.set_focus(self.query_one("#chair-pin" if self.resetting else "#pin", Input))

    def typed(self) -> PinEntry:
        """:meth:`entry`, with the cursor put in the PIN field when something is missing.

        For forms where the PIN comes last, below fields a person tabs through.
        """
        try:
            return self.entry()
        except PinError:
            self.focus_first()
            raise

    def entry(self) -> PinEntry:
        """What was typed.

        Raises:
            PinError: a field left empty, or the new PIN typed differently twice.
        """
        who = self.who
        if who is None:
            raise PinError("Choose the panelist first.")
        pin = self.query_one("#pin", Input).value
        chair_pin = None
        if self.resetting:
            chair_pin = self.query_one("#chair-pin", Input).value
            if not chair_pin:
                raise PinError(f"Type the chair's PIN to give {who.name} a new one.")
        if not pin:
            raise PinError("Choose a PIN and type it twice." if self.new else "Type the PIN.")
        if self.new and self.query_one("#pin-again", Input).value != pin:
            raise PinError("The two PINs differ; type the new PIN the same way twice.")
        return PinEntry(who.id, pin, new=self.new and not self.resetting, chair_pin=chair_pin)


class PinDialog(StoreFormDialog[PinEntry, PanelistChoice]):
    """Who is at the keyboard: choose yourself, type your PIN (or choose one)."""

    submit_label = "Confirm"
    key_hint = "ctrl+s confirm · esc cancel"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reset_pin", "Chair resets the PIN", show=False),
    ]

    DEFAULT_CSS = """
    PinDialog {
        & > .dialog { width: 68; }
        & #pin-who { height: auto; max-height: 8; }
    }
    """

    def __init__(
        self,
        store: Store,
        interview_id: str,
        *,
        panel: Sequence[PanelistChoice],
        preselect: str | None = None,
        purpose: str = "",
        title: str = "Who is at the keyboard?",
    ) -> None:
        """Prepare the dialog.

        Args:
            store: the open store (the PIN is checked there).
            interview_id: the interview's full id.
            panel: the panel, in order.
            preselect: the panelist highlighted first (then the PIN field has focus).
            purpose: one or two sentences on why the PIN is asked.
            title: the dialog's title.
        """
        super().__init__(partial(confirm_pin, store, interview_id))
        self._panel = list(panel)
        self._preselect = preselect
        self._purpose = purpose
        self._title = title
        self._fields = PinFields(chair=next((p for p in panel if p.is_chair), None))

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = self._title
            if self._purpose:
                yield Static(self._purpose, classes="hint", markup=False)
            yield Label("Panelist (↑↓, then enter)", classes="field")
            yield ChoiceList(
                *(Option(literal(p.label()), id=p.id) for p in self._panel),
                id="pin-who",
                compact=True,
            )
            yield self._fields
            yield from self.buttons()

    def on_mount(self) -> None:
        who = self.query_one("#pin-who", OptionList)
        ids = [p.id for p in self._panel]
        start = ids.index(self._preselect) if self._preselect in ids else 0
        who.highlighted = start
        self._fields.show_for(self._panel[start])
        if self._preselect in ids:
            self._fields.focus_first()
        else:
            self.set_focus(who)

    @on(OptionList.OptionHighlighted, "#pin-who")
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
        if choices.id == "pin-who" and choices.highlighted is not None:
            self._fields.follow(self._panel, choices.get_option_at_index(choices.highlighted).id)

    def action_reset_pin(self) -> None:
        """Let the chair give the highlighted panelist a new PIN."""
        self.show_error(self._fields.toggle_reset())

    def form(self) -> PinEntry:
        return self._fields.entry()
