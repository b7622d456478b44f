"""``formers reliability``: how reliably panels apply a protocol, across the programme.

Pooled over every settled interview (at consensus or finalized), per
indicator, domain and part, with intervals and counts, and each rater's lean
against the consensus their panels reached. For programme staff: names of
panelists appear, never a candidate.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from formers_tui.cli import output
from formers_tui.cli.common import fail, friendly, print_json, settings_of

if TYPE_CHECKING:
    from rich.console import Console

    from formers_tui.scoring.reliability import ProtocolReliability


def register(app: typer.Typer) -> None:
    """Add ``reliability`` to the root app."""
    app.command("reliability")(reliability_command)


def _since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise fail(f"--since takes a day as YYYY-MM-DD, not {text.strip()[:40]!r}.") from None


@friendly
def reliability_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only interviews held on or after this day (YYYY-MM-DD)."),
    ] = None,
    protocol: Annotated[
        str | None, typer.Option("--protocol", help="Only this protocol (its id).")
    ] = None,
) -> None:
    """Show agreement pooled across settled interviews, with intervals, and each rater's lean."""
    from formers_tui.store.reliability import programme_reliability

    day = _since(since)
    store = settings_of(ctx).open_store(create=False)
    try:
        with store.session() as session:
            found = programme_reliability(session, protocol_id=protocol, since=day)
    finally:
        store.close()
    if as_json:
        print_json(reliability_document(found))
    else:
        render_reliability(found)


def reliability_document(found: list[ProtocolReliability]) -> dict[str, Any]:
    """The figures as JSON-ready data, with what the percentages mean."""
    from formers_tui.scoring.agreement import EXACT_MEANS, WITHIN_ONE_MEANS

    return {
        "format": "formers-tui/reliability",
        "definitions": {"exact": EXACT_MEANS, "within_one": WITHIN_ONE_MEANS},
        "protocols": [dataclasses.asdict(item) for item in found],
    }


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _alpha(value: float | None, interval: tuple[float, float] | None) -> str:
    if value is None:
        return "—"
    if interval is None:
        return f"{value:.2f}"
    return f"{value:.2f} [{interval[0]:.2f}, {interval[1]:.2f}]"


def render_reliability(found: list[ProtocolReliability], console: Console | None = None) -> None:
    """Print the figures as tables, one protocol version at a time."""
    from rich.table import Table
    from rich.text import Text

    from formers_tui.scoring.agreement import EXACT_MEANS, MIN_UNITS, WITHIN_ONE_MEANS

    console = console or output.console()
    if not found:
        console.print(
            "No settled interviews (at consensus or finalized) match: nothing to pool yet.",
            highlight=False,
        )
        return
    for item in found:
        console.print(
            Text(
                f"{item.protocol_title} {item.protocol_version} ({item.protocol_id}) · "
                f"{item.interviews:,} settled interviews",
                style="bold",
            )
        )
        table = Table(
            title="Agreement, pooled (ordinal Krippendorff's alpha)", title_justify="left"
        )
        for column in (
            "scope",
            "alpha [95% interval]",
            "units",
            "interviews",
            "exact",
            "within one",
        ):
            table.add_column(column, justify="left" if column == "scope" else "right")
        notes: list[str] = []
        for scope in item.scopes:
            stats = scope.stats
            label = {
                "overall": "Overall",
                "part": f"{scope.title} (part)",
                "domain": f"  {scope.title}",
                "indicator": f"    {scope.key}",
            }[scope.scope]
            table.add_row(
                label,
                _alpha(stats.alpha, stats.interval),
                str(stats.units),
                str(scope.interviews),
                _percent(stats.exact),
                _percent(stats.within_one),
            )
            if stats.alpha is None and stats.alpha_reason and scope.scope != "indicator":
                notes.append(f"{scope.title}: {stats.alpha_reason}.")
        console.print(table)
        raters = Table(title="Each rater against the consensus", title_justify="left")
        for column in (
            "rater",
            "interviews",
            "ratings",
            "lean [95% interval]",
            "same as consensus",
        ):
            raters.add_column(column, justify="left" if column == "rater" else "right")
        for rater in item.raters:
            lean = (
                "—"
                if rater.lean is None
                else f"{rater.lean:+.2f}"
                + (
                    ""
                    if rater.interval is None
                    else f" [{rater.interval[0]:+.2f}, {rater.interval[1]:+.2f}]"
                )
            )
            raters.add_row(
                rater.rater, str(rater.interviews), str(rater.compared), lean, _percent(rater.exact)
            )
        console.print(raters)
        for note in notes:
            console.print(note, highlight=False)
    console.print(
        "\n".join(
            [
                f"Units: indicators of one interview rated by two or more panelists. Alpha is "
                f"shown from {MIN_UNITS} units, with a bootstrap interval over them.",
                f"{EXACT_MEANS[0].upper()}{EXACT_MEANS[1:]}; {WITHIN_ONE_MEANS}.",
                "Lean: the mean of a rater's level minus the panel's consensus level "
                "(above 0: rates higher than the panel settles).",
            ]
        ),
        highlight=False,
    )
