"""Signing keys of panelists: a public key and the private key sealed under the PIN.

Ratings carried between laptops in bundles are signed by the panelist who
made them; the importing store checks the signature against the public key
in its panel record. Existing panelists get their keys the next time they
enter their PIN.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of the table would drop its lock triggers.
    op.add_column("panelist", sa.Column("public_key", sa.String(), nullable=True))
    op.add_column("panelist", sa.Column("sealed_key", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("panelist") as batch:
        batch.drop_column("sealed_key")
        batch.drop_column("public_key")
