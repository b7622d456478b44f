"""Record a collateral evidence item and link it to the indicators it bears on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, SelectionList, TextArea
from textual.widgets.selection_list import Selection

from formers_tui.errors import ValidationError
from formers_tui.protocol.model import Indicator
from formers_tui.store.capture import (
    BEARING_LABELS,
    RELIABILITY_LABELS,
    SOURCE_LABELS,
    EvidenceIn,
    check_evidence,
)
from formers_tui.store.models import Bearing, EvidenceSource, Reliability
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.dialogs.store_form import FormInput, FormSelect, FormTextArea
from formers_tui.tui.widgets.tick_box import TickList


def parse_date(text: str, what: str) -> date | None:
    """An optional ISO date typed by a person.

    Raises:
        ValidationError: naming the field and the expected form.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{what}: '{text}' is not a date (use YYYY-MM-DD).") from None


class EvidenceDialog(FormDialog[EvidenceIn]):
    """Source, informant, date, reliability, summary, bearing and linked indicators."""

    DEFAULT_CSS = """
    EvidenceDialog {
        & .pair { height: auto; }
        & .pair > Vertical { height: auto; width: 1fr; }
        & .pair > Vertical { margin-right: 2; }
        & .pair > Vertical:last-child { margin-right: 0; }
        & #evidence-links { height: 6; }
        & #evidence-summary { height: 4; }
    }
    """

    def __init__(self, *, indicators: Sequence[Indicator], current: str) -> None:
        """Prepare the form.

        Args:
            indicators: every indicator of the protocol, in order.
            current: the indicator on screen, linked by default.
        """
        super().__init__()
        self._indicators = list(indicators)
        self._current = current

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = "Collateral evidence"
            with Horizontal(classes="pair"):
                with Vertical():
                    yield Label("Source", classes="field field-first")
                    yield FormSelect(
                        [(label, kind) for kind, label in SOURCE_LABELS.items()],
                        value=EvidenceSource.court_record,
                        allow_blank=False,
                        id="evidence-source",
                        compact=True,
                    )
                with Vertical():
                    yield Label("Informant (name, role or office)", classes="field field-first")
                    yield FormInput(id="evidence-informant", compact=True)
            with Horizontal(classes="pair"):
                with Vertical():
                    yield Label("Date obtained", classes="field")
                    yield FormInput(
                        placeholder="YYYY-MM-DD (optional)", id="evidence-date", compact=True
                    )
                with Vertical():
                    yield Label("Reliability", classes="field")
                    yield FormSelect(
                        [(label, level) for level, label in RELIABILITY_LABELS.items()],
                        value=Reliability.unknown,
                        allow_blank=False,
                        id="evidence-reliability",
                        compact=True,
                    )
                with Vertical():
                    yield Label("Supports/contradicts", classes="field")
                    yield FormSelect(
                        [(label, bearing) for bearing, label in BEARING_LABELS.items()],
                        value=Bearing.supports,
                        allow_blank=False,
                        id="evidence-bearing",
                        compact=True,
                    )
            yield Label("What the source says", classes="field")
            yield FormTextArea(id="evidence-summary")
            yield Label("Linked indicators (space to tick)", classes="field")
            yield TickList(
                *(
                    Selection(f"{i.id}  {i.title}", i.id, i.id == self._current)
                    for i in self._indicators
                ),
                id="evidence-links",
                compact=True,
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        links = self.query_one("#evidence-links", SelectionList)
        index = next((n for n, i in enumerate(self._indicators) if i.id == self._current), 0)
        links.highlighted = index
        self.query_one("#evidence-source", Select).focus()

    def result(self) -> EvidenceIn:
        links = self.query_one("#evidence-links", SelectionList)
        chosen: list[str] = [str(value) for value in links.selected]
        order = {i.id: n for n, i in enumerate(self._indicators)}
        chosen.sort(key=lambda ident: order.get(ident, len(order)))
        item = EvidenceIn(
            source_type=EvidenceSource(self.query_one("#evidence-source", Select).value),
            informant=self.query_one("#evidence-informant", Input).value.strip(),
            obtained_on=parse_date(self.query_one("#evidence-date", Input).value, "Date obtained"),
            reliability=Reliability(self.query_one("#evidence-reliability", Select).value),
            summary=self.query_one("#evidence-summary", TextArea).text.strip(),
            bearing=Bearing(self.query_one("#evidence-bearing", Select).value),
            indicator_ids=tuple(chosen),
        )
        check_evidence(item)
        if not item.indicator_ids:
            raise ValidationError("Link the evidence to at least one indicator.")
        return item
