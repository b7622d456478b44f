"""A form dialog that makes its change in the store before it closes.

Some answers only the store can judge: whether a PIN is right, whether the
panel may record its consensus yet, whether the interview is already locked.
Such a dialog checks its own fields first, then runs the change given to it
in a thread worker; if the store refuses, its sentence appears under the form
and everything typed stays where it was. The dialog closes with the change's
result once the change is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input
from textual.worker import Worker

from formers_tui.errors import FormersError
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.workers import DB, post_result, user_error

FormT = TypeVar("FormT")
DoneT = TypeVar("DoneT")


def shown(widget: Widget) -> bool:
    """Whether ``widget`` and every container around it are displayed."""
    return all(node.display for node in widget.ancestors_with_self)


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

    @on(Input.Submitted)
    def _enter_in_field(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; in the last one it saves."""
        event.stop()
        fields = [f for f in self.query("Input, TextArea") if shown(f)]
        if event.input in fields and event.input is not fields[-1]:
            fields[fields.index(event.input) + 1].focus()
        else:
            self.action_submit()
