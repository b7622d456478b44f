"""The panel's consensus on one indicator: a level (or omit), the reasons, any dissent.

The panelists' own ratings are listed above the form and stay as they were:
the consensus is recorded beside them, never over them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option, OptionDoesNotExist

from formers_tui.errors import ValidationError
from formers_tui.protocol.model import Indicator, Scale
from formers_tui.scoring.matrix import Cell, CellState, MatrixRow
from formers_tui.scoring.summary import PanelistInfo
from formers_tui.store.panel_actions import ConsensusIn
from formers_tui.store.panel_decision import DissentIn
from formers_tui.tui.dialogs.pin import PanelistChoice, PinFields
from formers_tui.tui.dialogs.store_form import (
    ChoiceList,
    FormInput,
    FormTextArea,
    StoreFormDialog,
)
from formers_tui.tui.literal import literal
from formers_tui.tui.widgets.formatting import one_line

OMIT = "omit"
"""Option id of the omit choice; levels use their value as id."""


def rating_line(name: str, cell: Cell, scale: Scale) -> str:
    """One panelist's rating as a line: ``Sam Sample: 1 Emerging — "why"``."""
    if cell.state is CellState.rated and cell.value is not None:
        what = f"{cell.value} {scale.level(cell.value).label}"
    elif cell.state is CellState.omitted:
        what = "omit"
    elif cell.state is CellState.hidden:
        return f"{name}: hidden until you submit"
    else:
        return f"{name}: — (nothing submitted)"
    if not cell.submitted:
        what += " (draft)"
    why = f" — {one_line(cell.rationale, 70)}" if cell.rationale.strip() else ""
    return f"{name}: {what}{why}"


class ConsensusDialog(StoreFormDialog[ConsensusIn, ConsensusIn]):
    """Pick the agreed level with its digit (or o), give the reasons, note who dissents."""

    DEFAULT_CSS = """
    ConsensusDialog {
        & > .dialog { width: 96; }
        & #consensus-ratings { color: $text; }
        & #consensus-discuss { color: $text-warning; text-style: bold; }
        & #consensus-levels { height: auto; max-height: 6; }
        & #consensus-anchor { color: $text-muted; }
        & #consensus-rationale { height: 3; }
        & .dissent { height: 1; }
        & .dissent Label { width: 22; color: $text-muted; }
        & .dissent Input { width: 1fr; }
    }
    """

    def __init__(
        self,
        *,
        indicator: Indicator,
        row: MatrixRow,
        panelists: Sequence[PanelistInfo],
        scale: Scale,
        chair: PanelistChoice | None,
        apply: Callable[[ConsensusIn], ConsensusIn],
    ) -> None:
        """Prepare the form, filled with the consensus already recorded (if any).

        Args:
            indicator: the indicator (its anchors are shown for the chosen level).
            row: its row of the matrix: the ratings and any consensus.
            panelists: the panel, in the matrix's order.
            scale: the protocol's rating scale.
            chair: the panel's chair, whose PIN records the consensus.
            apply: records the consensus (in a worker) and commits it.
        """
        super().__init__(apply)
        self._chair = chair
        self._fields = PinFields(chair=None, id="consensus-pin")
        self._indicator = indicator
        self._row = row
        self._panelists = list(panelists)
        self._scale = scale

    def compose(self) -> ComposeResult:
        indicator, row = self._indicator, self._row
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            critical = " · critical" if indicator.critical else ""
            box.border_title = f"Consensus · {indicator.id} {indicator.title}{critical}"
            lines = [
                rating_line(p.name, cell, self._scale)
                for p, cell in zip(self._panelists, row.cells, strict=True)
            ]
            yield Label("The panelists' ratings (kept as they are)", classes="field field-first")
            yield Static("\n".join(lines), id="consensus-ratings", markup=False)
            if row.disagreement is not None:
                yield Static(f"≠ To discuss: {row.disagreement.text}.", id="consensus-discuss")
            keys = "/".join(str(v) for v in self._scale.values)
            yield Label(f"Consensus level ({keys}, or o to omit)", classes="field")
            options = [
                Option(
                    Content.from_markup("[b]$key[/b]  $label", key=str(lvl.value), label=lvl.label),
                    id=str(lvl.value),
                )
                for lvl in self._scale.levels
            ]
            options.append(
                Option(
                    Content.from_markup("[b]o[/b]  $label", label=self._scale.omit_label), id=OMIT
                )
            )
            shortcuts = {str(v): str(v) for v in self._scale.values if 0 <= v <= 9}
            shortcuts.update({"o": OMIT, "minus": OMIT})
            yield ChoiceList(*options, shortcuts=shortcuts, id="consensus-levels", compact=True)
            yield Static("", id="consensus-anchor", markup=False)
            yield Label("Rationale: the panel's reasons for this level", classes="field")
            yield FormTextArea(id="consensus-rationale")
            yield Label(
                "Dissent: who disagrees, and why (leave empty when all agree)", classes="field"
            )
            for panelist in self._panelists:
                with Horizontal(classes="dissent"):
                    yield Label(literal(one_line(panelist.name, 21)))
                    yield FormInput(
                        placeholder="why, if they dissent",
                        id=f"dissent-{panelist.id}",
                        compact=True,
                    )
            yield self._fields
            yield from self.buttons()

    def on_mount(self) -> None:
        if self._chair is not None:
            self._fields.show_for(self._chair)
        levels = self.query_one("#consensus-levels", OptionList)
        entry = self._row.consensus
        if entry is None:
            levels.highlighted = None
        else:
            self._highlight(OMIT if entry.value is None else str(entry.value))
            self.query_one("#consensus-rationale", TextArea).load_text(entry.rationale)
            for dissent in entry.dissent:
                for field in self.query(f"#dissent-{dissent.panelist_id}").results(Input):
                    field.value = dissent.reason
        self._show_anchor()
        self.set_focus(levels)
        # The panelists' ratings above the list stay in view (focus scrolled past them).
        self.call_after_refresh(self.query_one(".dialog").scroll_home, animate=False)

    def _highlight(self, option_id: str) -> bool:
        levels = self.query_one("#consensus-levels", OptionList)
        try:
            levels.highlighted = levels.get_option_index(option_id)
        except OptionDoesNotExist:  # a digit not on this scale
            return False
        return True

    def _chosen(self) -> str | None:
        levels = self.query_one("#consensus-levels", OptionList)
        if levels.highlighted is None:
            return None
        return levels.get_option_at_index(levels.highlighted).id

    def _show_anchor(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            text = "Nothing chosen yet."
        elif chosen == OMIT:
            text = f"Omit: {one_line(self._scale.omit_meaning, 200)}"
        else:
            level = self._scale.level(int(chosen))
            anchor = self._indicator.anchors.get(level.value, level.meaning)
            text = f"{level.value} {level.label}: {one_line(anchor, 200)}"
        self.query_one("#consensus-anchor", Static).update(text)

    @on(OptionList.OptionHighlighted, "#consensus-levels")
    def _highlighted(self) -> None:
        self._show_anchor()

    def form(self) -> ConsensusIn:
        chosen = self._chosen()
        if chosen is None:
            keys = "/".join(str(v) for v in self._scale.values)
            raise ValidationError(f"Choose the consensus level ({keys}) or o to omit.")
        rationale = self.query_one("#consensus-rationale", TextArea).text.strip()
        if not rationale:
            raise ValidationError("Give the panel's reason for the consensus rating.")
        dissent = []
        for panelist in self._panelists:
            reason = self.query_one(f"#dissent-{panelist.id}", Input).value.strip()
            if reason:
                dissent.append(DissentIn(panelist.id, reason))
        if self._chair is None:
            raise ValidationError("This panel has no chair to record the consensus.")
        return ConsensusIn(
            indicator_id=self._indicator.id,
            value=None if chosen == OMIT else int(chosen),
            rationale=rationale,
            dissent=tuple(dissent),
            pin=self._fields.typed(),
        )
