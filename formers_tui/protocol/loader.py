"""Read and validate protocol files, reporting every problem at once.

A protocol author edits TOML by hand, so the loader never stops at the first
mistake: it walks the whole document, records each problem with its location
(a line for TOML syntax, a path like ``parts[0].domains[2].indicators[1].anchors``
for structure) and raises one :class:`ProtocolError` listing them all.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from formers_tui.errors import ValidationError
from formers_tui.protocol.model import (
    DEFAULT_MAX_NONCRITICAL_OMITS,
    Domain,
    DomainMinimum,
    Indicator,
    Level,
    Part,
    PartMinimum,
    Proportionality,
    Protocol,
    Scale,
    Script,
    Source,
    Stage,
    Thresholds,
    TimelineFact,
    Vignette,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

T = TypeVar("T")

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
FACT_KINDS = ("date", "choice", "text", "periods")
MAX_RATIO = 100


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a protocol file."""

    where: str
    """``line 12`` for syntax, a key path for structure, ``(top level)`` for the root."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ProtocolError(ValidationError):
    """A protocol file that cannot be used, with every problem found."""

    def __init__(self, origin: str, problems: list[Problem]) -> None:
        self.origin = origin
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{origin}: {count} {noun}\n{lines}")


@dataclass(frozen=True)
class LoadedProtocol:
    """A validated protocol with the exact text it came from."""

    protocol: Protocol
    text: str
    """The TOML text, frozen into each interview that uses the protocol."""
    sha256: str
    """Hash of ``text``; identifies the exact revision an interview used."""
    origin: str
    """File path or other description of where the text came from."""


def text_hash(text: str) -> str:
    """Return the SHA-256 hex digest of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_path(path: Path) -> LoadedProtocol:
    """Load and validate the protocol file at ``path``.

    Raises:
        ProtocolError: if the file cannot be read, is not TOML, or is invalid.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProtocolError(str(path), [Problem("(file)", _os_reason(exc))]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem("(file)", f"not UTF-8 text (bad byte at offset {exc.start})")
        raise ProtocolError(str(path), [problem]) from None
    return load_text(text, origin=str(path))


def load_text(text: str, *, origin: str = "<text>") -> LoadedProtocol:
    """Parse and validate protocol TOML ``text``.

    Args:
        text: the TOML document.
        origin: how to name the source in messages (usually the file path).

    Raises:
        ProtocolError: listing every problem found.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        problem = Problem("(file)", f"not valid Unicode text (bad character at offset {exc.start})")
        raise ProtocolError(origin, [problem]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(origin, [_syntax_problem(exc)]) from None
    except RecursionError:
        problem = Problem("(file)", "TOML syntax: arrays or tables are nested too deeply")
        raise ProtocolError(origin, [problem]) from None
    protocol = build_protocol(data, origin=origin)
    return LoadedProtocol(protocol=protocol, text=text, sha256=text_hash(text), origin=origin)


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or exc.__class__.__name__
    return f"cannot be read ({reason.lower()})"


def _syntax_problem(exc: Exception) -> Problem:
    """Turn tomllib's message into ``line N`` plus the reason."""
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        reason = message[: match.start()].strip()
        return Problem(f"line {match.group(1)}, column {match.group(2)}", f"TOML syntax: {reason}")
    match = re.search(r"\(at end of document\)", message)
    if match:
        return Problem("end of file", f"TOML syntax: {message[: match.start()].strip()}")
    return Problem("(file)", f"TOML syntax: {message}")


class _Reader:
    """Walks nested TOML data, collecting problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path or "(top level)", message))

    def table(self, value: Any, path: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
        """Check ``value`` is a table with only ``allowed`` keys and all ``required`` ones."""
        if not isinstance(value, dict):
            self.problem(path, f"must be a table, not {_kind(value)}")
            return {}
        for key in sorted(set(value) - allowed):
            hint = _closest(key, allowed)
            extra = f" (did you mean '{hint}'?)" if hint else ""
            self.problem(_join(path, key), f"unknown key{extra}")
        for key in sorted(required - set(value)):
            self.problem(path, f"missing required key '{key}'")
        return value

    def get(
        self,
        table: dict[str, Any],
        path: str,
        key: str,
        kind: type[T] | tuple[type, ...],
        default: T,
        check: Callable[[Any], str | None] | None = None,
    ) -> T:
        """Return ``table[key]`` if it has the right type, else record a problem."""
        if key not in table:
            return default
        value = table[key]
        expected = kind if isinstance(kind, tuple) else (kind,)
        is_bool = isinstance(value, bool)
        type_ok = isinstance(value, expected) and (bool in expected or not is_bool)
        if not type_ok:
            names = " or ".join(_type_name(k) for k in expected)
            self.problem(_join(path, key), f"must be {names}, not {_kind(value)}")
            return default
        if isinstance(value, str) and str in expected and not value.strip():
            self.problem(_join(path, key), "must not be empty")
            return default
        if check is not None:
            complaint = check(value)
            if complaint:
                self.problem(_join(path, key), complaint)
                return default
        return cast(T, value)

    def strings(
        self, table: dict[str, Any], path: str, key: str, *, minimum: int = 0
    ) -> tuple[str, ...]:
        """Return a list of non-empty strings at ``table[key]``."""
        value = table.get(key, [])
        where = _join(path, key)
        if not isinstance(value, list):
            self.problem(where, f"must be a list of strings, not {_kind(value)}")
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{where}[{index}]", "must be a non-empty string")
            else:
                out.append(item.strip())
        if len(value) < minimum:
            self.problem(where, f"needs at least {minimum} item{'s' if minimum != 1 else ''}")
        return tuple(out)

    def array(self, table: dict[str, Any], path: str, key: str, *, minimum: int) -> list[Any]:
        """Return the array of tables at ``table[key]``."""
        value = table.get(key, [])
        where = _join(path, key)
        if not isinstance(value, list):
            self.problem(where, f"must be an array of tables, not {_kind(value)}")
            return []
        if len(value) < minimum and key in table:
            self.problem(where, f"needs at least {minimum} entr{'ies' if minimum != 1 else 'y'}")
        return value

    def ident(self, table: dict[str, Any], path: str, seen: dict[str, str]) -> str:
        """Read an ``id`` and check it is well formed and unique in ``seen``."""
        value = self.get(table, path, "id", str, "")
        if not value:
            return ""
        where = _join(path, "id")
        if not ID_PATTERN.fullmatch(value):
            self.problem(where, f"{value!r} is not a valid id (letters, digits, . _ - ; max 64)")
        elif value in seen:
            self.problem(where, f"duplicate id '{value}' (first used at {seen[value]})")
        else:
            seen[value] = where
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return f"a {type(value).__name__}"


def _type_name(kind: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        kind, kind.__name__
    )


def _closest(key: str, options: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(key, sorted(options), n=1, cutoff=0.75)
    return matches[0] if matches else None


def build_protocol(data: dict[str, Any], *, origin: str = "<data>") -> Protocol:
    """Validate parsed TOML ``data`` and build a :class:`Protocol`.

    Raises:
        ProtocolError: listing every problem found.
    """
    r = _Reader()
    top = r.table(
        data,
        "",
        {
            "id",
            "title",
            "version",
            "source",
            "description",
            "scale",
            "timeline",
            "proportionality",
            "thresholds",
            "parts",
            "guidance",
            "opening",
            "closing",
            "order_of_asking",
            "vignettes",
        },
        {"id", "title", "version", "source", "scale", "parts"},
    )
    ids: dict[str, str] = {}
    protocol_id = r.ident(top, "", {})
    title = r.get(top, "", "title", str, "")
    version = r.get(top, "", "version", str, "")
    source = r.get(top, "", "source", str, "")
    description = r.get(top, "", "description", str, "")
    scale = _scale(r, top.get("scale", {}), "scale")
    parts = _parts(r, top, scale, ids)
    facts = _timeline(r, top)
    proportionality = _proportionality(r, top, facts)
    thresholds = _thresholds(r, top, parts, proportionality, scale)
    guidance = _guidance(r, top)
    indicator_ids = [i.id for p in parts for d in p.domains for i in d.indicators if i.id]
    vignettes = _vignettes(r, top, ids, set(indicator_ids))
    asking = _order_of_asking(r, top, indicator_ids, [v.id for v in vignettes if v.id])
    opening, closing = _script(r, top, "opening"), _script(r, top, "closing")
    if r.problems:
        raise ProtocolError(origin, r.problems)
    return Protocol(
        id=protocol_id,
        title=title,
        version=version,
        source=source,
        description=description,
        scale=scale,
        parts=parts,
        timeline=facts,
        proportionality=proportionality,
        thresholds=thresholds,
        guidance=guidance,
        opening=opening,
        closing=closing,
        asking=asking,
        vignettes=vignettes,
    )


def _scale(r: _Reader, value: Any, path: str) -> Scale:
    table = r.table(
        value, path, {"levels", "met_at", "omit_label", "omit_meaning"}, {"levels", "met_at"}
    )
    levels: list[Level] = []
    seen: dict[int, str] = {}
    for index, raw in enumerate(r.array(table, path, "levels", minimum=2)):
        where = f"{path}.levels[{index}]"
        level = r.table(raw, where, {"value", "label", "meaning"}, {"value", "label", "meaning"})
        if not level:
            continue
        number = r.get(level, where, "value", int, None)
        label = r.get(level, where, "label", str, "")
        meaning = r.get(level, where, "meaning", str, "")
        if number is None:
            continue
        if number in seen:
            r.problem(f"{where}.value", f"duplicate level value {number} (first at {seen[number]})")
            continue
        seen[number] = where
        levels.append(Level(number, label, meaning))
    levels.sort(key=lambda lv: lv.value)
    met_at = r.get(table, path, "met_at", int, 0)
    if levels and "met_at" in table and met_at not in seen:
        r.problem(f"{path}.met_at", f"{met_at} is not one of the level values {sorted(seen)}")
    return Scale(
        levels=tuple(levels),
        met_at=met_at,
        omit_label=r.get(table, path, "omit_label", str, Scale.omit_label),
        omit_meaning=r.get(table, path, "omit_meaning", str, Scale.omit_meaning),
    )


def _source(r: _Reader, table: dict[str, Any], path: str, key: str) -> Source:
    where = _join(path, key)
    if key not in table:
        r.problem(path, f"missing required key '{key}' (the passage of the source document)")
        return Source("", "")
    raw = r.table(table[key], where, {"section", "passage"}, {"section", "passage"})
    return Source(
        section=r.get(raw, where, "section", str, ""),
        passage=r.get(raw, where, "passage", str, ""),
    )


def _parts(r: _Reader, top: dict[str, Any], scale: Scale, ids: dict[str, str]) -> tuple[Part, ...]:
    parts: list[Part] = []
    for p_index, raw_part in enumerate(r.array(top, "", "parts", minimum=1)):
        p_path = f"parts[{p_index}]"
        part = r.table(
            raw_part, p_path, {"id", "title", "description", "domains"}, {"id", "title", "domains"}
        )
        if not part:
            continue
        part_id = r.ident(part, p_path, ids)
        domains: list[Domain] = []
        for d_index, raw_domain in enumerate(r.array(part, p_path, "domains", minimum=1)):
            d_path = f"{p_path}.domains[{d_index}]"
            domain = r.table(
                raw_domain,
                d_path,
                {"id", "title", "description", "minimum_mean", "indicators"},
                {"id", "title", "indicators"},
            )
            if not domain:
                continue
            domain_id = r.ident(domain, d_path, ids)
            indicators = tuple(
                _indicator(r, raw, f"{d_path}.indicators[{i_index}]", scale, ids)
                for i_index, raw in enumerate(r.array(domain, d_path, "indicators", minimum=1))
            )
            domains.append(
                Domain(
                    id=domain_id,
                    title=r.get(domain, d_path, "title", str, ""),
                    description=r.get(domain, d_path, "description", str, ""),
                    indicators=indicators,
                    minimum_mean=_mean(r, domain, d_path, "minimum_mean", scale),
                )
            )
        parts.append(
            Part(
                id=part_id,
                title=r.get(part, p_path, "title", str, ""),
                description=r.get(part, p_path, "description", str, ""),
                domains=tuple(domains),
            )
        )
    return tuple(parts)


def _mean(r: _Reader, table: dict[str, Any], path: str, key: str, scale: Scale) -> float | None:
    value = r.get(table, path, key, (int, float), None)
    if value is None:
        return None
    if scale.levels and not scale.levels[0].value <= value <= scale.levels[-1].value:
        r.problem(
            _join(path, key), f"{value} is outside the scale ({scale.values[0]}–{scale.values[-1]})"
        )
        return None
    return float(value)


def _indicator(r: _Reader, raw: Any, path: str, scale: Scale, ids: dict[str, str]) -> Indicator:
    table = r.table(
        raw,
        path,
        {
            "id",
            "title",
            "statement",
            "source",
            "prompts",
            "probes",
            "collateral",
            "anchors",
            "critical",
            "critical_rationale",
        },
        {"id", "title", "statement", "prompts", "anchors"},
    )
    anchors: dict[int, str] = {}
    if "anchors" in table:
        a_path = f"{path}.anchors"
        raw_anchors = table["anchors"]
        if not isinstance(raw_anchors, dict):
            r.problem(a_path, f"must be a table of level value = text, not {_kind(raw_anchors)}")
        else:
            for key, text in raw_anchors.items():
                try:
                    number = int(key)
                except ValueError:
                    number = None
                if number is None or str(number) != key:
                    r.problem(f"{a_path}.{key}", 'anchor keys must be level values such as "2"')
                    continue
                if number not in scale.values:
                    r.problem(
                        f"{a_path}.{key}", f"no level {number} in the scale {list(scale.values)}"
                    )
                elif not isinstance(text, str) or not text.strip():
                    r.problem(f"{a_path}.{key}", "must be a non-empty string")
                else:
                    anchors[number] = text.strip()
            missing = [v for v in scale.values if str(v) not in raw_anchors]
            if missing:
                listed = ", ".join(str(v) for v in missing)
                r.problem(
                    a_path, f"missing anchor for level{'s' if len(missing) > 1 else ''} {listed}"
                )
    return Indicator(
        id=r.ident(table, path, ids),
        title=r.get(table, path, "title", str, ""),
        statement=r.get(table, path, "statement", str, ""),
        source=_source(r, table, path, "source") if table else Source("", ""),
        prompts=r.strings(table, path, "prompts", minimum=1),
        probes=r.strings(table, path, "probes"),
        collateral=r.strings(table, path, "collateral"),
        anchors=anchors,
        critical=r.get(table, path, "critical", bool, False),
        critical_rationale=r.get(table, path, "critical_rationale", str, "").strip(),
    )


def _timeline(r: _Reader, top: dict[str, Any]) -> tuple[TimelineFact, ...]:
    if "timeline" not in top:
        return ()
    t = r.table(top["timeline"], "timeline", {"facts"}, {"facts"})
    facts: list[TimelineFact] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(r.array(t, "timeline", "facts", minimum=1)):
        path = f"timeline.facts[{index}]"
        fact = r.table(
            raw, path, {"id", "label", "kind", "help", "choices"}, {"id", "label", "kind"}
        )
        if not fact:
            continue
        kind = r.get(
            fact,
            path,
            "kind",
            str,
            "text",
            check=lambda v: None if v in FACT_KINDS else f"must be one of {', '.join(FACT_KINDS)}",
        )
        choices = r.strings(fact, path, "choices")
        if kind == "choice" and not choices:
            r.problem(path, "a 'choice' fact needs a non-empty 'choices' list")
        facts.append(
            TimelineFact(
                id=r.ident(fact, path, seen),
                label=r.get(fact, path, "label", str, ""),
                kind=kind,
                help=r.get(fact, path, "help", str, ""),
                choices=choices,
            )
        )
    return tuple(facts)


def _proportionality(
    r: _Reader, top: dict[str, Any], facts: tuple[TimelineFact, ...]
) -> Proportionality | None:
    if "proportionality" not in top:
        return None
    path = "proportionality"
    table = r.table(
        top[path],
        path,
        {"involved_from", "disengaged_on", "ratio", "source", "depth", "earlier_periods"},
        {"involved_from", "disengaged_on"},
    )
    kinds = {f.id: f.kind for f in facts}

    def fact_of(*allowed: str) -> Callable[[str], str | None]:
        def check(value: str) -> str | None:
            if value not in kinds:
                return f"no timeline fact '{value}'"
            if kinds[value] not in allowed:
                return f"timeline fact '{value}' must be {' or '.join(allowed)}"
            return None

        return check

    def date_fact(value: str) -> str | None:
        if value not in kinds:
            return f"no timeline fact '{value}'"
        if kinds[value] != "date":
            return f"timeline fact '{value}' must be a date"
        return None

    def positive_ratio(value: float) -> str | None:
        if not math.isfinite(value) or value > MAX_RATIO:
            return f"must be a number no greater than {MAX_RATIO}"
        return None if value > 0 else "must be greater than 0"

    ratio = r.get(table, path, "ratio", (int, float), 1.0, check=positive_ratio)
    return Proportionality(
        involved_from=r.get(table, path, "involved_from", str, "", check=date_fact),
        disengaged_on=r.get(table, path, "disengaged_on", str, "", check=date_fact),
        ratio=float(ratio),
        source=_source(r, table, path, "source") if "source" in table else None,
        depth=r.get(table, path, "depth", str, "", check=fact_of("choice")),
        earlier_periods=r.get(table, path, "earlier_periods", str, "", check=fact_of("periods")),
    )


def _thresholds(
    r: _Reader,
    top: dict[str, Any],
    parts: tuple[Part, ...],
    prop: Proportionality | None,
    scale: Scale,
) -> Thresholds:
    """Read ``[thresholds]``, filling the non-compensatory defaults from the scale.

    A protocol that says nothing still gets floors: each part's mean must reach
    the scale's *met* level and a consensus at the scale's lowest level rules
    readiness out. Files written before these keys existed keep loading; their
    ``overall_minimum_mean`` becomes the floor of each part.
    """
    path = "thresholds"
    table = r.table(
        top.get(path, {}),
        path,
        {
            "critical_must_be_met",
            "overall_minimum_mean",
            "max_omitted_fraction",
            "proportionality_required",
            "domain_minimums",
            "part_minimum_mean",
            "part_minimums",
            "indicator_floor",
            "max_noncritical_omits",
            "rationale",
        },
        set(),
    )
    domain_ids = {d.id for p in parts for d in p.domains}
    part_ids = {p.id for p in parts}
    minimums: list[DomainMinimum] = []
    for index, raw in enumerate(r.array(table, path, "domain_minimums", minimum=0)):
        m_path = f"{path}.domain_minimums[{index}]"
        entry = r.table(
            raw, m_path, {"domain", "minimum_mean", "rationale"}, {"domain", "minimum_mean"}
        )
        domain = r.get(
            entry,
            m_path,
            "domain",
            str,
            "",
            check=lambda v: None if v in domain_ids else f"names an unknown domain '{v}'",
        )
        minimum = _mean(r, entry, m_path, "minimum_mean", scale)
        rationale = r.get(entry, m_path, "rationale", str, "").strip()
        if domain and minimum is not None:
            minimums.append(DomainMinimum(domain, minimum, rationale))
    part_floors: list[PartMinimum] = []
    seen_parts: set[str] = set()
    for index, raw in enumerate(r.array(table, path, "part_minimums", minimum=0)):
        m_path = f"{path}.part_minimums[{index}]"
        entry = r.table(
            raw, m_path, {"part", "minimum_mean", "rationale"}, {"part", "minimum_mean"}
        )
        part = r.get(
            entry,
            m_path,
            "part",
            str,
            "",
            check=lambda v: None if v in part_ids else f"names an unknown part '{v}'",
        )
        if part in seen_parts:
            r.problem(f"{m_path}.part", f"part '{part}' already has a minimum")
            continue
        minimum = _mean(r, entry, m_path, "minimum_mean", scale)
        rationale = r.get(entry, m_path, "rationale", str, "").strip()
        if part and minimum is not None:
            seen_parts.add(part)
            part_floors.append(PartMinimum(part, minimum, rationale))
    required = r.get(table, path, "proportionality_required", bool, False)
    if required and prop is None:
        r.problem(f"{path}.proportionality_required", "needs a [proportionality] rule")
    overall = _mean(r, table, path, "overall_minimum_mean", scale)
    omitted = r.get(
        table,
        path,
        "max_omitted_fraction",
        (int, float),
        None,
        check=lambda v: None if 0 <= v <= 1 else "must be between 0 and 1",
    )
    met = float(scale.met_at) if scale.met_at in scale.values else None
    part_mean = _mean(r, table, path, "part_minimum_mean", scale)
    if part_mean is None and "part_minimum_mean" not in table:
        part_mean = overall if overall is not None else met
    values = scale.values
    default_floor = values[1] if len(values) > 1 else None
    floor = r.get(
        table,
        path,
        "indicator_floor",
        int,
        default_floor,
        check=lambda v: None if v in values else f"{v} is not one of the levels {list(values)}",
    )
    omits = r.get(
        table,
        path,
        "max_noncritical_omits",
        int,
        DEFAULT_MAX_NONCRITICAL_OMITS,
        check=lambda v: None if v >= 0 else "must be 0 or more",
    )
    return Thresholds(
        critical_must_be_met=r.get(table, path, "critical_must_be_met", bool, True),
        overall_minimum_mean=overall,
        max_omitted_fraction=None if omitted is None else float(omitted),
        proportionality_required=required,
        domain_minimums=tuple(minimums),
        part_minimum_mean=part_mean,
        part_minimums=tuple(part_floors),
        indicator_floor=floor,
        max_noncritical_omits=omits,
        rationale=r.get(table, path, "rationale", str, "").strip(),
    )


def _guidance(r: _Reader, top: dict[str, Any]) -> dict[str, str]:
    if "guidance" not in top:
        return {}
    raw = top["guidance"]
    if not isinstance(raw, dict):
        r.problem("guidance", f"must be a table of name = text, not {_kind(raw)}")
        return {}
    out: dict[str, str] = {}
    for key, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            r.problem(f"guidance.{key}", "must be a non-empty string")
        else:
            out[key] = text.strip()
    return out


def _script(r: _Reader, top: dict[str, Any], key: str) -> Script | None:
    """The ``[opening]`` or ``[closing]`` table, if the protocol has one."""
    if key not in top:
        return None
    table = r.table(top[key], key, {"title", "points", "prompts"}, {"title", "points"})
    return Script(
        title=r.get(table, key, "title", str, ""),
        points=r.strings(table, key, "points", minimum=1) if table else (),
        prompts=r.strings(table, key, "prompts") if table else (),
    )


def _vignettes(
    r: _Reader, top: dict[str, Any], ids: dict[str, str], indicator_ids: set[str]
) -> tuple[Vignette, ...]:
    """The ``[[vignettes]]`` role plays; each informs at least one indicator of this protocol."""
    out: list[Vignette] = []
    for index, raw in enumerate(r.array(top, "", "vignettes", minimum=1)):
        path = f"vignettes[{index}]"
        table = r.table(
            raw,
            path,
            {"id", "title", "situation", "setup", "prompts", "listen_for", "indicators"},
            {"id", "title", "situation", "setup", "prompts", "indicators"},
        )
        if not table:
            continue
        informs = r.strings(table, path, "indicators", minimum=1)
        for i, indicator_id in enumerate(informs):
            if indicator_id not in indicator_ids:
                r.problem(f"{path}.indicators[{i}]", f"names an unknown indicator '{indicator_id}'")
        out.append(
            Vignette(
                id=r.ident(table, path, ids),
                title=r.get(table, path, "title", str, ""),
                situation=r.get(table, path, "situation", str, "").strip(),
                setup=r.get(table, path, "setup", str, "").strip(),
                prompts=r.strings(table, path, "prompts", minimum=1),
                listen_for=r.strings(table, path, "listen_for"),
                indicators=informs,
            )
        )
    return tuple(out)


def _order_of_asking(
    r: _Reader, top: dict[str, Any], indicator_ids: list[str], vignette_ids: list[str]
) -> tuple[Stage, ...]:
    """The ``[[order_of_asking]]`` stages: every indicator and role play placed exactly once."""
    key = "order_of_asking"
    if key not in top:
        return ()
    stages: list[Stage] = []
    placed: dict[str, str] = {}
    known = {"indicator": set(indicator_ids), "role play": set(vignette_ids)}
    for index, raw in enumerate(r.array(top, "", key, minimum=1)):
        path = f"{key}[{index}]"
        table = r.table(
            raw, path, {"title", "note", "indicators", "vignettes"}, {"title", "indicators"}
        )
        if not table:
            continue
        indicators = r.strings(table, path, "indicators")
        vignettes = r.strings(table, path, "vignettes")
        if "indicators" in table and not indicators and not vignettes:
            r.problem(path, "needs at least one indicator or role play")
        for field_key, noun, listed in (
            ("indicators", "indicator", indicators),
            ("vignettes", "role play", vignettes),
        ):
            for i, item in enumerate(listed):
                where = f"{path}.{field_key}[{i}]"
                if item not in known[noun]:
                    r.problem(where, f"names an unknown {noun} '{item}'")
                elif item in placed:
                    r.problem(where, f"'{item}' is already asked at {placed[item]}")
                else:
                    placed[item] = where
        stages.append(
            Stage(
                title=r.get(table, path, "title", str, ""),
                indicators=indicators,
                vignettes=vignettes,
                note=r.get(table, path, "note", str, "").strip(),
            )
        )
    for noun, every in (("indicators", indicator_ids), ("role plays", vignette_ids)):
        missing = [item for item in every if item not in placed]
        if missing and stages:
            r.problem(key, f"leaves out {noun} {', '.join(missing)} (each is asked exactly once)")
    return tuple(stages)
