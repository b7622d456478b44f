"""``formers db``: where the store is, whether it is sound, and backups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from formers_tui.cli.common import fail, friendly, print_json, settings_of

db_app = typer.Typer(help="The store file: path, check, backup.", no_args_is_help=True)


@db_app.command("path")
def db_path(ctx: typer.Context) -> None:
    """Print the store file in use (and the user protocols folder)."""
    from formers_tui.paths import user_protocols_dir

    typer.echo(str(settings_of(ctx).store_path()))
    typer.echo(f"user protocols: {user_protocols_dir()}", err=True)


@db_app.command("check")
@friendly
def db_check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check the store's integrity, schema version and audit chain. Exit 1 if anything is wrong."""
    from formers_tui.store import audit, migrate
    from formers_tui.store.engine import make_engine

    path = settings_of(ctx).store_path()
    engine = make_engine(path, create=False)
    try:
        with engine.connect() as connection:
            integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            foreign = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        breaks: list[audit.ChainBreak] = []
        if current == head:
            from sqlmodel import Session

            with Session(engine) as session:
                breaks = audit.verify_chain(session)
    finally:
        engine.dispose()
    ok = integrity == ["ok"] and not foreign and current == head and not breaks
    report = {
        "path": str(path),
        "integrity": integrity,
        "foreign_key_problems": len(foreign),
        "schema": current,
        "schema_expected": head,
        "audit_chain_breaks": [{"seq": b.seq, "reason": b.reason} for b in breaks],
        "ok": ok,
    }
    if as_json:
        print_json(report)
    else:
        typer.echo(f"store      {path}")
        typer.echo(f"integrity  {', '.join(integrity)}")
        typer.echo(f"foreign    {'ok' if not foreign else f'{len(foreign)} broken references'}")
        schema_note = (
            "" if current == head else f" (this version expects {head}; open it to upgrade)"
        )
        typer.echo(f"schema     {current or 'empty'}{schema_note}")
        chain = "ok" if not breaks else "; ".join(f"entry {b.seq}: {b.reason}" for b in breaks)
        typer.echo(f"audit      {chain}")
    if not ok:
        raise fail("the store did not pass every check.", 1)


@db_app.command("backup")
@friendly
def db_backup(
    ctx: typer.Context,
    destination: Annotated[
        Path | None,
        typer.Argument(
            help="Backup file to write (default: the backups folder beside the store).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Write a consistent copy of the store, even while the app is running."""
    from formers_tui.store.backup import backup

    copy = backup(settings_of(ctx).store_path(), destination)
    typer.echo(str(copy))
