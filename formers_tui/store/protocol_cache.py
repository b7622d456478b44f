"""Protocols frozen in a store, parsed once per distinct text (no ORM needed).

A store holds few distinct protocol texts, each tens of kilobytes of TOML;
parsing one takes milliseconds, so each is parsed once per process and kept
by its SHA-256. Both the ORM's read paths (:mod:`formers_tui.store.common`)
and the first look at a store (:mod:`formers_tui.store.quick`) use it.
"""

from __future__ import annotations

from formers_tui.protocol.loader import load_text
from formers_tui.protocol.model import Protocol

_PARSED: dict[str, Protocol] = {}
"""Stored protocols parsed so far, by SHA-256."""


def remember(sha256: str, protocol: Protocol) -> None:
    """Record a protocol parsed elsewhere (the catalogue) so the store need not parse it again.

    ``sha256`` is the hash of the text ``protocol`` was parsed from, so a
    stored snapshot with that hash is the same protocol.
    """
    _PARSED.setdefault(sha256, protocol)


def known(sha256: str) -> Protocol | None:
    """The protocol with this text hash, if parsed already."""
    return _PARSED.get(sha256)


def parse(sha256: str, text: str) -> Protocol:
    """The protocol stored as ``text`` under ``sha256``, parsed once."""
    parsed = _PARSED.get(sha256)
    if parsed is None:
        parsed = load_text(text, origin=f"stored protocol {sha256[:12]}").protocol
        _PARSED[sha256] = parsed
    return parsed
