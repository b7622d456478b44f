"""Resolve an open safety flag, which requires saying what action was taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList, TextArea
from textual.widgets.option_list import Option

from formers_tui.errors import ValidationError
from formers_tui.store.capture import FLAG_LABELS
from formers_tui.store.models import SafetyFlag
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.dialogs.store_form import FormTextArea
from formers_tui.tui.literal import literal
from formers_tui.tui.widgets.formatting import local, one_line


@dataclass(frozen=True)
class FlagResolution:
    """The flag to close and what was done about it."""

    flag_id: str
    action_taken: str


class ResolveFlagDialog(FormDialog[FlagResolution]):
    """Pick the open flag (when there are several) and describe the action taken."""

    submit_label = "Resolve"

    DEFAULT_CSS = """
    ResolveFlagDialog {
        & > .dialog { border: thick $error; }
        & #resolve-flags { height: auto; max-height: 6; }
        & #resolve-action { height: 4; }
    }
    """

    def __init__(self, flags: Sequence[SafetyFlag]) -> None:
        """Prepare the form.

        Args:
            flags: the open flags, oldest first (at least one).
        """
        super().__init__()
        self._flags = list(flags)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = "Resolve safety flag"
            yield Label("Open flag", classes="field field-first")
            yield OptionList(
                *(
                    Option(
                        literal(
                            f"{local(f.raised_at).strftime('%H:%M')} {FLAG_LABELS[f.kind]}"
                            + (f": {one_line(f.note, 70)}" if f.note else "")
                        ),
                        id=f.id,
                    )
                    for f in self._flags
                ),
                id="resolve-flags",
                compact=True,
            )
            yield Label("Action taken (who was consulted, what was done)", classes="field")
            yield FormTextArea(id="resolve-action")
            yield from self.buttons()

    def on_mount(self) -> None:
        flags = self.query_one("#resolve-flags", OptionList)
        flags.highlighted = len(self._flags) - 1
        if len(self._flags) == 1:
            self.query_one("#resolve-action", TextArea).focus()
        else:
            flags.focus()

    @on(OptionList.OptionSelected, "#resolve-flags")
    def _flag_chosen(self) -> None:
        self.query_one("#resolve-action", TextArea).focus()

    def result(self) -> FlagResolution:
        flags = self.query_one("#resolve-flags", OptionList)
        if flags.highlighted is None:
            raise ValidationError("Choose the flag to resolve.")
        action = self.query_one("#resolve-action", TextArea).text.strip()
        if not action:
            raise ValidationError("Describe the action taken before resolving the flag.")
        return FlagResolution(flag_id=self._flags[flags.highlighted].id, action_taken=action)
