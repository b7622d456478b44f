"""The panel matrix: what each viewer may see, and which indicators need discussion."""

from __future__ import annotations

import pytest

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.scoring.matrix import (
    CellState,
    ConsensusEntry,
    RatingIn,
    build_matrix,
    disagreement,
    submitted_values,
)

PANEL = ["ada", "sam", "pat"]


@pytest.mark.parametrize(
    ("marks", "text"),
    [
        ([0, 2], "ratings range from Not evident (0) to Largely evident (2)"),
        ([3, 1, 2], "ratings range from Emerging (1) to Clearly evident (3)"),
        ([1, 2, 2], None),
        ([2, 2], None),
        ([None, 2], "1 omitted while 1 rated"),
        (
            [None, None, 3, 1],
            "ratings range from Emerging (1) to Clearly evident (3); 2 omitted while 2 rated",
        ),
        ([None, None], None),
        ([], None),
    ],
)
def test_disagreement_is_a_two_level_spread_or_a_split_omit(
    mini_protocol: LoadedProtocol, marks: list[int | None], text: str | None
) -> None:
    found = disagreement(mini_protocol.protocol.scale, "ONE-1", marks)
    assert (found.text if found else None) == text


def test_spread_counts_levels_not_raw_values(mini_protocol: LoadedProtocol) -> None:
    found = disagreement(mini_protocol.protocol.scale, "ONE-1", [0, 3, None])
    assert found is not None
    assert (found.spread, found.rated, found.omitted) == (3, 2, 1)


RATINGS = [
    RatingIn("ONE-1", "ada", 3, "clear", submitted=True),
    RatingIn("ONE-1", "sam", 1, "thin", submitted=True),
    RatingIn("ONE-1", "pat", 2, "draft thought", submitted=False),
    RatingIn("TWO-1", "ada", None, "no info", submitted=True),
    RatingIn("TWO-1", "sam", 2, "", submitted=True),
]


def test_whole_panel_view_shows_submitted_ratings_only(mini_protocol: LoadedProtocol) -> None:
    rows = build_matrix(
        mini_protocol.protocol,
        PANEL,
        RATINGS,
        {"ONE-1": ConsensusEntry("ONE-1", 2, "agreed")},
    )
    assert [r.indicator_id for r in rows] == ["ONE-1", "ONE-2", "TWO-1", "THREE-1"]
    one = rows[0]
    assert [c.state for c in one.cells] == [CellState.rated, CellState.rated, CellState.empty]
    assert [c.value for c in one.cells] == [3, 1, None]
    assert one.critical and one.domain_id == "one" and one.part_id == "first"
    assert one.consensus is not None and one.consensus.value == 2
    assert one.disagreement is not None and one.disagreement.spread == 2
    assert submitted_values(one) == [3, 1]
    two = rows[2]
    assert [c.state for c in two.cells] == [CellState.omitted, CellState.rated, CellState.empty]
    assert two.disagreement is not None and "1 omitted while 1 rated" in two.disagreement.text
    assert submitted_values(two) == [2]


def test_a_viewer_sees_own_drafts_and_nothing_of_others_in_unsubmitted_domains(
    mini_protocol: LoadedProtocol,
) -> None:
    rows = build_matrix(
        mini_protocol.protocol, PANEL, RATINGS, {}, viewer_id="pat", visible_domains={"two"}
    )
    one, two = rows[0], rows[2]
    assert [c.state for c in one.cells] == [CellState.hidden, CellState.hidden, CellState.rated]
    assert one.cells[2].value == 2 and not one.cells[2].submitted
    assert all(c.value is None and c.rationale == "" for c in one.cells[:2])
    assert one.disagreement is None  # would hint at the hidden ratings
    assert [c.state for c in two.cells] == [CellState.omitted, CellState.rated, CellState.empty]
