"""The CSV tables as a Frictionless Tabular Data Package.

``datapackage.json`` describes each table with field types, descriptions,
allowed values, primary keys and foreign keys to ``interviews``, so a reader
(``frictionless validate``, R's ``frictionless`` package, pandas via
``frictionless``) can load the tables typed and check them without guessing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from formers_tui.exporting.csvfiles import TABLES, Column, Table, write_tables
from formers_tui.exporting.document import utc
from formers_tui.exporting.files import atomic_folder, create_private_text
from formers_tui.exporting.jsonfile import generator
from formers_tui.exporting.source import ExportSource, Progress
from formers_tui.store.models import utcnow

DESCRIPTOR = "datapackage.json"


def field_descriptor(column: Column) -> dict[str, Any]:
    """A Table Schema field for one column."""
    field: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "description": column.description,
    }
    if column.type == "boolean":
        field["trueValues"] = ["true"]
        field["falseValues"] = ["false"]
    constraints: dict[str, Any] = {}
    if column.choices:
        constraints["enum"] = list(column.choices)
    if column.required:
        constraints["required"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def resource_descriptor(table: Table) -> dict[str, Any]:
    """A tabular data resource for one CSV table."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(column) for column in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.name != "interviews":
        schema["foreignKeys"] = [
            {
                "fields": ["interview_id"],
                "reference": {"resource": "interviews", "fields": ["interview_id"]},
            }
        ]
    return {
        "name": table.name,
        "path": table.filename,
        "profile": "tabular-data-resource",
        "title": table.name.capitalize(),
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": schema,
    }


def package_descriptor(source: ExportSource, count: int) -> dict[str, Any]:
    """The ``datapackage.json`` of an export of ``count`` interviews (with the log's head)."""
    from formers_tui.store.audit import head

    deidentified = source.options.deidentify
    kind = "de-identified " if deidentified else ""
    return {
        "profile": "tabular-data-package",
        "name": "formers-tui-export",
        "title": f"Peer mentor readiness interviews ({kind}export)",
        "description": (
            f"{count} readiness and appropriateness interview(s) of prospective peer "
            "mentors, exported by formers-tui. CONFIDENTIAL. "
            + (
                "Candidate codes and names are per-export pseudonyms and each candidate's "
                "dates are shifted by a random number of days (intervals kept)."
                if deidentified
                else "Contains names of panelists and informants."
            )
        ),
        "created": utc(utcnow()).isoformat().replace("+00:00", "Z"),
        "keywords": ["formers-tui", "peer mentors", "interview ratings"],
        "sources": [{"title": generator()}],
        "audit_head": head(source.session).text(),
        "resources": [resource_descriptor(table) for table in TABLES],
    }


def export_datapackage(
    source: ExportSource, out: Path, *, force: bool = False, progress: Progress | None = None
) -> int:
    """Write the tables and their descriptor as a folder at ``out``; return the count.

    Raises:
        ExportTargetError: ``out`` exists and ``force`` is false, or cannot be used.
    """
    with atomic_folder(out, force=force) as folder:
        count = write_tables(source, folder, progress)
        with create_private_text(folder / DESCRIPTOR) as handle:
            json.dump(package_descriptor(source, count), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    return count
