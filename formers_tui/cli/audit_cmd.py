"""``formers audit``: verify the hash chain and the records, and read the history."""

from __future__ import annotations

from typing import Annotated

import typer

from formers_tui.cli.common import fail, friendly, print_json, settings_of

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
            typer.echo(f"chain: entry {b.seq} {b.reason}")
        for m in mismatches:
            fields = f" ({', '.join(m.changed)})" if m.changed else ""
            where = f"interview {m.interview_id[:8]}, " if m.interview_id else ""
            typer.echo(f"record: {where}{m.entity} {m.key[:12]} {m.reason}{fields}")
        if not breaks and not mismatches:
            typer.echo("Audit chain intact; every record matches its last audited value.")
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
) -> None:
    """List an interview's history: who changed what, when, from what to what."""
    import json

    from formers_tui.store import audit
    from formers_tui.store.common import get_interview

    store = settings_of(ctx).open_store(create=False)
    try:
        with store.session() as session:
            entries = audit.history(session, get_interview(session, interview_id).id)
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "entity": e.entity,
                    "key": e.entity_key,
                    "old": json.loads(e.old) if e.old else None,
                    "new": json.loads(e.new) if e.new else None,
                }
                for e in entries
            ]
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"History ({len(entries)} changes)", title_justify="left")
    for column in ("#", "when (UTC)", "who", "what", "change"):
        table.add_column(column, overflow="fold")
    for e in entries:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            f"{e.action} {e.entity}",
            _describe(e.old, e.new),
        )
    Console().print(table)


def _describe(old: str | None, new: str | None, width: int = 60) -> str:
    """The fields a change touched, each as ``field: before → after`` (shortened)."""
    import json

    before = json.loads(old) if old else {}
    after = json.loads(new) if new else {}
    skip = {"id", "interview_id", "updated_at", "created_at"}
    parts = []
    for name in sorted(set(before) | set(after)):
        if name in skip or before.get(name) == after.get(name):
            continue

        def short(value: object) -> str:
            text = "—" if value is None else str(value)
            return text if len(text) <= width else text[: width - 1] + "…"

        if name in before:
            parts.append(f"{name}: {short(before[name])} → {short(after.get(name))}")
        else:
            parts.append(f"{name}: {short(after[name])}")
    return "\n".join(parts)
