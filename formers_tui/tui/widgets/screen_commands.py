"""Command-palette entries for a screen's own key bindings.

Someone who forgets a key can open the palette and type what they want to
do; each entry names the action and its key, and runs exactly what the key
would. Only bindings the screen currently allows are offered.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenBindingCommands(Provider):
    """Offers every described, currently enabled binding of the active screen."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        screen = self.screen
        seen: set[str] = set()
        for item in getattr(screen, "BINDINGS", []):
            if not isinstance(item, Binding) or not item.description:
                continue
            name = item.action.partition("(")[0]
            if item.action in seen or screen.check_action(name, ()) is False:
                continue
            seen.add(item.action)
            keys = ", ".join(self.app.get_key_display(Binding(k, "")) for k in item.key.split(","))
            # The tooltip is the longer name ("Previous indicator" for the footer's "Prev").
            yield item.tooltip or item.description, item.action, keys

    async def discover(self) -> Hits:
        for name, action, keys in self._commands():
            yield DiscoveryHit(name, partial(self.screen.run_action, action), help=keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, keys in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self.screen.run_action, action),
                    help=keys,
                )
