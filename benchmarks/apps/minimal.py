"""The floor for start-up and memory: a bare Textual app of the same shape.

A screen with a tree, a text area and a footer, as the issue describes;
``--exit-after-first-frame`` prints peak RSS and exits once drawn.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Header, TextArea, Tree


class Minimal(App[str]):
    TITLE = "Minimal floor app"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            tree: Tree[None] = Tree("Readiness")
            for name in ("Disengagement", "Deradicalization", "Responsibility", "Reintegration"):
                tree.root.add_leaf(name)
            tree.root.expand()
            yield tree
            yield TextArea("notes")
        yield Footer()

    def on_mount(self) -> None:
        if "--exit-after-first-frame" in sys.argv:
            self.call_after_refresh(self._report)

    def _report(self) -> None:
        from benchmarks.apps.measure import peak_rss_kib

        self.exit(str(peak_rss_kib()))


if __name__ == "__main__":
    result = Minimal().run(headless="--headless" in sys.argv)
    if result:
        print(result)
