"""Two versions of the shipped protocol side by side, through the command line.

New interviews take 1.1.0; ``id@version`` starts one on 1.0.0; an interview
begun on 1.0.0 still shows, scores and exports on its own version after 1.1.0
has become current; ``formers protocol validate`` passes both shipped files.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from formers_tui.cli import app
from tests.cli.test_score_cmd import rate

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "interviews").glob("peer-mentor-readiness*.toml"))
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def new(code: str, *extra: str) -> dict[str, str]:
    exit_code, out, err = run(
        "new", "--candidate", code, "--panelist", "Ann Lee:psychologist",
        "--panelist", "Bo Ray:probation", "--date", "2026-11-02", "--consent", "--json", *extra,
    )  # fmt: skip
    assert exit_code == 0, err
    data: dict[str, str] = json.loads(out)
    return data


def test_validate_passes_on_both_shipped_versions() -> None:
    assert len(SHIPPED) == 2
    exit_code, out, err = run("protocol", "validate", *(str(p) for p in SHIPPED))
    assert exit_code == 0, err
    assert "peer-mentor-readiness 1.0.0, 24 indicators" in out
    assert "peer-mentor-readiness 1.1.0, 25 indicators" in out


def test_new_interviews_default_to_the_current_version() -> None:
    made = new("PM-1")
    assert (made["protocol"], made["protocol_version"]) == ("peer-mentor-readiness", "1.1.0")
    older = new("PM-2", "--protocol", "peer-mentor-readiness@1.0.0")
    assert older["protocol_version"] == "1.0.0"
    rows = {r["id"]: r for r in json.loads(run("list", "--json")[1])}
    assert rows[made["id"]]["indicators"] == 25
    assert rows[older["id"]]["indicators"] == 24


def test_an_unknown_version_is_one_sentence() -> None:
    exit_code, out, err = run(
        "new", "--candidate", "PM-X", "--panelist", "Ann Lee:psychologist",
        "--protocol", "peer-mentor-readiness@0.9",
    )  # fmt: skip
    assert exit_code != 0 and out == ""
    assert err.strip() == (
        "Error: Protocol 'peer-mentor-readiness' has no version '0.9' (known: 1.0.0, 1.1.0)."
    )


def test_show_names_a_version() -> None:
    exit_code, out, _ = run("protocol", "show", "peer-mentor-readiness@1.0.0", "--json")
    assert exit_code == 0 and json.loads(out)["version"] == "1.0.0"
    exit_code, out, _ = run("protocol", "show", "peer-mentor-readiness", "--json")
    shown = json.loads(out)
    assert shown["version"] == "1.1.0"
    assert shown["opening"]["title"] == "Opening"
    assert [s["title"] for s in shown["asking"]][0] == "Why this work"
    exit_code, out, _ = run("protocol", "show", "peer-mentor-readiness")
    assert exit_code == 0
    for text in ("Order of asking", "Role play V-LATE-TEXT", "Why critical:", "Closing"):
        assert text in out, text


def test_a_1_0_interview_still_shows_scores_and_exports(tmp_path: Path) -> None:
    older = new("PM-1", "--protocol", "peer-mentor-readiness@1.0.0")["id"]
    newer = new("PM-2")["id"]
    for iid in (older, newer):
        rate(iid, "Ann Lee", 2)
        rate(iid, "Bo Ray", 3)
    for iid, version, split in ((older, "1.0.0", False), (newer, "1.1.0", True)):
        exit_code, out, err = run("show", iid, "--json")
        assert exit_code == 0, err
        assert json.loads(out)["protocol"]["version"] == version
        exit_code, out, err = run("score", iid, "--json")
        assert exit_code == 0, err
        assert json.loads(out)["interview_id"] == iid
        assert ('"RES-4"' in out) is split  # legal obligations rated apart in 1.1 only
        target = tmp_path / f"{version}.json"
        exit_code, _, err = run("export", iid, "--format", "json", "--out", str(target))
        assert exit_code == 0, err
        exported = json.loads(target.read_text(encoding="utf-8"))
        assert version in json.dumps(exported["interviews"][0]["protocol"])


def test_validate_advice_lists_what_a_review_would_question() -> None:
    old = ROOT / "interviews" / "peer-mentor-readiness.toml"
    new = ROOT / "interviews" / "peer-mentor-readiness-1.1.toml"
    exit_code, out, _ = run("protocol", "validate", str(old))
    assert exit_code == 0 and "pieces of advice, see --advice" in out
    exit_code, out, _ = run("protocol", "validate", "--advice", str(old), str(new))
    assert exit_code == 0  # advice never makes a file invalid
    assert "  advice: DIS-2: critical, but critical_rationale does not say why" in out
    assert "  advice: opening: none" in out
    assert out.count("advice:") == out.split("1.1.toml")[0].count("advice:")  # none for 1.1
