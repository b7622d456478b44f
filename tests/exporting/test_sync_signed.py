"""``formers sync --as NAME``: a panelist's ratings go to the server as their signed bundle."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.store import panel
from formers_tui.store.models import DomainSubmission, Rating
from tests.exporting import test_bundle_rules as rules
from tests.exporting.test_bundle_rules import ADA, PIN_OF, SAM, Laptops

laptops = rules.laptops
"""The chair's store (the server here) and Sam's laptop, sharing one interview."""
cheap_key_derivation = rules.cheap_key_derivation

runner = CliRunner()


def _sync_as(state: Laptops, name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("FORMERS_PIN", PIN_OF[name])
    return runner.invoke(
        app,
        ["--db", str(state.laptop.path), "sync", "--server", str(state.chair.path), "--as", name],
    )


def _sams_ratings(state: Laptops) -> list[tuple[str, int | None]]:
    sam = state.member(state.chair, SAM)
    with state.chair.session() as session:
        rows = session.exec(select(Rating).where(Rating.panelist_id == sam.id)).all()
        return sorted((r.indicator_id, r.value) for r in rows)


def test_a_panelists_signed_ratings_reach_the_server_once(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptops.rate(laptops.laptop, SAM, 3)
    first = _sync_as(laptops, SAM, monkeypatch)
    assert first.exit_code == 0, first.output
    assert f"Sent interview {laptops.iid[:8]} (PM-TEST-01) to the server: merged (" in first.output
    assert _sams_ratings(laptops) and all(v == 3 for _, v in _sams_ratings(laptops))
    with laptops.chair.session() as session:
        submitted = session.exec(select(DomainSubmission)).all()
    assert len(submitted) == 3
    again = _sync_as(laptops, SAM, monkeypatch)
    assert again.exit_code == 0, again.output
    assert again.output.startswith("Nothing to sync")


def test_ratings_signed_with_a_key_the_server_does_not_hold_are_refused(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = laptops.member(laptops.chair, SAM)
    with laptops.chair.session() as session:  # the server's Sam has a new key since
        panel.reset_pin(
            session,
            interview_id=laptops.iid,
            panelist_id=sam.id,
            chair_pin=PIN_OF[ADA],
            pin="7777",
            actor=ADA,
        )
        session.commit()
    laptops.rate(laptops.laptop, SAM, 3)
    result = _sync_as(laptops, SAM, monkeypatch)
    assert result.exit_code == 1
    assert (
        f"Not synced, interview {laptops.iid[:8]} (PM-TEST-01): the bundle's ratings do not "
        in (result.output)
    )
    assert "signature" in result.output
    assert _sams_ratings(laptops) == []


def test_a_wrong_pin_signs_nothing(laptops: Laptops, monkeypatch: pytest.MonkeyPatch) -> None:
    laptops.rate(laptops.laptop, SAM, 3)
    monkeypatch.setenv("FORMERS_PIN", "0000")
    result = runner.invoke(
        app,
        ["--db", str(laptops.laptop.path), "sync", "--server", str(laptops.chair.path),
         "--as", SAM],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Not synced" in result.output and "wrong PIN for Sam Sample" in result.output
    assert _sams_ratings(laptops) == []
