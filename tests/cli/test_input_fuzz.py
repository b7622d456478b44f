"""Anything a person can type into a field or argument gets a sentence, never a traceback."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from formers_tui.cli.interview_cmd import parse_panelist
from formers_tui.errors import FormersError
from formers_tui.protocol.model import TimelineFact
from formers_tui.store.capture import timeline_value
from formers_tui.store.interviews import parse_role

TEXT = st.text(max_size=80)
DATE = TimelineFact(id="start", label="Start", kind="date")
CHOICE = TimelineFact(id="depth", label="Depth", kind="choice", choices=("member", "leader"))


@settings(max_examples=300)
@given(text=TEXT)
def test_roles_and_panelists(text: str) -> None:
    for parse in (parse_role, lambda t: parse_panelist(t, chair=False)):
        try:
            parse(text)
        except FormersError as error:
            assert str(error) and "\n" not in str(error)


@settings(max_examples=300)
@given(text=TEXT, fact=st.sampled_from([DATE, CHOICE]))
def test_timeline_values(text: str, fact: TimelineFact) -> None:
    try:
        timeline_value(fact, text)
    except FormersError as error:
        assert str(error)
