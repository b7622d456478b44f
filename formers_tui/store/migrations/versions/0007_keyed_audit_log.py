"""A keyed audit log with a seal, and a baseline of every record.

Adds ``audit_seal`` (the log's key, wrapped by the store key in an encrypted
store, and the sealed tip). Entries from here on are MACed with that key.
Entries written before are kept as they are and still checked with their
plain SHA-256; the first keyed entry follows the last of them, so they are
sealed under the key too. On PostgreSQL the migration also creates the
permanent capture triggers and their ``audit_pending`` table (SQLite makes
TEMP ones per connection instead).

Earlier releases logged some records only in part (or, after an import, not
at all), so the log is re-anchored: one ``baseline`` entry per audited record,
carrying the record as it is at the upgrade, and a summary entry saying
whether the earlier chain verified. ``formers audit verify`` compares records
with the log from the baseline on; a change made outside the app *before*
the upgrade is therefore part of the baseline (the summary entry records
whether the earlier chain was intact).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from sqlmodel import Session, col, select

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTOR = "formers-tui upgrade"


def _legacy_chain(connection: sa.Connection) -> str:
    """Whether the unkeyed chain written so far verifies: ``intact`` or where it breaks."""
    from formers_tui.store.audit import GENESIS, legacy_hash
    from formers_tui.store.models import AuditEntry

    previous = GENESIS
    expected = 1
    with Session(bind=connection) as session:
        for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
            if entry.seq != expected or entry.prev_hash != previous:
                return f"broken at entry {entry.seq}"
            if legacy_hash(entry) != entry.hash:
                return f"entry {entry.seq} was changed"
            previous = entry.hash
            expected = (entry.seq or 0) + 1
    return "intact"


def upgrade() -> None:
    from formers_tui.store import audit, chain_key

    op.create_table(
        "audit_seal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_wrapped", sa.String(), nullable=False),
        sa.Column("key_wrap", sa.String(), nullable=False),
        sa.Column("key_check", sa.String(), nullable=False),
        sa.Column("legacy_until", sa.Integer(), nullable=False),
        sa.Column("tip_seq", sa.Integer(), nullable=False),
        sa.Column("tip_hash", sa.String(), nullable=False),
        sa.Column("seal", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    connection = op.get_bind()
    last = connection.exec_driver_sql(
        "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
    ).first()
    legacy, tip = (int(last[0]), str(last[1])) if last is not None else (0, audit.GENESIS)
    key, row = chain_key.new_seal(
        context.config.attributes.get("store_key"),
        legacy_until=legacy,
        tip_seq=legacy,
        tip_hash=tip,
    )
    connection.execute(
        sa.text(
            "INSERT INTO audit_seal (id, key_wrapped, key_wrap, key_check, legacy_until, tip_seq, "
            "tip_hash, seal) VALUES (:id, :key_wrapped, :key_wrap, :key_check, :legacy_until, "
            ":tip_seq, :tip_hash, :seal)"
        ),
        row,
    )
    if connection.dialect.name == "postgresql":
        from formers_tui.store.server import triggers

        triggers.install_capture(connection)
    if legacy == 0 and not _has_records(connection):
        return  # a new store: nothing to re-anchor
    audit.write_baseline(
        connection,
        key,
        actor=ACTOR,
        action="baseline",
        summary={"earlier_entries": legacy, "earlier_chain": _legacy_chain(connection)},
    )


def _has_records(connection: sa.Connection) -> bool:
    return connection.exec_driver_sql("SELECT 1 FROM candidate LIMIT 1").first() is not None


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS audit_pending CASCADE")
        op.execute("DROP FUNCTION IF EXISTS formers_audit_capture() CASCADE")
    op.drop_table("audit_seal")
