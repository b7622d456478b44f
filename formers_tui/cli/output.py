"""The command line's one way out to the terminal.

Every command prints through :func:`console` or :func:`echo`, never through
``rich.console.Console()`` or ``typer.echo`` directly, so that text taken from
a store or a file cannot drive the terminal (see :mod:`formers_tui.sanitize`)
and cannot be read as Rich markup (a candidate code ``C-[/]`` would otherwise
stop ``formers list`` with a markup error).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import typer
from typer import _click as click
from typer.core import TyperGroup

from formers_tui.sanitize import clean_text

if TYPE_CHECKING:
    from rich.text import Text

    from formers_tui.cli.safe_console import SafeConsole


def console(*, stderr: bool = False, file: IO[str] | None = None) -> SafeConsole:
    """The console every command prints tables and reports through."""
    from formers_tui.cli.safe_console import SafeConsole

    return SafeConsole(stderr=stderr, file=file)


def echo(message: str, *, err: bool = False) -> None:
    """Print one message line (cleaned) to stdout, or to stderr with ``err``."""
    typer.echo(clean_text(message), err=err)


def title(text: str, style: str = "") -> Text:
    """A panel or table title that is shown literally (a ``str`` title would be read as markup)."""
    from rich.text import Text

    return Text(clean_text(text), style=style)


class SafeGroup(TyperGroup):
    """The root command group: Click's own messages are cleaned like every other line.

    A usage error repeats what was typed ("No such option: ..."), so an
    argument holding an escape sequence would otherwise reach the terminal
    through Click. Subcommands are parsed inside :meth:`invoke`, so both
    hooks together see every parse.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            _clean_message(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            _clean_message(exc)
            raise


def _clean_message(exc: click.ClickException) -> None:
    """Clean the text a Click error will print (it may quote what was typed)."""
    exc.message = clean_text(exc.message)
