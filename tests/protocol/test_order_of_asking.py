# Guards the parts of the protocol format that say how the interview runs:
# the opening and closing, the order of asking (every indicator and role play
# placed exactly once), the role plays, and each indicator's critical
# rationale. A hand-edited mistake in any of them is one clear problem with
# its place; anything at all in those keys loads or raises ProtocolError.

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formers_tui.protocol.loader import ProtocolError, build_protocol, load_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def indicator(indicator_id: str, *, critical: bool = False) -> str:
    return f"""
[[parts.domains.indicators]]
id = "{indicator_id}"
title = "Indicator {indicator_id}"
statement = "Shown."
critical = {str(critical).lower()}
critical_rationale = "Why it is {"" if critical else "not "}critical."
prompts = ["Tell us about it."]

[parts.domains.indicators.source]
section = "Readiness"
passage = "Quoted passage."

[parts.domains.indicators.anchors]
"0" = "zero"
"1" = "one"
"""


BASE = (
    """\
id = "asking"
title = "Order of asking"
version = "1.1.0"
source = "Test corpus"

[scale]
met_at = 1

[[scale.levels]]
value = 0
label = "No"
meaning = "Not shown."

[[scale.levels]]
value = 1
label = "Yes"
meaning = "Shown."

[[parts]]
id = "readiness"
title = "Readiness"

[[parts.domains]]
id = "first"
title = "First"
"""
    + indicator("A-1", critical=True)
    + indicator("A-2")
    + """
[[parts.domains]]
id = "second"
title = "Second"
"""
    + indicator("B-1")
)

RUNNING = """
[opening]
title = "Opening"
points = ["Purpose.", "Consent.", "Limits of confidentiality and mandated reporting."]
prompts = ["What questions do you have?"]

[closing]
title = "Closing"
points = ["Anything we did not ask."]

[[order_of_asking]]
title = "Rapport"
note = "Strengths first."
indicators = ["B-1"]

[[order_of_asking]]
title = "The rest"
vignettes = ["V-1"]
indicators = ["A-2", "A-1"]

[[vignettes]]
id = "V-1"
title = "A late message"
situation = "A mentee texts late."
setup = "Read aloud."
prompts = ["Walk us through what you would do."]
listen_for = ["A kind limit."]
indicators = ["A-2"]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ProtocolError) as caught:
        load_text(text, origin="test.toml")
    return [str(p) for p in caught.value.problems]


def test_running_order_loads() -> None:
    protocol = load_text(BASE + RUNNING).protocol
    assert protocol.opening is not None and protocol.closing is not None
    assert protocol.opening.points[1] == "Consent."
    assert protocol.opening.prompts == ("What questions do you have?",)
    assert protocol.closing.prompts == ()
    assert [s.title for s in protocol.asking] == ["Rapport", "The rest"]
    assert protocol.asking[0].note == "Strengths first."
    assert protocol.asking[1].vignettes == ("V-1",)
    assert [i.id for i in protocol.asking_order()] == ["B-1", "A-2", "A-1"]
    assert [i.id for i in protocol.indicators()] == ["A-1", "A-2", "B-1"]
    assert protocol.vignette("V-1").indicators == ("A-2",)
    assert protocol.indicator("A-1").critical_rationale == "Why it is critical."


def test_without_an_order_the_domains_are_the_order() -> None:
    protocol = load_text(BASE).protocol
    assert protocol.asking == () and protocol.opening is None and protocol.vignettes == ()
    assert [i.id for i in protocol.asking_order()] == ["A-1", "A-2", "B-1"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'indicators = ["A-2", "A-1"]',
            'indicators = ["A-2"]',
            "order_of_asking: leaves out indicators A-1 (each is asked exactly once)",
        ),
        (
            'indicators = ["A-2", "A-1"]',
            'indicators = ["A-2", "A-1", "B-1"]',
            "order_of_asking[1].indicators[2]: 'B-1' is already asked at "
            "order_of_asking[0].indicators[0]",
        ),
        (
            'indicators = ["A-2", "A-1"]',
            'indicators = ["A-2", "A-1", "A-3"]',
            "order_of_asking[1].indicators[2]: names an unknown indicator 'A-3'",
        ),
        (
            'vignettes = ["V-1"]',
            'vignettes = ["V-2"]',
            "order_of_asking[1].vignettes[0]: names an unknown role play 'V-2'",
        ),
        (
            'vignettes = ["V-1"]',
            "vignettes = []",
            "order_of_asking: leaves out role plays V-1 (each is asked exactly once)",
        ),
        (
            'indicators = ["A-2"]\n',
            'indicators = ["A-9"]\n',
            "vignettes[0].indicators[0]: names an unknown indicator 'A-9'",
        ),
        (
            'id = "V-1"',
            'id = "A-1"',
            "vignettes[0].id: duplicate id 'A-1'",
        ),
        (
            'points = ["Anything we did not ask."]',
            "points = []",
            "closing.points: needs at least 1 item",
        ),
        (
            'title = "Rapport"',
            'titel = "Rapport"',
            "order_of_asking[0].titel: unknown key (did you mean 'title'?)",
        ),
        (
            'situation = "A mentee texts late."',
            "",
            "vignettes[0]: missing required key 'situation'",
        ),
        (
            'note = "Strengths first."\nindicators = ["B-1"]',
            "indicators = []",
            "order_of_asking[0]: needs at least one indicator or role play",
        ),
    ],
)
def test_mistakes_are_named_with_their_place(old: str, new: str, expected: str) -> None:
    text = BASE + RUNNING
    assert old in text
    found = problems(text.replace(old, new, 1))
    assert any(p.startswith(expected) for p in found), found


def test_critical_rationale_must_be_text() -> None:
    text = BASE.replace('critical_rationale = "Why it is critical."', "critical_rationale = 3")
    assert any("indicators[0].critical_rationale: must be a string" in p for p in problems(text))


SECTIONS = ("opening", "closing", "order_of_asking", "vignettes")
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["A-1", "A-2", "B-1", "V-1", ""]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["title", "points", "prompts", "indicators", "vignettes", "note", "id", "situation"]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section=st.sampled_from(SECTIONS), value=values)
def test_any_value_in_the_running_order_loads_or_is_a_protocol_error(
    section: str, value: Any
) -> None:
    data = tomllib.loads(BASE + RUNNING)
    data[section] = value
    try:
        build_protocol(data)
    except ProtocolError as exc:
        assert exc.problems
