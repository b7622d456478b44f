"""Full garbage collections wait for a pause in typing; the young ones do not."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest

from formers_tui.tui import collector as collector_module
from formers_tui.tui.collector import HELD, QUIET_SECONDS, BurstCollector, freeze_at_next_pause


class FakeTimer:
    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    collector_module._after_pause.clear()  # no request left by another test's screen
    yield saved
    gc.set_threshold(*saved)
    collector_module._after_pause.clear()


def test_a_burst_holds_full_collections_until_a_pause(
    thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    timers: list[FakeTimer] = []
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation) or 0)

    def set_interval(_seconds: float, callback: Callable[[], None]) -> FakeTimer:
        timers.append(FakeTimer(callback))
        return timers[-1]

    collector = BurstCollector(set_interval, clock=lambda: now[0])
    collector.key_pressed()
    assert collector.holding
    assert gc.get_threshold() == (thresholds[0], thresholds[1], HELD)  # the young still go
    for _ in range(10):  # keys keep coming: one timer, nothing collected
        now[0] += QUIET_SECONDS / 2
        collector.key_pressed()
        timers[0].callback()
    assert len(timers) == 1 and collected == []
    now[0] += QUIET_SECONDS
    timers[0].callback()
    assert not collector.holding and timers[0].stopped
    assert gc.get_threshold() == thresholds
    assert collected == [2]
    collector.key_pressed()  # the next burst holds again
    assert collector.holding and len(timers) == 2


def test_quitting_restores_the_thresholds_without_collecting(
    thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation) or 0)
    collector = BurstCollector(lambda _s, callback: FakeTimer(callback))
    collector.release()  # nothing held: nothing happens
    collector.key_pressed()
    collector.release(collect=False)
    assert gc.get_threshold() == thresholds and collected == []


def test_a_pause_freezes_what_survives_when_asked_and_thaws_first_for_a_closed_screen(
    thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    collector = BurstCollector(lambda _s, callback: FakeTimer(callback))

    def pause() -> list[str]:
        calls.clear()
        collector.key_pressed()
        collector.release()
        return list(calls)

    assert pause() == ["collect"]  # nothing asked: only the collection
    freeze_at_next_pause()
    assert pause() == ["collect", "freeze"]
    assert pause() == ["collect"]  # asked once, done once
    freeze_at_next_pause()
    freeze_at_next_pause(thaw=True)  # a screen opened, then closed
    assert pause() == ["unfreeze", "collect", "freeze"]
    freeze_at_next_pause()
    collector.key_pressed()
    collector.release(collect=False)  # quitting: no collection, and the request is dropped
    assert pause() == ["collect"]
