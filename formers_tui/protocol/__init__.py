"""The interview protocol: model, loading, validation. No database, no UI."""

from __future__ import annotations

from formers_tui.protocol.loader import LoadedProtocol, Problem, ProtocolError, load_path, load_text
from formers_tui.protocol.model import Domain, Indicator, Level, Part, Protocol, Scale, Source

__all__ = [
    "Domain",
    "Indicator",
    "Level",
    "LoadedProtocol",
    "Part",
    "Problem",
    "Protocol",
    "ProtocolError",
    "Scale",
    "Source",
    "load_path",
    "load_text",
]
