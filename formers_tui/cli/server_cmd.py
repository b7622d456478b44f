"""``formers server …``: a PostgreSQL store's people and the rules its database enforces.

``init`` is run once by the database's owner (and again after an upgrade);
``add-user`` gives each person a login role of their own. No password passes
through these commands: the administrator sets one with psql's
``\\password``, and each person keeps theirs in ``~/.pgpass``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from formers_tui.cli import output
from formers_tui.cli.common import fail, friendly, print_json, settings_of

server_app = typer.Typer(
    help="A store on a PostgreSQL server: its roles and row-level security.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

NOT_A_SERVER = (
    "{what} needs a PostgreSQL store: give --db postgresql://… (or set FORMERS_DB to one)."
)


def _server_url(ctx: typer.Context, what: str) -> str:
    """The server URL of ``--db``/``FORMERS_DB``; refuses a store file."""
    from formers_tui.store.location import is_server_url

    location = settings_of(ctx).location()
    if not isinstance(location, str) or not is_server_url(location):
        raise fail(NOT_A_SERVER.format(what=what))
    return location


@server_app.command("init")
@friendly
def init_command(
    url: Annotated[
        str,
        typer.Argument(
            help="The database, as a libpq URL (postgresql://owner@host/db?sslmode=verify-full); "
            "run as its owner. Passwords come from ~/.pgpass, never from here."
        ),
    ],
) -> None:
    """Migrate the database, create the three groups and switch on row-level security.

    Safe to run again: after an upgrade it brings the policies up to date.
    """
    from formers_tui.store.location import is_server_url, shown
    from formers_tui.store.server.roles import init_server

    if not is_server_url(url):
        raise fail("'formers server init' needs the database's postgresql:// URL.")
    done = init_server(url)
    made = f" (created {', '.join(done.made)})" if done.made else ""
    output.echo(
        f"{shown(url)} is ready: groups formers_chair, formers_panelist and "
        f"formers_supervisor{made}; row-level security on {done.tables} tables."
    )
    output.echo("Next: formers --db URL server add-user NAME --role chair|panelist|supervisor")


@server_app.command("add-user")
@friendly
def add_user_command(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(metavar="NAME", help="Their login role, e.g. ann_lee.")],
    role: Annotated[
        str, typer.Option("--role", help="chair, panelist or supervisor.", show_default=False)
    ],
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Their name exactly as panels give it (default: NAME); "
            "they sit on the panels that name them.",
        ),
    ] = None,
) -> None:
    """Give a person a login role in one of the groups (again: change their group or name)."""
    from formers_tui.store.server.roles import add_user_at

    url = _server_url(ctx, "'formers server add-user'")
    person = add_user_at(url, login, role, name)
    output.echo(
        f"{person.login} is a {person.role}, sitting on panels as {person.name}. "
        f"Set their password in psql with \\password {person.login} (never on a command line)."
    )


@server_app.command("users")
@friendly
def users_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the people of the server: login, role and the name panels give them."""
    from formers_tui.store.server.roles import people_at

    url = _server_url(ctx, "'formers server users'")
    found = people_at(url)
    if as_json:
        print_json([{"login": p.login, "role": p.role, "name": p.name} for p in found])
        return
    if not found:
        output.echo("Nobody yet: add people with 'formers server add-user'.")
    for person in found:
        output.echo(f"{person.login:<20} {person.role:<11} {person.name}")
