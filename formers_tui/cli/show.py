"""Printing one interview readably (``formers show``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from formers_tui.cli import output
from formers_tui.exporting.document import interview_document

__all__ = ["interview_document", "render_interview"]


def _when(value: Any) -> str:
    if value is None:
        return "—"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:16].replace("T", " ")


def render_interview(
    doc: dict[str, Any], console: Console | None = None, *, withheld: int = 0
) -> None:
    """Print the document made by :func:`interview_document`.

    Args:
        withheld: ratings left out because the reader may not see them yet.
    """
    console = console or output.console()
    status = doc["status"].value if hasattr(doc["status"], "value") else doc["status"]
    console.print(
        Text(f"Interview {doc['id'][:8]} · candidate {doc['candidate']['code']}", style="bold")
    )
    proto = doc["protocol"]
    consent = doc["consent"]
    consent_text = "given " + _when(consent["date"]) if consent["given"] else "NOT recorded"
    console.print(
        f"{status.replace('_', ' ')} · {proto['id']} {proto['version']} · "
        f"date {_when(doc['interview_date'])} · consent {consent_text}",
        highlight=False,
    )
    panel = Table(title="Panel", title_justify="left")
    panel.add_column("name")
    panel.add_column("role")
    panel.add_column("")
    for p in doc["panel"]:
        role = p["role"].value if hasattr(p["role"], "value") else p["role"]
        panel.add_row(p["name"], role.replace("_", " "), "chair" if p["is_chair"] else "")
    console.print(panel)
    if doc["timeline"]:
        console.print(
            "Timeline: " + "; ".join(f"{k} {v}" for k, v in doc["timeline"].items()),
            highlight=False,
        )
    if doc["proportionality"]:
        console.print(f"Proportionality: {doc['proportionality']['text']}", highlight=False)
    open_flags = [f for f in doc["safety_flags"] if f["resolved_at"] is None]
    if open_flags:
        console.print(Text(f"{len(open_flags)} open safety flag(s)", style="bold red"))
    for flag in doc["safety_flags"]:
        kind = flag["kind"].value if hasattr(flag["kind"], "value") else flag["kind"]
        state = "OPEN" if flag["resolved_at"] is None else f"resolved: {flag['action_taken']}"
        console.print(
            f"  flag {kind.replace('_', ' ')} at {_when(flag['raised_at'])}: "
            f"{flag['note']} ({state})",
            highlight=False,
        )
    if doc["notes"]:
        notes = Table(title="Notes", title_justify="left", show_lines=True)
        notes.add_column("indicator", no_wrap=True)
        notes.add_column("notes")
        for note in doc["notes"]:
            if note["text"].strip():
                notes.add_row(note["indicator_id"], note["text"])
        console.print(notes)
    if doc["quotes"]:
        console.print(Text("Quotes", style="bold"))
        for q in doc["quotes"]:
            console.print(
                f"  [{q['indicator_id']}] {q['speaker']} ({_when(q['spoken_at'])}): “{q['text']}”",
                highlight=False,
            )
    if doc["evidence"]:
        evidence = Table(title="Collateral evidence", title_justify="left")
        for column in (
            "source",
            "informant",
            "obtained",
            "reliability",
            "bearing",
            "indicators",
            "summary",
        ):
            evidence.add_column(column)
        for e in doc["evidence"]:
            evidence.add_row(
                str(getattr(e["source_type"], "value", e["source_type"])).replace("_", " "),
                e["informant"],
                _when(e["obtained_on"]),
                str(getattr(e["reliability"], "value", e["reliability"])),
                str(getattr(e["bearing"], "value", e["bearing"])),
                ", ".join(e["indicators"]),
                e["summary"],
            )
        console.print(evidence)
    line = f"{len(doc['ratings'])} ratings recorded by the panel."
    if withheld:
        line = (
            f"{len(doc['ratings'])} of the panel's ratings shown; {withheld} more stay hidden "
            "until blind rating lets you see them (see 'formers show --help')."
        )
    console.print(line, highlight=False)
