"""Schema migrations with Alembic, driven from code (no alembic.ini).

A store written by any earlier release is upgraded in place when opened;
a backup is taken first by the caller (:mod:`formers_tui.store.backup`).

Opening a store that is already current never imports Alembic: the newest
revision is the constant :data:`HEAD` (a test keeps it equal to the newest
migration script) and the store's revision is one plain query. That keeps
start-up quick and the app's memory smaller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, exc

from formers_tui.store.schema_head import HEAD as HEAD

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x666F726D
"""PostgreSQL advisory lock key held while the schema is upgraded (``form``)."""


def _config(connection: Connection, metadata: Any = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = metadata
    if connection is not None:
        from formers_tui.store.engine import key_of

        # Migrations that key the audit log wrap its key with the store key.
        config.attributes["store_key"] = key_of(connection.engine)
    return config


def head_revision() -> str:
    """The newest schema revision this release knows."""
    return HEAD


def script_head() -> str | None:
    """The newest revision according to the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(None)).get_current_head()  # type: ignore[arg-type]


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the store, or ``None`` for an empty file."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # A failed query would abort the transaction: ask the catalog first.
            found = connection.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
            if found is None:
                return None  # a new, empty database
        try:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        except exc.OperationalError as error:
            if "no such table" in str(error):
                return None  # a new, empty store
            raise
    return rows[0][0] if rows else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema up to ``revision`` (default: the newest).

    On PostgreSQL two laptops may open a new database at once: the upgrade
    holds a transaction-level advisory lock, so the second waits and then
    finds the schema current (Alembic reads the revision under the lock).
    """
    from alembic import command

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        command.upgrade(_config(connection), revision)


def known_revisions() -> set[str]:
    """Every revision this release can upgrade from."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(None))  # type: ignore[arg-type]
    return {rev.revision for rev in script.walk_revisions()}
