"""The visibility rule on plain facts: properties that hold for any panel and any submissions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formers_tui.errors import ValidationError
from formers_tui.protocol.loader import load_path
from formers_tui.store.models import Status
from formers_tui.store.rules.visibility import decide, redact_audit_value
from tests.conftest import FIXTURES

PROTOCOL = load_path(FIXTURES / "mini-protocol.toml").protocol
DOMAINS = [d.id for d in PROTOCOL.domains()]
INDICATORS = [i.id for i in PROTOCOL.indicators()]
PANEL = ["a", "b", "c"]

facts = st.fixed_dictionaries(
    {
        "status": st.sampled_from([s for s in Status if s is not Status.finalized]),
        "submissions": st.sets(st.tuples(st.sampled_from(PANEL), st.sampled_from(DOMAINS))),
        "revealed": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(facts=facts, author=st.sampled_from(PANEL), indicator=st.sampled_from(INDICATORS))
def test_before_finalization(facts: dict[str, object], author: str, indicator: str) -> None:
    kwargs = {"panel": PANEL, **facts}
    nobody = decide(PROTOCOL, reader_id=None, **kwargs)  # type: ignore[arg-type]
    readers = {r: decide(PROTOCOL, reader_id=r, **kwargs) for r in PANEL}  # type: ignore[arg-type]
    for reader, seen in readers.items():
        # Another panelist's draft stays private; one's own ratings are always visible.
        assert seen.may_see(author, indicator, submitted=False) == (reader == author)
        assert seen.may_see(reader, indicator, submitted=True)
        # Nobody identified sees no more than any panelist sees.
        if nobody.may_see(author, indicator, submitted=True):
            assert seen.may_see(author, indicator, submitted=True)
    assert not nobody.may_see(author, indicator, submitted=False)
    if facts["revealed"]:
        assert nobody.may_see(author, indicator, submitted=True)
    assert not nobody.may_see(author, "NO-SUCH-INDICATOR", submitted=True)


def test_after_finalization_everything_is_visible() -> None:
    seen = decide(
        PROTOCOL, status=Status.finalized, reader_id=None, panel=PANEL, submissions=[],
        revealed=False,
    )  # fmt: skip
    assert all(seen.may_see(p, i, submitted=False) for p in PANEL for i in INDICATORS)
    value = {"panelist_id": "a", "indicator_id": "ONE-1", "value": 3, "submitted_at": None}
    assert redact_audit_value("rating", value, seen) == value


def test_a_reader_off_the_panel_is_refused() -> None:
    with pytest.raises(ValidationError, match="not on this interview's panel"):
        decide(
            PROTOCOL, status=Status.rating, reader_id="z", panel=PANEL, submissions=[],
            revealed=False,
        )  # fmt: skip


def test_a_hidden_audit_value_keeps_who_and_when_but_not_what() -> None:
    seen = decide(
        PROTOCOL, status=Status.rating, reader_id="b", panel=PANEL, submissions=[],
        revealed=False,
    )  # fmt: skip
    value = {
        "id": "r1", "panelist_id": "a", "indicator_id": "ONE-1", "value": 3, "omitted": False,
        "rationale": "secret", "submitted_at": "2026-11-02T10:00:00+00:00",
    }  # fmt: skip
    hidden = redact_audit_value("rating", value, seen)
    assert hidden == {
        "id": "r1", "panelist_id": "a", "indicator_id": "ONE-1",
        "submitted_at": "2026-11-02T10:00:00+00:00", "withheld": True,
    }  # fmt: skip
    assert redact_audit_value("note", {"text": "x"}, seen) == {"text": "x"}
