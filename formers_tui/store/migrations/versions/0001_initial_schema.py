"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_key", sa.String(), nullable=False),
        sa.Column("old", sa.String(), nullable=True),
        sa.Column("new", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_interview", ["interview_id"], unique=False)

    op.create_table(
        "candidate",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "candidate_identity",
        sa.Column("candidate_id", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("contact", sa.String(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    op.create_table(
        "interview",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("candidate_id", sa.String(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "in_progress", "rating", "consensus", "finalized", name="status"),
            nullable=False,
        ),
        sa.Column("protocol_id", sa.String(), nullable=False),
        sa.Column("protocol_version", sa.String(), nullable=False),
        sa.Column("protocol_hash", sa.String(), nullable=False),
        sa.Column("protocol_text", sa.String(), nullable=False),
        sa.Column("interview_date", sa.Date(), nullable=False),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("current_indicator", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finalized_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interview_status"), ["status"], unique=False)

    op.create_table(
        "addendum",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("addendum", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_addendum_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "consensus",
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("indicator_id", sa.String(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("omitted", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.String(), nullable=False),
        sa.Column("dissent", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("NOT (omitted AND value IS NOT NULL)", name="consensus_omit_no_value"),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id", "indicator_id"),
    )
    op.create_table(
        "determination",
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("ready", "ready_with_conditions", "not_yet_ready", name="outcome"),
            nullable=False,
        ),
        sa.Column("conditions", sa.String(), nullable=False),
        sa.Column("work_on", sa.String(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("rationale", sa.String(), nullable=False),
        sa.Column("suggested_outcome", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id"),
    )
    op.create_table(
        "domain_time",
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("domain_id", sa.String(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id", "domain_id"),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column(
            "source_type",
            sa.Enum(
                "court_record",
                "probation_parole",
                "treatment_provider",
                "employer",
                "family_member",
                "reference",
                "social_media_review",
                "other",
                name="evidencesource",
            ),
            nullable=False,
        ),
        sa.Column("informant", sa.String(), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=True),
        sa.Column(
            "reliability",
            sa.Enum("high", "moderate", "low", "unknown", name="reliability"),
            nullable=False,
        ),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column(
            "bearing", sa.Enum("supports", "contradicts", "mixed", name="bearing"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "note",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("indicator_id", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("interview_id", "indicator_id"),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_interview_id"), ["interview_id"], unique=False)

    op.create_table(
        "panelist",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "psychologist",
                "social_worker",
                "case_manager",
                "probation_parole",
                "law_enforcement",
                "faith_community_leader",
                "peer_mentor",
                "other",
                name="role",
            ),
            nullable=False,
        ),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("interview_id", "name"),
    )
    with op.batch_alter_table("panelist", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panelist_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "quote",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("indicator_id", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("speaker", sa.String(), nullable=False),
        sa.Column("spoken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_interview_id"), ["interview_id"], unique=False)

    op.create_table(
        "safety_flag",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("indicator_id", sa.String(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "suicide_self_harm",
                "threat_of_violence",
                "abuse_neglect",
                "current_extremist_engagement",
                "other",
                name="flagkind",
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("raised_by", sa.String(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_taken", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("safety_flag", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safety_flag_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "timeline_entry",
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("fact_id", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id", "fact_id"),
    )
    op.create_table(
        "domain_submission",
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("panelist_id", sa.String(), nullable=False),
        sa.Column("domain_id", sa.String(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["panelist_id"], ["panelist.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id", "panelist_id", "domain_id"),
    )
    op.create_table(
        "evidence_link",
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("indicator_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("evidence_id", "indicator_id"),
    )
    op.create_table(
        "rating",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("indicator_id", sa.String(), nullable=False),
        sa.Column("panelist_id", sa.String(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("omitted", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("NOT (omitted AND value IS NOT NULL)", name="omit_has_no_value"),
        sa.CheckConstraint("omitted OR value IS NOT NULL", name="value_or_omit"),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["panelist_id"], ["panelist.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("interview_id", "indicator_id", "panelist_id"),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_interview_id"), ["interview_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_panelist_id"), ["panelist_id"], unique=False)

    op.create_table(
        "sign_off",
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("panelist_id", sa.String(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["panelist_id"], ["panelist.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id", "panelist_id"),
    )
    op.create_table(
        "rating_revision",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("rating_id", sa.String(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("omitted", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["rating_id"], ["rating.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rating_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rating_revision_rating_id"), ["rating_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("rating_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_revision_rating_id"))

    op.drop_table("rating_revision")
    op.drop_table("sign_off")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_panelist_id"))
        batch_op.drop_index(batch_op.f("ix_rating_interview_id"))

    op.drop_table("rating")
    op.drop_table("evidence_link")
    op.drop_table("domain_submission")
    op.drop_table("timeline_entry")
    with op.batch_alter_table("safety_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_flag_interview_id"))

    op.drop_table("safety_flag")
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_interview_id"))

    op.drop_table("quote")
    with op.batch_alter_table("panelist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panelist_interview_id"))

    op.drop_table("panelist")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_interview_id"))

    op.drop_table("note")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_interview_id"))

    op.drop_table("evidence")
    op.drop_table("domain_time")
    op.drop_table("determination")
    op.drop_table("consensus")
    with op.batch_alter_table("addendum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addendum_interview_id"))

    op.drop_table("addendum")
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_status"))
        batch_op.drop_index(batch_op.f("ix_interview_candidate_id"))

    op.drop_table("interview")
    op.drop_table("candidate_identity")
    op.drop_table("candidate")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_interview")

    op.drop_table("audit_entry")
