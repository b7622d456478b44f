"""What every form dialog shares: a framed column, save and cancel keys, an inline error.

A dialog validates its own fields and shows the problem as one sentence under
the form; it never closes on bad input, so nothing typed is lost. It returns
a typed result with ``dismiss`` and leaves saving to the screen that opened it.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from formers_tui.errors import FormersError

ResultT = TypeVar("ResultT")


class FormDialog(ModalScreen[ResultT | None]):
    """A modal form; ``None`` means the user cancelled."""

    # Not a priority binding: ctrl+s must wait for the keystrokes typed before it.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
    ]

    DEFAULT_CSS = """
    FormDialog {
        align: center middle;
        background: $background 60%;
        & > .dialog {
            width: 90;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $primary;
            border-title-style: bold;
            background: $surface;
            padding: 0 1;
            scrollbar-size-vertical: 1;
        }
        & .field { color: $text-muted; margin-top: 1; }
        & .field-first { margin-top: 0; }
        & .error { display: none; color: $error; text-style: bold; }
        & .error.-shown { display: block; }
        & .hint { color: $text-muted; }
        & .buttons .hint { width: 1fr; }
        & .buttons { height: auto; margin-top: 1; align-horizontal: right; }
        & .buttons Button { margin-left: 1; }
        & TextArea { height: 4; }
        /* Compact fields have no border: a tint shows where to type, a stronger one focus. */
        & Input, & TextArea, & SelectCurrent, & SelectionList, & OptionList {
            background: $foreground 7%;
        }
        & Input:focus, & TextArea:focus, & Select:focus > SelectCurrent,
        & SelectionList:focus, & OptionList:focus {
            background: $primary 25%;
        }
    }
    """

    submit_label: ClassVar[str] = "Save"
    cancel_label: ClassVar[str | None] = "Cancel"
    """``None`` for a form with nothing to cancel (it saves as you type)."""
    key_hint: ClassVar[str] = "ctrl+s save · esc cancel"

    def buttons(self) -> ComposeResult:
        """The error line, the key hint and the save / cancel buttons."""
        yield Label(id="dialog-error", classes="error")
        with Horizontal(classes="buttons"):
            yield Static(self.key_hint, classes="hint")
            yield Button(self.submit_label, id="dialog-submit", variant="primary", compact=True)
            if self.cancel_label:
                yield Button(self.cancel_label, id="dialog-cancel", compact=True)

    def show_error(self, sentence: str | None) -> None:
        """Show ``sentence`` under the form, or clear the error with ``None``."""
        label = self.query_one("#dialog-error", Label)
        label.update(sentence or "")
        label.set_class(bool(sentence), "-shown")

    def result(self) -> ResultT:
        """Build the result from the fields.

        Raises:
            FormersError: with the sentence to show when a field is wrong.
        """
        raise NotImplementedError

    def action_submit(self) -> None:
        """Close with the result, or stay open showing what is wrong."""
        try:
            value = self.result()
        except FormersError as err:
            self.show_error(str(err))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#dialog-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#dialog-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
