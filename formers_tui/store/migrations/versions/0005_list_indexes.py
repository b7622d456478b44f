"""Indexes for the interview list of a large store.

The home screen reads the most recently changed interviews first and counts
each one's written notes. With 10,000 interviews, an index on
``interview.updated_at`` lets the first page be read without sorting the
table, and a partial index of notes that have text lets the count skip the
note texts themselves.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_interview_updated_at", "interview", ["updated_at"], unique=False)
    op.create_index(
        "ix_note_written",
        "note",
        ["interview_id"],
        unique=False,
        sqlite_where=sa.text("text != ''"),
        postgresql_where=sa.text("text != ''"),
    )


def downgrade() -> None:
    op.drop_index("ix_note_written", table_name="note")
    op.drop_index("ix_interview_updated_at", table_name="interview")
