"""Find protocols: the ones shipped with the package and the user's own.

A user protocol with the same id as a shipped one takes its place, so a
programme can adapt the interview without touching the installation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formers_tui.errors import NotFoundError
from formers_tui.paths import shipped_dir, user_protocols_dir
from formers_tui.protocol.loader import LoadedProtocol, ProtocolError, load_path


@dataclass(frozen=True)
class Catalogue:
    """Every protocol found, plus the files that failed to load."""

    protocols: dict[str, LoadedProtocol]
    """Valid protocols by id."""
    broken: list[ProtocolError]
    """Files that were found but are invalid; shown, never silently dropped."""

    def get(self, protocol_id: str) -> LoadedProtocol:
        """Return the protocol with ``protocol_id``.

        Raises:
            NotFoundError: naming the known ids.
        """
        try:
            return self.protocols[protocol_id]
        except KeyError:
            known = ", ".join(sorted(self.protocols)) or "none"
            raise NotFoundError(f"No protocol with id '{protocol_id}' (known: {known}).") from None


def search_dirs() -> list[Path]:
    """Folders searched for ``*.toml`` protocols, lowest precedence first."""
    return [shipped_dir("interviews"), user_protocols_dir()]


def load_catalogue(dirs: list[Path] | None = None) -> Catalogue:
    """Load every ``*.toml`` in ``dirs`` (default: :func:`search_dirs`)."""
    protocols: dict[str, LoadedProtocol] = {}
    broken: list[ProtocolError] = []
    for folder in dirs if dirs is not None else search_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                loaded = load_path(path)
            except ProtocolError as exc:
                broken.append(exc)
                continue
            protocols[loaded.protocol.id] = loaded
    return Catalogue(protocols=protocols, broken=broken)
