"""The chair opens the panel view before everyone has submitted: a reason and the chair's PIN.

Revealing early is sometimes necessary (a panelist had to leave), and it is
recorded with its reason. Afterwards no more submissions are accepted,
because they could no longer be blind; the dialog says so before it acts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static, TextArea

from formers_tui.errors import ValidationError
from formers_tui.store.panel_actions import RevealIn, reveal
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.pin import PanelistChoice, PinFields
from formers_tui.tui.dialogs.store_form import FormTextArea, StoreFormDialog
from formers_tui.tui.literal import literal


class RevealDialog(StoreFormDialog[RevealIn, str]):
    """Why reveal now, and the chair's PIN."""

    submit_label = "Reveal now"
    key_hint = "ctrl+s reveal · esc cancel"

    DEFAULT_CSS = """
    RevealDialog {
        & > .dialog { width: 72; border: thick $warning; }
        & #reveal-waiting { text-style: bold; }
        & #reveal-reason { height: 3; }
    }
    """

    def __init__(
        self, store: Store, interview_id: str, *, chair: PanelistChoice, waiting: Sequence[str]
    ) -> None:
        """Prepare the dialog.

        Args:
            store: the open store.
            interview_id: the interview's full id.
            chair: the panel's chair, who alone may reveal.
            waiting: one line per panelist who has not submitted everything.
        """
        super().__init__(partial(reveal, store, interview_id))
        self._chair = chair
        self._waiting = list(waiting)
        self._fields = PinFields(chair=chair)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = "Reveal the ratings now"
            yield Static(
                "Everyone will see every submitted rating now. After this no more "
                "submissions are accepted, because they would not be blind.",
                markup=False,
            )
            yield Static(
                literal("Still to submit: " + "; ".join(self._waiting)), id="reveal-waiting"
            )
            yield Label("Reason (recorded with the reveal)", classes="field")
            yield FormTextArea(id="reveal-reason")
            yield self._fields
            yield from self.buttons()

    def on_mount(self) -> None:
        self._fields.show_for(self._chair)
        self.set_focus(self.query_one("#reveal-reason", TextArea))

    def form(self) -> RevealIn:
        reason = self.query_one("#reveal-reason", TextArea).text.strip()
        if not reason:
            raise ValidationError("Say why the ratings are revealed before everyone has submitted.")
        return RevealIn(reason, self._fields.entry())
