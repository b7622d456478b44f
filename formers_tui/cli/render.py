"""Rich renderings for the CLI (kept apart so commands stay short)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from formers_tui.cli import output

if TYPE_CHECKING:
    from formers_tui.protocol.loader import LoadedProtocol
    from formers_tui.protocol.model import Protocol, Script


def render_protocol(loaded: LoadedProtocol, console: Console | None = None) -> None:
    """Print a protocol readably: header, scale, timeline, thresholds, indicators."""
    console = console or output.console()
    p = loaded.protocol
    console.print(Text(f"{p.title}", style="bold"))
    console.print(f"id {p.id} · version {p.version} · {p.source}", highlight=False)
    console.print(f"file {loaded.origin}\nsha256 {loaded.sha256}", style="dim", highlight=False)
    if p.description:
        console.print(p.description, highlight=False)

    scale = Table(title="Rating scale", title_justify="left", show_lines=False)
    scale.add_column("value")
    scale.add_column("label")
    scale.add_column("meaning")
    for level in p.scale.levels:
        met = " (met)" if level.value >= p.scale.met_at else ""
        scale.add_row(str(level.value), level.label + met, level.meaning)
    scale.add_row("—", p.scale.omit_label, p.scale.omit_meaning + " Stored as missing, never 0.")
    console.print(scale)

    if p.timeline:
        facts = Table(title="Timeline facts", title_justify="left")
        facts.add_column("id")
        facts.add_column("label")
        facts.add_column("kind")
        for fact in p.timeline:
            kind = fact.kind + (f": {', '.join(fact.choices)}" if fact.choices else "")
            facts.add_row(fact.id, fact.label, kind)
        console.print(facts)
    if p.proportionality:
        rule = p.proportionality
        console.print(
            f"Proportionality: time disengaged (from {rule.disengaged_on}) at least "
            f"{rule.ratio:g} × time involved (from {rule.involved_from}).",
            highlight=False,
        )
    t = p.thresholds
    lines = [f"critical indicators must be met: {'yes' if t.critical_must_be_met else 'no'}"]
    for part in p.parts:
        floor = t.part_minimum(part.id)
        if floor is not None:
            lines.append(f"{part.id}: minimum mean {floor:g} (judged on its own)")
    if t.indicator_floor is not None:
        lines.append(f"any indicator below {t.indicator_floor}: not yet ready")
    if t.max_noncritical_omits is not None:
        lines.append(f"caution above {t.max_noncritical_omits} omitted non-critical indicators")
    if t.max_omitted_fraction is not None:
        lines.append(f"max share omitted: {t.max_omitted_fraction:.0%}")
    lines.append(f"proportionality required: {'yes' if t.proportionality_required else 'no'}")
    lines += [f"{m.domain}: minimum mean {m.minimum_mean:g}" for m in t.domain_minimums]
    if t.rationale:
        lines += ["", t.rationale]
    console.print(
        Panel("\n".join(lines), title="Thresholds (for the computed suggestion)", expand=False)
    )

    if p.opening:
        console.print(_script_panel(p.opening))
    if p.asking:
        _print_asking(p, console)
    for part in p.parts:
        console.rule(Text(part.title, style="bold"))
        for domain in part.domains:
            console.print(Text(domain.title, style="bold underline"))
            for ind in domain.indicators:
                body: list[RenderableType] = [Text(ind.statement)]
                body.append(Text(f"Source: {ind.source.section}", style="dim"))
                body.append(Text(f"“{ind.source.passage}”", style="dim italic"))
                if ind.prompts:
                    body.append(Text("Prompts", style="bold"))
                    body += [Text(f"  • {q}") for q in ind.prompts]
                if ind.probes:
                    body.append(Text("Probes", style="bold"))
                    body += [Text(f"  • {q}") for q in ind.probes]
                if ind.collateral:
                    body.append(Text("Collateral: " + "; ".join(ind.collateral)))
                if ind.critical_rationale:
                    why = "Why critical: " if ind.critical else "Why not critical: "
                    body.append(Text(why + ind.critical_rationale, style="dim"))
                anchors = Table(show_header=False, box=None, padding=(0, 1))
                for level in p.scale.levels:
                    anchors.add_row(f"{level.value}", ind.anchors.get(level.value, ""))
                body.append(anchors)
                title = f"{ind.id} · {ind.title}" + ("  [critical]" if ind.critical else "")
                console.print(Panel(Group(*body), title=output.title(title), title_align="left"))
    if p.closing:
        console.print(_script_panel(p.closing))


def _script_panel(script: Script) -> Panel:
    """The opening or closing: points to cover, then questions."""
    body: list[RenderableType] = [Text(f"  • {point}") for point in script.points]
    if script.prompts:
        body.append(Text("Ask", style="bold"))
        body += [Text(f"  • {q}") for q in script.prompts]
    return Panel(Group(*body), title=output.title(script.title), title_align="left")


def _print_asking(p: Protocol, console: Console) -> None:
    """The order of asking, step by step, with each role play written out."""
    console.rule(Text("Order of asking", style="bold"))
    for number, stage in enumerate(p.asking, start=1):
        names = [f"role play {v}" for v in stage.vignettes] + list(stage.indicators)
        console.print(Text(f"{number}. {stage.title}: {', '.join(names)}"))
        if stage.note:
            console.print(Text(f"   {stage.note}", style="dim"))
    for vignette in p.vignettes:
        body: list[RenderableType] = [
            Text(vignette.situation),
            Text(f"Panel: {vignette.setup}", style="dim"),
            Text("Ask", style="bold"),
            *(Text(f"  • {q}") for q in vignette.prompts),
        ]
        if vignette.listen_for:
            body.append(Text("Listen for", style="bold"))
            body += [Text(f"  • {item}") for item in vignette.listen_for]
        body.append(Text("Informs: " + ", ".join(vignette.indicators), style="dim"))
        title = f"Role play {vignette.id} · {vignette.title}"
        console.print(Panel(Group(*body), title=output.title(title), title_align="left"))
