"""Choosing the passphrase of a new store, on first run.

Asked twice, with a strength hint as it is typed; the store is created only
once both entries agree. Tab and Enter move to the second entry at once, so
a passphrase typed straight after them lands there, not in the first.
Nothing is created if the dialog is left with Escape:
the app then quits rather than fall back to an unencrypted store.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from formers_tui.errors import ValidationError
from formers_tui.tui.dialogs.store_form import FormInput
from formers_tui.tui.literal import literal


class NewPassphraseDialog(ModalScreen[str | None]):
    """Ask for a new store passphrase twice; dismiss with it, or ``None`` to quit."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Quit")]

    DEFAULT_CSS = """
    NewPassphraseDialog {
        align: center middle;
        & > Vertical {
            width: 72;
            max-width: 100%;
            height: auto;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        & .hint { color: $text-muted; }
        & #pass-error { color: $error; text-style: bold; }
        & Input { margin-bottom: 1; }
    }
    """

    def __init__(self, store_path: str) -> None:
        super().__init__()
        self.store_path = store_path

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New store: choose a passphrase"
            yield Static(
                f"A new store will be created at {self.store_path}, encrypted with this "
                "passphrase. Without it nobody can read the store, and it cannot be "
                "recovered: keep it where your programme keeps such secrets.",
                markup=False,
            )
            yield Label("Passphrase")
            yield FormInput(password=True, id="first")
            yield Label("Repeat it")
            yield FormInput(password=True, id="again")
            yield Static("", id="pass-hint", classes="hint")
            yield Static("", id="pass-error")
            yield Static("Enter: create the store · Escape: quit", classes="hint")

    @on(Input.Changed, "#first")
    def _hint(self, event: Input.Changed) -> None:
        from formers_tui.store.crypto import strength_hint

        hint = strength_hint(event.value) if event.value else None
        self.query_one("#pass-hint", Static).update(
            hint or ("Strong enough." if event.value else "")
        )

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        # Typing again: the message was about the text before. (A change typed
        # before the check, arriving after it, is not typing again.)
        if event.value and event.value == event.input.value:
            self.query_one("#pass-error", Static).update("")

    def advance_from(self, field: Input) -> None:
        """Enter: from the first entry to the second at once (the next keys go there), or create."""
        if field.id == "first":
            self.set_focus(self.query_one("#again", Input))
        else:
            self._submit()

    def _submit(self) -> None:
        from formers_tui.store.crypto import check_new_passphrase

        first = self.query_one("#first", Input).value
        again = self.query_one("#again", Input)
        try:
            check_new_passphrase(first, again.value)
        except ValidationError as exc:
            # The refusal says it; the live hint would repeat it in other words.
            self.query_one("#pass-hint", Static).update("")
            self.query_one("#pass-error", Static).update(literal(str(exc)))
            again.value = ""
            return
        self.dismiss(first)

    def action_cancel(self) -> None:
        self.dismiss(None)
