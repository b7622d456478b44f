"""``formers db``: where the store is, whether it is sound, and backups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from formers_tui.cli import output
from formers_tui.cli.common import fail, friendly, print_json, settings_of

db_app = typer.Typer(
    help="The store file: path, check, backup, restore, encryption.", no_args_is_help=True
)

BACKUP_ON_SERVER = "back it up with pg_dump or pg_basebackup"
RESTORE_ON_SERVER = "restore it with pg_restore from a pg_dump, or from a pg_basebackup"
BACKUPS_ON_SERVER = "its backups are the server's own (pg_dump, pg_basebackup), not files"
ENCRYPTION_ON_SERVER = (
    "it has no passphrase; protect it with sslmode=verify-full on the way and the "
    "server's disk encryption at rest"
)


@db_app.command("path")
def db_path(ctx: typer.Context) -> None:
    """Print the store file (or server) in use, and the user protocols folder."""
    from formers_tui.paths import user_protocols_dir
    from formers_tui.store.location import shown

    output.echo(shown(settings_of(ctx).location()))
    output.echo(f"user protocols: {user_protocols_dir()}", err=True)


@db_app.command("check")
@friendly
def db_check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check the store's integrity, schema version and audit chain. Exit 1 if anything is wrong."""
    from formers_tui.cli.common import store_passphrase
    from formers_tui.store.health import check_server, check_store
    from formers_tui.store.location import shown
    from formers_tui.store.store import key_for

    location = settings_of(ctx).location()
    if isinstance(location, str):
        key = None
        health = check_server(location)
    else:
        if not location.exists():
            raise fail(f"No store at {location}.")
        key = key_for(location, store_passphrase(location))
        health = check_store(location, key)
    path = shown(location)
    integrity, current, head = health.integrity, health.schema, health.schema_expected
    breaks, guards, ok = health.chain_breaks, health.guard_problems, health.ok
    foreign = health.foreign_key_problems
    report = {
        "path": path,
        "dialect": health.dialect,
        "integrity": integrity,
        "foreign_key_problems": foreign,
        "encrypted": key is not None,
        "schema": current,
        "schema_expected": head,
        "audit_chain_breaks": [{"seq": b.seq, "reason": b.reason} for b in breaks],
        "guard_problems": guards,
        "ok": ok,
    }
    if as_json:
        print_json(report)
    else:
        output.echo(f"store      {path}")
        if health.dialect == "postgresql":
            output.echo("encrypted  by the server (sslmode, disk encryption)")
            output.echo("integrity  kept by the server")
        else:
            output.echo(f"encrypted  {'yes' if key is not None else 'NO (formers db encrypt)'}")
            output.echo(f"integrity  {', '.join(integrity)}")
        output.echo(f"foreign    {'ok' if not foreign else f'{foreign} broken references'}")
        schema_note = (
            "" if current == head else f" (this version expects {head}; open it to upgrade)"
        )
        output.echo(f"schema     {current or 'empty'}{schema_note}")
        chain = "ok" if not breaks else "; ".join(f"entry {b.seq}: {b.reason}" for b in breaks)
        output.echo(f"audit      {chain}")
        output.echo(f"guards     {'ok' if not guards else '; '.join(guards)}")
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
    from formers_tui.store import audit
    from formers_tui.store.backup import backup

    settings_of(ctx).store_path(BACKUP_ON_SERVER)
    store = settings_of(ctx).open_store(create=False, daily=False)
    try:
        copy = backup(store.path, destination, key=store.key)
        with store.session() as session:
            head = audit.head(session)
    finally:
        store.close()
    output.echo(str(copy))
    output.echo(
        f"The log stood at {head.text()} (keep this line elsewhere: "
        "'formers audit verify --against' a file holding it finds later rewriting).",
        err=True,
    )


def _reencrypt(ctx: typer.Context, *, new_passphrase: str, verb: str, what: str) -> None:
    """Rewrite the store and its backups under a new key, holding the store alone.

    The store is copied under the new key into a private temp file (the audit
    log's key re-wrapped), the copy is opened to prove it, and only then does
    it replace the store. Every backup readable with the old key is
    re-encrypted the same way, so the old passphrase opens nothing any more.
    """
    from formers_tui.store import crypto
    from formers_tui.store.backup import reencrypt, reencrypt_backups, replace_store
    from formers_tui.store.engine import make_engine
    from formers_tui.store.lock import alone

    settings = settings_of(ctx)
    settings.store_path(ENCRYPTION_ON_SERVER)
    store = settings.open_store(create=False, daily=False)  # checks the current passphrase
    path = store.path
    old_key = store.key
    store.close()
    target_key = crypto.new_key(new_passphrase)
    staging = path.with_name(f".{path.name}.{verb}")
    import os

    from formers_tui.paths import PRIVATE_FILE_MODE

    with alone(path, what):
        staging.unlink(missing_ok=True)
        os.close(os.open(staging, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
        try:
            reencrypt(path, staging, old=old_key, new=target_key)
            make_engine(staging, create=False, key=target_key).dispose()  # the copy opens
        except BaseException:
            staging.unlink(missing_ok=True)
            raise
        replace_store(path, staging)
        done, left = reencrypt_backups(path, old=old_key, new=target_key)
    if done:
        output.echo(f"Re-encrypted {len(done)} backup(s) under the new passphrase.", err=True)
    if left:
        output.echo(
            f"{len(left)} file(s) in {left[0].parent} could not be read with the old "
            f"passphrase and were left as they were ({', '.join(p.name for p in left)}); "
            "delete them if the passphrase that opens them is no longer safe.",
            err=True,
        )


@db_app.command("encrypt")
@friendly
def db_encrypt(ctx: typer.Context) -> None:
    """Encrypt an unencrypted store with a new passphrase (FORMERS_NEW_PASSPHRASE for scripts)."""
    from formers_tui.cli.common import ask_new_passphrase, interactive
    from formers_tui.store.passphrase import NEW_ENV, check_new, from_environment
    from formers_tui.store.store import is_encrypted

    path = settings_of(ctx).store_path(ENCRYPTION_ON_SERVER)
    if not path.exists():
        raise fail(f"No store at {path}.")
    if is_encrypted(path):
        raise fail(f"The store at {path} is already encrypted; use 'formers db rekey'.")
    new = from_environment(NEW_ENV)
    if new is None:
        if not interactive():
            raise fail("Set FORMERS_NEW_PASSPHRASE or run in a terminal to choose a passphrase.")
        new = ask_new_passphrase("the store")
    check_new(new)
    _reencrypt(ctx, new_passphrase=new, verb="encrypting", what="encrypting it")
    output.echo(f"Encrypted {path}.")


@db_app.command("rekey")
@friendly
def db_rekey(ctx: typer.Context) -> None:
    """Change the passphrase of an encrypted store (FORMERS_NEW_PASSPHRASE for scripts)."""

    from formers_tui.cli.common import ask_new_passphrase, interactive
    from formers_tui.store.passphrase import NEW_ENV, check_new, from_environment
    from formers_tui.store.store import is_encrypted

    path = settings_of(ctx).store_path(ENCRYPTION_ON_SERVER)
    if not is_encrypted(path):
        raise fail(f"The store at {path} is not encrypted; use 'formers db encrypt'.")
    settings_of(ctx).open_store(create=False, daily=False).close()  # check the passphrase first
    new = from_environment(NEW_ENV)
    if new is None:
        if not interactive():
            raise fail("Set FORMERS_NEW_PASSPHRASE or run in a terminal to choose a passphrase.")
        new = ask_new_passphrase("the store")
    check_new(new)
    _reencrypt(ctx, new_passphrase=new, verb="rekeying", what="changing its passphrase")
    output.echo(f"Changed the passphrase of {path}.")


@db_app.command("restore")
@friendly
def db_restore(
    ctx: typer.Context,
    backup_file: Annotated[Path, typer.Argument(help="Backup file to restore.", dir_okay=False)],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Restore even a backup in which an interview finalized here is not finalized "
            "(recorded in the audit log).",
        ),
    ] = False,
) -> None:
    """Replace the store with a backup (the current store is kept aside). Quit the app first.

    A backup that would undo a finalization is refused unless --force is given.
    """
    from formers_tui.cli.common import store_passphrase
    from formers_tui.store import crypto
    from formers_tui.store.backup import restore
    from formers_tui.store.lock import alone

    path = settings_of(ctx).store_path(RESTORE_ON_SERVER)
    key = None
    store_key = None
    passphrase = None
    if backup_file.exists() and not crypto.is_plaintext(backup_file):
        passphrase = store_passphrase(backup_file)
        if passphrase is not None:
            key = crypto.key_for_existing(backup_file, passphrase)
    if path.exists() and not crypto.is_plaintext(path):
        passphrase = passphrase if passphrase is not None else store_passphrase(path)
        if passphrase is not None:
            store_key = crypto.key_for_existing(path, passphrase)
    with alone(path, "restoring a backup over it"):
        moved = restore(backup_file, path, key=key, store_key=store_key, force=force)
    output.echo(f"Restored {path} from {backup_file}.")
    if moved:
        output.echo(f"The replaced store was kept as {moved}.")


@db_app.command("backups")
@friendly
def db_backups(ctx: typer.Context) -> None:
    """List every file in the store's backups folder, newest first."""
    from formers_tui.store.backup import every_file

    found = every_file(settings_of(ctx).store_path(BACKUPS_ON_SERVER))
    for item in found:
        output.echo(str(item))
    if not found:
        output.echo("No backups yet.", err=True)
