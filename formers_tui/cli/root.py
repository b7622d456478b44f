"""The ``formers`` commands, parsed by Typer.

Only Typer is imported at module level: ``formers --help`` must stay about as
fast as ``import typer``. The root group knows the other commands from the
table in :mod:`.lazy` (a new command gets its line there) and imports a
command's module only when that command is used; each command imports the
store, protocol or UI code it needs when it runs. ``formers`` with no
arguments does not come here at all (see :func:`formers_tui.cli.main`).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from formers_tui.cli import output
from formers_tui.cli.common import Settings
from formers_tui.cli.lazy import LazyGroup

app = typer.Typer(
    name="formers",
    help="Readiness and appropriateness interviews for prospective peer mentors. "
    "With no command, opens the interview app on the default store.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        from formers_tui import __version__

        output.echo(f"formers-tui {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store file, or postgresql:// URL of a server database, to use "
            "(default: FORMERS_DB, else the user data folder).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Open the interview app when no command is given."""
    os.umask(0o077)  # everything this program writes is confidential
    ctx.obj = Settings(db=db)
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj, open_interview=None)


def run_app(settings: Settings, *, open_interview: str | None) -> None:
    """Start the TUI on the configured store."""
    from formers_tui.cli import start_app

    code = start_app(settings.location, open_interview=open_interview)
    if code:
        raise typer.Exit(code)


@app.command("open")
def open_command(
    ctx: typer.Context,
    interview_id: Annotated[
        str, typer.Argument(help="Candidate code, or interview id (or its first characters).")
    ],
) -> None:
    """Open the app straight into one interview."""
    run_app(ctx.obj, open_interview=interview_id)


@app.command("demo")
def demo_command() -> None:
    """Open the app on a throwaway store holding one fictional interview."""
    from formers_tui.cli import open_demo

    code = open_demo()
    if code:
        raise typer.Exit(code)
