"""The root group builds commands lazily; its table of help lines matches the real commands."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import typer
import typer.main
from typer.testing import CliRunner

import formers_tui.cli
from formers_tui.cli import app
from formers_tui.cli.lazy import COMMANDS, LazyGroup, build


def _eager_commands() -> dict[str, object]:
    """Every root command built the eager way, from every ``*_cmd`` module and the root app."""
    eager = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    for found in pkgutil.iter_modules(formers_tui.cli.__path__):
        if not found.name.endswith("_cmd"):
            continue
        module = importlib.import_module(f"formers_tui.cli.{found.name}")
        if hasattr(module, "register"):
            module.register(eager)
        added = {id(group.typer_instance) for group in eager.registered_groups}
        for attribute, value in vars(module).items():
            if isinstance(value, typer.Typer) and id(value) not in added:
                assert attribute.endswith("_app"), attribute
                eager.add_typer(value, name=attribute.removesuffix("_app"))
    group = typer.main.get_group(eager)
    commands: dict[str, object] = dict(group.commands)
    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    commands.update(root.commands.built)  # type: ignore[attr-defined]
    return commands


def test_table_lists_every_command_with_its_own_help_line() -> None:
    eager = _eager_commands()
    assert set(COMMANDS) == set(eager)
    for name, command in eager.items():
        assert isinstance(command, typer.main._click.Command)
        assert COMMANDS[name].summary == command.get_short_help_str(10**6), name


def test_lazily_built_command_is_the_eager_one() -> None:
    eager = _eager_commands()
    runner = CliRunner()
    for name in COMMANDS:
        if COMMANDS[name].module:
            built = build(name)
            assert built.get_short_help_str(10**6) == eager[name].get_short_help_str(10**6)  # type: ignore[attr-defined]
        result = runner.invoke(app, [name, "--help"], terminal_width=80)
        assert result.exit_code == 0, (name, result.output)
        assert result.output.startswith(f"Usage: formers {name} ")


def test_help_from_the_table_reads_as_from_the_commands() -> None:
    root = typer.main.get_command(app)
    with root.make_context("formers", []) as ctx:
        ctx.terminal_width = 80
        from_table = root.get_help(ctx)
        for name in root.list_commands(ctx):
            root.get_command(ctx, name)
        assert not set(COMMANDS) - set(root.commands.built)  # type: ignore[attr-defined]
        from_commands = root.get_help(ctx)
    assert "Commands:" in from_table
    assert from_table == from_commands


def _modules_loaded(*args: str) -> set[str]:
    code = (
        "import sys\n"
        f"sys.argv = ['formers', *{list(args)!r}]\n"
        "from formers_tui.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(m for m in sys.modules if m.startswith('formers_tui.cli.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.splitlines()[-1].split())


def test_help_imports_no_command_module() -> None:
    loaded = _modules_loaded("--help")
    assert not {m for m in loaded if m.endswith("_cmd")}


def test_a_command_imports_only_its_own_module() -> None:
    loaded = _modules_loaded("list", "--help")
    assert {m for m in loaded if m.endswith("_cmd")} == {"formers_tui.cli.interview_cmd"}


def test_unknown_command_still_suggested_and_cleaned() -> None:
    result = CliRunner().invoke(app, ["lsit\x1b[31m"])
    assert result.exit_code == 2
    assert "\x1b" not in result.output
    result = CliRunner().invoke(app, ["lsit"])
    assert "Did you mean 'list'?" in result.output
