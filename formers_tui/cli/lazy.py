"""The root command group, whose commands are built only when one is used.

``formers --help`` lists every command with its one line of help, and
``formers list`` runs one command; neither should pay for importing every
command module and for Typer turning each function's signature into Click
parameters (together about as much again as importing Typer). So the root
group knows its commands from :data:`COMMANDS` (name, module, and the help
line ``--help`` shows) and imports a command's module, and has Typer build
its Click command, only when that command is run or its own help is asked.

The help lines here are a copy of the first sentence of each command's own
help; a test builds every command the eager way and checks that the two
read alike, so they cannot drift apart.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer import _click as click

from formers_tui.cli.output import SafeGroup


@dataclass(frozen=True)
class LazyCommand:
    """Where a root command is defined, and the line ``formers --help`` shows for it.

    Attributes:
        module: the module under ``formers_tui.cli`` defining it, or ``""``
            for a command the root app defines itself (always built).
        attribute: in that module, a sub-app (``typer.Typer``) added under the
            command's name, or ``"register"``: a function adding its commands.
        summary: the first sentence of the command's help.
    """

    module: str
    attribute: str
    summary: str


#: Every root command, in the order ``formers --help`` lists them.
COMMANDS: dict[str, LazyCommand] = {
    "new": LazyCommand("interview_cmd", "register", "Create an interview; prints its id."),
    "list": LazyCommand(
        "interview_cmd", "register", "List interviews, most recently changed first."
    ),
    "show": LazyCommand(
        "interview_cmd",
        "register",
        "Show one interview: candidate, panel, timeline, notes, quotes, evidence, flags.",
    ),
    "export": LazyCommand(
        "export_cmd",
        "register",
        "Export interviews (JSON, CSV, data package, or a printable report).",
    ),
    "import": LazyCommand(
        "export_cmd", "register", "Import interviews from a JSON export (all or nothing; ids kept)."
    ),
    "score": LazyCommand(
        "score_cmd",
        "register",
        "Show the panel summary: ratings matrix, agreement, computed suggestion, determination.",
    ),
    "reliability": LazyCommand(
        "reliability_cmd",
        "register",
        "Show agreement pooled across settled interviews, with intervals, and each rater's lean.",
    ),
    "sync": LazyCommand(
        "sync_cmd",
        "register",
        "Send this store's settled interviews to the server; take the ones asked for.",
    ),
    "open": LazyCommand("", "", "Open the app straight into one interview."),
    "demo": LazyCommand(
        "", "", "Open the app on a throwaway store holding one fictional interview."
    ),
    "protocol": LazyCommand(
        "protocol_cmd", "protocol_app", "Interview protocols: list, show, validate."
    ),
    "db": LazyCommand(
        "db_cmd", "db_app", "The store file: path, check, backup, restore, encryption."
    ),
    "audit": LazyCommand("audit_cmd", "audit_app", "The tamper-evident audit log: verify, show."),
    "server": LazyCommand(
        "server_cmd",
        "server_app",
        "A store on a PostgreSQL server: its roles and row-level security.",
    ),
    "bundle": LazyCommand(
        "export_cmd",
        "register",
        "Carry ratings (or a whole interview) between laptops without a network.",
    ),
}

# One Typer app per command module, holding what the module adds, made once
# per process (a module's ``register`` adds to its own sub-apps too).
_holders: dict[tuple[str, str], typer.Typer] = {}


def holder_of(entry: LazyCommand) -> typer.Typer:
    """The Typer app holding the commands ``entry``'s module adds, importing it the first time."""
    key = (entry.module, entry.attribute)
    holder = _holders.get(key)
    if holder is None:
        module = importlib.import_module(f"formers_tui.cli.{entry.module}")
        holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        if entry.attribute == "register":
            module.register(holder)
        else:
            sub_app = getattr(module, entry.attribute)
            name = next(name for name, other in COMMANDS.items() if other == entry)
            holder.add_typer(sub_app, name=name)
        _holders[key] = holder
    return holder


def build(name: str, *, rich_markup_mode: Any = None) -> click.Command:
    """Build the Click command ``name`` as Typer builds it in the whole tree."""
    holder = holder_of(COMMANDS[name])
    for info in holder.registered_commands:
        if info.name == name:
            return typer.main.get_command_from_info(
                info, pretty_exceptions_short=True, rich_markup_mode=rich_markup_mode
            )
    for group in holder.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=True,
                suggest_commands=True,
                rich_markup_mode=rich_markup_mode,
            )
    raise LookupError(f"formers_tui.cli.{COMMANDS[name].module} defines no command {name!r}")


class _Commands(MutableMapping[str, click.Command]):
    """The group's commands: every name known at once, each built on first use."""

    def __init__(self, built: Mapping[str, click.Command], rich_markup_mode: Any) -> None:
        self.built: dict[str, click.Command] = dict(built)
        self.rich_markup_mode = rich_markup_mode

    def __getitem__(self, name: str) -> click.Command:
        command = self.built.get(name)
        if command is None:
            if name not in COMMANDS or not COMMANDS[name].module:
                raise KeyError(name)
            command = self.built[name] = build(name, rich_markup_mode=self.rich_markup_mode)
        return command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self.built if name not in COMMANDS)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self.built


class LazyGroup(SafeGroup):
    """The root group: lists commands from :data:`COMMANDS`, builds one when it is used."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands, self.rich_markup_mode)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, without building any."""
        return list(self.commands.keys())

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section of ``--help``, from the table for commands not yet built.

        Laid out as Click lays out its own (a command already built gives its own line).
        """
        built = self.commands.built if isinstance(self.commands, _Commands) else self.commands
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = built.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append(
                    (name, click.utils.make_default_short_help(COMMANDS[name].summary, limit))
                )
        with formatter.section("Commands"):
            formatter.write_dl(rows)
