"""The panel view's read model: what one viewer may see of an interview, in one read.

The panel screen calls :func:`read_panel` from a worker and only presents the
:class:`PanelData` it returns; what the viewer may see is decided by
:func:`formers_tui.store.panel_view.summary` and the visibility rule of
:mod:`formers_tui.store.rules.visibility`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from formers_tui.protocol.model import Protocol
from formers_tui.store.common import get_interview, protocol_of
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import (
    Addendum,
    ChairReveal,
    Consensus,
    Determination,
    DomainSubmission,
    Interview,
    Panelist,
    Rating,
    SignOff,
    Status,
)
from formers_tui.store.panel import PanelProgress, has_pin, panel_progress
from formers_tui.store.panel_actions import AddendumView, PanelistChoice
from formers_tui.store.panel_decision import addenda_of
from formers_tui.store.panel_view import PanelReport, summary
from formers_tui.store.store import Store


@dataclass(frozen=True)
class PanelData:
    """One interview's panel view as read for one viewer."""

    interview_id: str
    candidate_code: str
    status: Status
    interview_date: date
    protocol: Protocol
    panel: tuple[PanelistChoice, ...]
    progress: PanelProgress
    report: PanelReport | None
    """``None`` while the ratings are hidden from this viewer (nothing was read)."""
    addenda: tuple[AddendumView, ...]
    viewer_id: str | None
    """The panelist who proved who they are, or ``None`` for the whole panel."""

    @property
    def finalized(self) -> bool:
        return self.status == Status.finalized

    @property
    def chair(self) -> PanelistChoice | None:
        return next((p for p in self.panel if p.is_chair), None)

    @property
    def viewer(self) -> PanelistChoice | None:
        return next((p for p in self.panel if p.id == self.viewer_id), None)

    def name_of(self, panelist_id: str) -> str:
        return next((p.name for p in self.panel if p.id == panelist_id), "?")

    @property
    def domains(self) -> tuple[tuple[str, str], ...]:
        return tuple((d.id, d.title) for d in self.protocol.domains())


def read_panel(store: Store, interview_id: str, viewer_id: str | None) -> PanelData:
    """Read what the viewer may see (call from a worker).

    Without a viewer, the ratings are read only once they are open to the
    whole panel; before that, only who has submitted which domain.

    Raises:
        FormersError: unknown interview or panelist.
    """
    with store.session() as session:
        interview = get_interview(session, interview_id)
        header = interview_header(session, interview)
        protocol = protocol_of(interview)
        state = panel_progress(session, interview, protocol, header.panel)
        report = None
        if viewer_id is not None:
            report = summary(session, interview.id, viewer_panelist_id=viewer_id)
        elif state.open:
            report = summary(session, interview.id)
        addenda = tuple(
            AddendumView(a.author, a.created_at, a.reason, a.text)
            for a in addenda_of(session, interview.id)
        )
        return PanelData(
            interview_id=interview.id,
            candidate_code=header.candidate_code,
            status=interview.status,
            interview_date=interview.interview_date,
            protocol=protocol,
            panel=tuple(PanelistChoice(p.id, p.name, has_pin(p), p.is_chair) for p in header.panel),
            progress=state,
            report=report,
            addenda=addenda,
            viewer_id=viewer_id,
        )


PanelMarker = tuple[Any, ...]
"""A cheap summary of everything the panel view shows; it changes when any of it does."""


def _per_interview(model: Any, interview_id: str, *columns: Any) -> list[Any]:
    """Scalar subqueries over ``model``'s rows of one interview: a count, then each column's max."""
    table = model.__table__
    where = table.c.interview_id == interview_id
    parts = [select(func.count()).select_from(table).where(where).scalar_subquery()]
    parts += [select(func.max(table.c[c])).where(where).scalar_subquery() for c in columns]
    return parts


def panel_marker(store: Store, interview_id: str) -> PanelMarker:
    """What the panel view of ``interview_id`` (its full id) shows, summed up in one query.

    Counts and latest times of the ratings, submissions, reveal, consensus,
    determination, sign-offs, addenda and PINs, and the interview's status:
    a rating or submission written on another laptop changes it, typing
    notes does not. It reads only what the connection may read, so on a
    server a panelist's unseen draft changes nothing a chair can poll.
    Cheap enough to ask every second (call from a worker).
    """
    interview = Interview.__table__  # type: ignore[attr-defined]
    panel = Panelist.__table__  # type: ignore[attr-defined]
    parts = [
        select(interview.c.status).where(interview.c.id == interview_id).scalar_subquery(),
        select(func.count(panel.c.pin_hash))
        .where(panel.c.interview_id == interview_id)
        .scalar_subquery(),
        *_per_interview(Rating, interview_id, "updated_at", "submitted_at"),
        *_per_interview(DomainSubmission, interview_id, "submitted_at"),
        *_per_interview(ChairReveal, interview_id),
        *_per_interview(Consensus, interview_id, "recorded_at"),
        *_per_interview(Determination, interview_id, "recorded_at"),
        *_per_interview(SignOff, interview_id),
        *_per_interview(Addendum, interview_id),
    ]
    with store.session() as session:
        row = session.execute(select(*parts)).one()
    return tuple(row)
