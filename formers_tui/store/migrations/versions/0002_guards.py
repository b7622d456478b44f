"""Database-level guards: an append-only audit log and locked finalized interviews.

The application checks these rules too, but the database enforces them so a
bug, or an edit with a SQL shell, cannot rewrite history silently. On
PostgreSQL the same guards are PL/pgSQL triggers
(:mod:`formers_tui.store.server.triggers`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Tables whose rows belong to one interview through an ``interview_id`` column.
INTERVIEW_CHILDREN = (
    "panelist",
    "note",
    "quote",
    "evidence",
    "timeline_entry",
    "rating",
    "domain_submission",
    "consensus",
    "determination",
    "sign_off",
    "safety_flag",
    "domain_time",
)
LOCKED = "'This interview is finalized and cannot be changed; add an addendum instead.'"


def _locked_when(interview_expr: str) -> str:
    return (
        f"SELECT RAISE(ABORT, {LOCKED}) WHERE "
        f"(SELECT status FROM interview WHERE id = {interview_expr}) = 'finalized';"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from formers_tui.store.server import triggers

        functions = ("formers_refuse", "formers_interview_locked", "formers_child_locked")
        triggers.install_guards(op.get_bind(), triggers.guards_0002(), functions)
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{action.lower()} BEFORE {action} ON audit_entry "
            "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END;"
        )
    op.execute(
        "CREATE TRIGGER interview_locked BEFORE UPDATE ON interview "
        f"WHEN OLD.status = 'finalized' BEGIN SELECT RAISE(ABORT, {LOCKED}); END;"
    )
    op.execute(
        "CREATE TRIGGER interview_locked_delete BEFORE DELETE ON interview "
        f"WHEN OLD.status = 'finalized' BEGIN SELECT RAISE(ABORT, {LOCKED}); END;"
    )
    for table in INTERVIEW_CHILDREN:
        op.execute(
            f"CREATE TRIGGER {table}_locked_insert BEFORE INSERT ON {table} "
            f"BEGIN {_locked_when('NEW.interview_id')} END;"
        )
        op.execute(
            f"CREATE TRIGGER {table}_locked_update BEFORE UPDATE ON {table} "
            f"BEGIN {_locked_when('OLD.interview_id')} END;"
        )
        op.execute(
            f"CREATE TRIGGER {table}_locked_delete BEFORE DELETE ON {table} "
            f"BEGIN {_locked_when('OLD.interview_id')} END;"
        )
    parents = {
        "evidence_link": ("evidence", "evidence_id"),
        "rating_revision": ("rating", "rating_id"),
    }
    for table, (parent, column) in parents.items():
        for action, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            owner = f"(SELECT interview_id FROM {parent} WHERE id = {row}.{column})"
            op.execute(
                f"CREATE TRIGGER {table}_locked_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN {_locked_when(owner)} END;"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from formers_tui.store.server import triggers

        triggers.drop_triggers(op.get_bind(), triggers.guards_0002())
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    names = ["audit_entry_no_update", "audit_entry_no_delete"]
    names += ["interview_locked", "interview_locked_delete"]
    for table in (*INTERVIEW_CHILDREN, "evidence_link", "rating_revision"):
        names += [f"{table}_locked_{a}" for a in ("insert", "update", "delete")]
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
