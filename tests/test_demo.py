"""``formers demo`` copies a template built once instead of building its store each time."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from formers_tui import demo
from formers_tui.store.sessions import interview_list
from formers_tui.store.store import Store


def test_the_template_is_built_once_and_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Path] = []
    real = demo.seed_demo

    def counted(path: Path) -> str:
        built.append(path)
        return real(path)

    monkeypatch.setattr(demo, "seed_demo", counted)
    first = demo.demo_store(tmp_path / "one.db")
    second = demo.demo_store(tmp_path / "two.db")
    assert len(built) == 1 and built[0].parent == demo.template_path().parent
    assert first == second
    template = demo.template_path()
    assert sorted(p.name for p in template.parent.iterdir()) == [template.name]  # nothing left
    for path in (tmp_path / "one.db", tmp_path / "two.db", template):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store = Store.open(tmp_path / "two.db")
    try:
        (row,) = interview_list(store)
    finally:
        store.close()
    assert row.id == first and row.candidate_code == "DEMO-001" and row.with_notes > 0


def test_a_template_of_another_release_is_replaced(tmp_path: Path) -> None:
    old = demo.template_path().with_name("demo-0001-0.0.1-000000000000.db")
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old")
    demo.demo_store(tmp_path / "demo.db")
    assert not old.exists() and demo.template_path().is_file()


def test_a_broken_template_is_not_copied_but_the_demo_still_opens(tmp_path: Path) -> None:
    template = demo.template_path()
    template.parent.mkdir(parents=True)
    template.write_bytes(b"this is no database" * 100)
    iid = demo.demo_store(tmp_path / "demo.db")
    assert not template.exists()  # built afresh next time
    store = Store.open(tmp_path / "demo.db")
    try:
        assert [row.id for row in interview_list(store)] == [iid]
    finally:
        store.close()


def test_without_a_writable_data_folder_the_store_is_built_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("FORMERS_HOME", str(blocked))
    iid = demo.demo_store(tmp_path / "demo.db")
    store = Store.open(tmp_path / "demo.db")
    try:
        assert [row.id for row in interview_list(store)] == [iid]
    finally:
        store.close()
