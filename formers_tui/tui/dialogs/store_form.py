"""A form dialog that makes its change in the store before it closes.

Some answers only the store can judge: whether a PIN is right, whether the
panel may record its consensus yet, whether the interview is already locked.
Such a dialog checks its own fields first, then runs the change given to it
in a thread worker; if the store refuses, its sentence appears under the form
and everything typed stays where it was. The dialog closes with the change's
result once the change is committed.

Enter moves to the next field. People type a PIN, Enter and the PIN again
in one burst, faster than Textual moves the focus: keys already on their way
to the previous field would land there. So focus moves at once
(:meth:`Screen.set_focus`), and a key that still reaches a field or list
after the cursor has left it is handed on to the field that has the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from textual import events, on, work
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Select, TextArea
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import Worker

from formers_tui.errors import FormersError
from formers_tui.tui.dialogs.base import FormDialog, hand_on
from formers_tui.tui.workers import DB, post_result, user_error

FormT = TypeVar("FormT")
DoneT = TypeVar("DoneT")


def route_key(widget: Widget, event: events.Key) -> bool:
    """Move on at once on tab, and hand on keys that arrive after the cursor has left.

    Returns:
        Whether the key was dealt with here.
    """
    screen = widget.screen
    if event.key in ("tab", "shift+tab"):
        event.stop()
        event.prevent_default()
        if event.key == "tab":
            screen.focus_next()
        else:
            screen.focus_previous()
        return True
    focused = screen.focused
    return focused is not None and focused is not widget and hand_on(event, focused)


class FormInput(Input):
    """A one-line field whose Enter moves on at once, and which hands on late keys.

    Focus does not select the text: a key handed on just before the focus
    arrives would otherwise be selected and replaced by the next one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        if route_key(self, event):
            return
        if event.key in ("enter", "backspace"):
            # Here rather than as bindings, so they keep their place among the characters.
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                self.advance()
            else:
                self.action_delete_left()
            return
        await super()._on_key(event)

    def advance(self) -> None:
        """Move to the next field, or save when this is the last one."""
        advance_from = getattr(self.screen, "advance_from", None)
        if advance_from is not None:
            advance_from(self)
        else:
            self.post_message(self.Submitted(self, self.value))


class FormTextArea(TextArea):
    """A text box that moves on at once on tab and hands on keys that arrive after."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, soft_wrap=True, tab_behavior="focus", compact=True)

    async def _on_key(self, event: events.Key) -> None:
        if route_key(self, event):
            return
        await super()._on_key(event)


class FormSelect(Select[Any]):
    """A drop-down that moves on at once on tab and hands on keys that arrive after."""

    async def _on_key(self, event: events.Key) -> None:
        if route_key(self, event):
            return
        await super()._on_key(event)


class ChoiceList(OptionList):
    """A list whose Enter (or a shortcut key) chooses and moves to the next field at once.

    Any other character typed in the list was meant for the next field, and goes there.
    """

    def __init__(
        self, *options: Option, shortcuts: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        """Create the list.

        Args:
            options: the choices.
            shortcuts: keys that choose an option directly (key -> option id).
            kwargs: as for :class:`OptionList`.
        """
        super().__init__(*options, **kwargs)
        self._shortcuts = dict(shortcuts or {})

    async def _on_key(self, event: events.Key) -> None:
        if route_key(self, event):
            return
        moves = {
            "up": self.action_cursor_up,
            "down": self.action_cursor_down,
            "home": self.action_first,
            "end": self.action_last,
        }
        if event.key in moves:  # here, like enter, so they keep their order
            event.stop()
            event.prevent_default()
            moves[event.key]()
            self._moved()
            return
        if event.key == "enter" or event.key in self._shortcuts:
            event.stop()
            event.prevent_default()
            if event.key in self._shortcuts:
                try:
                    self.highlighted = self.get_option_index(self._shortcuts[event.key])
                except OptionDoesNotExist:  # not on this scale
                    return
                self._moved()
            self.action_select()
            return
        screen = self.screen
        if isinstance(screen, FormDialog) and event.is_printable and event.character:
            # Typing in a list means the next field: a PIN typed before Enter on the name.
            screen.advance_from(self)
            focused = screen.focused
            if focused is not None and focused is not self:
                hand_on(event, focused)
                return
        await super()._on_key(event)

    def _moved(self) -> None:
        screen = self.screen
        if isinstance(screen, FormDialog):
            screen.choice_moved(self)

    def action_select(self) -> None:
        super().action_select()
        screen = self.screen
        if self.highlighted is not None and isinstance(screen, FormDialog):
            screen.advance_from(self)


class StoreFormDialog(FormDialog[DoneT], Generic[FormT, DoneT]):
    """A modal form whose result is applied to the store before the dialog closes."""

    @dataclass
    class Applied(Message):
        """The change was made and committed."""

        result: Any
        """What the change returned."""

    def __init__(self, apply: Callable[[FormT], DoneT]) -> None:
        """Prepare the dialog.

        Args:
            apply: makes the change, in a worker thread with its own session,
                and commits it; raises :class:`FormersError` to refuse.
        """
        super().__init__()
        self._apply = apply
        self.busy = False
        """Whether a change is being made (a second save waits for it)."""

    def form(self) -> FormT:
        """Read the fields.

        Raises:
            FormersError: with the sentence to show when a field is wrong.
        """
        raise NotImplementedError

    def applied(self, result: DoneT) -> bool:
        """Called once the change is committed; return whether to close.

        A dialog that serves several people in turn (sign-off) updates itself
        here and stays open.
        """
        return True

    def action_submit(self) -> None:
        """Check the fields, then make the change; stay open with the reason if refused."""
        if self.busy:
            return
        try:
            value = self.form()
        except FormersError as err:
            self.show_error(str(err))
            return
        self.show_error(None)
        self._set_busy(True)
        self._run(value)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.query("#dialog-submit").results(Button):
            button.disabled = busy

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB)
    def _run(self, value: FormT) -> None:
        post_result(self, self.Applied(self._apply(value)))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        self._set_busy(False)
        result = cast(DoneT, message.result)
        if self.applied(result):
            self.dismiss(result)

    @on(Worker.StateChanged)
    def _refused(self, event: Worker.StateChanged) -> None:
        error = user_error(event)
        if error is not None:
            self._set_busy(False)
            self.show_error(str(error))
