"""``formers protocol``: list, show and validate interview protocols."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from formers_tui.cli import output
from formers_tui.cli.common import fail, friendly, print_json

protocol_app = typer.Typer(help="Interview protocols: list, show, validate.", no_args_is_help=True)


@protocol_app.command("list")
@friendly
def list_protocols(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the protocols found (shipped and in the user protocols folder), every version.

    New interviews use the current version of an id; an older one is named ``id@version``.
    """
    from formers_tui.protocol.registry import load_catalogue, search_dirs

    catalogue = load_catalogue()
    rows = [
        {
            "id": loaded.protocol.id,
            "version": loaded.protocol.version,
            "current": catalogue.protocols[loaded.protocol.id] is loaded,
            "title": loaded.protocol.title,
            "indicators": sum(1 for _ in loaded.protocol.indicators()),
            "path": loaded.origin,
            "sha256": loaded.sha256,
        }
        for loaded in catalogue.all_versions()
    ]
    if as_json:
        print_json(
            {
                "protocols": rows,
                "broken": [
                    {"path": b.origin, "problems": [str(p) for p in b.problems]}
                    for b in catalogue.broken
                ],
            }
        )
        return
    from rich.table import Table
    from rich.text import Text

    console = output.console()
    table = Table(title="Protocols", title_justify="left")
    for column in ("id", "version", "title", "indicators", "path"):
        table.add_column(column, overflow="fold")
    for row in rows:
        version = f"{row['version']} (current)" if row["current"] else str(row["version"])
        table.add_row(
            str(row["id"]), version, *(str(row[c]) for c in ("title", "indicators", "path"))
        )
    console.print(table)
    if not rows:
        console.print("No protocols found in: " + ", ".join(str(d) for d in search_dirs()))
    for broken in catalogue.broken:
        console.print(
            Text.assemble(
                ("Not loaded: ", "yellow"),
                f"{broken.origin} ({len(broken.problems)} problems; "
                "run 'formers protocol validate' on it)",
            )
        )


@protocol_app.command("show")
@friendly
def show_protocol(
    protocol_id: Annotated[
        str,
        typer.Argument(
            help="Protocol id, or id@version for another version (see 'formers protocol list')."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a protocol: scale, timeline, thresholds, and every indicator."""
    from formers_tui.protocol.registry import load_catalogue

    loaded = load_catalogue().get(protocol_id)
    protocol = loaded.protocol
    if as_json:
        import dataclasses

        print_json({"sha256": loaded.sha256, "path": loaded.origin, **dataclasses.asdict(protocol)})
        return
    from formers_tui.cli.render import render_protocol

    render_protocol(loaded)


@protocol_app.command("validate")
def validate_protocols(
    paths: Annotated[list[Path], typer.Argument(help="Protocol TOML files to check.")],
    advice: Annotated[
        bool,
        typer.Option(
            "--advice",
            help="Also list what a clinical review would question (anchors that require "
            "collateral, critical flags without a reason, yes/no or double questions, health "
            "questions, an opening without consent and the limits of confidentiality).",
        ),
    ] = False,
) -> None:
    """Check protocol files; list every problem. Exit 0 if all are valid, 1 if not.

    Advice never makes a file invalid.
    """
    from formers_tui.protocol.advice import advise
    from formers_tui.protocol.loader import ProtocolError, load_path

    bad = 0
    for path in paths:
        try:
            loaded = load_path(path)
        except ProtocolError as exc:
            bad += 1
            output.echo(str(exc), err=True)
            continue
        count = sum(1 for _ in loaded.protocol.indicators())
        found = advise(loaded.protocol)
        note = f"; {len(found)} pieces of advice, see --advice" if found and not advice else ""
        output.echo(
            f"{path}: ok ({loaded.protocol.id} {loaded.protocol.version}, {count} indicators{note})"
        )
        if advice:
            for item in found:
                output.echo(f"  advice: {item}")
    if bad:
        raise fail(f"{bad} of {len(paths)} file{'s' if len(paths) != 1 else ''} invalid.", 1)
