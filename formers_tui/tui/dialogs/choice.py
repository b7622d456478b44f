"""A question with a few answers, each a line to choose with the arrows and Enter."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from formers_tui.tui.literal import literal


class ChoiceDialog(ModalScreen[str | None]):
    """Ask ``question``; dismiss with the id of the answer chosen (``None`` on Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ChoiceDialog {
        align: center middle;
        background: $background 60%;
        & > .dialog {
            width: 76;
            max-width: 100%;
            height: auto;
            border: thick $error;
            border-title-style: bold;
            background: $surface;
            padding: 0 1;
        }
        & OptionList { height: auto; margin-top: 1; }
    }
    """

    def __init__(self, title: str, question: str, answers: list[tuple[str, str]]) -> None:
        """Prepare the question.

        Args:
            title: the frame's title.
            question: the situation and the question, in plain words.
            answers: ``(id, label)`` of each answer, the safest first.
        """
        super().__init__()
        self._title = title
        self._question = question
        self._answers = answers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self._title
            yield Static(literal(self._question), id="choice-question")
            yield OptionList(
                *(Option(literal(label), id=key) for key, label in self._answers),
                id="choice-answers",
            )

    def on_mount(self) -> None:
        answers = self.query_one(OptionList)
        answers.highlighted = 0
        answers.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
