"""Who may see which rating, when: the one visibility rule of blind rating.

Structured professional judgement rests on each panelist committing a
rating before seeing anyone else's. Every path that shows or carries ratings
(the interview screen, the panel view, ``formers show``, ``score``, every
export format, ``audit show``, bundles) asks :func:`visibility` (or
:func:`document_visibility` for an interview document) and shows only what
:meth:`Visibility.may_see` allows. Nothing else decides it.

The rule, for one rating version (a current rating or an earlier one kept in
its history or the audit log) by panelist *P* of an indicator in domain *D*:

* After finalization, everything is visible to everyone.
* Before it, the **reader's own** ratings, drafts included, are visible to
  them. A reader is a panelist whose PIN the caller has confirmed (see
  :func:`confirm_reader`).
* Another panelist's **submitted** rating is visible once *D* is *open* to the
  reader: the chair has revealed the panel's ratings, or the reader has
  submitted *D* themselves.
* When nobody is identified (program staff, a script), *D* is open once
  **every** panelist has submitted it, or the chair has revealed: such a
  reader sees what every panelist may see, never more.
* Another panelist's **draft** is never visible before finalization.

Usage::

    seen = visibility(session, interview_id, reader_id)  # None: nobody identified
    shown = [r for r in rows if seen.may_see(r.panelist_id, r.indicator_id,
                                             submitted=r.submitted_at is not None)]
    withheld = redact_document(document, document_visibility(document, protocol, reader_id))

Counts of who has submitted what are not rating content and stay visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from formers_tui.errors import ValidationError
from formers_tui.protocol.model import Protocol
from formers_tui.store.common import get_interview, protocol_of
from formers_tui.store.models import ChairReveal, DomainSubmission, Panelist, Status

WITHHELD = "withheld"
"""Key set to ``True`` in an audit value whose rating content was left out."""
RATING_CONTENT = ("value", "omitted", "rationale", "history")
"""The fields of a rating that blind rating keeps from other panelists."""


@dataclass(frozen=True)
class Visibility:
    """What one reader may see of one interview's ratings, decided by :func:`decide`."""

    reader_id: str | None
    """The panelist reading (PIN confirmed by the caller), or ``None``: nobody identified."""
    finalized: bool
    revealed: bool
    """The chair has revealed the panel's ratings."""
    open_domains: frozenset[str]
    """Domains whose submitted ratings the reader may see (every domain once finalized)."""
    domain_of: Mapping[str, str]
    """Indicator id -> domain id, from the interview's frozen protocol."""

    def may_see(self, panelist_id: str, indicator_id: str, *, submitted: bool) -> bool:
        """Whether the reader may see this rating version's value and rationale.

        Args:
            panelist_id: who made the rating.
            indicator_id: the indicator rated (one the protocol does not know
                is never visible before finalization).
            submitted: the version had been submitted (``submitted_at`` set).
        """
        if self.finalized:
            return True
        if self.reader_id is not None and panelist_id == self.reader_id:
            return True
        return submitted and self.domain_of.get(indicator_id) in self.open_domains

    def domain_open(self, domain_id: str) -> bool:
        """Whether the reader may see the other panelists' submitted ratings in ``domain_id``."""
        return domain_id in self.open_domains

    @property
    def everything(self) -> bool:
        """Nothing is withheld from anyone (the interview is finalized)."""
        return self.finalized


def decide(
    protocol: Protocol,
    *,
    status: Status | str,
    reader_id: str | None,
    panel: Iterable[str],
    submissions: Iterable[tuple[str, str]],
    revealed: bool,
) -> Visibility:
    """The rule itself, on plain facts: no database, so every path can share it.

    Args:
        protocol: the interview's frozen protocol (its domains and indicators).
        status: the interview's status.
        reader_id: the panelist reading, or ``None`` when nobody is identified.
        panel: ids of the interview's panelists.
        submissions: ``(panelist_id, domain_id)`` of each domain submission.
        revealed: the chair has revealed the panel's ratings.

    Raises:
        ValidationError: ``reader_id`` is not on the panel.
    """
    members = set(panel)
    if reader_id is not None and reader_id not in members:
        raise ValidationError("That panelist is not on this interview's panel.")
    domain_of = {i.id: d.id for d in protocol.domains() for i in d.indicators}
    domains = frozenset(d.id for d in protocol.domains())
    finalized = status == Status.finalized
    if finalized or revealed:
        open_domains = domains
    else:
        done: dict[str, set[str]] = {}
        for panelist_id, domain_id in submissions:
            done.setdefault(domain_id, set()).add(panelist_id)
        if reader_id is None:
            open_domains = frozenset(
                d for d in domains if members and members <= done.get(d, set())
            )
        else:
            open_domains = frozenset(d for d in domains if reader_id in done.get(d, set()))
    return Visibility(reader_id, finalized, revealed, open_domains, domain_of)


# The same rule in SQL, for a server store's row-level security. A server's
# policies (formers_tui.store.server.policies) make SQL functions of these
# texts, so a panelist's own database connection is held to this rule even
# from a raw SQL client. Change them together with decide() and may_see()
# above: a test walks the same states through both and compares every answer.

SQL_DOMAIN_OPEN = """
    _domain IS NOT NULL AND (
        _status = 'finalized'
        OR EXISTS (SELECT 1 FROM chair_reveal r WHERE r.interview_id = _iid)
        OR CASE
            WHEN _reader IS NOT NULL THEN EXISTS (
                SELECT 1 FROM domain_submission s
                WHERE s.interview_id = _iid AND s.panelist_id = _reader
                  AND s.domain_id = _domain)
            ELSE EXISTS (SELECT 1 FROM panelist p WHERE p.interview_id = _iid)
                AND NOT EXISTS (
                    SELECT 1 FROM panelist p
                    WHERE p.interview_id = _iid AND NOT EXISTS (
                        SELECT 1 FROM domain_submission s
                        WHERE s.interview_id = _iid AND s.panelist_id = p.id
                          AND s.domain_id = _domain))
        END)
"""
"""Whether ``_domain`` is open to ``_reader`` (``NULL``: nobody identified) in interview
``_iid`` at ``_status``: :func:`decide`'s ``open_domains``. An unknown domain is never open."""

SQL_MAY_SEE = """
    ({finalized})
    OR ({own})
    OR (({submitted}) AND ({domain_open}))
"""
"""Whether the reader may see a rating version: :meth:`Visibility.may_see`, with its
four facts as slots, filled for one rating (:data:`SQL_MAY_SEE_ONE`) or, by the
server's policies, for every row of a query at once."""

SQL_MAY_SEE_ONE = {
    "finalized": "_status = 'finalized'",
    "own": "_reader IS NOT NULL AND _panelist = _reader",
    "submitted": "_submitted",
    "domain_open": SQL_DOMAIN_OPEN,
}
""":data:`SQL_MAY_SEE`'s slots for ``_reader`` and ``_panelist``'s rating version
(``_submitted``) of an indicator of ``_domain`` in interview ``_iid`` at ``_status``."""


def visibility(session: Session, interview_id: str, reader_id: str | None = None) -> Visibility:
    """What ``reader_id`` may see of the interview's ratings.

    Args:
        reader_id: a panelist whose PIN the caller has confirmed (the
            interview screen's active panelist, or :func:`confirm_reader`),
            or ``None`` when nobody is identified. On a server store
            ``None`` means the connected person: the panelist their database
            role is on this panel, if any
            (:func:`~formers_tui.store.server.people.connected_reader`).

    Raises:
        NotFoundError: unknown interview.
        ValidationError: the reader is not on the panel.
    """
    interview = get_interview(session, interview_id)
    if reader_id is None:
        from formers_tui.store.server.people import connected_reader

        # On a server the connected role is a panelist, as a PIN makes one here.
        reader_id = connected_reader(session, interview.id)
    panel = session.exec(select(Panelist.id).where(Panelist.interview_id == interview.id)).all()
    submissions = session.exec(
        select(DomainSubmission.panelist_id, DomainSubmission.domain_id).where(
            DomainSubmission.interview_id == interview.id
        )
    ).all()
    return decide(
        protocol_of(interview),
        status=interview.status,
        reader_id=reader_id,
        panel=panel,
        submissions=[(p, d) for p, d in submissions],
        revealed=session.get(ChairReveal, interview.id) is not None,
    )


def confirm_reader(session: Session, interview_id: str, who: str, pin: str) -> str:
    """The id of the panelist named ``who`` (name or id prefix), once ``pin`` is confirmed theirs.

    Raises:
        NotFoundError: no such panelist on the panel.
        PinError: they have no PIN yet, or this is not it.
    """
    from formers_tui.store.panel import find_panelist, require_pin

    panelist = find_panelist(session, interview_id, who)
    require_pin(session, interview_id=panelist.interview_id, panelist_id=panelist.id, pin=pin)
    return panelist.id


# ------------------------------------------------------------------------- documents


def document_visibility(
    document: Mapping[str, Any], protocol: Protocol, reader_id: str | None = None
) -> Visibility:
    """:func:`visibility` for an interview document (``exporting.document``), plain or rich.

    Needs the document's ``status``, ``panel``, ``domain_submissions`` and
    ``chair_reveal``.
    """
    return decide(
        protocol,
        status=str(getattr(document["status"], "value", document["status"])),
        reader_id=reader_id,
        panel=[p["id"] for p in document["panel"]],
        submissions=[(s["panelist_id"], s["domain_id"]) for s in document["domain_submissions"]],
        revealed=document.get("chair_reveal") is not None,
    )


def redact_document(document: dict[str, Any], seen: Visibility) -> int:
    """Drop from ``document`` (in place) every rating and rating version ``seen`` hides.

    A hidden rating leaves no trace: no value, no rationale, no draft mark,
    nothing for a panel mean. Returns how many current ratings were left out.
    """
    if seen.everything:
        return 0
    kept = []
    withheld = 0
    for rating in document["ratings"]:
        if not seen.may_see(
            rating["panelist_id"],
            rating["indicator_id"],
            submitted=rating["submitted_at"] is not None,
        ):
            withheld += 1
            continue
        history = rating.get("history")
        if history:
            rating["history"] = [
                h
                for h in history
                if seen.may_see(
                    rating["panelist_id"],
                    rating["indicator_id"],
                    submitted=h.get("submitted_at") is not None,
                )
            ]
        kept.append(rating)
    document["ratings"] = kept
    return withheld


# ------------------------------------------------------------------------- audit log


def redact_audit_value(entity: str, value: dict[str, Any] | None, seen: Visibility) -> Any:
    """An audit entry's ``old`` or ``new`` as ``seen`` may read it.

    A rating version the reader may not see keeps who, which indicator and
    when, and loses its value and rationale (``withheld: true`` says so).
    Other entities carry no rating content and pass unchanged.
    """
    if entity != "rating" or value is None or seen.everything:
        return value
    panelist_id = str(value.get("panelist_id", ""))
    indicator_id = str(value.get("indicator_id", ""))
    if seen.may_see(panelist_id, indicator_id, submitted=value.get("submitted_at") is not None):
        return value
    hidden = {k: v for k, v in value.items() if k not in RATING_CONTENT}
    hidden[WITHHELD] = True
    return hidden
