"""A terminal shrunk to 40x12 mid-interview: no crash, nothing lost, usable again when grown."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from tests.conftest import make_interview


async def test_home_and_interview_survive_40x12(
    store: Store, shipped_protocol: LoadedProtocol, tmp_path: Path
) -> None:
    iid = make_interview(store, shipped_protocol)
    app = make_app(store_path=store.path, open_interview=iid, encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.__class__.__name__ == "InterviewScreen":
                break
        await app.workers.wait_for_complete()
        for _ in range(200):  # the notes accept typing once the interview is loaded
            notes = app.screen.query(TextArea).filter("#notes")
            if notes and app.focused is notes.first() and not notes.first().read_only:
                break
            await pilot.pause(0.05)
        else:
            raise AssertionError("the notes never became ready for typing")
        await pilot.press(*"small screen")
        await pilot.resize_terminal(40, 12)
        await pilot.pause(0.3)
        await pilot.press(*" still typing")
        await pilot.resize_terminal(20, 6)
        await pilot.pause(0.3)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(1.6)  # autosave
        assert app.screen.__class__.__name__ == "InterviewScreen"
    with store.session() as session:
        assert capture.notes_of(session, iid)["DIS-1"] == "small screen still typing"
