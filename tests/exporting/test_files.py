"""Private, atomic output: 0600 files, no half-written exports, no silent overwrite."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from formers_tui.exporting.files import (
    ExportTargetError,
    atomic_bytes,
    atomic_folder,
    atomic_text,
    create_private_text,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_even_with_a_lax_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_text(tmp_path / "a.txt", force=False) as handle:
            handle.write("x")
        with atomic_bytes(tmp_path / "b.bin", force=False) as raw:
            raw.write(b"x")
        with atomic_folder(tmp_path / "c", force=False) as folder:
            with create_private_text(folder / "t.csv") as handle:
                handle.write("x")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.txt") == mode(tmp_path / "b.bin") == 0o600
    assert mode(tmp_path / "c") == 0o700 and mode(tmp_path / "c" / "t.csv") == 0o600


def test_existing_output_is_refused_without_force(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportTargetError, match="already exists; use --force"):
        with atomic_text(target, force=False) as handle:
            handle.write("new")
    assert target.read_text("utf-8") == "keep me"
    with atomic_text(target, force=True) as handle:
        handle.write("new")
    assert target.read_text("utf-8") == "new" and mode(target) == 0o600


def test_a_crash_leaves_neither_a_partial_file_nor_a_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_text(target, force=True) as handle:
            handle.write("half")
            raise RuntimeError("killed")
    assert target.read_text("utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    with pytest.raises(RuntimeError):
        with atomic_folder(tmp_path / "tables", force=False) as folder:
            (folder / "x.csv").write_text("half", encoding="utf-8")
            raise RuntimeError("killed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_force_replaces_only_a_previous_export_folder(tmp_path: Path) -> None:
    previous = tmp_path / "tables"
    previous.mkdir()
    (previous / "old.csv").write_text("old", encoding="utf-8")
    with atomic_folder(previous, force=True) as folder:
        (folder / "new.csv").write_text("new", encoding="utf-8")
    assert [p.name for p in previous.iterdir()] == ["new.csv"]
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(ExportTargetError, match="does not look like an export"):
        with atomic_folder(home, force=True):
            pass
    assert (home / "thesis.docx").exists()


@pytest.mark.parametrize("folder", [False, True])
def test_kind_mismatch_and_missing_parent(tmp_path: Path, folder: bool) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    wrong = tmp_path / ("file" if folder else "dir")
    with pytest.raises(ExportTargetError, match="is a"):
        if folder:
            with atomic_folder(wrong, force=True):
                pass
        else:
            with atomic_text(wrong, force=True):
                pass
    with pytest.raises(ExportTargetError, match="does not exist"):
        with atomic_text(tmp_path / "nowhere" / "a.json", force=False):
            pass
