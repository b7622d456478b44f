"""Everything the panel view shows, computed in one pure function.

:func:`build_summary` turns plain rows (panel, ratings, consensus, timeline
check, open flags) into a :class:`PanelSummary`: the matrix, agreement per
domain, per part and overall, and the computed suggestion. The store loads
the rows and decides who is looking; the TUI, the CLI and any export render
the same object, so they cannot disagree about a number.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from formers_tui.protocol.model import Protocol
from formers_tui.scoring.agreement import MIN_UNITS, Agreement, agreement
from formers_tui.scoring.matrix import (
    CellState,
    ConsensusEntry,
    MatrixRow,
    RatingIn,
    build_matrix,
    submitted_values,
)
from formers_tui.scoring.suggestion import (
    ProportionalityCheck,
    Suggestion,
    critical_concerns,
    suggest,
)

HIDDEN = "hidden until you have submitted your own ratings here"


@dataclass(frozen=True)
class PanelistInfo:
    """A panel member as the summary needs them (no PIN, no store row)."""

    id: str
    name: str
    role: str
    is_chair: bool = False


@dataclass(frozen=True)
class AgreementRow:
    """Agreement over one domain, one part, or the whole protocol."""

    scope: str
    """``domain``, ``part`` or ``overall``."""
    key: str
    """Domain or part id; ``overall`` for the whole protocol."""
    title: str
    stats: Agreement


@dataclass(frozen=True)
class PanelSummary:
    """The panel view of one interview."""

    panelists: tuple[PanelistInfo, ...]
    """Columns of the matrix, in panel order."""
    rows: tuple[MatrixRow, ...]
    """One per indicator, in protocol order."""
    agreement: tuple[AgreementRow, ...]
    """Domains in protocol order, then parts, then ``overall``."""
    suggestion: Suggestion

    @property
    def disagreements(self) -> tuple[MatrixRow, ...]:
        """Rows the panel should discuss before agreeing a rating."""
        return tuple(row for row in self.rows if row.disagreement is not None)

    @property
    def overall(self) -> AgreementRow:
        """Agreement over every indicator."""
        return self.agreement[-1]


def _hidden() -> Agreement:
    return Agreement(None, HIDDEN, 0, 0, None, None)


def _stats(rows: Iterable[MatrixRow], levels: Sequence[int], visible: bool) -> Agreement:
    if not visible:
        return _hidden()
    return agreement(
        [submitted_values(row) for row in rows], levels, minimum_units=MIN_UNITS, interval=True
    )


def build_summary(
    protocol: Protocol,
    panelists: Sequence[PanelistInfo],
    ratings: Iterable[RatingIn],
    consensus: Mapping[str, ConsensusEntry],
    *,
    proportionality: ProportionalityCheck,
    open_flags: Sequence[str] = (),
    viewer_id: str | None = None,
    visible_domains: Collection[str] | None = None,
) -> PanelSummary:
    """Compute the panel view.

    Agreement uses submitted ratings only (omits are missing). A part, or the
    whole, is shown only when every domain in it is visible to the viewer,
    because a pooled statistic would otherwise hint at hidden ratings.

    Args:
        protocol: the interview's frozen protocol.
        panelists: the panel, in display order.
        ratings: every current rating of the interview.
        consensus: recorded consensus by indicator id.
        proportionality: the timeline check for the suggestion.
        open_flags: one label per unresolved safety flag.
        viewer_id: the panelist looking, or ``None`` for the whole-panel view.
        visible_domains: domains whose others' ratings the viewer may see
            (``None``: all).
    """
    rows = build_matrix(
        protocol,
        [p.id for p in panelists],
        ratings,
        consensus,
        viewer_id=viewer_id,
        visible_domains=visible_domains,
    )
    levels = protocol.scale.values

    def seen(domain_id: str) -> bool:
        return visible_domains is None or domain_id in visible_domains

    table: list[AgreementRow] = []
    for domain in protocol.domains():
        mine = [r for r in rows if r.domain_id == domain.id]
        table.append(
            AgreementRow("domain", domain.id, domain.title, _stats(mine, levels, seen(domain.id)))
        )
    for part in protocol.parts:
        mine = [r for r in rows if r.part_id == part.id]
        visible = all(seen(d.id) for d in part.domains)
        table.append(AgreementRow("part", part.id, part.title, _stats(mine, levels, visible)))
    visible = all(seen(d.id) for d in protocol.domains())
    table.append(AgreementRow("overall", "overall", "Overall", _stats(rows, levels, visible)))
    names = [p.name for p in panelists]
    shown = {
        row.indicator_id: {
            name: cell.value
            for name, cell in zip(names, row.cells, strict=True)
            if cell.submitted and cell.state is CellState.rated
        }
        for row in rows
    }
    return PanelSummary(
        panelists=tuple(panelists),
        rows=rows,
        agreement=tuple(table),
        suggestion=suggest(
            protocol,
            {key: entry.value for key, entry in consensus.items()},
            proportionality=proportionality,
            open_flags=open_flags,
            # Only cells the viewer may see: a hidden low rating must not leak here.
            concerns=critical_concerns(protocol, shown),
        ),
    )
