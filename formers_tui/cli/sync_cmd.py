"""``formers sync``: a laptop's store and the programme's server store exchange interviews.

The command opens both stores, hands two sessions to
:func:`formers_tui.exporting.sync.sync` and prints what it did; the rules
of what may cross live there (and in the bundle and import code it calls).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from formers_tui.cli import output
from formers_tui.cli.common import (
    PIN_ENV,
    PIN_HELP,
    fail,
    friendly,
    print_json,
    settings_of,
    store_passphrase,
)

if TYPE_CHECKING:
    from formers_tui.store.store import Store


def register(app: typer.Typer) -> None:
    """Add ``sync`` to the root app."""
    app.command("sync")(sync_command)


def open_server(text: str) -> Store:
    """Open the server store: a ``postgresql://`` URL, or another store file.

    A URL goes to libpq as written (``~/.pgpass``, service files and
    ``PGSSLMODE`` apply); nothing here asks for or keeps a password.
    """
    from formers_tui.store.engine import StoreError
    from formers_tui.store.location import is_server_url, resolve
    from formers_tui.store.store import Store

    where = resolve(text)
    if is_server_url(text) or not isinstance(where, Path):
        return Store.open(text.strip(), create=False, daily=False)
    if not where.exists():
        raise StoreError(f"No store at {where} to sync with.")
    return Store.open(where, passphrase=store_passphrase(where), create=False, daily=False)


@friendly
def sync_command(
    ctx: typer.Context,
    server: Annotated[
        str,
        typer.Option(
            "--server",
            help="The server store: a postgresql:// URL (libpq's ~/.pgpass, service files and "
            "PGSSLMODE apply), or another store file.",
        ),
    ],
    pull: Annotated[
        list[str] | None,
        typer.Option("--pull", help="Also take this interview (id or its first characters)."),
    ] = None,
    candidate: Annotated[
        list[str] | None,
        typer.Option(
            "--candidate",
            help="Also take every interview of this candidate code (their earlier records, "
            "before a re-interview).",
        ),
    ] = None,
    as_panelist: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Also send this panelist's ratings of the interviews still being rated, "
            "signed with their key (asks for their PIN).",
        ),
    ] = None,
    pin: Annotated[str | None, typer.Option("--pin", help=PIN_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Send this store's settled interviews to the server; take the ones asked for.

    Interviews cross as bundles and exports do, through the same merge,
    checks and signatures: nothing is overwritten, whatever differs is named,
    and a record changed outside the app is refused. Running it again changes
    nothing. Exits 1 when anything was not fully synced.
    """
    from formers_tui.exporting.sync import lines, sync

    if pin is not None and as_panelist is None:
        raise fail("--pin goes with --as PANELIST.")
    signer = None
    if as_panelist is not None:
        given = pin or os.environ.get(PIN_ENV) or None
        if given is None:
            given = str(typer.prompt(f"PIN for {as_panelist}", hide_input=True, err=True))
        signer = (as_panelist, given)
    laptop = settings_of(ctx).open_store()
    try:
        remote = open_server(server)
        try:
            with laptop.session() as here, remote.session() as there:
                report = sync(
                    here, there, pull=pull or (), candidates=candidate or (), as_panelist=signer
                )
        finally:
            remote.close()
    finally:
        laptop.close()
    if as_json:
        print_json(report.to_json())
    else:
        for line in lines(report):
            output.echo(line, err=line.startswith(("Conflict", "Not synced")))
    if report.troubles:
        raise typer.Exit(1)
