"""The candidate's timeline facts, with the proportionality guideline computed as you type.

Each valid value is handed to the screen at once (and so autosaved); a value
that is not valid yet stays in its field with the problem shown under it, and
comes back with the dialog when it is reopened, so nothing typed is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from formers_tui.errors import FormersError
from formers_tui.protocol.model import Proportionality, TimelineFact
from formers_tui.protocol.timeline import ProportionalityStatus, check_rule
from formers_tui.store.capture import timeline_value
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.dialogs.store_form import FormInput, FormSelect
from formers_tui.tui.literal import literal


def proportionality_line(
    rule: Proportionality | None, values: Mapping[str, str], as_of: date
) -> tuple[str, bool]:
    """The guideline's result for ``values`` as one line, and whether it is a problem.

    Returns:
        The line to show, and ``True`` when it reports an error in the dates.
    """
    if rule is None:
        return "This protocol has no proportionality guideline.", False
    start, end = values.get(rule.involved_from, ""), values.get(rule.disengaged_on, "")
    if not start or not end:
        return "Enter both dates to see the proportionality guideline.", False
    check = check_rule(rule, values, as_of)
    return check.text[:1].upper() + check.text[1:] + ".", (
        check.status is ProportionalityStatus.incomplete
    )


PLACEHOLDERS = {
    "date": "2010, 2010-06 or 2010-06-15",
    "periods": "e.g. 2003 to 2005; 2008-06 to 2009",
}
"""What each kind of field accepts, shown while it is empty."""


class TimelineDialog(FormDialog[dict[str, str]]):
    """One field per timeline fact; closes with the raw text of every field."""

    AUTO_FOCUS = ""  # on_mount focuses the first field, without centring it under the top
    submit_label = "Done"
    cancel_label = None
    key_hint = "each valid value is saved as you type · esc or ctrl+s close"

    DEFAULT_CSS = """
    TimelineDialog {
        & .fact-error { color: $error; height: auto; }
        & .fact-help { color: $text-muted; height: auto; }
        & #timeline-facts { height: auto; max-height: 60vh; }
        & #timeline-result {
            padding: 0 1;
            border-left: thick $accent;
            text-style: bold;
        }
        & #timeline-result.-problem { border-left: thick $error; color: $error; }
    }
    """

    def __init__(
        self,
        *,
        facts: Sequence[TimelineFact],
        rule: Proportionality | None,
        as_of: date,
        values: Mapping[str, str],
        on_valid: Callable[[str, str], None],
        read_only: bool = False,
    ) -> None:
        """Prepare the form.

        Args:
            facts: the protocol's timeline facts, in order.
            rule: the proportionality rule, if the protocol has one.
            as_of: the interview date (disengagement is counted up to it).
            values: what to show in each field (stored values or kept drafts).
            on_valid: called with (fact id, stored form) whenever a field becomes valid.
            read_only: show the values without allowing changes.
        """
        super().__init__()
        self._facts = list(facts)
        self._rule = rule
        self._as_of = as_of
        self._raw: dict[str, str] = {f.id: values.get(f.id, "") for f in self._facts}
        self._valid: dict[str, str] = {}
        self._on_valid = on_valid
        self._read_only = read_only

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Timeline"
            yield Static(id="timeline-result")
            with VerticalScroll(id="timeline-facts", can_focus=False):
                yield from self._fields()
            yield from self.buttons()

    def _fields(self) -> ComposeResult:
        for n, fact in enumerate(self._facts):
            classes = "field field-first" if n == 0 else "field"
            yield Label(fact.label, classes=classes)
            value = self._raw[fact.id]
            if fact.kind == "choice":
                options = [(choice, choice) for choice in fact.choices]
                yield FormSelect(
                    options,
                    value=value if value in fact.choices else Select.NULL,
                    prompt="(not known yet)",
                    id=f"fact-{fact.id}",
                    disabled=self._read_only,
                    compact=True,
                )
            else:
                yield FormInput(
                    value,
                    placeholder=PLACEHOLDERS.get(fact.kind, ""),
                    id=f"fact-{fact.id}",
                    disabled=self._read_only,
                    compact=True,
                )
            yield Static("", id=f"error-{fact.id}", classes="fact-error")
            if fact.help:
                yield Static(self._readable(fact.help), classes="fact-help", markup=False)

    def _readable(self, text: str) -> str:
        """``text`` with any fact's id (a protocol author's name for it) replaced by its label."""
        for fact in sorted(self._facts, key=lambda f: len(f.id), reverse=True):
            text = re.sub(rf"\b{re.escape(fact.id)}\b", f"“{fact.label.lower()}”", text)
        return text

    def on_mount(self) -> None:
        for fact in self._facts:
            self._check(fact, self._raw[fact.id], announce=False)
        self._update_result()
        if self._facts and not self._read_only:
            # Without scrolling to it: that would hide its label above the top.
            self.query_one(f"#fact-{self._facts[0].id}").focus(scroll_visible=False)

    def _fact(self, widget_id: str | None) -> TimelineFact | None:
        ident = (widget_id or "").removeprefix("fact-")
        return next((f for f in self._facts if f.id == ident), None)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        fact = self._fact(event.input.id)
        if fact is not None:
            self._check(fact, event.value)
            self._update_result()

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        fact = self._fact(event.select.id)
        if fact is not None:
            value = "" if event.value is Select.NULL else str(event.value)
            self._check(fact, value)
            self._update_result()

    def _check(self, fact: TimelineFact, raw: str, *, announce: bool = True) -> None:
        """Validate one field, show its error inline, hand a valid change to the screen."""
        self._raw[fact.id] = raw
        error = self.query_one(f"#error-{fact.id}", Static)
        try:
            value = timeline_value(
                fact,
                raw,
                self._as_of,
                ongoing=self._rule is not None and fact.id == self._rule.disengaged_on,
            )
        except FormersError as err:
            self._valid.pop(fact.id, None)
            error.update(literal(str(err)))
            error.display = True
            return
        error.update("")
        error.display = False
        changed = self._valid.get(fact.id) != value
        self._valid[fact.id] = value
        if announce and changed and not self._read_only:
            self._on_valid(fact.id, value)

    def _update_result(self) -> None:
        line, problem = proportionality_line(self._rule, self._valid, self._as_of)
        result = self.query_one("#timeline-result", Static)
        result.update(line)
        result.set_class(problem, "-problem")

    def result(self) -> dict[str, str]:
        return dict(self._raw)

    def action_cancel(self) -> None:
        """Escape closes like Done: valid values are already saved, drafts are kept."""
        self.action_submit()
