"""The printable panel report of one interview, in Markdown or HTML.

The report is first laid out as a short list of blocks (headings, fields,
tables, quotes, paragraphs) built from the interview document, then rendered
by one of two small writers. Both writers escape every piece of text that
came from a person, so a note that contains markup prints as text: the
Markdown writer backslash-escapes Markdown and HTML punctuation, the HTML
writer uses :func:`html.escape`; both show control characters as visible
stand-ins (:func:`formers_tui.sanitize.clean_text`). The HTML page is self-contained (inline CSS,
inline SVG bars, no scripts, no external resources, a Content-Security-Policy
that forbids loading anything) and lays out for A4 and Letter paper.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from formers_tui.exporting.document import dissent_items, dissent_line, utc
from formers_tui.exporting.files import atomic_text
from formers_tui.protocol.model import Protocol
from formers_tui.sanitize import clean_text
from formers_tui.scoring.agreement import EXACT_MEANS, MIN_UNITS, WITHIN_ONE_MEANS
from formers_tui.scoring.matrix import ConsensusEntry, Dissent, RatingIn, submitted_values
from formers_tui.scoring.suggestion import check_proportionality
from formers_tui.scoring.summary import PanelistInfo, PanelSummary, build_summary
from formers_tui.store.capture import (
    BEARING_LABELS,
    FLAG_LABELS,
    RELIABILITY_LABELS,
    SOURCE_LABELS,
)
from formers_tui.store.interviews import ROLE_LABELS
from formers_tui.store.models import Bearing, EvidenceSource, FlagKind, Reliability, Role

FORMATS = ("md", "html")


@dataclass(frozen=True)
class Bar:
    """A level drawn as a small bar: ``value`` out of ``maximum``."""

    value: float | None
    maximum: float
    label: str


Cell = str | Bar


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Fields:
    """Label/value pairs, e.g. the header of the report."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TableBlock:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: frozenset[int] = field(default_factory=frozenset)
    """Column indexes aligned right."""


@dataclass(frozen=True)
class QuoteBlock:
    text: str
    cite: str


Block = Heading | Paragraph | Fields | TableBlock | QuoteBlock


# --------------------------------------------------------------------------- content


def _choice(labels: dict[Any, str], enum: Any, value: Any) -> str:
    """The display label of a stored choice (an enum member or its value)."""
    try:
        return labels[enum(value)]
    except (ValueError, KeyError):
        return _label(value)


def _label(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime):
        return utc(value).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text.replace("_", " ") if re.fullmatch(r"[a-z_]+", text) else text


def _mark(value: int | None, omitted: bool) -> str:
    return "omit" if omitted else ("—" if value is None else str(value))


def build(document: dict[str, Any], protocol: Protocol) -> list[Block]:
    """Lay out the report of one interview document.

    Args:
        document: from :func:`~formers_tui.exporting.document.iter_documents`,
            de-identified or not.
        protocol: the interview's frozen protocol (titles, scale, domains).
    """
    doc = document
    blocks: list[Block] = []
    code = str(doc["candidate"]["code"])
    blocks.append(Heading(1, f"Panel report — {code}"))
    blocks.append(
        Paragraph(
            "CONFIDENTIAL. This report holds sensitive information about a person; "
            "store and share it only as your programme's data policy allows.",
            emphasis=True,
        )
    )
    protocol_ref = doc["protocol"]
    consent = doc["consent"]
    items = [
        ("Candidate", code),
        ("Interview", str(doc["id"])),
        ("Interview date", _label(doc["interview_date"])),
        ("Status", _label(doc["status"])),
        (
            "Protocol",
            f"{protocol_ref['title']} ({protocol_ref['id']} {protocol_ref['version']}, "
            f"sha256 {str(protocol_ref['sha256'])[:12]})",
        ),
        ("Consent", f"given {_label(consent['date'])}" if consent["given"] else "not recorded"),
    ]
    if doc["finalized_at"] is not None:
        items.append(("Finalized", _label(doc["finalized_at"])))
    blocks.append(Fields(tuple(items)))

    blocks.append(Heading(2, "Panel"))
    blocks.append(
        TableBlock(
            ("Name", "Role", "Chair"),
            tuple(
                (
                    str(p["name"]),
                    _choice(ROLE_LABELS, Role, p["role"]),
                    "chair" if p["is_chair"] else "",
                )
                for p in doc["panel"]
            ),
        )
    )

    blocks.append(Heading(2, "Timeline and proportionality"))
    labels = {fact.id: fact.label for fact in protocol.timeline}
    if doc["timeline"]:
        blocks.append(
            TableBlock(
                ("Fact", "Value"),
                tuple((labels.get(k, k), str(v)) for k, v in doc["timeline"].items()),
            )
        )
    else:
        blocks.append(Paragraph("No timeline facts recorded."))
    proportion = doc["proportionality"]
    if proportion is not None:
        verdict = ""
        if proportion.get("complete"):
            verdict = " — guideline met" if proportion.get("met") else " — guideline NOT met"
        blocks.append(Paragraph(f"Proportionality: {proportion['text']}{verdict}."))

    summary = panel_summary(doc, protocol)
    blocks.extend(_ratings_section(doc, protocol, summary))
    blocks.extend(_agreement_section(summary))

    blocks.append(Heading(2, "Interview notes"))
    titles = {i.id: i.title for i in protocol.indicators()}
    written = [n for n in doc["notes"] if str(n["text"]).strip()]
    if written:
        blocks.append(
            TableBlock(
                ("Indicator", "Notes"),
                tuple(
                    (f"{n['indicator_id']} {titles.get(n['indicator_id'], '')}".strip(), n["text"])
                    for n in written
                ),
            )
        )
    else:
        blocks.append(Paragraph("No notes recorded."))

    blocks.append(Heading(2, "Collateral evidence"))
    if doc["evidence"]:
        blocks.append(
            TableBlock(
                (
                    "Source",
                    "Informant",
                    "Obtained",
                    "Reliability",
                    "Bearing",
                    "Indicators",
                    "Summary",
                ),
                tuple(
                    (
                        _choice(SOURCE_LABELS, EvidenceSource, e["source_type"]),
                        str(e["informant"]),
                        _label(e["obtained_on"]),
                        _choice(RELIABILITY_LABELS, Reliability, e["reliability"]),
                        _choice(BEARING_LABELS, Bearing, e["bearing"]),
                        ", ".join(e["indicators"]),
                        str(e["summary"]),
                    )
                    for e in doc["evidence"]
                ),
            )
        )
    else:
        blocks.append(Paragraph("No collateral evidence recorded."))

    blocks.append(Heading(2, "Verbatim quotes"))
    if doc["quotes"]:
        for q in doc["quotes"]:
            blocks.append(
                QuoteBlock(
                    str(q["text"]),
                    f"{q['speaker']} · {q['indicator_id']} · {_label(q['spoken_at'])}",
                )
            )
    else:
        blocks.append(Paragraph("No quotes recorded."))

    blocks.append(Heading(2, "Safety flags"))
    if doc["safety_flags"]:
        blocks.append(
            TableBlock(
                ("Concern", "Indicator", "Raised", "By", "Status", "Note", "Action taken"),
                tuple(
                    (
                        _choice(FLAG_LABELS, FlagKind, f["kind"]),
                        str(f["indicator_id"] or "—"),
                        _label(f["raised_at"]),
                        str(f["raised_by"]),
                        "OPEN"
                        if f["resolved_at"] is None
                        else f"resolved {_label(f['resolved_at'])}",
                        str(f["note"]),
                        str(f["action_taken"]),
                    )
                    for f in doc["safety_flags"]
                ),
            )
        )
    else:
        blocks.append(Paragraph("No safety flags raised."))

    blocks.append(Heading(2, "Determination"))
    determination = doc["determination"]
    if determination is None:
        blocks.append(Paragraph("No determination recorded yet."))
    else:
        fields = [
            ("Outcome", _label(determination["outcome"])),
            ("Computed suggestion at the time", _label(determination["suggested_outcome"] or None)),
            ("Why the panel decided otherwise", str(determination.get("differs_because") or "—")),
            ("Conditions", str(determination["conditions"]) or "—"),
            ("To work on", str(determination["work_on"]) or "—"),
            ("Review date", _label(determination["review_date"])),
            ("Recorded", _label(determination["recorded_at"])),
        ]
        blocks.append(Fields(tuple(fields)))
        blocks.append(Heading(3, "Rationale"))
        blocks.append(Paragraph(str(determination["rationale"]) or "—"))

    reveal = doc.get("chair_reveal")
    if reveal is not None:
        blocks.append(
            Paragraph(
                f"The chair ({reveal['panelist']}) opened the panel's ratings before everyone "
                f"had submitted, on {_label(reveal['revealed_at'])}: {reveal['reason']}"
            )
        )

    blocks.append(Heading(2, "Sign-offs"))
    if doc["sign_offs"]:
        blocks.append(
            TableBlock(
                ("Panelist", "Signed"),
                tuple((str(s["panelist"]), _label(s["signed_at"])) for s in doc["sign_offs"]),
            )
        )
    else:
        blocks.append(Paragraph("Not signed off."))

    blocks.append(Heading(2, "Addenda"))
    if doc["addenda"]:
        for a in doc["addenda"]:
            blocks.append(Heading(3, f"{_label(a['created_at'])} — {a['author']}"))
            blocks.append(Paragraph(f"Reason: {a['reason']}", emphasis=True))
            blocks.append(Paragraph(str(a["text"])))
    else:
        blocks.append(Paragraph("No addenda."))
    return blocks


def panel_summary(doc: dict[str, Any], protocol: Protocol) -> PanelSummary:
    """The scoring module's whole-panel view of one interview document.

    Only submitted ratings count, exactly as on the panel's screen, so the
    printed report and the TUI never disagree about a number.
    """
    when = doc["interview_date"]
    if isinstance(when, str):
        when = date.fromisoformat(when)
    open_flags = [
        FLAG_LABELS.get(FlagKind(f["kind"]), str(f["kind"]))
        for f in doc["safety_flags"]
        if f["resolved_at"] is None
    ]
    return build_summary(
        protocol,
        [
            PanelistInfo(p["id"], str(p["name"]), _label(p["role"]), bool(p["is_chair"]))
            for p in doc["panel"]
        ],
        [
            RatingIn(
                r["indicator_id"],
                r["panelist_id"],
                None if r["omitted"] else r["value"],
                str(r["rationale"]),
                r["submitted_at"] is not None,
            )
            for r in doc["ratings"]
        ],
        {
            c["indicator_id"]: ConsensusEntry(
                c["indicator_id"],
                None if c["omitted"] else c["value"],
                str(c["rationale"]),
                tuple(Dissent("", name, reason) for name, reason in dissent_items(c["dissent"])),
            )
            for c in doc["consensus"]
        },
        proportionality=check_proportionality(protocol, doc["timeline"], when),
        open_flags=open_flags,
    )


def _ratings_section(doc: dict[str, Any], protocol: Protocol, summary: PanelSummary) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Ratings and consensus")]
    scale = protocol.scale
    top = max(scale.values) if scale.values else 1
    legend = "; ".join(f"{level.value} = {level.label}" for level in scale.levels)
    blocks.append(
        Paragraph(
            f"Scale: {legend}; omit = {scale.omit_label}. ★ = critical indicator. "
            "A mark with * is a draft the panelist has not submitted yet."
        )
    )
    panel = doc["panel"]
    by_key = {(r["indicator_id"], r["panelist_id"]): r for r in doc["ratings"]}
    consensus = {c["indicator_id"]: c for c in doc["consensus"]}
    rows_of = {row.indicator_id: row for row in summary.rows}
    notes: list[tuple[str, str]] = []
    for part in protocol.parts:
        blocks.append(Heading(3, part.title))
        for domain in part.domains:
            blocks.append(Heading(4, domain.title))
            rows: list[tuple[Cell, ...]] = []
            for indicator in domain.indicators:
                marks: list[str] = []
                for member in panel:
                    rating = by_key.get((indicator.id, member["id"]))
                    if rating is None:
                        marks.append("—")
                        continue
                    draft = "*" if rating["submitted_at"] is None else ""
                    marks.append(_mark(rating["value"], rating["omitted"]) + draft)
                agreed = consensus.get(indicator.id)
                values = submitted_values(rows_of[indicator.id]) if indicator.id in rows_of else []
                if agreed is not None:
                    shown = _mark(agreed["value"], agreed["omitted"])
                    bar = Bar(agreed["value"], top, f"consensus {shown}")
                    text = str(agreed["rationale"])
                    if agreed["dissent"]:
                        text = f"{text} Dissent: {dissent_line(str(agreed['dissent']))}".strip()
                    if text:
                        notes.append((indicator.id, text))
                elif values:
                    mean = sum(values) / len(values)
                    shown = "—"
                    bar = Bar(mean, top, f"panel mean {mean:.1f}")
                else:
                    shown = "—"
                    bar = Bar(None, top, "no consensus yet")
                star = " ★" if indicator.critical else ""
                rows.append((f"{indicator.id}{star} {indicator.title}", *marks, shown, bar))
            headers = ("Indicator", *(str(p["name"]) for p in panel), "Consensus", "Level")
            numeric = frozenset(range(1, len(panel) + 2))
            blocks.append(TableBlock(headers, tuple(rows), numeric))
    if notes:
        blocks.append(Heading(3, "Consensus rationale and dissent"))
        blocks.append(TableBlock(("Indicator", "Rationale"), tuple(notes)))
    blocks += _panelist_rationales(doc, protocol)
    blocks.append(Heading(2, "Disagreements"))
    found = summary.disagreements
    if found:
        blocks.append(
            Paragraph(
                "Indicators whose submitted ratings are two or more levels apart, or where "
                "some panelists omitted while others rated:"
            )
        )
        blocks.append(
            TableBlock(
                ("Indicator", "Why"),
                tuple(
                    (row.indicator_id, row.disagreement.text)
                    for row in found
                    if row.disagreement is not None
                ),
            )
        )
    else:
        blocks.append(Paragraph("No disagreement among the submitted ratings."))
    return blocks


def _panelist_rationales(doc: dict[str, Any], protocol: Protocol) -> list[Block]:
    """Each panelist's own reasons for their submitted ratings, indicator by indicator.

    Only ratings the document holds are shown, and only submitted ones: the
    document is already cut to what its reader may see, and a draft's
    reasons are its author's until submitted.
    """
    names = {p["id"]: str(p["name"]) for p in doc["panel"]}
    order = {p["id"]: n for n, p in enumerate(doc["panel"])}
    position = {i.id: n for n, i in enumerate(protocol.indicators())}
    rows = [
        (
            str(r["indicator_id"]),
            names.get(r["panelist_id"], "a panelist"),
            _mark(r["value"], r["omitted"]),
            str(r["rationale"]).strip(),
        )
        for r in sorted(
            doc["ratings"],
            key=lambda r: (
                position.get(r["indicator_id"], 1 << 30),
                order.get(r["panelist_id"], 0),
            ),
        )
        if r["submitted_at"] is not None and str(r.get("rationale") or "").strip()
    ]
    if not rows:
        return []
    return [
        Heading(3, "Each panelist's rationale"),
        TableBlock(("Indicator", "Panelist", "Rating", "Rationale"), tuple(rows)),
    ]


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _agreement_section(summary: PanelSummary) -> list[Block]:
    """Agreement per domain, part and overall, then the computed suggestion and its reasons."""
    blocks: list[Block] = [Heading(2, "Agreement")]
    blocks.append(
        Paragraph(
            "Ordinal Krippendorff's alpha over submitted ratings (omits are missing), with a "
            "95% bootstrap interval; it is not given over fewer than "
            f"{MIN_UNITS} indicators compared, where it would mean little. "
            f"{EXACT_MEANS[0].upper()}{EXACT_MEANS[1:]}; {WITHIN_ONE_MEANS}."
        )
    )
    blocks.append(
        TableBlock(
            ("Scope", "Alpha", "Exact", "Within one", "Indicators compared", "Note"),
            tuple(
                (
                    row.title if row.scope != "part" else f"{row.title} (part)",
                    "—"
                    if row.stats.alpha is None
                    else f"{row.stats.alpha:.2f}"
                    + (
                        ""
                        if row.stats.interval is None
                        else f" ({row.stats.interval[0]:.2f} to {row.stats.interval[1]:.2f})"
                    ),
                    _share(row.stats.exact),
                    _share(row.stats.within_one),
                    str(row.stats.units),
                    row.stats.alpha_reason,
                )
                for row in summary.agreement
            ),
            frozenset({1, 2, 3, 4}),
        )
    )
    suggestion = summary.suggestion
    blocks.append(Heading(2, "Computed suggestion"))
    blocks.append(
        Paragraph(
            f"{suggestion.label} ("
            + suggestion.parts_line()
            + "). The suggestion applies the protocol's thresholds to the consensus, each part "
            "on its own; it is advice, and the panel's determination decides.",
            emphasis=True,
        )
    )
    if suggestion.reasons:
        blocks.append(
            TableBlock(
                ("Finding", "Rule", "Detail"),
                tuple((_label(r.severity), _label(r.rule), r.text) for r in suggestion.reasons),
            )
        )
    return blocks


# --------------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def _h(text: str, quote: bool = True) -> str:
    """Text that HTML shows literally, control characters made visible."""
    return html.escape(clean_text(text), quote=quote)


def md_escape(text: str) -> str:
    """Text that Markdown shows literally: punctuation escaped, line breaks kept as <br>."""
    escaped = _MD_SPECIAL.sub(r"\\\1", clean_text(text))
    # Only what would start a list or underline a heading: "0.67" or "-0.15" stay as they are.
    escaped = re.sub(r"^(\s*)(\d+)([.)])(?=\s|$)", r"\1\2\\\3", escaped, flags=re.MULTILINE)
    escaped = re.sub(r"^(\s*)([-+])(?=\s|$)", r"\1\\\2", escaped, flags=re.MULTILINE)
    escaped = re.sub(r"^(\s*)([-=]+\s*)$", r"\1\\\2", escaped, flags=re.MULTILINE)
    return escaped


def _md_cell(cell: Cell) -> str:
    if isinstance(cell, Bar):
        return f"`{text_bar(cell)}` {md_escape(cell.label)}"
    return md_escape(cell).replace("\r\n", "\n").replace("\n", "<br>")


def text_bar(bar: Bar, width: int = 10) -> str:
    """A bar of block characters, e.g. ``███████░░░``."""
    if bar.value is None or bar.maximum <= 0:
        return "·" * width
    filled = round(width * max(0.0, min(1.0, bar.value / bar.maximum)))
    return "█" * filled + "░" * (width - filled)


def to_markdown(blocks: Iterable[Block]) -> str:
    """Render the blocks as GitHub-flavoured Markdown."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {md_escape(block.text)}\n")
        elif isinstance(block, Paragraph):
            text = md_escape(block.text).replace("\n", "  \n")
            out.append(f"**{text}**\n" if block.emphasis else f"{text}\n")
        elif isinstance(block, Fields):
            out.append("| | |\n|---|---|")
            out.extend(f"| **{md_escape(k)}** | {_md_cell(v)} |" for k, v in block.items)
            out.append("")
        elif isinstance(block, TableBlock):
            out.append("| " + " | ".join(md_escape(h) for h in block.headers) + " |")
            out.append(
                "|"
                + "|".join(
                    "---:" if i in block.numeric else "---" for i in range(len(block.headers))
                )
                + "|"
            )
            out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows)
            out.append("")
        else:
            lines = md_escape(block.text).splitlines() or [""]
            out.extend(f"> {line}" for line in lines)
            out.append(f">\n> — {md_escape(block.cite)}\n")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- html

CSS = """
@page { margin: 16mm 14mm; }
:root { color-scheme: light; }
body { font: 10.5pt/1.4 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #111; max-width: 190mm; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 17pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #999; }
h3 { font-size: 11.5pt; margin: 1em 0 .3em; }
h4 { font-size: 10.5pt; margin: .8em 0 .2em; }
p.emphasis { font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .3em 0 .8em; }
th, td { border: 1px solid #bbb; padding: 2px 5px; vertical-align: top; text-align: left; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
table.fields th { width: 28%; }
td, p, blockquote { overflow-wrap: anywhere; white-space: pre-wrap; }
svg.bar { vertical-align: middle; }
blockquote { margin: .4em 0 .8em 1em; padding-left: .8em; border-left: 3px solid #888; }
blockquote footer { font-size: 9pt; color: #444; }
footer.generated { margin-top: 2em; font-size: 8.5pt; color: #555; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  tr, blockquote { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def svg_bar(bar: Bar, width: int = 80, height: int = 10) -> str:
    """An inline SVG bar (prints in colour-less mode too: the fill is an SVG shape)."""
    filled = 0
    if bar.value is not None and bar.maximum > 0:
        filled = round(width * max(0.0, min(1.0, bar.value / bar.maximum)))
    label = _h(bar.label, quote=True)
    return (
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="{width}" height="{height}" fill="#e4e4e4"/>'
        f'<rect width="{filled}" height="{height}" fill="#3a5a80"/></svg> {label}'
    )


def _html_cell(cell: Cell, numeric: bool) -> str:
    attrs = ' class="num"' if numeric else ""
    if isinstance(cell, Bar):
        return f"<td>{svg_bar(cell)}</td>"
    return f"<td{attrs}>{_h(cell, quote=True)}</td>"


def to_html(blocks: Iterable[Block], *, title: str, footer: str) -> str:
    """Render the blocks as one self-contained, printable HTML page."""
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_h(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            cls = ' class="emphasis"' if block.emphasis else ""
            body.append(f"<p{cls}>{_h(block.text)}</p>")
        elif isinstance(block, Fields):
            rows = "".join(f"<tr><th>{_h(k)}</th><td>{_h(v)}</td></tr>" for k, v in block.items)
            body.append(f'<table class="fields"><tbody>{rows}</tbody></table>')
        elif isinstance(block, TableBlock):
            head = "".join(f"<th>{_h(h)}</th>" for h in block.headers)
            rows = "".join(
                "<tr>"
                + "".join(_html_cell(c, i in block.numeric) for i, c in enumerate(row))
                + "</tr>"
                for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            body.append(
                f"<blockquote><p>{_h(block.text)}</p>"
                f"<footer>— {_h(block.cite)}</footer></blockquote>"
            )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + f'\n<footer class="generated">{_h(footer)}</footer>\n</body>\n</html>\n'
    )


def render(document: dict[str, Any], protocol: Protocol, fmt: str, *, footer: str) -> str:
    """The report of one interview as Markdown (``md``) or HTML (``html``) text."""
    blocks = build(document, protocol)
    if fmt == "md":
        return to_markdown(blocks) + f"\n---\n\n*{md_escape(footer)}*\n"
    return to_html(blocks, title=f"Panel report — {document['candidate']['code']}", footer=footer)


def export_report(
    document: dict[str, Any],
    protocol: Protocol,
    out: Path,
    fmt: str,
    *,
    footer: str,
    force: bool = False,
) -> None:
    """Write the report of one interview to ``out`` (0600, atomically).

    Raises:
        ExportTargetError: ``out`` exists and ``force`` is false, or cannot be used.
    """
    text = render(document, protocol, fmt, footer=footer)
    with atomic_text(out, force=force) as handle:
        handle.write(text)
