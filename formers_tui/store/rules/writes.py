"""Who may write what, in which state: the lock, the chair's authority, signatures.

Every store function that changes an interview goes through these rules, so
the interview screen, the panel view, the command line, import and bundles
all get the same answer:

* **The lock.** A finalized interview takes no change at all
  (:func:`writable_interview`); later corrections are addenda. The database's
  triggers back this up.
* **The chair's authority.** The panel's consensus and its determination are
  recorded on the chair's authority, proven by the chair's PIN
  (:func:`chair_authority`), and the audit log names the chair.
* **An author's authority.** An addendum is written by a panelist, proven by
  their PIN (:func:`panelist_authority`); the record names them.
* **Signatures.** Any change to what the panel signs — notes, quotes,
  evidence, timeline, safety flags, ratings, submissions, consensus, the
  determination — withdraws the signatures gathered so far
  (:func:`signed_content_changed`), with an audit entry saying why, so no
  signature ever stands under something its signer did not see. (Withdrawing
  rather than refusing: correcting the record before it is locked is normal
  work; the panel then signs again.) Where the interview is, which domain
  took how long, and PINs are not signed content and leave signatures alone.
* **Who raised it.** A capture made while no panelist has identified with a
  PIN is attributed to :data:`UNIDENTIFIED`, never to the chair by default
  (:func:`attributed`).

Blind rating's own write rules (rating after consensus or a reveal,
submitting after a reveal) are :func:`formers_tui.store.panel.rating_refusal`
and :func:`formers_tui.store.panel.submission_refusal`.
"""

from __future__ import annotations

from sqlmodel import Session, select

from formers_tui.errors import LockedError, ValidationError
from formers_tui.store.common import get_interview, record, values
from formers_tui.store.models import Interview, Panelist, SignOff, Status

UNIDENTIFIED = "note-taker (not identified)"
"""Who a capture is attributed to when no panelist has identified with a PIN."""


# The same authority rules in SQL, for a server store's row-level security
# (formers_tui.store.server.policies makes functions of them). There the
# connected database role is the panelist ``_reader`` of interview ``_iid``
# (``NULL`` when they are not on its panel); its login stands where the PIN
# stands here. Change them together with chair_authority() and
# panelist_authority(); a test compares both on the same states.

SQL_CHAIR_AUTHORITY = """
    EXISTS (SELECT 1 FROM panelist p
            WHERE p.id = _reader AND p.interview_id = _iid AND p.is_chair)
"""
"""The connected panelist is the interview's chair (:func:`chair_authority`)."""

SQL_AUTHOR_AUTHORITY = """
    _author = (SELECT p.name FROM panelist p WHERE p.id = _reader AND p.interview_id = _iid)
"""
"""An addendum's ``_author`` is the connected panelist (:func:`panelist_authority`)."""


def writable_interview(session: Session, interview_id: str) -> Interview:
    """Return the interview, refusing if it is finalized.

    Raises:
        NotFoundError: unknown id.
        LockedError: the interview is finalized.
    """
    interview = get_interview(session, interview_id)
    if interview.status == Status.finalized:
        raise LockedError(
            "This interview is finalized and cannot be changed; add an addendum instead."
        )
    return interview


def attributed(name: str | None) -> str:
    """Who a capture is recorded as made by: the identified panelist, else :data:`UNIDENTIFIED`."""
    name = (name or "").strip()
    return name or UNIDENTIFIED


def chair_authority(session: Session, interview: Interview, pin: str) -> Panelist:
    """The interview's chair, once ``pin`` is confirmed as the chair's.

    Raises:
        ValidationError: the panel has no chair.
        PinError: the chair has no PIN yet, or this is not it.
    """
    from formers_tui.store.panel import require_pin

    chair = session.exec(
        select(Panelist).where(Panelist.interview_id == interview.id, Panelist.is_chair)
    ).first()
    if chair is None:
        raise ValidationError("This panel has no chair to record the panel's decision.")
    return require_pin(session, interview_id=interview.id, panelist_id=chair.id, pin=pin)


def panelist_authority(
    session: Session, interview: Interview, panelist_id: str, pin: str
) -> Panelist:
    """The panelist ``panelist_id``, once ``pin`` is confirmed as theirs.

    Raises:
        ValidationError: not on the panel.
        PinError: they have no PIN yet, or this is not it.
    """
    from formers_tui.store.panel import require_pin

    return require_pin(session, interview_id=interview.id, panelist_id=panelist_id, pin=pin)


def signed_content_changed(session: Session, interview: Interview, *, actor: str, why: str) -> int:
    """Withdraw every signature given so far, because what they signed has changed.

    Each withdrawal is an audit entry carrying ``why``. Returns how many were
    withdrawn (0 when nobody had signed: the common case costs one query).
    """
    rows = session.exec(select(SignOff).where(SignOff.interview_id == interview.id)).all()
    for row in rows:
        session.delete(row)
        session.flush()
        record(
            session,
            interview,
            actor=actor,
            action="delete",
            entity="sign_off",
            key=f"{interview.id}:{row.panelist_id}",
            old=values(row),
            new={"withdrawn_because": why},
        )
    return len(rows)
