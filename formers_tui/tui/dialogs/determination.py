"""The panel's determination: ready, ready with conditions, or not yet ready, and why.

The computed suggestion is shown at the top as advice. The fields each
outcome needs appear with it (conditions; what to work on and a review
date) and, when the outcome is not the suggestion, a field saying why. Text
typed in a field that is hidden again by a change of outcome is kept (and
not saved) so that nothing typed is lost by changing one's mind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from formers_tui.errors import ValidationError
from formers_tui.scoring.suggestion import SUGGESTED_LABELS, Suggested
from formers_tui.store.models import Outcome
from formers_tui.store.panel_actions import DeterminationIn
from formers_tui.store.panel_decision import MIN_DIFFERS_CHARS
from formers_tui.store.panel_view import DeterminationView
from formers_tui.tui.dialogs.pin import PanelistChoice, PinFields
from formers_tui.tui.dialogs.store_form import (
    ChoiceList,
    FormInput,
    FormTextArea,
    StoreFormDialog,
)

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.ready: "Ready",
    Outcome.ready_with_conditions: "Ready with conditions",
    Outcome.not_yet_ready: "Not yet ready",
}


def parse_review_date(text: str, interview_date: date) -> date | None:
    """The review date typed as YYYY-MM-DD, or ``None`` when left empty.

    Raises:
        ValidationError: not such a date, or not after the interview.
    """
    text = text.strip()
    if not text:
        return None
    try:
        found = date.fromisoformat(text)
    except ValueError:
        example = f"{interview_date.year + 1}-{interview_date.month:02d}-01"
        raise ValidationError(f"Write the review date as YYYY-MM-DD, e.g. {example}.") from None
    if found <= interview_date:
        raise ValidationError("The review date must be after the interview date.")
    return found


class DeterminationDialog(StoreFormDialog[DeterminationIn, DeterminationIn]):
    """Choose the outcome, give the rationale and what that outcome needs."""

    DEFAULT_CSS = """
    DeterminationDialog {
        & > .dialog { width: 96; }
        & #determination-suggestion { background: $primary 15%; padding: 0 1; }
        & #determination-outcome { height: auto; }
        & .group { height: auto; }
        & .group.-hidden { display: none; }
        & #determination-date { width: 16; }
        & #determination-rationale, & #determination-conditions,
        & #determination-work, & #determination-differs { height: 3; }
    }
    """

    def __init__(
        self,
        *,
        suggested: Suggested,
        interview_date: date,
        current: DeterminationView | None,
        chair: PanelistChoice | None,
        apply: Callable[[DeterminationIn], DeterminationIn],
    ) -> None:
        """Prepare the form, filled with the determination already recorded (if any).

        Args:
            suggested: the computed suggestion as things stand.
            interview_date: a review date must come after it.
            current: the recorded determination, to revise.
            chair: the panel's chair, whose PIN records the determination.
            apply: records the determination (in a worker) and commits it.
        """
        super().__init__(apply)
        self._chair = chair
        self._fields = PinFields(chair=None, id="determination-pin")
        self._suggested = suggested
        self._interview_date = interview_date
        self._current = current

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = "Determination"
            yield Static(
                f"Computed suggestion: {SUGGESTED_LABELS[self._suggested]}. "
                "It is advice from the thresholds; the panel decides.",
                id="determination-suggestion",
                markup=False,
            )
            yield Label("Outcome (1, 2 or 3; or ↑↓ and enter)", classes="field")
            yield ChoiceList(
                *(
                    Option(f"{n}  {label}", id=outcome.value)
                    for n, (outcome, label) in enumerate(OUTCOME_LABELS.items(), start=1)
                ),
                shortcuts={str(n): o.value for n, o in enumerate(OUTCOME_LABELS, start=1)},
                id="determination-outcome",
                compact=True,
            )
            yield Label("Rationale: why the panel decides this", classes="field")
            yield FormTextArea(id="determination-rationale")
            with Vertical(id="group-conditions", classes="group -hidden"):
                yield Label("Conditions (required for ready with conditions)", classes="field")
                yield FormTextArea(id="determination-conditions")
            with Vertical(id="group-work", classes="group -hidden"):
                yield Label("What to work on (required for not yet ready)", classes="field")
                yield FormTextArea(id="determination-work")
                yield Label("Suggested review date (YYYY-MM-DD, optional)", classes="field")
                yield FormInput(placeholder="YYYY-MM-DD", id="determination-date", compact=True)
            with Vertical(id="group-differs", classes="group -hidden"):
                yield Label(
                    f"Why the panel differs from the suggestion "
                    f"(at least {MIN_DIFFERS_CHARS} characters)",
                    classes="field",
                )
                yield FormTextArea(id="determination-differs")
            yield self._fields
            yield from self.buttons()

    def on_mount(self) -> None:
        if self._chair is not None:
            self._fields.show_for(self._chair)
        outcomes = self.query_one("#determination-outcome", OptionList)
        found = self._current
        if found is None:
            outcomes.highlighted = None
        else:
            ids = [o.value for o in OUTCOME_LABELS]
            outcomes.highlighted = ids.index(found.outcome) if found.outcome in ids else None
            self._area("rationale").load_text(found.rationale)
            self._area("conditions").load_text(found.conditions)
            self._area("work").load_text(found.work_on)
            self._area("differs").load_text(found.differs_because)
            if found.review_date is not None:
                self.query_one("#determination-date", Input).value = found.review_date.isoformat()
        self._show_groups()
        self.set_focus(outcomes)

    def _area(self, name: str) -> TextArea:
        return self.query_one(f"#determination-{name}", TextArea)

    def outcome(self) -> Outcome | None:
        """The outcome highlighted, if any."""
        outcomes = self.query_one("#determination-outcome", OptionList)
        if outcomes.highlighted is None:
            return None
        option_id = outcomes.get_option_at_index(outcomes.highlighted).id
        return Outcome(option_id) if option_id else None

    def differs(self, outcome: Outcome | None) -> bool:
        """Whether ``outcome`` is not the computed suggestion."""
        return outcome is not None and outcome.value != self._suggested.value

    def _show_groups(self) -> None:
        outcome = self.outcome()
        shown = {
            "conditions": outcome is Outcome.ready_with_conditions,
            "work": outcome is Outcome.not_yet_ready,
            "differs": self.differs(outcome),
        }
        for name, visible in shown.items():
            self.query_one(f"#group-{name}").set_class(not visible, "-hidden")

    @on(OptionList.OptionHighlighted, "#determination-outcome")
    def _outcome_changed(self) -> None:
        self._show_groups()

    def form(self) -> DeterminationIn:
        outcome = self.outcome()
        if outcome is None:
            raise ValidationError(
                "Choose the outcome: ready, ready with conditions, or not yet ready."
            )
        rationale = self._area("rationale").text.strip()
        if not rationale:
            raise ValidationError("Give the rationale for the determination.")
        conditions = work_on = differs_because = ""
        review_date = None
        if outcome is Outcome.ready_with_conditions:
            conditions = self._area("conditions").text.strip()
            if not conditions:
                raise ValidationError(
                    "A 'ready with conditions' determination needs its conditions."
                )
        if outcome is Outcome.not_yet_ready:
            work_on = self._area("work").text.strip()
            if not work_on:
                raise ValidationError("A 'not yet ready' determination needs what to work on.")
            review_date = parse_review_date(
                self.query_one("#determination-date", Input).value, self._interview_date
            )
        if self.differs(outcome):
            differs_because = self._area("differs").text.strip()
            if len(differs_because) < MIN_DIFFERS_CHARS:
                raise ValidationError(
                    f"The determination differs from the computed suggestion "
                    f"({SUGGESTED_LABELS[self._suggested]}); say why it differs in at least "
                    f"{MIN_DIFFERS_CHARS} characters."
                )
        if self._chair is None:
            raise ValidationError("This panel has no chair to record the determination.")
        return DeterminationIn(
            outcome=outcome,
            rationale=rationale,
            conditions=conditions,
            work_on=work_on,
            review_date=review_date,
            differs_because=differs_because,
            pin=self._fields.typed(),
        )
