"""The store's enumerations, importable without the ORM.

The first page of the interview list is read before SQLAlchemy and SQLModel
are imported (:mod:`formers_tui.store.quick`), and it needs the interview's
status; the table classes in :mod:`formers_tui.store.models` use these same
enumerations.
"""

from __future__ import annotations

import enum


class Status(str, enum.Enum):
    """Life cycle of an interview; it only moves forward."""

    draft = "draft"
    in_progress = "in_progress"
    rating = "rating"
    consensus = "consensus"
    finalized = "finalized"


class Role(str, enum.Enum):
    """Professional role of a panelist."""

    psychologist = "psychologist"
    social_worker = "social_worker"
    case_manager = "case_manager"
    probation_parole = "probation_parole"
    law_enforcement = "law_enforcement"
    faith_community_leader = "faith_community_leader"
    peer_mentor = "peer_mentor"
    other = "other"


class EvidenceSource(str, enum.Enum):
    """Kind of collateral source."""

    court_record = "court_record"
    probation_parole = "probation_parole"
    treatment_provider = "treatment_provider"
    employer = "employer"
    family_member = "family_member"
    reference = "reference"
    social_media_review = "social_media_review"
    other = "other"


class Reliability(str, enum.Enum):
    """How far the panel trusts an evidence item."""

    high = "high"
    moderate = "moderate"
    low = "low"
    unknown = "unknown"


class Bearing(str, enum.Enum):
    """Whether evidence supports or contradicts what the candidate said."""

    supports = "supports"
    contradicts = "contradicts"
    mixed = "mixed"


class FlagKind(str, enum.Enum):
    """Safety concerns that require the panel to act at once."""

    suicide_self_harm = "suicide_self_harm"
    threat_of_violence = "threat_of_violence"
    abuse_neglect = "abuse_neglect"
    current_extremist_engagement = "current_extremist_engagement"
    other = "other"


class Outcome(str, enum.Enum):
    """The panel's determination."""

    ready = "ready"
    ready_with_conditions = "ready_with_conditions"
    not_yet_ready = "not_yet_ready"
