"""The interview screen on a server store: the connected login rates, without passing a PIN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from formers_tui.store.store import Store
from tests.pg import Cluster
from tests.server.people import Served, panelist_ids, serve
from tests.tui.harness import InterviewHarness, opened


@pytest.fixture(scope="module")
def served(pg_cluster: Cluster) -> Iterator[Served]:
    found = serve(pg_cluster)
    yield found
    pg_cluster.drop_database(found.database)


async def test_the_connected_panelist_rates_from_the_start(served: Served) -> None:
    iid = served.ids["draft"]
    store = Store.open(served.url("bo"))
    try:
        async with InterviewHarness(store, iid).run_test(size=(80, 24)) as pilot:
            screen = await opened(pilot)
            assert screen.rater_id == panelist_ids(served, iid)["Bo Ray"]
    finally:
        store.close()


async def test_staff_not_on_the_panel_rate_as_nobody(served: Served) -> None:
    iid = served.without_bo
    store = Store.open(served.url("sue"))
    try:
        async with InterviewHarness(store, iid).run_test(size=(80, 24)) as pilot:
            screen = await opened(pilot)
            assert screen.rater_id == ""
    finally:
        store.close()


async def test_a_supervisor_reads_an_open_interview_without_holding_it(served: Served) -> None:
    from textual.widgets import Static

    from formers_tui.store.lease import acquire_for

    iid = served.ids["draft"]
    store = Store.open(served.url("sue"))
    ann = Store.open(served.url("ann"))
    try:
        async with InterviewHarness(store, iid).run_test(size=(80, 24)) as pilot:
            screen = await opened(pilot)
            line = screen.query_one("#read-only-line", Static)
            assert line.has_class("-shown")
            assert "your login may read this interview, not change it" in str(line.render())
            # Reading holds no editing lease: the chair can still take it.
            acquire_for(ann, iid).release()
    finally:
        ann.close()
        store.close()
