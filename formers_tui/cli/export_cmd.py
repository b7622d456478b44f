"""``formers export``, ``formers import`` and ``formers bundle``: data leaving and entering a store.

Only Typer is imported here at module level; the exporting code loads when a
command runs, so ``formers --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from formers_tui.cli import output
from formers_tui.cli.common import (
    AS_HELP,
    PIN_ENV,
    PIN_HELP,
    fail,
    friendly,
    panelist_pin,
    print_json,
    reader_of,
    settings_of,
)

if TYPE_CHECKING:
    from formers_tui.exporting.source import ExportSource

PASSPHRASE_ENV = "FORMERS_BUNDLE_PASSPHRASE"
STATUSES = ("draft", "in_progress", "rating", "consensus", "finalized")
FORMAT_HELP = (
    "json (full fidelity, re-importable), csv (tidy tables, a folder), datapackage "
    "(the CSVs plus datapackage.json), md or html (printable report of one interview)."
)

bundle_app = typer.Typer(
    help="Carry ratings (or a whole interview) between laptops without a network.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``export``, ``import`` and the ``bundle`` group to the root app."""
    app.command("export")(export_command)
    app.command("import")(import_command)
    bundle_app.command("export")(bundle_export_command)
    bundle_app.command("import")(bundle_import_command)
    app.add_typer(bundle_app, name="bundle")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _run_with_progress(
    source: ExportSource, write: Callable[[Callable[[int], None] | None], int]
) -> int:
    """Run ``write`` with a progress bar on stderr when it is a terminal and worth it."""

    console = output.console(stderr=True)
    if source.count < 2 or not console.is_terminal:
        return write(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "Exporting",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("export", total=source.count)
        return write(lambda n: bar.advance(task, n))


@friendly
def export_command(
    ctx: typer.Context,
    interview_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Interview ids (or their first characters).", show_default=False),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Export every interview.")] = False,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help=f"Export every interview at this status ({', '.join(STATUSES)})."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "json",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File (or folder, for csv/datapackage) to write."),
    ] = None,
    deidentify: Annotated[
        bool,
        typer.Option(
            "--deidentify",
            help="Pseudonyms for codes and names, shifted dates, no identifying details "
            "and no free text.",
        ),
    ] = False,
    keep_text: Annotated[
        bool,
        typer.Option(
            "--keep-text",
            help="With --deidentify: keep free text, with known names and codes replaced.",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing export.")] = False,
    as_panelist: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
    pin: Annotated[str | None, typer.Option("--pin", help=PIN_HELP)] = None,
) -> None:
    """Export interviews (JSON, CSV, data package, or a printable report).

    Before finalization an export carries only the ratings its reader may see:
    with ``--as PANELIST`` (one interview) that panelist's own and the others'
    submitted ratings in domains they have submitted or the chair revealed;
    without it, submitted ratings of domains every panelist has submitted (all
    of them after a reveal). Other panelists' drafts never leave the store
    before finalization.
    """
    from formers_tui.errors import ValidationError
    from formers_tui.exporting.formats import REPORT_FORMATS, check_format, write_export
    from formers_tui.exporting.source import ExportOptions, ExportSource
    from formers_tui.store.models import Status

    fmt = check_format(fmt)
    if out is None:
        raise ValidationError("Say where to write the export with --out PATH.")
    if keep_text and not deidentify:
        raise ValidationError("--keep-text only applies together with --deidentify.")
    wanted: Status | None = None
    if status is not None:
        key = status.strip().lower().replace(" ", "_").replace("-", "_")
        if key not in STATUSES:
            raise fail(f"Unknown status '{status}' (use one of: {', '.join(STATUSES)}).")
        wanted = Status(key)
    if fmt in REPORT_FORMATS and (every or wanted is not None or len(interview_ids or []) != 1):
        raise ValidationError(f"A {fmt} report covers one interview: give exactly one id.")
    if as_panelist is not None and (every or wanted is not None or len(interview_ids or []) != 1):
        raise ValidationError("--as reads one interview as one of its panelists: give one id.")
    options = ExportOptions(deidentify=deidentify, keep_text=keep_text, identifying=(fmt == "json"))
    store = settings_of(ctx).open_store(create=False, daily=False)
    try:
        with store.session() as session:
            reader = None
            if interview_ids and len(interview_ids) == 1:
                reader = reader_of(session, interview_ids[0], as_panelist, pin)
            elif pin is not None:
                raise ValidationError("--pin goes with --as PANELIST.")
            source = ExportSource.select(
                session, ids=interview_ids or [], every=every, status=wanted, options=options
            )
            source.reader_id = reader
            count = _run_with_progress(
                source,
                lambda progress: write_export(source, fmt, out, force=force, progress=progress),
            )
    finally:
        store.close()
    kind = " de-identified" if deidentify else ""
    output.echo(f"Exported {_plural(count, 'interview')}{kind} ({fmt}) to {out}")
    if source.withheld:
        output.echo(
            f"Left out {_plural(source.withheld, 'rating')} that blind rating still hides "
            "from this reader (they are exported once the interview is finalized).",
            err=True,
        )


@friendly
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A JSON export made by 'formers export'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import interviews from a JSON export (all or nothing; ids kept)."""
    from formers_tui.exporting.importing import import_data, read_export

    data = read_export(file)  # a bad file is refused before any store is opened or made
    store = settings_of(ctx).open_store()
    try:
        with store.session() as session:
            report = import_data(session, data, what=str(file), checked=True)
    finally:
        store.close()
    if as_json:
        print_json({"created": report.created, "unchanged": report.unchanged})
        return
    line = f"Imported {_plural(len(report.created), 'interview')}"
    if report.unchanged:
        line += f"; {len(report.unchanged)} already in this store, unchanged"
    output.echo(line + ".")


def _passphrase_from_env() -> str | None:
    from formers_tui.store.passphrase import from_environment

    return from_environment(PASSPHRASE_ENV) or None


@friendly
def bundle_export_command(
    ctx: typer.Context,
    interview_id: Annotated[str, typer.Argument(help="Interview id (or its first characters).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Bundle file to write.")],
    panelist: Annotated[
        str | None,
        typer.Option(
            "--panelist",
            help=f"Carry only this panelist's ratings (name or id), signed with their key: "
            f"their PIN is asked (or read from {PIN_ENV}).",
        ),
    ] = None,
    no_ratings: Annotated[
        bool,
        typer.Option(
            "--no-ratings",
            help="Whole interview without ratings, consensus or determination, so the "
            "panelists who receive it rate blind.",
        ),
    ] = False,
    encrypt: Annotated[
        bool,
        typer.Option(
            "--encrypt",
            help=f"Encrypt with a passphrase (asked twice, or from {PASSPHRASE_ENV}).",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_panelist: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
    pin: Annotated[str | None, typer.Option("--pin", help=PIN_HELP)] = None,
) -> None:
    """Write one panelist's ratings, or the whole interview, to a bundle file.

    A panelist's bundle asks for that panelist's PIN. A whole-interview
    bundle carries only the ratings its reader may see (blind rating): with
    ``--as`` that panelist's view, otherwise what every panelist may see.
    """
    from formers_tui.errors import ValidationError
    from formers_tui.exporting.bundle import check_passphrase, write_bundle
    from formers_tui.exporting.files import check_target

    if panelist is not None and no_ratings:
        raise ValidationError("--no-ratings applies to a whole-interview bundle, not --panelist.")
    check_target(out, force=force)
    passphrase: str | None = None
    if encrypt:
        passphrase = _passphrase_from_env() or typer.prompt(
            "Passphrase", hide_input=True, confirmation_prompt=True
        )
        check_passphrase(passphrase)
    store = settings_of(ctx).open_store(create=False, daily=False)
    try:
        with store.session() as session:
            if panelist is not None and as_panelist is not None:
                raise ValidationError("A panelist's bundle is made as that panelist; drop --as.")
            who = panelist or as_panelist
            if who is not None:
                pin = panelist_pin(session, interview_id, who, pin)
            reader = reader_of(session, interview_id, who, pin)
            payload = write_bundle(
                session,
                interview_id,
                out,
                panelist=panelist,
                with_ratings=not no_ratings,
                passphrase=passphrase,
                pin=pin,
                force=force,
                reader_id=reader,
            )
    finally:
        store.close()
    what = (
        f"{_plural(len(payload['ratings']), 'rating')} by {payload['panelist']['name']}"
        if payload["kind"] == "panelist"
        else "the whole interview" + (" without ratings" if no_ratings else "")
    )
    sealed = "encrypted" if encrypt else "not encrypted"
    output.echo(f"Wrote {what} to {out} ({sealed}).")


@friendly
def bundle_import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A bundle made by 'formers bundle export'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Merge a bundle into this store; conflicting ratings are reported, never overwritten.

    A whole interview already in this store brings its notes, quotes, evidence,
    timeline facts and safety flags; whatever differs is kept as this store
    has it and named. Exits 1 when there are conflicts or anything was not
    merged (everything else in the bundle is imported).
    """
    from formers_tui.exporting.bundle import merge_payload, read_bundle_file, unseal

    def ask() -> str:
        given = _passphrase_from_env()
        if given is not None:
            return given
        answer: str = typer.prompt("Passphrase", hide_input=True)
        return answer

    def ask_pin(name: str) -> str:
        import os

        given = os.environ.get(PIN_ENV)
        if given:
            return given
        answer: str = typer.prompt(
            f"PIN of {name} (this store has no signing key of theirs yet)",
            hide_input=True,
            err=True,
        )
        return answer

    payload = unseal(read_bundle_file(file), ask)  # checked before any store is touched
    store = settings_of(ctx).open_store()
    try:
        with store.session() as session:
            report = merge_payload(session, payload, ask_pin)
    finally:
        store.close()
    conflicts = [
        {
            "indicator": c.indicator_id,
            "panelist": c.panelist,
            "here": c.here,
            "bundle": c.bundle,
            "reason": c.reason,
        }
        for c in report.conflicts
    ]
    if as_json:
        print_json(
            {
                "interview": report.interview_id,
                "kind": report.kind,
                "created_interview": report.created_interview,
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "superseded": report.superseded,
                "submissions": report.submissions,
                "conflicts": conflicts,
                "merged": report.merged,
                "not_merged": report.not_merged,
            }
        )
    else:
        head = f"Interview {report.interview_id[:8]}"
        if report.created_interview:
            head += " added to this store"
        parts = [
            f"{_plural(report.added, 'rating')} added",
            f"{report.updated} updated",
            f"{report.unchanged} unchanged",
        ]
        if report.superseded:
            parts.append(f"{report.superseded} already newer here")
        if report.submissions:
            parts.append(f"{_plural(report.submissions, 'domain submission')} added")
        output.echo(f"{head}: " + ", ".join(parts) + ".")
        if report.merged:
            merged = ", ".join(
                f"{count} {kind if count != 1 else kind.removesuffix('s')}"
                for kind, count in report.merged.items()
            )
            output.echo(f"Merged from the bundle: {merged}.")
        for sentence in report.not_merged:
            output.echo(f"Not merged: {sentence}", err=True)
        for c in conflicts:
            why = f" ({c['reason']})" if c["reason"] else ""
            output.echo(
                f"Conflict: {c['panelist']} on {c['indicator']}: {c['here']} here, "
                f"{c['bundle']} in the bundle; kept {c['here']}{why}.",
                err=True,
            )
    if conflicts or report.not_merged:
        raise typer.Exit(1)
