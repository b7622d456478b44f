"""The app on a server store: no passphrase asked, the list read, a failure said in one line."""

from __future__ import annotations

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from tests.conftest import make_interview
from tests.tui.test_app import line, settle


async def test_the_app_opens_a_server_store_without_a_passphrase(
    pg_url: str, mini_protocol: LoadedProtocol
) -> None:
    store = Store.open(pg_url)
    make_interview(store, mini_protocol, code="PM-ON-SERVER")
    store.close()
    app = make_app(store_path=pg_url)  # a new *file* store would ask for a passphrase first
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.store is not None and app.store.is_server
        assert line(app, "#status").startswith("1 interview")
        assert line(app, "#error") == ""


async def test_an_unreachable_server_is_one_sentence_on_home() -> None:
    url = "postgresql://nobody:s3cret@/formers?host=/nonexistent&port=1"
    app = make_app(store_path=url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = line(app, "#error")
        assert said.startswith("Cannot open the store at postgresql://nobody:***@/formers")
        assert "s3cret" not in said and "\n" not in said
