"""Synthetic stores of each size, built once per run and shared by every suite.

The issue asks for every figure at 10, 1,000 and 10,000 interviews. Building
the 10,000 store takes a couple of minutes, so each size is built once, in a
folder removed when the run ends, and handed to every suite that asks for it.

``FORMERS_BENCH_SIZES`` (default ``10,1000,10000``) chooses the sizes, e.g.
``FORMERS_BENCH_SIZES=10,1000`` for a quick run. ``FORMERS_BENCH_CACHE`` names
a folder to keep the stores in between runs instead (they are rebuilt when
missing); a store a suite changes (autosave) is a copy, so cached stores stay
as built.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from benchmarks.synthetic import build

DEFAULT_SIZES = (10, 1_000, 10_000)

_folder: Path | None = None


def sizes() -> list[int]:
    """The store sizes this run covers, smallest first."""
    text = os.environ.get("FORMERS_BENCH_SIZES", "")
    if not text.strip():
        return list(DEFAULT_SIZES)
    return sorted({int(part) for part in text.split(",") if part.strip()})


def _cache() -> Path:
    global _folder
    if _folder is None:
        kept = os.environ.get("FORMERS_BENCH_CACHE")
        if kept:
            _folder = Path(kept)
            _folder.mkdir(parents=True, exist_ok=True)
        else:
            _folder = Path(tempfile.mkdtemp(prefix="formers-bench-"))
            atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    return _folder


def synthetic_store(count: int) -> Path:
    """The shared store of ``count`` synthetic interviews (treat it as read-only)."""
    path = _cache() / f"store-{count}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        build(partial, count)
        partial.rename(path)
    return path


def scratch_copy(count: int, name: str) -> Path:
    """A private copy of the ``count`` store that a suite may change."""
    target = _cache() / f"{name}-{count}.db"
    shutil.copyfile(synthetic_store(count), target)
    return target
