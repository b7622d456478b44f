"""``formers audit``: verify the hash chain and the records, and read the history."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from formers_tui.cli import output
from formers_tui.cli.common import (
    AS_HELP,
    PIN_HELP,
    fail,
    friendly,
    print_json,
    reader_of,
    settings_of,
)

audit_app = typer.Typer(help="The tamper-evident audit log: verify, show.", no_args_is_help=True)


@audit_app.command("verify")
@friendly
def audit_verify(
    ctx: typer.Context,
    interview_id: Annotated[
        str | None,
        typer.Argument(help="Only this interview's records (the chain is always whole)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recompute the hash chain and compare the records with their last audited values.

    Exit 1 when anything was changed, added or removed outside the app.
    """
    from formers_tui.store import audit
    from formers_tui.store.common import get_interview

    store = settings_of(ctx).open_store(create=False)
    try:
        with store.session() as session:
            iid = get_interview(session, interview_id).id if interview_id else None
            breaks = audit.verify_chain(session)
            mismatches = audit.verify_state(session, iid)
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "chain_breaks": [{"seq": b.seq, "reason": b.reason} for b in breaks],
                "record_mismatches": [
                    {
                        "entity": m.entity,
                        "key": m.key,
                        "interview": m.interview_id,
                        "reason": m.reason,
                        "fields": list(m.changed),
                    }
                    for m in mismatches
                ],
            }
        )
    else:
        for b in breaks:
            output.echo(f"chain: entry {b.seq} {b.reason}")
        for m in mismatches:
            fields = f" ({', '.join(m.changed)})" if m.changed else ""
            where = f"interview {m.interview_id[:8]}, " if m.interview_id else ""
            output.echo(f"record: {where}{m.entity} {m.key[:12]} {m.reason}{fields}")
        if not breaks and not mismatches:
            output.echo("Audit chain intact; every record matches its last audited value.")
    if breaks or mismatches:
        raise fail(
            f"{len(breaks)} chain break(s), {len(mismatches)} record(s) changed outside the app.", 1
        )


@audit_app.command("show")
@friendly
def audit_show(
    ctx: typer.Context,
    interview_id: Annotated[str, typer.Argument(help="Interview id (or its first characters).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_panelist: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
    pin: Annotated[str | None, typer.Option("--pin", help=PIN_HELP)] = None,
) -> None:
    """List an interview's history: who changed what, when, from what to what.

    Before finalization a rating's value and rationale show only where blind
    rating lets the reader see them (``withheld`` marks the others).
    """
    from formers_tui.store import audit
    from formers_tui.store.common import get_interview
    from formers_tui.store.rules.visibility import redact_audit_value, visibility

    store = settings_of(ctx).open_store(create=False)
    try:
        with store.session() as session:
            iid = get_interview(session, interview_id).id
            seen = visibility(session, iid, reader_of(session, iid, as_panelist, pin))
            entries = [
                audit.Replayed(
                    r.entry,
                    redact_audit_value(r.entry.entity, r.old, seen),
                    redact_audit_value(r.entry.entity, r.new, seen),
                )
                for r in audit.replay(audit.history(session, iid))
            ]
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "seq": r.entry.seq,
                    "at": r.entry.at,
                    "actor": r.entry.actor,
                    "action": r.entry.action,
                    "entity": r.entry.entity,
                    "key": r.entry.entity_key,
                    "old": r.old,
                    "new": r.new,
                }
                for r in entries
            ]
        )
        return
    from rich.table import Table

    table = Table(title=f"History ({len(entries)} changes)", title_justify="left")
    for column in ("#", "when (UTC)", "who", "what", "change"):
        table.add_column(column, overflow="fold")
    for r in entries:
        table.add_row(
            str(r.entry.seq),
            r.entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            r.entry.actor,
            f"{r.entry.action} {r.entry.entity}",
            _describe(r.old, r.new),
        )
    output.console().print(table)


def _describe(old: dict[str, Any] | None, new: dict[str, Any] | None, width: int = 60) -> str:
    """The fields a change touched, each as ``field: before → after`` (shortened)."""
    from formers_tui.store.rules.visibility import RATING_CONTENT, WITHHELD

    before = dict(old or {})
    after = dict(new or {})
    skip = {"id", "interview_id", "updated_at", "created_at", WITHHELD, "history"}
    parts = []
    for side in (before, after):
        if side.get(WITHHELD):
            side.update(dict.fromkeys(RATING_CONTENT, "(hidden)"))
    if before.get(WITHHELD) and after.get(WITHHELD) or (after.get(WITHHELD) and old is None):
        parts.append("value and rationale hidden until blind rating lets you see them")
    for name in sorted(set(before) | set(after)):
        if name in skip or before.get(name) == after.get(name):
            continue

        def short(value: object) -> str:
            text = "—" if value is None else str(value)
            return text if len(text) <= width else text[: width - 1] + "…"

        was, now = before.get(name), after.get(name)
        if isinstance(was, str) and isinstance(now, str) and max(len(was), len(now)) > width:
            was, now = _changed_part(was, now, width // 3)
        if name in before:
            parts.append(f"{name}: {short(was)} → {short(now)}")
        else:
            parts.append(f"{name}: {short(after[name])}")
    return "\n".join(parts)


def _changed_part(before: str, after: str, context: int) -> tuple[str, str]:
    """The changed stretch of a long text, with a little context, on both sides.

    A note edited in its middle or end would otherwise show the same opening
    words twice, cut off before the change.
    """
    from formers_tui.store.audit import text_splice

    prefix, suffix, _ = text_splice(before, after)
    start = max(0, prefix - context)
    lead = "…" if start else ""
    return lead + before[start : len(before) - suffix], lead + after[start : len(after) - suffix]
