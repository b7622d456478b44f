"""``formers audit``: verify the hash chain and the records, and read the history."""

from __future__ import annotations

from pathlib import Path
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
    against: Annotated[
        list[Path] | None,
        typer.Option(
            "--against",
            help="A backup, export, bundle, report or text file holding a chain head "
            "recorded earlier: check the log still holds it (and that an export's "
            "documents are as this store wrote them).",
            dir_okay=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check the keyed chain, the guards, and every record against its last audited value.

    Exit 1 when anything was changed, added or removed outside the app, or the
    log no longer holds a head recorded in an --against file.
    """
    from formers_tui.exporting.jsonfile import dumps
    from formers_tui.store import audit
    from formers_tui.store.common import get_interview
    from formers_tui.store.guards import trigger_problems

    settings = settings_of(ctx)
    location = settings.location()
    heads = {
        str(f): _heads_of(f, location if isinstance(location, Path) else f) for f in against or []
    }
    exports = {str(f): _parsed_export(f) for f in against or []}
    store = settings.open_store(create=False, daily=False)
    try:
        with store.session() as session:
            iid = get_interview(session, interview_id).id if interview_id else None
            breaks = audit.verify_chain(session)
            for name, found in heads.items():
                breaks += [
                    audit.ChainBreak(b.seq, f"{b.reason} ({name})")
                    for b in audit.check_heads(session, found)
                ]
            for name, data in exports.items():
                breaks += [
                    audit.ChainBreak(0, f"{problem} ({name})")
                    for problem in audit.check_documents(session, data, dumps)
                ]
            guards = trigger_problems(session.connection())
            mismatches = audit.verify_state(session, iid)
            outside = audit.pending_outside(session)
            head = audit.head(session)
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "chain_breaks": [{"seq": b.seq, "reason": b.reason} for b in breaks],
                "guard_problems": guards,
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
                "unlogged_changes": [
                    {"table": t, "change": o, "key": k, "by": r} for t, o, k, r in outside
                ],
                "heads_checked": sum(len(h) for h in heads.values()),
                "head": {"seq": head.seq, "mac": head.mac},
            }
        )
    else:
        for b in breaks:
            output.echo(f"chain: entry {b.seq} {b.reason}")
        for problem in guards:
            output.echo(f"guard: {problem}")
        for m in mismatches:
            fields = f" ({', '.join(m.changed)})" if m.changed else ""
            where = f"interview {m.interview_id[:8]}, " if m.interview_id else ""
            output.echo(f"record: {where}{m.entity} {m.key[:12]} {m.reason}{fields}")
        for table, change, key, role in outside:
            output.echo(f"unlogged: {table} {key[:12]} {change} by {role} outside the app")
        for name, found in heads.items():
            output.echo(f"checked {len(found)} recorded head(s) in {name}")
        if not breaks and not mismatches and not guards and not outside:
            output.echo("Audit chain intact; every record matches its last audited value.")
        output.echo(head.text())
    if breaks or mismatches or guards or outside:
        unlogged = f", {len(outside)} unlogged change(s)" if outside else ""
        raise fail(
            f"{len(breaks)} chain break(s), {len(guards)} guard problem(s), "
            f"{len(mismatches)} record(s) changed outside the app{unlogged}.",
            1,
        )


def _heads_of(path: Path, store: Path) -> list[Any]:
    """The chain heads recorded in ``path``: a store or backup file's newest entry, or text.

    Raises:
        ValidationError: the file holds no chain head.
    """
    from formers_tui.errors import ValidationError
    from formers_tui.store import audit

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if data.startswith(b"SQLite format 3") or (data and not _is_text(data)):
        found = _store_head(path, store)
        if found is not None:
            return [found]
    heads = audit.heads_in(data.decode("utf-8", errors="replace"))
    if not heads:
        raise ValidationError(f"{path} holds no audit chain head.")
    return heads


def _parsed_export(path: Path) -> Any:
    """The parsed JSON of an export file, or ``None`` for any other file."""
    import json

    try:
        text = path.read_text("utf-8")
        return json.loads(text) if text.lstrip().startswith("{") else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _is_text(data: bytes) -> bool:
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in data[:4096]


def _store_head(path: Path, store: Path) -> Any:
    """The newest entry of a store or backup file (opened with the store's passphrase)."""
    from sqlmodel import Session

    from formers_tui.cli.common import store_passphrase
    from formers_tui.store import audit, crypto
    from formers_tui.store.engine import StoreError, make_engine

    key = None
    if not crypto.is_plaintext(path):
        passphrase = store_passphrase(store)
        if passphrase is None:
            return None
        key = crypto.key_for_existing(path, passphrase)
    try:
        engine = make_engine(path, create=False, key=key)
    except StoreError:
        return None
    try:
        with Session(engine) as session:
            return audit.head(session)
    finally:
        engine.dispose()


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
    rating lets the reader see them (``withheld`` marks the others). A PIN
    hash or sealed key shows only as ``set`` or ``changed``.
    """
    from formers_tui.store import audit
    from formers_tui.store.common import get_interview
    from formers_tui.store.rules.visibility import redact_audit_value, visibility

    store = settings_of(ctx).open_store(create=False, daily=False)
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
                for r in audit.readable(audit.history(session, iid))
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
