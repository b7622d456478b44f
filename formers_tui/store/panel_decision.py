"""The panel's decision: consensus ratings, the determination, sign-off, and after.

Once the panel view is open (everyone submitted, or the chair revealed), the
panel agrees a consensus rating per indicator, leaving each panelist's own
rating untouched, and records who dissents and why. It then records its
determination beside the computed suggestion; where the two differ the
panel must say why in ``differs_because``. Each panelist signs off with
their PIN; the last signature finalizes the interview, which locks it (the
application refuses writes and the database's triggers back that up).
Corrections after that are addenda: who, when, why.

Consensus and the determination are recorded on the chair's authority (the
chair's PIN), an addendum on its author's. Anything that changes what was
signed withdraws the signatures collected so far, so nobody's signature ever
stands under something they did not see (see
:mod:`formers_tui.store.rules.writes`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from formers_tui.errors import ValidationError
from formers_tui.scoring.matrix import Dissent
from formers_tui.scoring.suggestion import SUGGESTED_LABELS
from formers_tui.store import audit, fields
from formers_tui.store.capture import FLAG_LABELS, flags_of
from formers_tui.store.common import (
    get_interview,
    protocol_of,
    record,
    touch,
    values,
)
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import (
    Addendum,
    Consensus,
    Determination,
    Interview,
    Outcome,
    Panelist,
    SignOff,
    Status,
    utcnow,
)
from formers_tui.store.panel import panel_progress, require_pin
from formers_tui.store.panel_view import dissent_text, low_critical_ratings, suggestion
from formers_tui.store.rules.invariants import open_flag_problem
from formers_tui.store.rules.writes import (
    chair_authority,
    panelist_authority,
    signed_content_changed,
    writable_interview,
)

MIN_DIFFERS_CHARS = 20
"""Shortest accepted explanation of a determination that differs from the suggestion."""


@dataclass(frozen=True)
class DissentIn:
    """A panelist who disagrees with a consensus rating, and why."""

    panelist_id: str
    reason: str


def _open_panel(session: Session, interview: Interview) -> list[Panelist]:
    panel = interview_header(session, interview).panel
    state = panel_progress(session, interview, protocol_of(interview), panel)
    if not state.open:
        done = sum(1 for p in state.panelists if p.complete)
        raise ValidationError(
            f"Not every panelist has submitted every domain yet ({done} of {len(panel)} have); "
            "the panel works on consensus once all have, or once the chair reveals the ratings."
        )
    return panel


def _text(text: str, what: str) -> str:
    return fields.check_free_text(text, what).strip()


def record_consensus(
    session: Session,
    *,
    interview_id: str,
    indicator_id: str,
    value: int | None,
    rationale: str,
    chair_pin: str,
    dissent: Sequence[DissentIn] = (),
) -> Consensus:
    """Record (or revise) the panel's consensus on one indicator; ``value=None`` omits.

    The consensus is recorded on the chair's authority: ``chair_pin`` must be
    the chair's PIN, and the audit log names the chair.

    Raises:
        ValidationError: the panel view is not open, no rationale, a value
            not on the scale, a dissent without a panelist or a reason, or a
            critical indicator a panelist rated below *met* whose rationale
            does not say how that was weighed.
        PinError: not the chair's PIN (or the chair has none).
        LockedError: the interview is finalized.
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
    rationale = _text(rationale, "rationale")
    if not rationale:
        raise ValidationError("Give the panel's reason for the consensus rating.")
    panel = _open_panel(session, interview)
    names = {p.id: p.name for p in panel}
    dissents: list[Dissent] = []
    for item in dissent:
        if item.panelist_id not in names:
            raise ValidationError("A dissenting panelist must be on this interview's panel.")
        if not item.reason.strip():
            raise ValidationError(f"Say why {names[item.panelist_id]} dissents.")
        if any(d.panelist_id == item.panelist_id for d in dissents):
            raise ValidationError(f"{names[item.panelist_id]} is listed as dissenting twice.")
        reason = _text(item.reason, "dissent")
        dissents.append(Dissent(item.panelist_id, names[item.panelist_id], reason))
    _require_weighing(session, interview, indicator_id, value, rationale, dissents)
    stored_dissent = dissent_text(dissents)
    actor = chair_authority(session, interview, chair_pin).name
    row = session.get(Consensus, (interview.id, indicator_id))
    new = (value, value is None, rationale, stored_dissent)
    if row is not None and (row.value, row.omitted, row.rationale, row.dissent) == new:
        return row
    old = values(row)
    if row is None:
        row = Consensus(interview_id=interview.id, indicator_id=indicator_id)
    row.value, row.omitted, row.rationale, row.dissent = new
    row.recorded_at = utcnow()
    session.add(row)
    touch(session, interview)
    record(
        session,
        interview,
        actor=actor,
        action="create" if old is None else "update",
        entity="consensus",
        key=f"{interview.id}:{indicator_id}",
        old=old,
        new=values(row),
    )
    if old is not None:
        signed_content_changed(
            session, interview, actor=actor, why=f"consensus on {indicator_id} changed"
        )
    return row


def _require_weighing(
    session: Session,
    interview: Interview,
    indicator_id: str,
    value: int | None,
    rationale: str,
    dissents: Sequence[Dissent],
) -> None:
    """A critical indicator some panelist rated below *met*: the consensus must answer it.

    Only a consensus at or above *met* can pass over a low rating (below met
    carries it, an omit claims nothing): its rationale names each such
    panelist, saying how their rating was weighed, or the panelist is recorded
    as dissenting.

    Raises:
        ValidationError: naming who rated low and what to write.
    """
    protocol = protocol_of(interview)
    if value is None or value < protocol.scale.met_at:
        return
    low = low_critical_ratings(session, interview.id, protocol).get(indicator_id, ())
    dissenting = {d.name for d in dissents}
    said = rationale.casefold()
    unanswered = [
        name
        for name in low
        if name not in dissenting
        and re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", said) is None
    ]
    if unanswered:
        who = " and ".join(unanswered)
        met = protocol.scale.level(protocol.scale.met_at).label
        raise ValidationError(
            f"{who} rated critical indicator {indicator_id} below {met}: name them in the "
            "rationale and say how the panel weighed it, or record their dissent."
        )


def _refuse_positive_with_open_flags(session: Session, interview: Interview) -> None:
    """A positive determination is not signed or finalized while a safety flag is open.

    Raises:
        ValidationError: naming the open flags.
    """
    determination = session.get(Determination, interview.id)
    problem = open_flag_problem(
        None if determination is None else Outcome(determination.outcome).value,
        [FLAG_LABELS[f.kind] for f in flags_of(session, interview.id, open_only=True)],
    )
    if problem is not None:
        raise ValidationError(problem)


def record_determination(
    session: Session,
    *,
    interview_id: str,
    outcome: Outcome,
    rationale: str,
    chair_pin: str,
    conditions: str = "",
    work_on: str = "",
    review_date: date | None = None,
    differs_because: str = "",
) -> Determination:
    """Record (or revise) the panel's determination beside the computed suggestion.

    The rule on differing is exact: when ``outcome`` is not the computed
    suggestion (an *insufficient information* suggestion differs from every
    outcome), ``differs_because`` must say why in at least
    :data:`MIN_DIFFERS_CHARS` characters; when it is the same,
    ``differs_because`` must be empty. The suggestion is stored with the
    determination, so the record shows what the panel was advised.

    Args:
        outcome: ready, ready with conditions, or not yet ready.
        rationale: why (required).
        conditions: required for, and only for, ready with conditions.
        work_on: what to work on; required for, and only for, not yet ready.
        review_date: a suggested review date, only for not yet ready; after
            the interview date.
        differs_because: see above.
        chair_pin: the chair's PIN: the determination is recorded on the
            chair's authority and the audit log names the chair.

    Raises:
        ValidationError: one sentence naming the first rule broken.
        PinError: not the chair's PIN (or the chair has none).
        LockedError: the interview is finalized.
    """
    interview = writable_interview(session, interview_id)
    protocol = protocol_of(interview)
    _open_panel(session, interview)
    rationale = _text(rationale, "rationale")
    conditions = _text(conditions, "conditions")
    work_on = _text(work_on, "work to do")
    differs_because = _text(differs_because, "explanation")
    recorded = set(
        session.exec(select(Consensus.indicator_id).where(Consensus.interview_id == interview.id))
    )
    missing = [i.id for i in protocol.indicators() if i.id not in recorded]
    if missing:
        raise ValidationError(
            f"Record the panel's consensus on every indicator first ({len(missing)} still "
            f"missing, starting with {missing[0]})."
        )
    if not rationale:
        raise ValidationError("Give the rationale for the determination.")
    if outcome is Outcome.ready_with_conditions and not conditions:
        raise ValidationError("A 'ready with conditions' determination needs its conditions.")
    if outcome is not Outcome.ready_with_conditions and conditions:
        raise ValidationError("Conditions belong only to a 'ready with conditions' determination.")
    if outcome is Outcome.not_yet_ready and not work_on:
        raise ValidationError("A 'not yet ready' determination needs what to work on.")
    if outcome is not Outcome.not_yet_ready and (work_on or review_date is not None):
        raise ValidationError(
            "What to work on and a review date belong only to a 'not yet ready' determination."
        )
    if review_date is not None and review_date <= interview.interview_date:
        raise ValidationError("The review date must be after the interview date.")
    suggested = suggestion(session, interview.id).outcome
    if outcome.value != suggested.value and len(differs_because) < MIN_DIFFERS_CHARS:
        raise ValidationError(
            f"The determination differs from the computed suggestion "
            f"({SUGGESTED_LABELS[suggested]}); say why it differs in at least "
            f"{MIN_DIFFERS_CHARS} characters."
        )
    if outcome.value == suggested.value and differs_because:
        raise ValidationError(
            "The determination matches the computed suggestion; leave 'differs because' empty."
        )
    actor = chair_authority(session, interview, chair_pin).name
    row = session.get(Determination, interview.id)
    new = {
        "outcome": outcome,
        "rationale": rationale,
        "conditions": conditions,
        "work_on": work_on,
        "review_date": review_date,
        "differs_because": differs_because,
        "suggested_outcome": suggested.value,
    }
    if row is not None and all(getattr(row, k) == v for k, v in new.items()):
        return row
    old = values(row)
    if row is None:
        row = Determination(interview_id=interview.id, outcome=outcome, rationale=rationale)
    for key, value in new.items():
        setattr(row, key, value)
    row.recorded_at = utcnow()
    session.add(row)
    touch(session, interview)
    record(
        session,
        interview,
        actor=actor,
        action="create" if old is None else "update",
        entity="determination",
        key=interview.id,
        old=old,
        new=values(row),
    )
    if old is not None:
        signed_content_changed(session, interview, actor=actor, why="the determination changed")
    return row


@dataclass(frozen=True)
class SignOffState:
    """Who has signed, who has not, and whether that finalized the interview."""

    signed: tuple[str, ...]
    """Names, in panel order."""
    waiting: tuple[str, ...]
    """Names still to sign, in panel order."""
    finalized: bool


def _state(session: Session, interview: Interview) -> SignOffState:
    panel = interview_header(session, interview).panel
    signed = set(
        session.exec(select(SignOff.panelist_id).where(SignOff.interview_id == interview.id))
    )
    return SignOffState(
        signed=tuple(p.name for p in panel if p.id in signed),
        waiting=tuple(p.name for p in panel if p.id not in signed),
        finalized=interview.status == Status.finalized,
    )


def sign_off_state(session: Session, interview_id: str) -> SignOffState:
    """Who has signed off so far."""
    return _state(session, get_interview(session, interview_id))


def sign_off(
    session: Session, *, interview_id: str, panelist_id: str, pin: str, actor: str
) -> SignOffState:
    """A panelist confirms the determination with their PIN; the last one finalizes.

    Raises:
        ValidationError: no determination yet, the suggestion changed
            since it was recorded (record the determination again), or a
            positive determination while a safety flag is open.
        PinError: the panelist's PIN is missing or wrong.
        LockedError: the interview is already finalized.
    """
    interview = writable_interview(session, interview_id)
    determination = session.get(Determination, interview.id)
    if determination is None:
        raise ValidationError("Record the panel's determination before signing off.")
    now = suggestion(session, interview.id).outcome
    if now.value != determination.suggested_outcome:
        raise ValidationError(
            "The computed suggestion has changed since the determination was recorded "
            f"(now {SUGGESTED_LABELS[now]}); record the determination again before signing."
        )
    _refuse_positive_with_open_flags(session, interview)
    panelist = require_pin(session, interview_id=interview.id, panelist_id=panelist_id, pin=pin)
    if session.get(SignOff, (interview.id, panelist.id)) is None:
        row = SignOff(interview_id=interview.id, panelist_id=panelist.id)
        session.add(row)
        session.flush()  # before finalizing: the lock triggers refuse rows of a finalized interview
        record(
            session,
            interview,
            actor=actor,
            action="create",
            entity="sign_off",
            key=f"{interview.id}:{panelist.id}",
            old=None,
            # The head of the log as signed: the record this panelist confirmed.
            new={
                **(values(row) or {}),
                "panelist": panelist.name,
                "audit_head": audit.head(session).text(),
            },
        )
    if not _state(session, interview).waiting:
        finalize(session, interview_id=interview.id, actor=actor)
    return _state(session, interview)


def finalize(session: Session, *, interview_id: str, actor: str) -> Interview:
    """Lock the interview once every panelist has signed off (sign-off does this itself).

    Raises:
        ValidationError: no determination, someone has not signed, or a positive
            determination while a safety flag is open.
        LockedError: the interview is already finalized.
    """
    interview = writable_interview(session, interview_id)
    if session.get(Determination, interview.id) is None:
        raise ValidationError("Record the panel's determination before finalizing.")
    _refuse_positive_with_open_flags(session, interview)
    waiting = _state(session, interview).waiting
    if waiting:
        raise ValidationError(
            f"Not every panelist has signed off (still to sign: {', '.join(waiting)})."
        )
    old = {"status": interview.status, "finalized_at": None}
    now = utcnow()
    interview.status = Status.finalized
    interview.finalized_at = now
    interview.updated_at = now
    session.add(interview)
    session.flush()
    record(
        session,
        interview,
        actor=actor,
        action="update",
        entity="interview",
        key=interview.id,
        old=old,
        new={"status": Status.finalized, "finalized_at": now},
    )
    return interview


def add_addendum(
    session: Session, *, interview_id: str, author_id: str, pin: str, reason: str, text: str
) -> Addendum:
    """Add a correction to a finalized interview: who (a panelist, by PIN), when (now) and why.

    Raises:
        ValidationError: the interview is not finalized (change the record
            itself while it is open), the author is not on the panel, or the
            reason or text is empty.
        PinError: not the author's PIN (or they have none).
    """
    interview = get_interview(session, interview_id)
    if interview.status != Status.finalized:
        raise ValidationError(
            "Addenda are for finalized interviews; while it is open, change the record itself."
        )
    reason, text = _text(reason, "reason"), _text(text, "text")
    if not reason:
        raise ValidationError("Say why the addendum is needed.")
    if not text:
        raise ValidationError("An addendum needs its text.")
    author = panelist_authority(session, interview, author_id, pin).name
    row = Addendum(interview_id=interview.id, author=author, reason=reason, text=text)
    session.add(row)
    session.flush()
    record(
        session,
        interview,
        actor=author,
        action="create",
        entity="addendum",
        key=row.id,
        old=None,
        new=values(row),
    )
    return row


def addenda_of(session: Session, interview_id: str) -> list[Addendum]:
    """An interview's addenda, oldest first."""
    interview = get_interview(session, interview_id)
    return list(
        session.exec(
            select(Addendum)
            .where(Addendum.interview_id == interview.id)
            .order_by(col(Addendum.created_at))
        ).all()
    )
