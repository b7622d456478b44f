"""Which interviews an export covers, and their documents one at a time.

Only the list of interview ids is held in memory; documents are built a
batch at a time and handed on, so every writer streams.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from formers_tui.errors import ValidationError
from formers_tui.exporting.deidentify import Deidentifier
from formers_tui.exporting.document import ProtocolCache, iter_documents, table_of
from formers_tui.protocol.model import Protocol
from formers_tui.store.common import get_interview
from formers_tui.store.models import Interview, Status
from formers_tui.store.rules.visibility import document_visibility, redact_document
from formers_tui.store.server.people import withheld_by_server

VISIBILITY_PARTS = frozenset({"panel", "submissions", "reveals"})
"""What deciding who may see a document's ratings reads besides the ratings."""

Progress = Callable[[int], None]
"""Called with the number of interviews just written (a progress bar's ``advance``)."""


@dataclass
class ExportOptions:
    """How documents are prepared for an export."""

    deidentify: bool = False
    """Pseudonyms, shifted dates, no identifying details, no free text."""
    keep_text: bool = False
    """With ``deidentify``: keep free text, names and codes in it replaced."""
    identifying: bool = True
    """Include the candidate's identifying details (ignored when de-identifying)."""
    key: bytes | None = None
    """Secret for pseudonymous ids and date offsets; random when ``None``."""


@dataclass
class ExportSource:
    """The interviews of one export, in a fixed order."""

    session: Session
    ids: list[str]
    options: ExportOptions = field(default_factory=ExportOptions)
    protocols: ProtocolCache = field(default_factory=ProtocolCache)
    deidentifier: Deidentifier | None = None
    reader_id: str | None = None
    """The panelist the export is made for (PIN confirmed by the caller), or ``None``:
    nobody identified. Before finalization a document carries only the ratings
    this reader may see (:mod:`formers_tui.store.rules.visibility`)."""
    withheld: int = 0
    """Ratings left out so far because the reader may not see them yet."""

    def __post_init__(self) -> None:
        if self.options.deidentify and self.deidentifier is None:
            self.deidentifier = Deidentifier(keep_text=self.options.keep_text, key=self.options.key)

    @classmethod
    def select(
        cls,
        session: Session,
        *,
        ids: Sequence[str] = (),
        every: bool = False,
        status: Status | None = None,
        options: ExportOptions | None = None,
    ) -> ExportSource:
        """Resolve what the user asked for into a list of interview ids.

        Args:
            ids: ids or unique prefixes, exported in the order given.
            every: all interviews, oldest interview date first.
            status: all interviews at this status (combinable with ``every``).

        Raises:
            NotFoundError: an id that matches no interview (or several).
            ValidationError: nothing selected, or ids given together with
                ``every``/``status``.
        """
        if ids and (every or status is not None):
            raise ValidationError("Give interview ids, or --all / --status, not both.")
        if ids:
            chosen = list(dict.fromkeys(get_interview(session, key).id for key in ids))
        elif every or status is not None:
            table = table_of(Interview)
            query = select(table.c.id).order_by(
                table.c.interview_date, table.c.created_at, table.c.id
            )
            if status is not None:
                query = query.where(table.c.status == status)
            chosen = list(session.execute(query).scalars())
        else:
            raise ValidationError("Say which interviews to export: ids, --all or --status.")
        if not chosen:
            raise ValidationError("No interview matches; nothing to export.")
        return cls(session=session, ids=chosen, options=options or ExportOptions())

    @property
    def count(self) -> int:
        """How many interviews the export holds."""
        return len(self.ids)

    @property
    def identifying(self) -> bool:
        """Whether documents carry the candidate's identifying details."""
        return self.options.identifying and not self.options.deidentify

    def protocol_hashes(self) -> list[str]:
        """Hashes of the protocols the selected interviews use, in order of first use."""
        table = table_of(Interview)
        found: dict[str, None] = {}
        for start in range(0, len(self.ids), 500):
            chunk = self.ids[start : start + 500]
            rows = self.session.execute(
                select(table.c.id, table.c.protocol_hash).where(table.c.id.in_(chunk))
            ).all()
            by_id = {row[0]: row[1] for row in rows}
            for iid in chunk:
                found.setdefault(by_id[iid], None)
        return list(found)

    def protocol_snapshot(self, sha256: str) -> dict[str, Any]:
        """The frozen protocol with hash ``sha256``: id, version, title and full text."""
        text = self.protocols.text(self.session, sha256)
        protocol = self.protocols.get(self.session, sha256)
        return {
            "id": protocol.id,
            "version": protocol.version,
            "sha256": sha256,
            "title": protocol.title,
            "text": text,
        }

    def documents(
        self, *, plain: bool = False, only: Collection[str] | None = None
    ) -> Iterator[tuple[dict[str, Any], Protocol]]:
        """Each interview's document (de-identified if asked) with its parsed protocol.

        Args:
            plain: give the documents as JSON text (dates, timestamps and enums
                as strings), for writers that only serialise them.
            only: the parts of the documents the writer uses (names in
                :data:`~formers_tui.exporting.document.PARTS`); the others may
                be left empty.

        Ratings the reader may not see yet are left out of every document
        (and counted in :attr:`withheld`) before anything else looks at them.

        The de-identifier shifts real dates and numbers pseudonyms in order of
        appearance in the whole document, so when de-identifying it gets
        complete, usual documents and makes the plain form as it walks them.
        """
        deidentifier = self.deidentifier
        if only is not None and "ratings" in only:
            only = frozenset(only) | VISIBILITY_PARTS
        for document in iter_documents(
            self.session,
            self.ids,
            identifying=self.identifying or deidentifier is not None,
            full=True,
            protocols=self.protocols,
            plain=plain and deidentifier is None,
            only=only if deidentifier is None else None,
        ):
            protocol = self.protocols.get(self.session, document["protocol"]["sha256"])
            seen = document_visibility(document, protocol, self.reader_id)
            if only is None or "ratings" in only:
                self.withheld += withheld_by_server(
                    self.session, document["id"], len(document["ratings"])
                )
            self.withheld += redact_document(document, seen)
            if deidentifier is not None:
                document = deidentifier.apply(document, protocol, plain=plain)
            yield document, protocol
