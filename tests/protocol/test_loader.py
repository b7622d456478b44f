# Guards the protocol loader: every mistake in a hand-edited protocol file is
# reported at once, with its place (a line for TOML syntax, a key path for
# structure) and the file's name; and no input, however malformed, makes the
# loader fail with anything other than ProtocolError.

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formers_tui.protocol.loader import (
    Problem,
    ProtocolError,
    build_protocol,
    load_path,
    load_text,
)
from formers_tui.protocol.model import Protocol

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

BROKEN = Path(__file__).resolve().parent / "broken"

VALID = """\
id = "valid"
title = "Test protocol"
version = "1.0.0"
source = "Test corpus"

[scale]
met_at = 2

[[scale.levels]]
value = 0
label = "Not evident"
meaning = "Nothing shown."

[[scale.levels]]
value = 1
label = "Emerging"
meaning = "Partly shown."

[[scale.levels]]
value = 2
label = "Largely evident"
meaning = "Mostly shown."

[[scale.levels]]
value = 3
label = "Clearly evident"
meaning = "Consistently shown."

[[parts]]
id = "readiness"
title = "Readiness"

[[parts.domains]]
id = "disengagement"
title = "Disengagement"

[[parts.domains.indicators]]
id = "DIS-1"
title = "Proportionate time"
statement = "Disengaged for long enough."
critical = true
prompts = ["Tell us about your timeline."]
probes = ["What marked the end?"]
collateral = ["Probation records"]

[parts.domains.indicators.source]
section = "Readiness"
passage = "Quoted passage."

[parts.domains.indicators.anchors]
"0" = "zero"
"1" = "one"
"2" = "two"
"3" = "three"

[[timeline.facts]]
id = "involvement_start"
label = "When involvement began"
kind = "date"

[[timeline.facts]]
id = "disengaged_on"
label = "When the candidate disengaged"
kind = "date"

[[timeline.facts]]
id = "depth"
label = "Depth of involvement"
kind = "choice"
choices = ["peripheral", "member"]

[proportionality]
involved_from = "involvement_start"
disengaged_on = "disengaged_on"
ratio = 1.0

[proportionality.source]
section = "Readiness"
passage = "Quoted passage."

[thresholds]
critical_must_be_met = true
overall_minimum_mean = 2.0
max_omitted_fraction = 0.25
proportionality_required = false

[[thresholds.domain_minimums]]
domain = "disengagement"
minimum_mean = 2.0

[guidance]
safety = "Consult the team."
"""

IND = "parts[0].domains[0].indicators[0]"
SYNTAX_LINE_3 = re.compile(r"line 3, column \d+")

# file stem -> (where, message substring) pairs that must all be reported.
# A compiled pattern as `where` must match the whole location.
EXPECTED: dict[str, list[tuple[str | re.Pattern[str], str]]] = {
    "bad_syntax": [(SYNTAX_LINE_3, "TOML syntax")],
    "unknown_top_key": [("descripton", "unknown key (did you mean 'description'?)")],
    "unknown_indicator_key": [(f"{IND}.foo", "unknown key")],
    "duplicate_ids": [
        (
            "parts[0].domains[0].indicators[1].id",
            f"duplicate id 'DIS-1' (first used at {IND}.id)",
        )
    ],
    "missing_anchor": [(f"{IND}.anchors", "missing anchor for level 2")],
    "extra_anchor": [(f"{IND}.anchors.4", "no level 4 in the scale [0, 1, 2, 3]")],
    "anchor_alias": [(f"{IND}.anchors.02", "anchor keys must be level values")],
    "unknown_domain_minimum": [
        ("thresholds.domain_minimums[0].domain", "unknown domain 'disengagment'")
    ],
    "proportionality_missing_fact": [
        ("proportionality.involved_from", "no timeline fact 'involvement_began'"),
        ("proportionality.disengaged_on", "timeline fact 'notes' must be a date"),
    ],
    "bad_ratio": [("proportionality.ratio", "must be a number no greater than")],
    "wrong_types": [
        ("version", "must be a string, not an integer"),
        ("scale.met_at", "must be an integer, not a string"),
        ("scale.levels[1].value", "must be an integer, not a number"),
        (f"{IND}.critical", "must be true or false, not a string"),
        (f"{IND}.prompts", "must be a list of strings, not a string"),
    ],
    "empty_prompts": [
        (f"{IND}.prompts", "needs at least 1 item"),
        ("parts[0].domains[0].indicators[1].prompts[0]", "must be a non-empty string"),
    ],
    "choice_without_choices": [("timeline.facts[0]", "needs a non-empty 'choices' list")],
    "thresholds_out_of_range": [
        ("thresholds.overall_minimum_mean", "outside the scale"),
        ("thresholds.domain_minimums[0].minimum_mean", "outside the scale"),
        ("thresholds.max_omitted_fraction", "must be between 0 and 1"),
    ],
    "bad_floors": [
        ("thresholds.indicator_floor", "5 is not one of the levels [0, 1, 2, 3]"),
        ("thresholds.max_noncritical_omits", "must be 0 or more"),
        ("thresholds.part_minimum_mean", "outside the scale"),
        ("thresholds.rationale", "must be a string, not an integer"),
        ("thresholds.part_minimums[0].part", "unknown part 'readines'"),
        ("thresholds.part_minimums[1].why", "unknown key"),
    ],
    "bad_ids": [
        ("id", "'not a valid id' is not a valid id"),
        (f"{IND}.id", "'DIS-1\\n' is not a valid id"),
    ],
    "scale_problems": [
        ("scale.levels[3].value", "duplicate level value 2"),
        ("scale.met_at", "5 is not one of the level values"),
    ],
    "not_tables": [
        ("scale", "must be a table, not a string"),
        ("parts[0]", "must be a table, not a string"),
        ("guidance", "must be a table of name = text, not a string"),
    ],
    "missing_required": [
        ("(top level)", "missing required key 'id'"),
        ("(top level)", "missing required key 'version'"),
        ("(top level)", "missing required key 'source'"),
        ("(top level)", "missing required key 'scale'"),
        ("(top level)", "missing required key 'parts'"),
    ],
    "many_problems": [
        ("scale.met_at", "9 is not one of the level values"),
        (f"{IND}.promts", "unknown key (did you mean 'prompts'?)"),
        (f"{IND}.anchors", "missing anchor for level 1"),
        ("parts[0].domains[0].indicators[1].id", "duplicate id 'DIS-1'"),
        ("thresholds.domain_minimums[0].domain", "unknown domain 'nowhere'"),
        ("thresholds.max_omitted_fraction", "must be between 0 and 1"),
        ("guidance.safety", "must be a non-empty string"),
    ],
}


def _matches(problem: Problem, where: str | re.Pattern[str], message: str) -> bool:
    if isinstance(where, re.Pattern):
        place_ok = where.fullmatch(problem.where) is not None
    else:
        place_ok = problem.where == where
    return place_ok and message in problem.message


def _load_error(path: Path) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        load_path(path)
    return info.value


def test_valid_base_loads() -> None:
    protocol = load_text(VALID).protocol
    assert [i.id for i in protocol.indicators()] == ["DIS-1"]
    assert protocol.scale.values == (0, 1, 2, 3)


def test_floors_default_to_non_compensatory_values() -> None:
    """A file written before floors existed still gets them, from its scale."""
    rules = load_text(VALID).protocol.thresholds
    assert rules.part_minimum_mean == 2.0
    assert rules.part_minimum("readiness") == 2.0
    assert rules.indicator_floor == 1
    assert rules.max_noncritical_omits == 2
    bare = VALID[: VALID.index("[thresholds]")] + VALID[VALID.index("[guidance]") :]
    rules = load_text(bare).protocol.thresholds
    assert (rules.part_minimum_mean, rules.indicator_floor) == (2.0, 1)
    assert rules.critical_must_be_met


def test_floors_are_read_with_their_rationale() -> None:
    text = VALID.replace(
        "proportionality_required = false",
        """proportionality_required = false
part_minimum_mean = 1.5
indicator_floor = 0
max_noncritical_omits = 0
rationale = "Why these floors."

[[thresholds.part_minimums]]
part = "readiness"
minimum_mean = 2.5
rationale = "Readiness is the gate."
""",
    )
    text = text.replace(
        '"disengagement"\nminimum_mean = 2.0\n',
        '"disengagement"\nminimum_mean = 2.0\nrationale = "Firm wording."\n',
    )
    rules = load_text(text).protocol.thresholds
    assert rules.part_minimum("readiness") == 2.5
    assert rules.part_minimum("elsewhere") == 1.5
    assert rules.part_minimums[0].rationale == "Readiness is the gate."
    assert rules.indicator_floor == 0
    assert rules.max_noncritical_omits == 0
    assert rules.rationale == "Why these floors."
    assert rules.domain_minimums[0].rationale == "Firm wording."


def test_every_broken_file_has_expectations() -> None:
    on_disk = {path.stem for path in BROKEN.glob("*.toml")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 10


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_broken_file_reports_expected_problems(stem: str) -> None:
    path = BROKEN / f"{stem}.toml"
    error = _load_error(path)
    for where, message in EXPECTED[stem]:
        assert any(_matches(p, where, message) for p in error.problems), (
            f"{stem}: no problem at {where!r} containing {message!r}; got:\n{error}"
        )
    assert error.origin == str(path)
    assert str(error).startswith(str(path))
    assert f"{len(error.problems)} problem" in str(error)
    for problem in error.problems:
        assert str(problem) in str(error)


def test_several_problems_reported_at_once() -> None:
    error = _load_error(BROKEN / "many_problems.toml")
    assert len(error.problems) >= len(EXPECTED["many_problems"])
    assert f"{len(error.problems)} problems" in str(error)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "caf\xe9"\n'.encode("latin-1"))
    error = _load_error(path)
    assert error.problems == [Problem("(file)", "not UTF-8 text (bad byte at offset 12)")]
    assert str(path) in str(error)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    error = _load_error(path)
    assert len(error.problems) == 1
    assert error.problems[0].where == "(file)"
    assert "cannot be read" in error.problems[0].message
    assert str(path) in str(error)


def test_deeply_nested_text_is_a_protocol_error() -> None:
    depth = 5000
    with pytest.raises(ProtocolError) as info:
        load_text("a = " + "[" * depth + "]" * depth, origin="deep.toml")
    assert info.value.problems[0].where == "(file)"
    assert "nested too deeply" in info.value.problems[0].message


def test_unencodable_text_is_a_protocol_error() -> None:
    text = VALID.replace('title = "Test protocol"', 'title = "Test \ud800 protocol"')
    with pytest.raises(ProtocolError) as info:
        load_text(text, origin="surrogate.toml")
    assert info.value.problems[0].where == "(file)"
    assert "not valid Unicode" in info.value.problems[0].message


@pytest.mark.parametrize("key", ["02", " 2", "+2", "2_0", "\u0662"])
def test_anchor_keys_must_be_canonical(key: str) -> None:
    text = VALID.replace('"3" = "three"\n', f'"3" = "three"\n"{key}" = "alias"\n')
    with pytest.raises(ProtocolError) as info:
        load_text(text)
    assert any("anchor keys must be level values" in p.message for p in info.value.problems)


@pytest.mark.parametrize("ratio", ["inf", "nan", "0", "-1", "1e308"])
def test_unusable_ratio_is_rejected(ratio: str) -> None:
    with pytest.raises(ProtocolError) as info:
        load_text(VALID.replace("ratio = 1.0", f"ratio = {ratio}"))
    assert [p.where for p in info.value.problems] == ["proportionality.ratio"]


# ---------------------------------------------------------------------------
# Property tests: malformed input of any shape yields ProtocolError, never a crash
# ---------------------------------------------------------------------------

KEY_NAMES = sorted(
    {
        # top level
        "id",
        "title",
        "version",
        "source",
        "description",
        "scale",
        "parts",
        "timeline",
        "proportionality",
        "thresholds",
        "guidance",
        # scale
        "levels",
        "met_at",
        "omit_label",
        "omit_meaning",
        "value",
        "label",
        "meaning",
        # parts, domains, indicators
        "domains",
        "indicators",
        "minimum_mean",
        "statement",
        "critical",
        "prompts",
        "probes",
        "collateral",
        "anchors",
        "section",
        "passage",
        "0",
        "1",
        "2",
        "3",
        # timeline, proportionality, thresholds, guidance
        "facts",
        "kind",
        "help",
        "choices",
        "involved_from",
        "disengaged_on",
        "ratio",
        "critical_must_be_met",
        "overall_minimum_mean",
        "max_omitted_fraction",
        "proportionality_required",
        "domain_minimums",
        "domain",
        "safety",
    }
)

keys = st.one_of(st.sampled_from(KEY_NAMES), st.text(max_size=8))
scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["date", "choice", "text", "disengagement", "DIS-1", "involvement_start"]),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=25,
)

VALID_DATA: dict[str, Any] = tomllib.loads(VALID)


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) position inside ``node``."""
    found: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        for key, child in node.items():
            found.append((node, key))
            found.extend(_slots(child))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.append((node, index))
            found.extend(_slots(child))
    return found


@st.composite
def mutated_protocols(draw: st.DrawFn) -> Any:
    """The valid protocol with a few values replaced, removed or added."""
    data: Any = copy.deepcopy(VALID_DATA)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        container, key = draw(st.sampled_from(_slots(data)))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(trees)
        elif action == "delete":
            del container[key]
        elif isinstance(container[key], dict):
            container[key][draw(keys)] = draw(trees)
        elif isinstance(container[key], list):
            container[key].append(draw(trees))
        else:
            container[key] = draw(trees)
    return data


FRAGMENTS = [
    "\n",
    "=",
    '"',
    "'",
    '"""',
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "nan",
    "-inf",
    "1979-05-27",
    "07:32:00",
    "\\u00e9",
    "\\",
    "\ud800",
    "[[parts]]\n",
    "[[parts.domains.indicators]]\n",
    "[parts.domains.indicators.anchors]\n",
    '"4" = "four"\n',
    'id = "DIS-1"\n',
    "prompts = []\n",
]


@st.composite
def mangled_text(draw: st.DrawFn) -> str:
    """The valid protocol text with a few slices replaced by junk."""
    text = VALID
    insert = st.one_of(st.text(max_size=20), st.sampled_from(FRAGMENTS))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start = draw(st.integers(min_value=0, max_value=len(text)))
        end = draw(st.integers(min_value=start, max_value=min(len(text), start + 40)))
        text = text[:start] + draw(insert) + text[end:]
    return text


def _check_error(error: ProtocolError, origin: str) -> None:
    assert error.problems
    for problem in error.problems:
        assert isinstance(problem.where, str) and problem.where
        assert isinstance(problem.message, str) and problem.message
    assert str(error).startswith(origin)


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.one_of(st.text(), mangled_text()))
def test_any_text_loads_or_raises_protocol_error(text: str) -> None:
    try:
        loaded = load_text(text, origin="fuzz.toml")
    except ProtocolError as error:
        _check_error(error, "fuzz.toml")
    else:
        assert loaded.text == text
        assert isinstance(loaded.protocol, Protocol)


@PROPERTY
@given(st.one_of(st.dictionaries(keys, trees, max_size=8), mutated_protocols()))
def test_any_data_builds_or_raises_protocol_error(data: Any) -> None:
    try:
        protocol = build_protocol(data, origin="fuzz-data")
    except ProtocolError as error:
        _check_error(error, "fuzz-data")
    else:
        assert isinstance(protocol, Protocol)
        # Whatever was accepted is internally consistent.
        assert all(set(i.anchors) == set(protocol.scale.values) for i in protocol.indicators())
        assert protocol.scale.met_at in protocol.scale.values
