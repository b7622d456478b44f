"""The panel matrix: indicators down, panelists across, consensus at the end.

The matrix is what the panel looks at once everyone has rated: where it
agrees it can move quickly, where it disagrees it talks. Which cells a viewer
may see is decided here from plain inputs (the store decides *who* may see
*which domain*), so the rule is the same for the TUI, the CLI and exports.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from formers_tui.protocol.model import Protocol, Scale

SPREAD_FOR_DISCUSSION = 2
"""Ratings this many levels apart (or more) are put to the panel for discussion."""


class CellState(str, enum.Enum):
    """What one cell of the matrix shows."""

    rated = "rated"
    omitted = "omitted"
    empty = "empty"
    """No rating to show: not rated yet, or rated but not submitted."""
    hidden = "hidden"
    """The viewer has not submitted this domain yet, so others' ratings stay hidden."""


@dataclass(frozen=True)
class RatingIn:
    """One panelist's current rating, as plain data."""

    indicator_id: str
    panelist_id: str
    value: int | None
    """Level value, or ``None`` for omit (missing, never 0)."""
    rationale: str = ""
    submitted: bool = True
    """Committed by a domain submission; drafts are only ever shown to their author."""


@dataclass(frozen=True)
class Cell:
    """One panelist's rating of one indicator as the viewer may see it."""

    state: CellState
    value: int | None = None
    rationale: str = ""
    submitted: bool = False


@dataclass(frozen=True)
class Dissent:
    """A panelist who does not agree with a consensus rating, and why."""

    panelist_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class ConsensusEntry:
    """The panel's agreed rating of one indicator."""

    indicator_id: str
    value: int | None
    """Level value, or ``None`` for omit."""
    rationale: str = ""
    dissent: tuple[Dissent, ...] = ()


@dataclass(frozen=True)
class Disagreement:
    """Why an indicator should be discussed before the panel agrees its rating."""

    indicator_id: str
    spread: int
    """Levels between the lowest and the highest rating (0 if fewer than two rated)."""
    rated: int
    """Panelists who gave a level."""
    omitted: int
    """Panelists who chose omit."""
    text: str
    """One line for the screen, e.g. ``ratings range from Emerging to Clearly evident``."""


@dataclass(frozen=True)
class MatrixRow:
    """One indicator across the panel."""

    indicator_id: str
    title: str
    domain_id: str
    part_id: str
    critical: bool
    cells: tuple[Cell, ...]
    """One per panelist, in panel order."""
    consensus: ConsensusEntry | None
    disagreement: Disagreement | None


def disagreement(
    scale: Scale, indicator_id: str, marks: Sequence[int | None]
) -> Disagreement | None:
    """Whether the submitted marks on one indicator call for discussion.

    Args:
        scale: the protocol's scale (spread is counted in its steps).
        indicator_id: the indicator the marks belong to.
        marks: each submitted rating, ``None`` for omit.

    Returns:
        A :class:`Disagreement` when ratings span two or more levels, or when
        some panelists omit while others rate; otherwise ``None``.
    """
    values = [m for m in marks if m is not None]
    omitted = len(marks) - len(values)
    rank = {value: i for i, value in enumerate(scale.values)}
    spread = max(rank[v] for v in values) - min(rank[v] for v in values) if values else 0
    reasons = []
    if spread >= SPREAD_FOR_DISCUSSION:
        low = scale.level(min(values, key=rank.__getitem__))
        high = scale.level(max(values, key=rank.__getitem__))
        reasons.append(
            f"ratings range from {low.label} ({low.value}) to {high.label} ({high.value})"
        )
    if omitted and values:
        reasons.append(f"{omitted} omitted while {len(values)} rated")
    if not reasons:
        return None
    return Disagreement(indicator_id, spread, len(values), omitted, "; ".join(reasons))


def build_matrix(
    protocol: Protocol,
    panelist_ids: Sequence[str],
    ratings: Iterable[RatingIn],
    consensus: Mapping[str, ConsensusEntry],
    *,
    viewer_id: str | None = None,
    visible_domains: Collection[str] | None = None,
) -> tuple[MatrixRow, ...]:
    """Lay the ratings out as rows of indicators, hiding what the viewer may not see.

    Others' ratings appear only once submitted and only in domains the viewer
    may see; the viewer's own ratings (drafts included) always appear.

    Args:
        protocol: gives the rows, in protocol order.
        panelist_ids: the columns, in panel order.
        ratings: every current rating of the interview.
        consensus: recorded consensus by indicator id.
        viewer_id: the panelist looking, or ``None`` for the whole-panel view.
        visible_domains: domains whose others' ratings the viewer may see;
            ``None`` means all.
    """
    by_key = {(r.indicator_id, r.panelist_id): r for r in ratings}
    rows = []
    for part in protocol.parts:
        for domain in part.domains:
            open_domain = visible_domains is None or domain.id in visible_domains
            for indicator in domain.indicators:
                cells = []
                for panelist_id in panelist_ids:
                    rating = by_key.get((indicator.id, panelist_id))
                    own = panelist_id == viewer_id
                    if not own and not open_domain:
                        cells.append(Cell(CellState.hidden))
                    elif rating is None or not (own or rating.submitted):
                        cells.append(Cell(CellState.empty))
                    else:
                        state = CellState.omitted if rating.value is None else CellState.rated
                        cells.append(Cell(state, rating.value, rating.rationale, rating.submitted))
                marks = [
                    c.value
                    for c in cells
                    if c.submitted and c.state in (CellState.rated, CellState.omitted)
                ]
                rows.append(
                    MatrixRow(
                        indicator_id=indicator.id,
                        title=indicator.title,
                        domain_id=domain.id,
                        part_id=part.id,
                        critical=indicator.critical,
                        cells=tuple(cells),
                        consensus=consensus.get(indicator.id),
                        disagreement=disagreement(protocol.scale, indicator.id, marks)
                        if open_domain
                        else None,
                    )
                )
    return tuple(rows)


def submitted_values(row: MatrixRow) -> list[int]:
    """The submitted levels of one row (omits and hidden cells left out), for agreement."""
    return [
        c.value
        for c in row.cells
        if c.submitted and c.state is CellState.rated and c.value is not None
    ]
