"""``formers score``: the panel's ratings, agreement, suggestion and determination.

Without ``--as`` this is the program-staff view, shown only once the panel
view is open (every panelist submitted, or the chair revealed). With
``--as PANELIST`` it is that panelist's view, behind their PIN: others'
ratings show only in domains the panelist has submitted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
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
    from formers_tui.store.panel_decision import addenda_of
    from formers_tui.store.panel_view import summary

    if pin is not None and as_panelist is None:
        raise fail("--pin goes with --as PANELIST.")
    store = settings_of(ctx).open_store(create=False, daily=False)
    try:
        with store.session() as session:
            viewer = reader_of(session, interview_id, as_panelist, pin)
            report = summary(session, interview_id, viewer_panelist_id=viewer)
            addenda = [
                AddendumView(a.author, a.reason, a.text, a.created_at)
                for a in addenda_of(session, report.interview_id)
            ]
    finally:
        store.close()
    if as_json:
        print_json(report_document(report, addenda))
    else:
        render_report(report, addenda=addenda)


@dataclasses.dataclass(frozen=True)
class AddendumView:
    """A correction after finalization, as printed."""

    author: str
    reason: str
    text: str
    created_at: datetime


def report_document(report: PanelReport, addenda: Sequence[AddendumView] = ()) -> dict[str, Any]:
    """The report as JSON-ready data, with the suggestion's label spelled out."""
    from formers_tui.scoring.agreement import EXACT_MEANS, WITHIN_ONE_MEANS
    from formers_tui.scoring.suggestion import DISCLAIMER

    document: dict[str, Any] = {
        "format": "formers-tui/panel-summary",
        **dataclasses.asdict(report),
        "addenda": [dataclasses.asdict(a) for a in addenda],
        "definitions": {"exact": EXACT_MEANS, "within_one": WITHIN_ONE_MEANS},
    }
    document["scores"]["suggestion"]["label"] = report.scores.suggestion.label
    document["scores"]["suggestion"]["disclaimer"] = DISCLAIMER
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


def render_report(
    report: PanelReport,
    console: Console | None = None,
    *,
    addenda: Sequence[AddendumView] = (),
) -> None:
    """Print the report as rich tables, then the dissent, the suggestion and the decision."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from formers_tui.scoring.agreement import EXACT_MEANS, MIN_UNITS, WITHIN_ONE_MEANS
    from formers_tui.scoring.matrix import CellState
    from formers_tui.scoring.suggestion import DISCLAIMER, SUGGESTED_LABELS, Severity, Suggested

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
    dissent = [
        f"{row.indicator_id}: {d.name or 'a panelist'} dissents: {d.reason}"
        for row in scores.rows
        if row.consensus is not None
        for d in row.consensus.dissent
    ]
    if dissent:
        console.print(Text("Dissent from the consensus", style="bold"))
        for line in dissent:
            console.print(Text(f"  {line}"), soft_wrap=True)

    table = Table(title="Agreement (ordinal Krippendorff's alpha)", title_justify="left")
    for column in ("scope", "alpha", "95% interval", "units", "exact", "within one"):
        table.add_column(column, justify="left" if column == "scope" else "right")
    notes: list[str] = []
    for item in scores.agreement:
        stats = item.stats
        scope = item.title if item.scope != "part" else f"{item.title} (part)"
        bounds = (
            "" if stats.interval is None else f"{stats.interval[0]:.2f} to {stats.interval[1]:.2f}"
        )
        table.add_row(
            scope,
            "—" if stats.alpha is None else f"{stats.alpha:.2f}",
            bounds,
            str(stats.units),
            _percent(stats.exact),
            _percent(stats.within_one),
        )
        if (
            stats.alpha is None
            and stats.alpha_reason
            and not stats.alpha_reason.startswith("alpha not shown")
        ):
            notes.append(f"{scope}: {stats.alpha_reason}.")
    console.print(table)
    notes += [
        f"Units: indicators rated by two or more panelists. Alpha is shown from {MIN_UNITS} "
        "units, with a 95% bootstrap interval over them; below that it would mean little.",
        f"{EXACT_MEANS[0].upper()}{EXACT_MEANS[1:]}.",
        f"{WITHIN_ONE_MEANS[0].upper()}{WITHIN_ONE_MEANS[1:]}.",
    ]
    for note in notes:
        console.print(Text(note), soft_wrap=True)

    advice = scores.suggestion
    marks = {
        Severity.blocks: "✗",
        Severity.missing: "?",
        Severity.caution: "!",
        Severity.note: "•",
        Severity.met: "✓",
    }
    lines = [advice.parts_line(), DISCLAIMER, ""]
    lines += [f"{marks[r.severity]} {r.text}" for r in advice.reasons] or ["No rule applies."]
    console.print(
        Panel(
            "\n".join(lines),
            title=output.title(f"Computed suggestion: {advice.label}"),
            title_align="left",
        )
    )

    found = report.determination
    if found is None:
        console.print("No determination recorded yet.", highlight=False)
        _addenda(console, addenda)
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
    _addenda(console, addenda)


def _addenda(console: Console, addenda: Sequence[AddendumView]) -> None:
    """Corrections after finalization: who, when, why, what."""
    from rich.text import Text

    for item in addenda:
        when = item.created_at.isoformat()[:16].replace("T", " ")
        console.print(Text(f"Addendum by {item.author}, {when} UTC", style="bold"))
        console.print(Text(f"  Why: {item.reason}\n  {item.text}"), soft_wrap=True)
