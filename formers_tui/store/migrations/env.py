"""Alembic environment: migrations run on a connection handed in by the store.

The store passes its own connection through ``config.attributes`` so
migrations run with the same PRAGMAs (and, for encrypted stores, the same key)
as everything else.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=context.config.attributes.get("target_metadata"),
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
