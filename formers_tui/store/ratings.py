"""Panelists' ratings of indicators.

A rating is a level value or an explicit omit (stored as ``value = NULL``,
never 0). Revising a rating keeps the earlier version in ``rating_revision``.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from formers_tui.errors import ValidationError
from formers_tui.store import fields
from formers_tui.store.common import protocol_of, record, touch, values
from formers_tui.store.models import Panelist, Rating, RatingRevision, Status, utcnow
from formers_tui.store.rules.writes import signed_content_changed, writable_interview

STATUS_ORDER = list(Status)


def save_rating(
    session: Session,
    *,
    interview_id: str,
    panelist_id: str,
    indicator_id: str,
    value: int | None,
    rationale: str,
    actor: str,
) -> Rating:
    """Record (or revise) one panelist's rating of one indicator.

    Args:
        value: a level of the protocol's scale, or ``None`` to omit
            (insufficient information).

    Raises:
        ValidationError: unknown panelist or indicator, or a value not on the scale.
    """
    interview = writable_interview(session, interview_id)
    protocol = protocol_of(interview)
    try:
        protocol.indicator(indicator_id)
    except KeyError:
        raise ValidationError(f"The protocol has no indicator '{indicator_id}'.") from None
    if value is not None and value not in protocol.scale.values:
        allowed = ", ".join(str(v) for v in protocol.scale.values)
        raise ValidationError(f"{value} is not on the rating scale ({allowed}, or omit).")
    panelist = session.get(Panelist, panelist_id)
    if panelist is None or panelist.interview_id != interview_id:
        raise ValidationError("That panelist is not on this interview's panel.")
    rating = session.exec(
        select(Rating).where(
            Rating.interview_id == interview_id,
            Rating.indicator_id == indicator_id,
            Rating.panelist_id == panelist_id,
        )
    ).first()
    omitted = value is None
    rationale = fields.check_free_text(rationale, "rationale").strip()
    if rating is not None and (rating.value, rating.omitted, rating.rationale) == (
        value,
        omitted,
        rationale,
    ):
        return rating
    old = values(rating)
    if rating is None:
        rating = Rating(
            interview_id=interview_id,
            indicator_id=indicator_id,
            panelist_id=panelist_id,
            value=value,
            omitted=omitted,
            rationale=rationale,
        )
    else:
        if rating.submitted_at is not None:
            session.add(
                RatingRevision(
                    rating_id=rating.id,
                    value=rating.value,
                    omitted=rating.omitted,
                    rationale=rating.rationale,
                    recorded_at=rating.updated_at,
                    submitted_at=rating.submitted_at,
                )
            )
        rating.value = value
        rating.omitted = omitted
        rating.rationale = rationale
        rating.updated_at = utcnow()
    session.add(rating)
    touch(session, interview)
    signed_content_changed(
        session, interview, actor=actor, why=f"a rating of {indicator_id} changed"
    )
    record(
        session,
        interview,
        actor=actor,
        action="create" if old is None else "update",
        entity="rating",
        key=rating.id,
        old=old,
        new=values(rating),
    )
    return rating


def ratings_by(session: Session, interview_id: str, panelist_id: str) -> dict[str, Rating]:
    """One panelist's ratings by indicator id."""
    rows = session.exec(
        select(Rating).where(Rating.interview_id == interview_id, Rating.panelist_id == panelist_id)
    ).all()
    return {r.indicator_id: r for r in rows}


def rating_history(session: Session, rating_id: str) -> list[RatingRevision]:
    """Earlier versions of a rating, oldest first."""
    return list(
        session.exec(
            select(RatingRevision)
            .where(RatingRevision.rating_id == rating_id)
            .order_by(col(RatingRevision.superseded_at))
        ).all()
    )


def advance_status(session: Session, *, interview_id: str, to: Status, actor: str) -> None:
    """Move an interview forward in its life cycle (never backwards, never to finalized here).

    Raises:
        ValidationError: a backward move or a direct move to finalized.
    """
    interview = writable_interview(session, interview_id)
    if to == Status.finalized:
        raise ValidationError("An interview is finalized only by the panel's sign-off.")
    if STATUS_ORDER.index(to) < STATUS_ORDER.index(interview.status):
        raise ValidationError(
            f"The interview is already at '{interview.status.value}'; it cannot go back."
        )
    if to == interview.status:
        return
    old = {"status": interview.status}
    interview.status = to
    touch(session, interview)
    record(
        session,
        interview,
        actor=actor,
        action="update",
        entity="interview",
        key=interview.id,
        old=old,
        new={"status": to},
    )
