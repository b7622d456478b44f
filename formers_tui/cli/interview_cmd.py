"""``formers new``, ``list`` and ``show``: interviews from the command line."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from formers_tui.store.interviews import PanelistIn

STATUSES = ("draft", "in_progress", "rating", "consensus", "finalized")


def parse_panelist(text: str, *, chair: bool) -> PanelistIn:
    """Read ``"Name:role"`` (``role`` as in ``formers new --help``).

    Raises:
        ValidationError: no colon, empty name, or unknown role.
    """
    from formers_tui.errors import ValidationError
    from formers_tui.store.interviews import PanelistIn, parse_role

    name, sep, role = text.rpartition(":")
    if not sep or not name.strip():
        raise ValidationError(f'Write a panelist as "Name:role", not {text!r}.')
    return PanelistIn(name=name.strip(), role=parse_role(role), is_chair=chair)


def _parse_date(text: str | None, what: str) -> date | None:
    from formers_tui.errors import ValidationError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{what} '{text}' is not a date (use YYYY-MM-DD).") from None


def register(app: typer.Typer) -> None:
    """Add the interview commands to the root app."""
    app.command("new")(new_interview)
    app.command("list")(list_command)
    app.command("show")(show_command)


@friendly
def new_interview(
    ctx: typer.Context,
    candidate: Annotated[str, typer.Option("--candidate", help="Pseudonymous candidate code.")],
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol", help="Protocol id (its current version), or id@version for another."
        ),
    ] = "peer-mentor-readiness",
    panelist: Annotated[
        list[str],
        typer.Option(
            "--panelist",
            help='Panel member as "Name:role" (repeat). The first is chair unless --chair '
            "is given. "
            "Roles: psychologist, social_worker, case_manager, probation_parole, law_enforcement, "
            "faith_community_leader, peer_mentor, other.",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    chair: Annotated[str | None, typer.Option("--chair", help="Name of the chair.")] = None,
    interview_date: Annotated[
        str | None, typer.Option("--date", help="Interview date, YYYY-MM-DD (default today).")
    ] = None,
    consent: Annotated[
        bool,
        typer.Option("--consent/--no-consent", help="The candidate gave informed consent."),
    ] = False,
    consent_date: Annotated[
        str | None, typer.Option("--consent-date", help="Date consent was given (default: today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create an interview; prints its id."""
    from formers_tui.errors import ValidationError
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store import fields
    from formers_tui.store.interviews import create_interview, validate_panel

    if not panelist:
        raise ValidationError('Give the panel: --panelist "Name:role" for each of at least two.')
    members = [parse_panelist(text, chair=False) for text in panelist]
    if chair is not None:
        names = [m.name for m in members]
        if chair not in names:
            raise ValidationError(f"The chair '{chair}' is not among the panelists.")
        members = [type(m)(name=m.name, role=m.role, is_chair=(m.name == chair)) for m in members]
    loaded = load_catalogue().get(protocol)
    when = _parse_date(interview_date, "Interview date")
    consented_on = _parse_date(consent_date, "Consent date")
    # The store's own checks, made before the store is opened: a refused
    # interview must not leave a new, empty store behind.
    fields.check_code(candidate)
    validate_panel(members)
    day = fields.check_interview_date(when or date.today())
    if consent and consented_on is not None:
        fields.check_consent_date(consented_on, interview_date=day)
    store = settings_of(ctx).open_store()
    try:
        with store.session() as session:
            interview = create_interview(
                session,
                candidate_code=candidate,
                protocol=loaded,
                panel=members,
                actor="cli",
                interview_date=when,
                consent_given=consent,
                consent_date=consented_on,
            )
            session.commit()
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "id": interview.id,
                "candidate": candidate.strip(),
                "protocol": loaded.protocol.id,
                "protocol_version": loaded.protocol.version,
            }
        )
    else:
        output.echo(interview.id)


MIN_PROTOCOL_WIDTH = 12
"""Narrower than this, ``formers list`` leaves the protocol column out."""


@friendly
def list_command(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only this status ({', '.join(STATUSES)}).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List interviews, most recently changed first."""
    from formers_tui.store.interviews import STATUS_LABELS, list_interviews
    from formers_tui.store.models import Status

    wanted: Status | None = None
    if status is not None:
        key = status.strip().lower().replace(" ", "_").replace("-", "_")
        if key not in STATUSES:
            raise fail(f"Unknown status '{status}' (use one of: {', '.join(STATUSES)}).")
        wanted = Status(key)
    store = settings_of(ctx).open_store(daily=False)
    try:
        with store.session() as session:
            rows = list_interviews(session, status=wanted)
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "candidate": r.candidate_code,
                    "status": r.status,
                    "protocol": r.protocol_id,
                    "protocol_version": r.protocol_version,
                    "date": r.interview_date,
                    "updated_at": r.updated_at,
                    "indicators": r.indicators,
                    "with_notes": r.with_notes,
                    "rated": r.rated,
                    "open_flags": r.open_flags,
                }
                for r in rows
            ]
        )
        return
    from rich import box
    from rich.table import Table

    # Ids, codes, statuses and dates are never cut or wrapped: the progress
    # wraps, and the protocol is left out when too little room is left for it.
    console = output.console()
    progress = [f"{r.with_notes}/{r.indicators} notes · {r.rated} rated" for r in rows]
    widths = {
        "id": max([2, *(len(r.short_id) for r in rows)]),
        "candidate": max([9, *(len(r.candidate_code) for r in rows)]),
        "status": max([6, *(len(STATUS_LABELS[r.status]) for r in rows)]),
        "date": 10,
        "progress": 10,
        "flags": 5,
    }
    room = console.width - sum(widths.values()) - 2 * len(widths) - 2
    show_protocol = room >= MIN_PROTOCOL_WIDTH
    table = Table(
        title=f"Interviews ({len(rows)})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for name in ("id", "candidate", "status"):
        table.add_column(name, no_wrap=True, min_width=widths[name])
    if show_protocol:
        table.add_column("protocol", no_wrap=True, overflow="ellipsis", max_width=room)
    table.add_column("date", no_wrap=True, min_width=widths["date"])
    table.add_column("progress", min_width=widths["progress"], ratio=1)
    table.add_column("flags", no_wrap=True, min_width=widths["flags"])
    for r, done in zip(rows, progress, strict=True):
        cells = [r.short_id, r.candidate_code, STATUS_LABELS[r.status]]
        if show_protocol:
            cells.append(r.protocol_id)
        cells += [r.interview_date.isoformat(), done, str(r.open_flags) if r.open_flags else ""]
        table.add_row(*cells)
    console.print(table)


@friendly
def show_command(
    ctx: typer.Context,
    interview_id: Annotated[str, typer.Argument(help="Interview id (or its first characters).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_panelist: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
    pin: Annotated[str | None, typer.Option("--pin", help=PIN_HELP)] = None,
) -> None:
    """Show one interview: candidate, panel, timeline, notes, quotes, evidence, flags.

    Before finalization ratings show only as far as blind rating allows: the
    reader's own (with ``--as``) and others' submitted ones in open domains.
    """
    from formers_tui.cli.show import interview_document, render_interview
    from formers_tui.store.common import get_interview, protocol_of
    from formers_tui.store.rules.visibility import document_visibility, redact_document
    from formers_tui.store.server.people import withheld_by_server

    store = settings_of(ctx).open_store(create=False, daily=False)
    try:
        with store.session() as session:
            reader = reader_of(session, interview_id, as_panelist, pin)
            document: dict[str, Any] = interview_document(session, interview_id)
            protocol = protocol_of(get_interview(session, document["id"]))
            withheld = withheld_by_server(session, document["id"], len(document["ratings"]))
            withheld += redact_document(document, document_visibility(document, protocol, reader))
    finally:
        store.close()
    if as_json:
        print_json(document)
    else:
        render_interview(document, withheld=withheld)
