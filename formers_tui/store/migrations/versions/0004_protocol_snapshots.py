"""Frozen protocol texts kept once per store instead of once per interview.

Every interview used to carry its own copy of the protocol TOML (about 60 KB
for the shipped protocol), which made up over a third of a store's size.
The texts move to ``protocol_snapshot``, keyed by the SHA-256 the interview
already records. On SQLite, a snapshot can be neither changed nor removed,
and an interview cannot name a protocol the store does not hold (the same
guards in PL/pgSQL on PostgreSQL).

The column is dropped with SQLite's native ``ALTER TABLE ... DROP COLUMN``
(SQLite 3.35 and later): a batch-mode table copy would have to drop the
``interview`` table, which the finalized-interview guards (rightly) refuse.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FROZEN = "'A stored protocol snapshot never changes.'"
LOCKED = "'This interview is finalized and cannot be changed; add an addendum instead.'"
MISSING = "'The store holds no protocol with that hash.'"


def upgrade() -> None:
    op.create_table(
        "protocol_snapshot",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.execute(
        "INSERT INTO protocol_snapshot (sha256, text) "
        "SELECT protocol_hash, MIN(protocol_text) FROM interview GROUP BY protocol_hash"
    )
    op.execute("ALTER TABLE interview DROP COLUMN protocol_text")
    if op.get_bind().dialect.name == "postgresql":
        from formers_tui.store.server import triggers

        triggers.install_guards(op.get_bind(), triggers.guards_0004(), ["formers_protocol_known"])
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER protocol_snapshot_no_{action.lower()} BEFORE {action} "
            f"ON protocol_snapshot BEGIN SELECT RAISE(ABORT, {FROZEN}); END;"
        )
    for action in ("INSERT", "UPDATE OF protocol_hash"):
        name = action.split()[0].lower()
        op.execute(
            f"CREATE TRIGGER interview_protocol_{name} BEFORE {action} ON interview "
            "WHEN NOT EXISTS (SELECT 1 FROM protocol_snapshot WHERE sha256 = NEW.protocol_hash) "
            f"BEGIN SELECT RAISE(ABORT, {MISSING}); END;"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from formers_tui.store.server import triggers

        triggers.drop_triggers(op.get_bind(), triggers.guards_0004())
        op.execute("ALTER TABLE interview ADD COLUMN protocol_text VARCHAR NOT NULL DEFAULT ''")
        # Copying the texts back updates finalized interviews too: lift their guard meanwhile.
        op.execute("ALTER TABLE interview DISABLE TRIGGER interview_locked")
        op.execute(
            "UPDATE interview SET protocol_text = (SELECT text FROM protocol_snapshot "
            "WHERE sha256 = interview.protocol_hash)"
        )
        op.execute("ALTER TABLE interview ENABLE TRIGGER interview_locked")
        op.drop_table("protocol_snapshot")
        return
    for name in (
        "protocol_snapshot_no_update",
        "protocol_snapshot_no_delete",
        "interview_protocol_insert",
        "interview_protocol_update",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("ALTER TABLE interview ADD COLUMN protocol_text VARCHAR NOT NULL DEFAULT ''")
    # Copying the texts back updates finalized interviews too: lift their guard meanwhile.
    op.execute("DROP TRIGGER IF EXISTS interview_locked")
    op.execute(
        "UPDATE interview SET protocol_text = (SELECT text FROM protocol_snapshot "
        "WHERE sha256 = interview.protocol_hash)"
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER interview_locked BEFORE UPDATE ON interview "
            f"WHEN OLD.status = 'finalized' BEGIN SELECT RAISE(ABORT, {LOCKED}); END;"
        )
    op.drop_table("protocol_snapshot")
