"""What every form dialog shares: a framed column, save and cancel keys, an inline error.

A dialog validates its own fields and shows the problem as one sentence under
the form; it never closes on bad input, so nothing typed is lost. It returns
a typed result with ``dismiss`` and leaves saving to the screen that opened it.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea

from formers_tui.errors import FormersError
from formers_tui.tui.literal import literal

ResultT = TypeVar("ResultT")

TEXT_FIELDS = (Input, TextArea)


def hand_on(key: events.Key, focused: Widget) -> bool:
    """Put a key typed for ``focused`` there; return whether it was taken."""
    advance = getattr(focused, "advance", None)
    if advance is not None and key.key == "enter":
        advance()
    elif isinstance(focused, Input):
        if key.key == "backspace":
            focused.action_delete_left()
        elif key.is_printable and key.character:
            focused.insert_text_at_cursor(key.character)
        else:
            return False
    elif isinstance(focused, TextArea):
        if key.key == "backspace":
            focused.action_delete_left()
        elif key.key == "enter":
            focused.insert("\n")
        elif key.is_printable and key.character:
            focused.insert(key.character)
        else:
            return False
    else:
        return False
    key.stop()
    key.prevent_default()
    return True


def shown(widget: Widget) -> bool:
    """Whether ``widget`` and every container around it are displayed."""
    return all(node.display for node in widget.ancestors_with_self)


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
        /* The full width, so a long refusal wraps instead of running off the edge. */
        & .error { display: none; width: 1fr; color: $error; text-style: bold; }
        & .error.-shown { display: block; }
        & .hint { color: $text-muted; }
        & .buttons .hint { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
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
            yield from self.beside_buttons()
            yield Static(self.key_hint, classes="hint")
            yield Button(self.submit_label, id="dialog-submit", variant="primary", compact=True)
            if self.cancel_label:
                yield Button(self.cancel_label, id="dialog-cancel", compact=True)

    def beside_buttons(self) -> ComposeResult:
        """What a dialog shows left of its key hint (e.g. the choice about to be saved)."""
        yield from ()

    def show_error(self, sentence: str | None) -> None:
        """Show ``sentence`` under the form, or clear the error with ``None``.

        The form may be taller than a small terminal: the sentence is
        scrolled into view, or it would be said where nobody can see it.
        """
        label = self.query_one("#dialog-error", Label)
        label.update(literal(sentence or ""))
        label.set_class(bool(sentence), "-shown")
        if sentence:
            self.call_after_refresh(self._show_error_line)

    def _show_error_line(self) -> None:
        for label in self.query("#dialog-error"):
            # The buttons are under the error: bring both into view.
            for row in self.query(".buttons"):
                row.scroll_visible(animate=False, immediate=True)
            label.scroll_visible(animate=False, immediate=True)

    def choice_moved(self, choices: OptionList) -> None:
        """The highlight of ``choices`` moved; fields that depend on it follow at once.

        (The ``OptionHighlighted`` message comes later, after keys typed meanwhile.)
        """

    def advance_from(self, field: Widget) -> None:
        """Enter in ``field``: the next field to type in, or save from the last one."""
        chain = self.focus_chain
        later = chain[chain.index(field) + 1 :] if field in chain else []
        following = next((f for f in later if isinstance(f, TEXT_FIELDS) and shown(f)), None)
        if following is not None:
            self.set_focus(following)
        elif isinstance(field, OptionList):
            self.focus_next()
        else:
            self.action_submit()

    def on_key(self, event: events.Key) -> None:
        """A key that bubbled up here while a text field has the cursor was meant for it.

        Typed words never act as commands: a printable key that reaches the
        dialog from a button goes to the last text field, where it was meant.
        """
        focused = self.focused
        if isinstance(focused, TEXT_FIELDS) and event.key != "escape":
            hand_on(event, focused)
        elif isinstance(focused, Button) and event.is_printable and event.character:
            fields = [f for f in self.focus_chain if isinstance(f, TEXT_FIELDS) and shown(f)]
            if fields:
                self.set_focus(fields[-1])
                hand_on(event, fields[-1])

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
