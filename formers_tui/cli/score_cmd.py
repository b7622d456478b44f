"""``formers score``: the panel's ratings, agreement, suggestion and determination.

Without ``--as`` this is the program-staff view, shown only once the panel
view is open (every panelist submitted, or the chair revealed). With
``--as PANELIST`` it is that panelist's view, behind their PIN: others'
ratings show only in domains the panelist has submitted.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any

import typer

from formers_tui.cli import output
from formers_tui.cli.common import fail, friendly, print_json, reader_of, settings_of

if TYPE_CHECKING:
    from rich.console import Console

    from formers_tui.scoring.matrix import Disagreement
    from formers_tui.store.panel_view import PanelReport


def register(app: typer.Typer) -> None:
    """Add ``score`` to the root app."""
    app.command("score")(score_command)


@friendly
def score_command(
    ctx: typer.Context,
    interview_id: Annotated[str, typer.Argument(help="Interview id (or its first characters).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_panelist: Annotated[
        str | None,
        typer.Option("--as", help="See it as this panelist (name or id); asks for their PIN."),
    ] = None,
    pin: Annotated[
        str | None,
        typer.Option(
            "--pin",
            help="The panelist's PIN (leave it out to be asked, which keeps it out of "
            "the shell history).",
        ),
    ] = None,
) -> None:
    """Show the panel summary: ratings matrix, agreement, computed suggestion, determination."""
    from formers_tui.store.panel_view import summary

    if pin is not None and as_panelist is None:
        raise fail("--pin goes with --as PANELIST.")
    store = settings_of(ctx).open_store(create=False, daily=False)
    try:
        with store.session() as session:
            viewer = reader_of(session, interview_id, as_panelist, pin)
            report = summary(session, interview_id, viewer_panelist_id=viewer)
    finally:
        store.close()
    if as_json:
        print_json(report_document(report))
    else:
        render_report(report)


def report_document(report: PanelReport) -> dict[str, Any]:
    """The report as JSON-ready data, with the suggestion's label spelled out."""
    document: dict[str, Any] = {
        "format": "formers-tui/panel-summary",
        **dataclasses.asdict(report),
    }
    document["scores"]["suggestion"]["label"] = report.scores.suggestion.label
    document["scores"]["disagreements"] = [
        dataclasses.asdict(row.disagreement)
        for row in report.scores.disagreements
        if row.disagreement is not None
    ]
    return document


def _discuss(found: Disagreement) -> str:
    """A few characters for the matrix; the full sentence is in the JSON and the TUI."""
    parts = []
    if found.spread >= 2:
        parts.append(f"spread {found.spread}")
    if found.omitted and found.rated:
        parts.append(f"{found.omitted} omit")
    return ", ".join(parts)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render_report(report: PanelReport, console: Console | None = None) -> None:
    """Print the report as rich tables."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from formers_tui.scoring.matrix import CellState
    from formers_tui.scoring.suggestion import SUGGESTED_LABELS, Severity, Suggested

    console = console or output.console()
    scores = report.scores
    names = {p.id: p.name for p in scores.panelists}
    console.print(
        Text(
            f"Panel summary · interview {report.interview_id[:8]} · candidate "
            f"{report.candidate_code} · {report.status.value.replace('_', ' ')}",
            style="bold",
        )
    )
    if report.viewer_id is not None:
        console.print(
            f"As {names[report.viewer_id]}: others' ratings show only in domains you have "
            "submitted.",
            highlight=False,
        )
    state = report.progress
    if state.revealed is not None:
        console.print(
            f"Revealed by {state.revealed.name}: {state.revealed.reason}", highlight=False
        )
    if not state.all_submitted:
        progress = Table(title="Submitted domains", title_justify="left")
        progress.add_column("panelist")
        progress.add_column("domains", justify="right")
        total = sum(1 for r in scores.agreement if r.scope == "domain")
        for member in state.panelists:
            progress.add_row(member.name, f"{len(member.submitted)}/{total}")
        console.print(progress)

    titles = {r.key: r.title for r in scores.agreement if r.scope == "domain"}
    matrix = Table(title="Ratings (* critical)", title_justify="left")
    matrix.add_column("indicator")
    for panelist in scores.panelists:
        matrix.add_column(panelist.name, justify="center")
    matrix.add_column("consensus", justify="center")
    matrix.add_column("discuss")
    shown = {
        CellState.omitted: "omit",
        CellState.empty: "·",
        CellState.hidden: "hidden",
    }
    domain = None
    for row in scores.rows:
        if row.domain_id != domain:
            domain = row.domain_id
            matrix.add_row(Text(titles.get(domain, domain), style="bold"))
        cells = []
        for cell in row.cells:
            text = str(cell.value) if cell.state is CellState.rated else shown[cell.state]
            if cell.state in (CellState.rated, CellState.omitted) and not cell.submitted:
                text += " (draft)"
            cells.append(text)
        agreed = row.consensus
        consensus = "" if agreed is None else "omit" if agreed.value is None else str(agreed.value)
        discuss = _discuss(row.disagreement) if row.disagreement else ""
        matrix.add_row(
            row.indicator_id + (" *" if row.critical else ""), *cells, consensus, discuss
        )
    console.print(matrix)

    table = Table(title="Agreement (ordinal Krippendorff's alpha)", title_justify="left")
    for column in ("scope", "alpha", "pairable", "exact", "within one", "note"):
        table.add_column(column, justify="right" if column in ("alpha", "pairable") else "left")
    for item in scores.agreement:
        stats = item.stats
        table.add_row(
            item.title if item.scope != "part" else f"{item.title} (part)",
            "—" if stats.alpha is None else f"{stats.alpha:.2f}",
            str(stats.pairable),
            _percent(stats.exact),
            _percent(stats.within_one),
            stats.alpha_reason,
        )
    console.print(table)

    advice = scores.suggestion
    marks = {
        Severity.blocks: "✗",
        Severity.missing: "?",
        Severity.caution: "!",
        Severity.note: "•",
        Severity.met: "✓",
    }
    lines = [f"{marks[r.severity]} {r.text}" for r in advice.reasons]
    console.print(
        Panel(
            "\n".join(lines) or "No rule applies.",
            title=output.title(f"Computed suggestion: {advice.label}"),
            title_align="left",
        )
    )

    found = report.determination
    if found is None:
        console.print("No determination recorded yet.", highlight=False)
        return
    body = [f"Rationale: {found.rationale}"]
    if found.conditions:
        body.append(f"Conditions: {found.conditions}")
    if found.work_on:
        body.append(f"Work on: {found.work_on}")
    if found.review_date:
        body.append(f"Suggested review: {found.review_date.isoformat()}")
    if found.differs_because:
        suggested = SUGGESTED_LABELS[Suggested(found.suggested_outcome)]
        body.append(f"Differs from the suggestion ({suggested}) because: {found.differs_because}")
    signed = [names[p] for p in report.signed]
    waiting = [p.name for p in scores.panelists if p.id not in report.signed]
    body.append(
        "Signed: "
        + (", ".join(signed) or "nobody yet")
        + (f" · waiting for: {', '.join(waiting)}" if waiting else "")
    )
    if report.finalized_at is not None:
        body.append(f"Finalized {report.finalized_at.isoformat()[:16].replace('T', ' ')} UTC")
    outcome = SUGGESTED_LABELS[Suggested(found.outcome)]
    console.print(
        Panel("\n".join(body), title=output.title(f"Determination: {outcome}"), title_align="left")
    )
