"""Find protocols: the ones shipped with the package and the user's own.

Several versions of one protocol can sit side by side (the shipped folder
holds every version an interview may have been started with). New interviews
take the current version of an id: the highest version in the folder of
highest precedence that has the id. So a user protocol with the same id as a
shipped one takes its place, and a programme can adapt the interview without
touching the installation; older versions stay available by ``id@version``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from formers_tui.errors import NotFoundError
from formers_tui.paths import shipped_dir, user_protocols_dir
from formers_tui.protocol.loader import LoadedProtocol, ProtocolError, load_path

VERSION_SEPARATOR = "@"
"""Between id and version in a reference such as ``peer-mentor-readiness@1.0.0``."""


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for version text: numbers compare as numbers ("1.10" after "1.9").

    Text parts sort before numbers, so "1.1.0-draft" comes before "1.1.0.1"
    but never raises on an odd version string.
    """
    parts = re.findall(r"\d+|[^\d.\-+_ ]+", version)
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in parts)


@dataclass(frozen=True)
class Catalogue:
    """Every protocol found, plus the files that failed to load."""

    protocols: dict[str, LoadedProtocol]
    """The current version of each protocol, by id: what a new interview uses."""
    broken: list[ProtocolError]
    """Files that were found but are invalid; shown, never silently dropped."""
    versions: dict[str, dict[str, LoadedProtocol]] = field(default_factory=dict)
    """Every version found of each protocol: id -> version -> protocol."""

    def get(self, reference: str) -> LoadedProtocol:
        """Return the protocol named by ``reference``: ``id`` (current version) or ``id@version``.

        Raises:
            NotFoundError: naming the known ids or versions.
        """
        protocol_id, _, version = reference.partition(VERSION_SEPARATOR)
        try:
            current = self.protocols[protocol_id]
        except KeyError:
            known = ", ".join(sorted(self.protocols)) or "none"
            raise NotFoundError(f"No protocol with id '{protocol_id}' (known: {known}).") from None
        if not version:
            return current
        found = self.versions.get(protocol_id) or {current.protocol.version: current}
        if version in found:
            return found[version]
        listed = ", ".join(sorted(found, key=version_key))
        raise NotFoundError(
            f"Protocol '{protocol_id}' has no version '{version}' (known: {listed})."
        )

    def all_versions(self) -> list[LoadedProtocol]:
        """Every protocol found, by id, then newest version first."""
        out: list[LoadedProtocol] = []
        for protocol_id in sorted(self.protocols):
            found = self.versions.get(protocol_id) or {"": self.protocols[protocol_id]}
            newest_first = sorted(
                found.values(), key=lambda lp: version_key(lp.protocol.version), reverse=True
            )
            out.extend(newest_first)
        return out


def reference(loaded: LoadedProtocol) -> str:
    """The ``id@version`` text that names exactly this protocol version."""
    return f"{loaded.protocol.id}{VERSION_SEPARATOR}{loaded.protocol.version}"


def search_dirs() -> list[Path]:
    """Folders searched for ``*.toml`` protocols, lowest precedence first."""
    return [shipped_dir("interviews"), user_protocols_dir()]


def load_catalogue(dirs: list[Path] | None = None) -> Catalogue:
    """Load every ``*.toml`` in ``dirs`` (default: :func:`search_dirs`)."""
    current: dict[str, LoadedProtocol] = {}
    versions: dict[str, dict[str, LoadedProtocol]] = {}
    broken: list[ProtocolError] = []
    for folder in dirs if dirs is not None else search_dirs():
        if not folder.is_dir():
            continue
        here: dict[str, LoadedProtocol] = {}
        for path in sorted(folder.glob("*.toml")):
            try:
                loaded = load_path(path)
            except ProtocolError as exc:
                broken.append(exc)
                continue
            protocol = loaded.protocol
            versions.setdefault(protocol.id, {})[protocol.version] = loaded
            best = here.get(protocol.id)
            if best is None or version_key(protocol.version) >= version_key(best.protocol.version):
                here[protocol.id] = loaded
        current.update(here)
    return Catalogue(protocols=current, broken=broken, versions=versions)
