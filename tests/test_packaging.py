"""The wheel carries the protocols and data, and works outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_installed_wheel_finds_its_protocols(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("formers_tui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "formers_tui/_shipped/interviews/peer-mentor-readiness.toml" in names
    assert "formers_tui/_shipped/interviews/peer-mentor-readiness-1.1.toml" in names
    assert "formers_tui/_shipped/data/demo-interview.json" in names
    assert any(n.startswith("formers_tui/store/migrations/versions/0001") for n in names)

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target)]
        + [str(wheel)],
        check=True,
        capture_output=True,
    )
    assert (target / "bin" / "formers").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "FORMERS_HOME": str(tmp_path / "home"),
        "PYTHONSAFEPATH": "1",
    }
    code = (
        "import sys, formers_tui; "
        f"assert formers_tui.__file__.startswith({str(target)!r}), formers_tui.__file__; "
        "from formers_tui.cli import main; "
        "sys.argv = ['formers', 'protocol', 'list', '--json']; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert '"version": "1.1.0"' in result.stdout and '"version": "1.0.0"' in result.stdout
    assert str(target) in result.stdout  # found inside the installed package, not the checkout
