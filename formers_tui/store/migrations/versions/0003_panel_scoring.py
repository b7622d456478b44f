"""Panel scoring: the chair's reveal, why a determination differs, append-only addenda.

Adds the ``chair_reveal`` table (one row when the chair opens the panel view
before everyone has submitted) and ``determination.differs_because``. On
SQLite the new table is locked with its interview like every other child
table, and addenda become append-only: a correction to a finalized record is
itself never rewritten. PostgreSQL gets the same guards in PL/pgSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LOCKED = "'This interview is finalized and cannot be changed; add an addendum instead.'"
APPEND_ONLY = "'Addenda are append-only; add another addendum instead.'"


def _locked_when(interview_expr: str) -> str:
    return (
        f"SELECT RAISE(ABORT, {LOCKED}) WHERE "
        f"(SELECT status FROM interview WHERE id = {interview_expr}) = 'finalized';"
    )


def upgrade() -> None:
    op.create_table(
        "chair_reveal",
        sa.Column("interview_id", sa.String(), nullable=False),
        sa.Column("panelist_id", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["panelist_id"], ["panelist.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id"),
    )
    with op.batch_alter_table("chair_reveal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chair_reveal_panelist_id"), ["panelist_id"], unique=False
        )
    # Adding a column is native ALTER TABLE on SQLite, so batch mode does not
    # rebuild the table and the lock triggers of 0002 stay in place.
    with op.batch_alter_table("determination", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("differs_because", sa.String(), nullable=False, server_default="")
        )

    if op.get_bind().dialect.name == "postgresql":
        from formers_tui.store.server import triggers

        triggers.install_guards(op.get_bind(), triggers.guards_0003(), ())
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TRIGGER chair_reveal_locked_insert BEFORE INSERT ON chair_reveal "
        f"BEGIN {_locked_when('NEW.interview_id')} END;"
    )
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER chair_reveal_locked_{action.lower()} BEFORE {action} ON chair_reveal "
            f"BEGIN {_locked_when('OLD.interview_id')} END;"
        )
        op.execute(
            f"CREATE TRIGGER addendum_no_{action.lower()} BEFORE {action} ON addendum "
            f"BEGIN SELECT RAISE(ABORT, {APPEND_ONLY}); END;"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from formers_tui.store.server import triggers

        triggers.drop_triggers(op.get_bind(), triggers.guards_0003())
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "chair_reveal_locked_insert",
            "chair_reveal_locked_update",
            "chair_reveal_locked_delete",
            "addendum_no_update",
            "addendum_no_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("determination", schema=None) as batch_op:
        batch_op.drop_column("differs_because")
    with op.batch_alter_table("chair_reveal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chair_reveal_panelist_id"))
    op.drop_table("chair_reveal")
