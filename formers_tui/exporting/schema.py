"""The JSON Schemas of the export and bundle formats, shipped in ``data/``.

Imports check every file against its schema before touching the store, so a
malformed file is refused with one sentence naming the first problem and
where it is, rather than failing half way through.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from formers_tui.errors import ValidationError
from formers_tui.paths import shipped_dir

EXPORT_SCHEMA = "export.schema.json"
BUNDLE_SCHEMA = "bundle.schema.json"
MAX_MESSAGE = 160


@lru_cache(maxsize=4)
def load_schema(name: str) -> dict[str, Any]:
    """A schema shipped in ``data/`` (parsed once)."""
    schema: dict[str, Any] = json.loads((shipped_dir("data") / name).read_text("utf-8"))
    return schema


@lru_cache(maxsize=4)
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

    resources = [
        (load_schema(n)["$id"], Resource.from_contents(load_schema(n)))
        for n in (EXPORT_SCHEMA, BUNDLE_SCHEMA)
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft202012Validator(
        load_schema(name), registry=registry, format_checker=FormatChecker()
    )


def problems(data: Any, name: str) -> list[str]:
    """Every schema violation of ``data`` as ``path: message`` (for tests and tools)."""
    return [_describe(error) for error in _validator(name).iter_errors(data)]


def _describe(error: Any) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    message = str(error.message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return f"at {where}: {message}"


def check(data: Any, name: str, what: str) -> None:
    """Refuse ``data`` unless it matches the schema ``name``.

    Args:
        what: how to name the file in the message (e.g. its path).

    Raises:
        ValidationError: naming the most relevant problem and where it is.
    """
    from jsonschema.exceptions import best_match

    error = best_match(_validator(name).iter_errors(data))
    if error is not None:
        kind = "an export" if name == EXPORT_SCHEMA else "a bundle"
        raise ValidationError(f"{what} is not {kind} this version can read ({_describe(error)}).")
