"""The JSON export: one file, any number of interviews, written as it streams.

The file is a single JSON object described by ``data/export.schema.json``.
Its header and the protocols come first; the ``interviews`` array follows
with one interview per line, written as each document is built, so memory
stays flat however many interviews are exported and a line-oriented tool can
still pick interviews out. ``formers import`` reads the file back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from formers_tui.exporting.document import json_default, utc
from formers_tui.exporting.files import atomic_text
from formers_tui.exporting.source import ExportSource, Progress
from formers_tui.store.audit import document_mac, log_key
from formers_tui.store.models import utcnow

EXPORT_FORMAT = "formers-tui/export"
EXPORT_VERSION = 1


def generator() -> str:
    """Program and version, recorded in every export."""
    from formers_tui import __version__

    return f"formers-tui {__version__}"


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=json_default
)
"""Made once: ``json.dumps`` with options builds an encoder per call, per interview."""


def dumps(value: Any) -> str:
    """Compact JSON of a document (UTF-8 text kept as is, no NaN, ISO dates)."""
    return _ENCODER.encode(value)


def header(source: ExportSource) -> dict[str, Any]:
    """The fields that describe the export as a whole.

    ``audit_head`` anchors the source store's audit log: ``formers audit verify
    --against`` this file, on that store, finds entries removed or rewritten since.
    """
    from formers_tui.store.audit import head

    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "exported_at": utc(utcnow()).isoformat(),
        "generator": generator(),
        "deidentified": source.options.deidentify,
        "text_kept": not source.options.deidentify or source.options.keep_text,
        "identifying": source.identifying,
        "audit_head": head(source.session).text(),
    }


def write_stream(source: ExportSource, handle: IO[str], progress: Progress | None = None) -> int:
    """Write the export to an open text handle; return the number of interviews."""
    handle.write("{\n")
    for key, value in header(source).items():
        handle.write(f"  {json.dumps(key)}: {dumps(value)},\n")
    handle.write('  "protocols": [')
    for index, sha256 in enumerate(source.protocol_hashes()):
        handle.write(("," if index else "") + "\n    " + dumps(source.protocol_snapshot(sha256)))
    handle.write("\n  ],\n")
    handle.write('  "interviews": [')
    count = 0
    log = log_key(source.session)
    macs: dict[str, str] = {}
    for document, _protocol in source.documents(plain=True):
        line = dumps(document)
        handle.write(("," if count else "") + "\n    " + line)
        macs[str(document["id"])] = document_mac(log, line)
        count += 1
        if progress is not None:
            progress(1)
    # Each document's MAC under this store's audit key: the store can tell
    # later whether a file claiming to be its export was edited.
    handle.write("\n  ],\n" + f'  "document_macs": {dumps(macs)}\n}}\n')
    return count


def export_json(
    source: ExportSource, out: Path, *, force: bool = False, progress: Progress | None = None
) -> int:
    """Write the selected interviews to ``out`` (0600, atomically); return how many.

    Raises:
        ExportTargetError: ``out`` exists and ``force`` is false, or cannot be used.
    """
    with atomic_text(out, force=force) as handle:
        return write_stream(source, handle, progress)
