"""SQLModel tables of the store.

Every row id is a random hex string rather than an autoincrement integer so
that interviews rated on several offline laptops can be merged later without
id clashes. Timestamps are aware UTC datetimes; convert to local time only
for display.

Identifying details of a candidate live in their own table
(:class:`CandidateIdentity`) so exports can drop them wholesale; everything
else refers to the pseudonymous :attr:`Candidate.code`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from formers_tui.store.kinds import Bearing as Bearing
from formers_tui.store.kinds import EvidenceSource as EvidenceSource
from formers_tui.store.kinds import FlagKind as FlagKind
from formers_tui.store.kinds import Outcome as Outcome
from formers_tui.store.kinds import Reliability as Reliability
from formers_tui.store.kinds import Role as Role
from formers_tui.store.kinds import Status as Status


def new_id() -> str:
    """A fresh random row id (UUID4 hex)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """Current time, aware, in UTC: the form every timestamp column takes."""
    return datetime.now(timezone.utc)  # noqa: UP017 - keeps Python 3.10 working


def _fk(target: str, *, nullable: bool = False, primary_key: bool = False) -> Column[str]:
    """A string foreign key that cascades deletes of its parent."""
    return Column(
        String,
        ForeignKey(target, ondelete="CASCADE"),
        nullable=nullable,
        primary_key=primary_key,
        index=not primary_key,
    )


class Candidate(SQLModel, table=True):
    """A prospective peer mentor, known in the store only by a pseudonymous code."""

    id: str = Field(default_factory=new_id, primary_key=True)
    code: str = Field(sa_column=Column(String, unique=True, nullable=False))
    """Pseudonymous code chosen by the programme, e.g. ``PM-2026-014``."""
    created_at: datetime = Field(default_factory=utcnow)


class CandidateIdentity(SQLModel, table=True):
    """Identifying details, kept apart so exports can drop them."""

    __tablename__ = "candidate_identity"

    candidate_id: str = Field(sa_column=_fk("candidate.id", primary_key=True))
    full_name: str = ""
    date_of_birth: date | None = None
    contact: str = ""
    notes: str = ""


class ProtocolSnapshot(SQLModel, table=True):
    """A protocol's TOML exactly as interviews were started with it, once per distinct text.

    Interviews refer to it by hash, so an interview stays readable if the
    protocol file changes, without every interview carrying its own copy
    (tens of kilobytes each). The store refuses to change or remove one.
    """

    __tablename__ = "protocol_snapshot"

    sha256: str = Field(primary_key=True)
    text: str


class Interview(SQLModel, table=True):
    """One readiness and appropriateness interview of one candidate."""

    id: str = Field(default_factory=new_id, primary_key=True)
    candidate_id: str = Field(sa_column=_fk("candidate.id"))
    status: Status = Field(default=Status.draft, index=True)
    protocol_id: str
    protocol_version: str
    protocol_hash: str
    """SHA-256 of the frozen protocol text, kept once per store in :class:`ProtocolSnapshot`."""
    interview_date: date
    consent_given: bool = False
    consent_date: date | None = None
    current_indicator: str | None = None
    """Where the chair was last, so re-opening resumes there."""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    """The interview list shows the most recently changed first."""
    started_at: datetime | None = None
    finalized_at: datetime | None = None


class Panelist(SQLModel, table=True):
    """A member of an interview's panel."""

    __table_args__ = (UniqueConstraint("interview_id", "name"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    interview_id: str = Field(sa_column=_fk("interview.id"))
    name: str
    role: Role
    is_chair: bool = False
    position: int = 0
    """Display order."""
    pin_hash: str | None = None
    """Hash of the panelist's PIN; protects blind rating on a shared laptop."""
    public_key: str | None = None
    """Their Ed25519 public key (base64): checks the ratings they sign on another laptop."""
    sealed_key: str | None = None
    """Their Ed25519 private key sealed under their PIN (see :mod:`formers_tui.store.signing`)."""


class Note(SQLModel, table=True):
    """Running notes on one indicator (paraphrase, not quotes)."""

    __table_args__ = (
        UniqueConstraint("interview_id", "indicator_id"),
        # The interview list counts written notes; this keeps it off the note texts.
        # The migration gives the index the same condition on PostgreSQL; naming
        # it here too would load SQLAlchemy's PostgreSQL dialect on every start.
        Index("ix_note_written", "interview_id", sqlite_where=sql_text("text != ''")),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    interview_id: str = Field(sa_column=_fk("interview.id"))
    indicator_id: str
    text: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class Quote(SQLModel, table=True):
    """A verbatim quote, kept apart from paraphrase."""

    id: str = Field(default_factory=new_id, primary_key=True)
    interview_id: str = Field(sa_column=_fk("interview.id"))
    indicator_id: str
    text: str
    speaker: str
    spoken_at: datetime = Field(default_factory=utcnow)


class Evidence(SQLModel, table=True):
    """A collateral evidence item."""

    id: str = Field(default_factory=new_id, primary_key=True)
    interview_id: str = Field(sa_column=_fk("interview.id"))
    source_type: EvidenceSource
    informant: str = ""
    obtained_on: date | None = None
    reliability: Reliability = Reliability.unknown
    summary: str = ""
    bearing: Bearing = Bearing.supports
    created_at: datetime = Field(default_factory=utcnow)


class EvidenceLink(SQLModel, table=True):
    """Links an evidence item to an indicator it bears on."""

    __tablename__ = "evidence_link"

    evidence_id: str = Field(sa_column=_fk("evidence.id", primary_key=True))
    indicator_id: str = Field(primary_key=True)


class TimelineEntry(SQLModel, table=True):
    """One timeline fact of an interview, as text (dates in ISO form)."""

    __tablename__ = "timeline_entry"

    interview_id: str = Field(sa_column=_fk("interview.id", primary_key=True))
    fact_id: str = Field(primary_key=True)
    value: str = ""


class Rating(SQLModel, table=True):
    """A panelist's current rating of one indicator; earlier versions go to history."""

    __table_args__ = (
        UniqueConstraint("interview_id", "indicator_id", "panelist_id"),
        CheckConstraint("NOT (omitted AND value IS NOT NULL)", name="omit_has_no_value"),
        CheckConstraint("omitted OR value IS NOT NULL", name="value_or_omit"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    interview_id: str = Field(sa_column=_fk("interview.id"))
    indicator_id: str
    panelist_id: str = Field(sa_column=_fk("panelist.id"))
    value: int | None = None
    """Level value; ``None`` when omitted (missing, never 0)."""
    omitted: bool = False
    rationale: str = ""
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None


class RatingRevision(SQLModel, table=True):
    """A superseded version of a rating, kept when a rating is revised."""

    __tablename__ = "rating_revision"

    id: str = Field(default_factory=new_id, primary_key=True)
    rating_id: str = Field(sa_column=_fk("rating.id"))
    value: int | None = None
    omitted: bool = False
    rationale: str = ""
    recorded_at: datetime
    """When this version was first written."""
    submitted_at: datetime | None = None
    superseded_at: datetime = Field(default_factory=utcnow)


class DomainSubmission(SQLModel, table=True):
    """A panelist has committed their ratings for one domain (blind rating)."""

    __tablename__ = "domain_submission"

    interview_id: str = Field(sa_column=_fk("interview.id", primary_key=True))
    panelist_id: str = Field(sa_column=_fk("panelist.id", primary_key=True))
    domain_id: str = Field(primary_key=True)
    submitted_at: datetime = Field(default_factory=utcnow)


class Consensus(SQLModel, table=True):
    """The panel's agreed rating of one indicator; panelists' ratings stay untouched."""

    __table_args__ = (
        CheckConstraint("NOT (omitted AND value IS NOT NULL)", name="consensus_omit_no_value"),
    )

    interview_id: str = Field(sa_column=_fk("interview.id", primary_key=True))
    indicator_id: str = Field(primary_key=True)
    value: int | None = None
    omitted: bool = False
    rationale: str = ""
    dissent: str = ""
    """Who disagrees and why."""
    recorded_at: datetime = Field(default_factory=utcnow)


class Determination(SQLModel, table=True):
    """The panel's determination with its rationale."""

    interview_id: str = Field(sa_column=_fk("interview.id", primary_key=True))
    outcome: Outcome
    conditions: str = ""
    work_on: str = ""
    review_date: date | None = None
    rationale: str
    suggested_outcome: str = ""
    """The computed suggestion at the time, kept for the record."""
    differs_because: str = ""
    """Why the panel decided otherwise than the computed suggestion (empty when it agrees)."""
    recorded_at: datetime = Field(default_factory=utcnow)


class SignOff(SQLModel, table=True):
    """A panelist's confirmation of the determination."""

    __tablename__ = "sign_off"

    interview_id: str = Field(sa_column=_fk("interview.id", primary_key=True))
    panelist_id: str = Field(sa_column=_fk("panelist.id", primary_key=True))
    signed_at: datetime = Field(default_factory=utcnow)


class ChairReveal(SQLModel, table=True):
    """The chair opened the panel view before every panelist had submitted.

    Blind rating normally ends only when everyone has submitted every domain;
    this row records the exception, who made it and why.
    """

    __tablename__ = "chair_reveal"

    interview_id: str = Field(sa_column=_fk("interview.id", primary_key=True))
    panelist_id: str = Field(sa_column=_fk("panelist.id"))
    """The chair who revealed."""
    reason: str
    revealed_at: datetime = Field(default_factory=utcnow)


class SafetyFlag(SQLModel, table=True):
    """A safety concern raised during the interview; open until resolved."""

    __tablename__ = "safety_flag"

    id: str = Field(default_factory=new_id, primary_key=True)
    interview_id: str = Field(sa_column=_fk("interview.id"))
    indicator_id: str | None = None
    kind: FlagKind
    note: str = ""
    raised_by: str = ""
    raised_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    action_taken: str = ""


class Addendum(SQLModel, table=True):
    """A correction added after finalization, with who, when and why."""

    id: str = Field(default_factory=new_id, primary_key=True)
    interview_id: str = Field(sa_column=_fk("interview.id"))
    author: str
    reason: str
    text: str
    created_at: datetime = Field(default_factory=utcnow)


class DomainTime(SQLModel, table=True):
    """Seconds spent on a domain during the live interview."""

    __tablename__ = "domain_time"

    interview_id: str = Field(sa_column=_fk("interview.id", primary_key=True))
    domain_id: str = Field(primary_key=True)
    seconds: float = 0.0


class AuditEntry(SQLModel, table=True):
    """One append-only, hash-chained record of a change.

    ``hash`` covers the row's content and ``prev_hash``; triggers created by
    the migrations refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_interview", "interview_id"),)

    seq: int | None = Field(default=None, primary_key=True)
    interview_id: str | None = None
    actor: str
    action: str
    entity: str
    entity_key: str
    old: str | None = None
    """JSON of the values before the change (``None`` for a creation)."""
    new: str | None = None
    """JSON of the values after the change (``None`` for a deletion)."""
    at: datetime = Field(default_factory=utcnow)
    prev_hash: str
    hash: str


class AuditSeal(SQLModel, table=True):
    """The audit log's key and tip: one row, sealed with that key.

    The key MACs every entry. In an encrypted store it is kept wrapped with
    a key derived from the store key, so only someone who can open the store
    can read it; in a plaintext store it is kept as it is (and so is no
    secret). The tip (last sequence number and MAC) is sealed with the key,
    so removing the newest entries needs the key too.
    """

    __tablename__ = "audit_seal"

    id: int = Field(default=1, primary_key=True)
    key_wrapped: str
    """The log key, hex, XORed with the wrap (``key_wrap``)."""
    key_wrap: str
    """``store-key`` or ``none`` (a plaintext store)."""
    key_check: str
    """HMAC of a fixed label under the key: says whether it was unwrapped right."""
    legacy_until: int = 0
    """Entries up to this number were written before the log was keyed (plain SHA-256)."""
    tip_seq: int = 0
    tip_hash: str = ""
    seal: str
    """HMAC of ``legacy_until``, ``tip_seq`` and ``tip_hash`` under the key."""
