"""One-call reads and writes for the interface: each opens its own session and closes it.

The screens run these in worker threads and hold no session themselves, so
what a screen shows is always what one short transaction read, and every
write goes through the store's rule-checked functions. (The panel's actions
are :mod:`formers_tui.store.panel_actions`; the screens' read models are
:mod:`formers_tui.store.interview_reading` and
:mod:`formers_tui.store.panel_reading`.)
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import panel
from formers_tui.store.common import find_interview
from formers_tui.store.interviews import InterviewSummary, PanelistIn, create_interview
from formers_tui.store.models import Rating
from formers_tui.store.ratings import ratings_by
from formers_tui.store.store import Store

if TYPE_CHECKING:
    from formers_tui.scoring.reliability import ProtocolReliability


def resolve_interview(store: Store, key: str) -> str:
    """The id of the interview named by ``key`` (id, id prefix or candidate code).

    Raises:
        NotFoundError: nothing (or more than one interview) matches.
    """
    with store.session() as session:
        return find_interview(session, key).id


def interview_list(store: Store, *, limit: int | None = None) -> list[InterviewSummary]:
    """The interview list, most recently changed first (the first ``limit`` only, if given)."""
    from formers_tui.store.interviews import list_interviews

    with store.session() as session:
        return list_interviews(session, limit=limit)


def start_interview(
    store: Store,
    *,
    candidate_code: str,
    protocol: LoadedProtocol,
    panel_: list[PanelistIn],
    actor: str,
    interview_date: date,
    consent_given: bool,
    consent_date: date | None,
    full_name: str,
) -> str:
    """Create an interview (the rules of :func:`create_interview`), commit; return its id."""
    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code=candidate_code,
            protocol=protocol,
            panel=panel_,
            actor=actor,
            interview_date=interview_date,
            consent_given=consent_given,
            consent_date=consent_date,
            full_name=full_name,
        )
        session.commit()
        return interview.id


def own_domain(
    store: Store, interview_id: str, panelist_id: str, domain_id: str
) -> tuple[dict[str, Rating], bool]:
    """A panelist's own ratings (by indicator) and whether they submitted ``domain_id``."""
    with store.session() as session:
        mine = ratings_by(session, interview_id, panelist_id)
        done = domain_id in panel.progress(session, interview_id).submitted_by(panelist_id)
    return mine, done


def reliability(store: Store) -> list[ProtocolReliability]:
    """Pooled agreement and rater leans across settled interviews."""
    # Imported here: scoring the whole store is not on the way to the first screen.
    from formers_tui.store.reliability import programme_reliability

    with store.session() as session:
        return programme_reliability(session)
