"""Blind rating on a shared laptop: PINs, submissions, the chair's reveal, the panel view.

Structured professional judgement rests on each panelist committing a rating
before seeing anyone else's. That rule lives here, in the query layer, so no
screen, command or export can show a rating early by mistake: until a
panelist has submitted a domain, :func:`visible_ratings` refuses to return
other panelists' ratings in it and :func:`summary` masks them. Others'
ratings appear only once *they* have submitted them (drafts stay private).

The panel view opens for everyone when every panelist has submitted every
domain, or when the chair reveals it (recorded, with a reason, in
``chair_reveal`` and the audit log). After a reveal no new submission is
accepted: it could no longer be blind.

Panelists share one laptop, so acting as a panelist asks for that
panelist's PIN. Only a salted scrypt hash is stored (see :func:`hash_pin`).

Like the other store modules, each function makes one change with its audit
entry and leaves the commit to the caller. The panel view itself is built in
:mod:`formers_tui.store.panel_view`; consensus, determination and sign-off
are in :mod:`formers_tui.store.panel_decision`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from formers_tui.errors import FormersError, NotFoundError, ValidationError
from formers_tui.protocol.model import Domain, Protocol
from formers_tui.store import fields, signing
from formers_tui.store import ratings as rating_store
from formers_tui.store.common import (
    get_interview,
    protocol_of,
    record,
    touch,
    values,
)
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import (
    ChairReveal,
    Consensus,
    DomainSubmission,
    Interview,
    Panelist,
    Rating,
    Status,
    utcnow,
)
from formers_tui.store.rules.visibility import visibility
from formers_tui.store.rules.writes import signed_content_changed, writable_interview


class RatingsHiddenError(FormersError):
    """Other panelists' ratings were asked for before the asker may see them."""


class PinError(FormersError):
    """A PIN that is missing, malformed or wrong."""


# --------------------------------------------------------------------------- PINs

PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 64
SCRYPT_N = 2**14
"""CPU/memory cost: 16 MiB and about 50 ms per check on a laptop; slows guessing, not people."""
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of ``pin``, with its parameters, as one string.

    scrypt comes with Python (no native dependency to vet for offline
    laptops) and is memory-hard, so guessing short PINs from a stolen file
    costs memory as well as time. The parameters are stored with the hash so
    they can be raised later without breaking existing PINs. A short PIN can
    still be guessed offline by someone holding the file; keeping the file
    itself secret is the encryption's job. The PIN keeps panelists on one
    laptop from rating, or peeking, as each other.
    """
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the one hashed in ``stored`` (compared in constant time)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(key)
        candidate = hashlib.scrypt(
            pin.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate, expected)


def _checked_pin(pin: str) -> str:
    if any(ch.isspace() for ch in pin):
        raise PinError("A PIN cannot contain spaces.")
    if not PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH:
        raise PinError(f"A PIN needs {PIN_MIN_LENGTH} to {PIN_MAX_LENGTH} characters.")
    return pin


def panelist_of(session: Session, interview_id: str, panelist_id: str) -> Panelist:
    """The panelist ``panelist_id`` of the interview.

    Raises:
        ValidationError: not on this interview's panel.
    """
    panelist = session.get(Panelist, panelist_id)
    if panelist is None or panelist.interview_id != interview_id:
        raise ValidationError("That panelist is not on this interview's panel.")
    return panelist


def find_panelist(session: Session, interview_id: str, who: str) -> Panelist:
    """The panelist of the interview named ``who`` (any case) or whose id starts with it.

    Raises:
        NotFoundError: naming the panel.
    """
    interview = get_interview(session, interview_id)
    panel = interview_header(session, interview).panel
    key = who.strip().casefold()
    named = [p for p in panel if p.name.casefold() == key]
    if not named and len(key) >= 4:
        named = [p for p in panel if p.id.startswith(key)]
    if len(named) == 1:
        return named[0]
    names = ", ".join(p.name for p in panel)
    raise NotFoundError(f"No panelist '{who}' on this interview's panel ({names}).")


def set_pin(
    session: Session,
    *,
    interview_id: str,
    panelist_id: str,
    pin: str,
    actor: str,
    current_pin: str | None = None,
) -> None:
    """Set a panelist's PIN; changing an existing PIN needs the current one.

    Raises:
        PinError: a malformed new PIN, or a wrong or missing current PIN.
        LockedError: the interview is finalized.
    """
    interview = writable_interview(session, interview_id)
    panelist = panelist_of(session, interview.id, panelist_id)
    _checked_pin(pin)
    had = panelist.pin_hash is not None
    if panelist.pin_hash is not None and (
        current_pin is None or not pin_matches(current_pin, panelist.pin_hash)
    ):
        raise PinError(f"Give {panelist.name}'s current PIN to change it.")
    if not had and panelist.sealed_key is not None and not signing.opens(panelist, pin):
        # The interview came from another laptop with the key sealed under their PIN there.
        raise PinError(
            f"{panelist.name}'s signing key came sealed under the PIN they chose on the "
            "laptop this interview came from; use that PIN here too."
        )
    _store_pin(
        session,
        interview,
        panelist,
        pin,
        actor=actor,
        how="set" if not had else "changed",
        current_pin=current_pin if had else pin,
    )


def reset_pin(
    session: Session, *, interview_id: str, panelist_id: str, chair_pin: str, pin: str, actor: str
) -> None:
    """Replace a forgotten PIN, on the chair's authority (the audit log names it a reset).

    Raises:
        PinError: a malformed new PIN or a wrong chair PIN.
        ValidationError: the interview has no chair.
    """
    interview = writable_interview(session, interview_id)
    panelist = panelist_of(session, interview.id, panelist_id)
    _checked_pin(pin)
    chair = interview_header(session, interview).chair
    if chair is None:
        raise ValidationError("This panel has no chair to authorise a PIN reset.")
    require_pin(session, interview_id=interview.id, panelist_id=chair.id, pin=chair_pin)
    _store_pin(
        session,
        interview,
        panelist,
        pin,
        actor=actor,
        how=f"reset by {chair.name}",
        current_pin=None,
    )


def _store_pin(
    session: Session,
    interview: Interview,
    panelist: Panelist,
    pin: str,
    *,
    actor: str,
    how: str,
    current_pin: str | None,
) -> None:
    """Store the PIN's hash and seal the panelist's signing key under it.

    The key pair is kept when ``current_pin`` opens it (a change of PIN, or
    a first PIN on a laptop the sealed key came to); otherwise, as after a
    chair's reset, a new pair is made.
    """
    before = panelist.public_key
    if current_pin is not None and signing.opens(panelist, current_pin):
        signing.reseal(panelist, current_pin, pin)
    elif panelist.sealed_key is not None or panelist.public_key is None:
        signing.make_keys(panelist, pin)
    # else: a key registered by their first signed bundle lives on their own laptop.
    panelist.pin_hash = hash_pin(pin)
    session.add(panelist)
    touch(session, interview)
    # This context entry names neither hash nor sealed key; the panelist row's own entry
    # keeps both (so verify catches a swap) and no output shows them (registry.SECRET).
    key = "kept" if before == panelist.public_key else ("made" if before is None else "replaced")
    record(
        session,
        interview,
        actor=actor,
        action="update",
        entity="panelist_pin",
        key=panelist.id,
        old=None,
        new={
            "panelist": panelist.name,
            "pin": how,
            "signing_key": key,
            "public_key": panelist.public_key,
        },
    )


def _ensure_keys(session: Session, interview: Interview, panelist: Panelist, pin: str) -> None:
    """Give a panelist from before signing keys existed their key, now that their PIN is known."""
    if panelist.public_key is not None or interview.status == Status.finalized:
        return
    signing.make_keys(panelist, pin)
    session.add(panelist)
    record(
        session,
        interview,
        actor=panelist.name,
        action="create",
        entity="panelist_key",
        key=panelist.id,
        old=None,
        new={"panelist": panelist.name, "public_key": panelist.public_key},
    )


def has_pin(panelist: Panelist) -> bool:
    """Whether the panelist enters a PIN rather than choosing one.

    On a laptop the interview came to, their signing key arrived sealed under
    the PIN they chose before; that PIN is theirs here too.
    """
    return panelist.pin_hash is not None or panelist.sealed_key is not None


def verify_pin(session: Session, *, interview_id: str, panelist_id: str, pin: str) -> bool:
    """Whether ``pin`` is the panelist's PIN (``False`` if they have none)."""
    interview = get_interview(session, interview_id)
    panelist = panelist_of(session, interview.id, panelist_id)
    return panelist.pin_hash is not None and pin_matches(pin, panelist.pin_hash)


def require_pin(session: Session, *, interview_id: str, panelist_id: str, pin: str) -> Panelist:
    """The panelist, once ``pin`` is confirmed as theirs.

    A panelist from before signing keys existed gets their key here, sealed
    under this PIN; on a laptop their key came to in a whole-interview
    bundle, the PIN that opens it becomes their PIN here (the caller
    commits, as for any change).

    Raises:
        PinError: they have no PIN yet, or this is not it.
    """
    interview = get_interview(session, interview_id)
    panelist = panelist_of(session, interview.id, panelist_id)
    if panelist.pin_hash is None and panelist.sealed_key is not None:
        # The interview came from another laptop with their key sealed under their PIN.
        if not signing.opens(panelist, pin):
            raise PinError(f"Wrong PIN for {panelist.name}.")
        if interview.status != Status.finalized:
            _store_pin(
                session, interview, panelist, pin, actor=panelist.name, how="set", current_pin=pin
            )
        return panelist
    if panelist.pin_hash is None:
        raise PinError(f"{panelist.name} has no PIN yet; set one first.")
    if not pin_matches(pin, panelist.pin_hash):
        raise PinError(f"Wrong PIN for {panelist.name}.")
    _ensure_keys(session, interview, panelist, pin)
    return panelist


# ------------------------------------------------------------ progress and visibility


@dataclass(frozen=True)
class PanelistProgress:
    """What one panelist has submitted (never what they rated)."""

    panelist_id: str
    name: str
    is_chair: bool
    has_pin: bool
    submitted: tuple[str, ...]
    """Domain ids submitted, in protocol order."""
    complete: bool
    """Every domain submitted."""


@dataclass(frozen=True)
class RevealInfo:
    """The chair's reveal: who, why, when."""

    panelist_id: str
    name: str
    reason: str
    revealed_at: datetime


@dataclass(frozen=True)
class PanelProgress:
    """Where blind rating stands for a whole panel."""

    panelists: tuple[PanelistProgress, ...]
    revealed: RevealInfo | None

    @property
    def all_submitted(self) -> bool:
        """Every panelist has submitted every domain."""
        return all(p.complete for p in self.panelists)

    @property
    def open(self) -> bool:
        """The panel view is open: everyone submitted, or the chair revealed."""
        return self.all_submitted or self.revealed is not None

    def submitted_by(self, panelist_id: str) -> tuple[str, ...]:
        """Domain ids ``panelist_id`` has submitted."""
        return next((p.submitted for p in self.panelists if p.panelist_id == panelist_id), ())


def panel_progress(
    session: Session, interview: Interview, protocol: Protocol, panel: list[Panelist]
) -> PanelProgress:
    """:func:`progress` for an interview already loaded (saves the queries)."""
    rows = session.exec(
        select(DomainSubmission.panelist_id, DomainSubmission.domain_id).where(
            DomainSubmission.interview_id == interview.id
        )
    ).all()
    done: dict[str, set[str]] = {}
    for panelist_id, domain_id in rows:
        done.setdefault(panelist_id, set()).add(domain_id)
    domain_ids = [d.id for d in protocol.domains()]
    members = tuple(
        PanelistProgress(
            panelist_id=p.id,
            name=p.name,
            is_chair=p.is_chair,
            has_pin=has_pin(p),
            submitted=tuple(d for d in domain_ids if d in done.get(p.id, set())),
            complete=all(d in done.get(p.id, set()) for d in domain_ids),
        )
        for p in panel
    )
    reveal = session.get(ChairReveal, interview.id)
    revealed = None
    if reveal is not None:
        name = next((p.name for p in panel if p.id == reveal.panelist_id), "")
        revealed = RevealInfo(reveal.panelist_id, name, reveal.reason, reveal.revealed_at)
    return PanelProgress(members, revealed)


def progress(session: Session, interview_id: str) -> PanelProgress:
    """Who has submitted which domain, and whether the panel view is open."""
    interview = get_interview(session, interview_id)
    panel = interview_header(session, interview).panel
    return panel_progress(session, interview, protocol_of(interview), panel)


def visible_domains(session: Session, interview_id: str, viewer_panelist_id: str) -> set[str]:
    """Domains in which ``viewer`` may see the others' submitted ratings (see :mod:`.rules`)."""
    interview = get_interview(session, interview_id)
    panelist_of(session, interview.id, viewer_panelist_id)
    return set(visibility(session, interview.id, viewer_panelist_id).open_domains)


def domain_of(protocol: Protocol, domain_id: str) -> Domain:
    """The protocol's domain ``domain_id``.

    Raises:
        ValidationError: no such domain.
    """
    for domain in protocol.domains():
        if domain.id == domain_id:
            return domain
    raise ValidationError(f"The protocol has no domain '{domain_id}'.")


def visible_ratings(
    session: Session, interview_id: str, viewer_panelist_id: str, domain_id: str
) -> list[Rating]:
    """The ratings of one domain that ``viewer`` may see: their own and others' submitted ones.

    Raises:
        RatingsHiddenError: the viewer has not submitted the domain and the
            chair has not revealed the ratings.
    """
    interview = get_interview(session, interview_id)
    domain = domain_of(protocol_of(interview), domain_id)
    if domain.id not in visible_domains(session, interview.id, viewer_panelist_id):
        raise RatingsHiddenError(
            f"Submit your own ratings for {domain.title} before seeing the panel's."
        )
    seen = visibility(session, interview.id, viewer_panelist_id)
    ids = [i.id for i in domain.indicators]
    rows = session.exec(
        select(Rating).where(Rating.interview_id == interview.id, col(Rating.indicator_id).in_(ids))
    ).all()
    return [
        r
        for r in rows
        if seen.may_see(r.panelist_id, r.indicator_id, submitted=r.submitted_at is not None)
    ]


# ----------------------------------------------------------------- rating and submitting


def _advance(session: Session, interview: Interview, to: Status, actor: str) -> None:
    order = rating_store.STATUS_ORDER
    if order.index(interview.status) < order.index(to):
        rating_store.advance_status(session, interview_id=interview.id, to=to, actor=actor)


def rating_refusal(
    session: Session, interview: Interview, panelist_id: str, indicator_id: str
) -> str | None:
    """Why ``panelist_id``'s rating of ``indicator_id`` cannot be written now, or ``None``.

    The one rule for every path that writes a rating (typing one, a bundle
    arriving from another laptop): once the panel has recorded its consensus
    on an indicator its ratings are settled, and after the chair's reveal a
    panelist who had not submitted a domain could no longer rate it blind.
    The interview's lock is checked by the caller (:func:`writable_interview`).
    """
    if session.get(Consensus, (interview.id, indicator_id)) is not None:
        return (
            f"The panel has recorded its consensus on {indicator_id}; "
            "ratings of it can no longer change."
        )
    try:
        domain = protocol_of(interview).domain_of(indicator_id)
    except KeyError:
        return f"The protocol has no indicator '{indicator_id}'."
    if (
        session.get(ChairReveal, interview.id) is not None
        and session.get(DomainSubmission, (interview.id, panelist_id, domain.id)) is None
    ):
        return (
            f"The chair has revealed the panel's ratings, so new ratings in {domain.title} "
            "would not be blind."
        )
    return None


def submission_refusal(session: Session, interview: Interview, domain_id: str) -> str | None:
    """Why a new submission of ``domain_id`` cannot be accepted now, or ``None``.

    After the chair's reveal no new submission is blind, whichever path it
    arrives by.
    """
    if session.get(ChairReveal, interview.id) is not None:
        return "The chair has revealed the panel's ratings, so a submission now would not be blind."
    domain_of(protocol_of(interview), domain_id)
    return None


SQL_RATING_ALLOWED = """
    _domain IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM consensus c
                    WHERE c.interview_id = _iid AND c.indicator_id = _indicator)
    AND NOT (EXISTS (SELECT 1 FROM chair_reveal r WHERE r.interview_id = _iid)
             AND NOT EXISTS (SELECT 1 FROM domain_submission s
                             WHERE s.interview_id = _iid AND s.panelist_id = _panelist
                               AND s.domain_id = _domain))
"""
""":func:`rating_refusal` in SQL (``NULL`` refusal: true), for a server store's
row-level security (:mod:`formers_tui.store.server.policies`): ``_panelist``'s rating
of ``_indicator`` (in ``_domain``, ``NULL`` if the protocol has no such indicator) in
interview ``_iid``. Change both together; a test compares them on the same states."""

SQL_SUBMISSION_ALLOWED = """
    NOT EXISTS (SELECT 1 FROM chair_reveal r WHERE r.interview_id = _iid)
"""
""":func:`submission_refusal` in SQL, as :data:`SQL_RATING_ALLOWED` is for ratings."""


def advance_after_rating(session: Session, interview: Interview, actor: str) -> None:
    """Move the interview on once ratings or submissions arrived, by any path.

    Ratings move it to the rating stage; the last panelist submitting the
    last domain moves it to consensus.
    """
    _advance(session, interview, Status.rating, actor)
    panel = interview_header(session, interview).panel
    if panel_progress(session, interview, protocol_of(interview), panel).all_submitted:
        _advance(session, interview, Status.consensus, actor)


def rate(
    session: Session,
    *,
    interview_id: str,
    panelist_id: str,
    indicator_id: str,
    value: int | None,
    rationale: str,
    actor: str,
) -> Rating:
    """Record or revise a panelist's rating (``value=None`` to omit).

    A submitted rating stays revisable, with every earlier version kept,
    until the panel records its consensus on that indicator.

    Raises:
        ValidationError: consensus already recorded, a domain the panelist had
            not submitted before the chair's reveal, or a bad value.
        LockedError: the interview is finalized.
    """
    interview = writable_interview(session, interview_id)
    try:
        protocol_of(interview).domain_of(indicator_id)
    except KeyError:
        raise ValidationError(f"The protocol has no indicator '{indicator_id}'.") from None
    panelist_of(session, interview.id, panelist_id)
    refusal = rating_refusal(session, interview, panelist_id, indicator_id)
    if refusal is not None:
        raise ValidationError(refusal)
    rating = rating_store.save_rating(
        session,
        interview_id=interview.id,
        panelist_id=panelist_id,
        indicator_id=indicator_id,
        value=value,
        rationale=rationale,
        actor=actor,
    )
    _advance(session, interview, Status.rating, actor)
    return rating


def submit_domain(
    session: Session, *, interview_id: str, panelist_id: str, domain_id: str, actor: str
) -> DomainSubmission:
    """Commit a panelist's ratings of one domain; only then may they see the others'.

    Every indicator of the domain must be rated or omitted. Submitting a
    domain already submitted changes nothing. When the last panelist submits
    the last domain, the interview moves to consensus.

    Raises:
        ValidationError: an indicator not rated, an unknown domain, or the
            chair has already revealed the ratings.
        LockedError: the interview is finalized.
    """
    interview = writable_interview(session, interview_id)
    protocol = protocol_of(interview)
    domain = domain_of(protocol, domain_id)
    panelist = panelist_of(session, interview.id, panelist_id)
    existing = session.get(DomainSubmission, (interview.id, panelist_id, domain.id))
    if existing is not None:
        return existing
    refusal = submission_refusal(session, interview, domain.id)
    if refusal is not None:
        raise ValidationError(refusal)
    mine = rating_store.ratings_by(session, interview.id, panelist_id)
    missing = [i.id for i in domain.indicators if i.id not in mine]
    if missing:
        raise ValidationError(
            f"Rate or omit every indicator of {domain.title} before submitting "
            f"(not yet: {', '.join(missing)})."
        )
    now = utcnow()
    for indicator in domain.indicators:
        rating = mine[indicator.id]
        if rating.submitted_at is None:
            before = values(rating)
            rating.submitted_at = now
            session.add(rating)
            # Each rating's audited state must follow it, so `audit verify`
            # can tell a submission from an edit made behind the app's back.
            record(
                session,
                interview,
                actor=actor,
                action="submit",
                entity="rating",
                key=rating.id,
                old=before,
                new=values(rating),
            )
    submission = DomainSubmission(
        interview_id=interview.id, panelist_id=panelist_id, domain_id=domain.id, submitted_at=now
    )
    session.add(submission)
    touch(session, interview)
    signed_content_changed(
        session, interview, actor=actor, why=f"{panelist.name} submitted {domain.title}"
    )
    record(
        session,
        interview,
        actor=actor,
        action="create",
        entity="domain_submission",
        key=f"{interview.id}:{panelist_id}:{domain.id}",
        old=None,
        new={
            "panelist": panelist.name,
            "domain_id": domain.id,
            "submitted_at": now,
            "ratings": [mine[i.id].id for i in domain.indicators],
        },
    )
    advance_after_rating(session, interview, actor)
    return submission


def reveal(
    session: Session, *, interview_id: str, chair_id: str, pin: str, reason: str, actor: str
) -> ChairReveal:
    """Open the panel view before everyone has submitted (the chair only, with a reason).

    Raises:
        ValidationError: no reason, not the chair, or everyone has submitted already.
        PinError: the chair's PIN is missing or wrong.
        LockedError: the interview is finalized.
    """
    interview = writable_interview(session, interview_id)
    chair = panelist_of(session, interview.id, chair_id)
    if not chair.is_chair:
        raise ValidationError(
            f"Only the chair can reveal the panel's ratings; {chair.name} is not."
        )
    if not reason.strip():
        raise ValidationError("Say why the ratings are revealed before everyone has submitted.")
    fields.check_free_text(reason, "reason")
    existing = session.get(ChairReveal, interview.id)
    if existing is not None:
        return existing
    protocol = protocol_of(interview)
    panel = interview_header(session, interview).panel
    if panel_progress(session, interview, protocol, panel).all_submitted:
        raise ValidationError("Every panelist has submitted; the panel view is already open.")
    require_pin(session, interview_id=interview.id, panelist_id=chair.id, pin=pin)
    row = ChairReveal(interview_id=interview.id, panelist_id=chair.id, reason=reason.strip())
    session.add(row)
    touch(session, interview)
    record(
        session,
        interview,
        actor=actor,
        action="create",
        entity="chair_reveal",
        key=interview.id,
        old=None,
        new={"chair": chair.name, "reason": row.reason, "revealed_at": row.revealed_at},
    )
    _advance(session, interview, Status.consensus, actor)
    return row
