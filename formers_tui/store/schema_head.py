"""The newest schema revision this release writes, known without SQLAlchemy or Alembic.

:mod:`formers_tui.store.migrate` compares a store with it before deciding to
migrate, and the first look at a store (:mod:`formers_tui.store.quick`) reads
only a store already at it. A test keeps it equal to the newest migration
script.
"""

from __future__ import annotations

HEAD = "0007"
"""The newest migration in ``migrations/versions``."""
