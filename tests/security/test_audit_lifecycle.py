"""A whole interview life cycle leaves every record matching its audit trail."""

from __future__ import annotations

import pytest

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import audit
from formers_tui.store.store import Store
from tests.tui import panel_stores as stages


@pytest.fixture
def store(any_store: Store) -> Store:
    """The life cycle on a SQLite file and on a PostgreSQL database."""
    return any_store


def test_rating_submitting_deciding_and_signing_all_verify(
    store: Store, shipped_protocol: LoadedProtocol
) -> None:
    iid = stages.all_submitted(store, shipped_protocol)
    stages.agree(store, iid)
    stages.decide(store, iid)
    stages.sign(store, iid, [stages.ADA, stages.SAM, stages.PAT])
    assert stages.status_of(store, iid) == "finalized"
    with store.session() as session:
        assert audit.verify_chain(session) == []
        assert audit.verify_state(session) == []
        assert {e.entity for e in audit.history(session, iid)} >= {
            "rating",
            "domain_submission",
            "consensus",
            "determination",
            "sign_off",
        }
