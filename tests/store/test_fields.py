"""One way in: every kind of field has one validator, and every path calls it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.errors import ValidationError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, fields
from formers_tui.store.capture import EvidenceIn
from formers_tui.store.interviews import PanelistIn, create_interview
from formers_tui.store.models import Bearing, EvidenceSource, Reliability, Role
from formers_tui.store.store import Store

TODAY = date.today()
CONTROLS = ["\x1b[2J", "\x1b]52;c;eA==\x07", "a\rb", "\x00", "\x9b31m", "\x7f"]


@pytest.mark.parametrize("bad", CONTROLS)
def test_one_line_fields_refuse_control_characters(bad: str) -> None:
    for check in (fields.check_code, fields.check_name):
        with pytest.raises(ValidationError, match="control character"):
            check(f"PM{bad}1")
    with pytest.raises(ValidationError, match="single line"):
        fields.check_name("Ann\nLee")
    with pytest.raises(ValidationError, match="control character"):
        fields.check_name("Ann\u202eLee")


@pytest.mark.parametrize("bad", CONTROLS)
def test_free_text_keeps_lines_and_tabs_but_no_other_control(bad: str) -> None:
    assert fields.check_free_text("one\n\ttwo [b]") == "one\n\ttwo [b]"
    with pytest.raises(ValidationError, match="control character"):
        fields.check_free_text(f"note {bad}")


def test_lengths() -> None:
    assert fields.check_code(" " + "C" * 64 + " ") == "C" * 64
    for check, limit in ((fields.check_code, 64), (fields.check_name, 120)):
        with pytest.raises(ValidationError, match="too long"):
            check("x" * (limit + 1))
    with pytest.raises(ValidationError, match="too long"):
        fields.check_name("N" * 100_000)
    with pytest.raises(ValidationError, match="too long"):
        fields.check_free_text("x" * (fields.MAX_TEXT + 1))


def test_dates() -> None:
    assert fields.check_interview_date(TODAY + timedelta(days=1)) == TODAY + timedelta(days=1)
    for bad in (date(9999, 12, 31), TODAY + timedelta(days=2), date(1, 1, 1), date(1999, 12, 31)):
        with pytest.raises(ValidationError, match="interview date"):
            fields.check_interview_date(bad)
    interview = date(2026, 3, 1)
    with pytest.raises(ValidationError, match="after the interview"):
        fields.check_consent_date(date(2026, 3, 2), interview_date=interview)
    assert fields.check_consent_date(interview, interview_date=interview) == interview
    with pytest.raises(ValidationError, match="before 1900"):
        fields.check_life_date(date(1200, 1, 1), "Disengaged on", interview_date=interview)
    with pytest.raises(ValidationError, match="after the interview date"):
        fields.check_life_date(date(2026, 3, 2), "Disengaged on", interview_date=interview)
    with pytest.raises(ValidationError, match="future"):
        fields.check_obtained_date(TODAY + timedelta(days=1))


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_validators_answer_any_text_with_a_value_or_a_sentence(text: str) -> None:
    for check in (fields.check_code, fields.check_name, fields.check_free_text, fields.check_role):
        try:
            value = check(text)
        except ValidationError as error:
            assert str(error) and "\n" not in str(error)
        else:
            if isinstance(value, str):
                assert "\x1b" not in value and "\r" not in value


def test_the_store_refuses_bad_fields(store: Store, mini_protocol: LoadedProtocol) -> None:
    panel = [PanelistIn("Ann", Role.psychologist, True)]

    def create(**kwargs: object) -> None:
        args: dict[str, object] = {
            "candidate_code": "PM-9",
            "protocol": mini_protocol,
            "panel": panel,
            "actor": "test",
            "interview_date": date(2026, 3, 1),
        }
        args.update(kwargs)
        with store.session() as session:
            create_interview(session, **args)  # type: ignore[arg-type]

    for kwargs, message in [
        ({"candidate_code": "PM\x1b[2J"}, "control character"),
        ({"interview_date": date(9999, 12, 31)}, "future"),
        ({"interview_date": date(1, 1, 1)}, "before 2000"),
        ({"consent_given": True, "consent_date": date(2026, 3, 5)}, "after the interview"),
        ({"panel": [PanelistIn("A" * 100_000, Role.other)]}, "too long"),
        ({"panel": [PanelistIn("Ann\x07", Role.other)]}, "control character"),
        ({"full_name": "Jo\x1b]52;c;x\x07"}, "control character"),
    ]:
        with pytest.raises(ValidationError, match=message):
            create(**kwargs)


def test_capture_refuses_bad_fields(store: Store, interview_id: str) -> None:
    with store.session() as session:
        with pytest.raises(ValidationError, match="control character"):
            capture.save_note(
                session, interview_id=interview_id, indicator_id="DIS-1", text="\x1b[2J",
                actor="t",
            )  # fmt: skip
        with pytest.raises(ValidationError, match="control character"):
            capture.add_quote(
                session, interview_id=interview_id, indicator_id="DIS-1", text="words",
                speaker="Bo\x1b[31m", actor="t",
            )  # fmt: skip
        with pytest.raises(ValidationError, match="before 1900"):
            capture.set_timeline(
                session, interview_id=interview_id, fact_id="involvement_start",
                value="1200-01-01", actor="t",
            )  # fmt: skip
        with pytest.raises(ValidationError, match="after the interview"):
            capture.set_timeline(
                session, interview_id=interview_id, fact_id="disengaged_on",
                value="2026-11-03", actor="t",
            )  # fmt: skip
        item = EvidenceIn(
            EvidenceSource.reference, "Mary\x1b[8m", None, Reliability.high, "ok", Bearing.mixed
        )
        with pytest.raises(ValidationError, match="control character"):
            capture.add_evidence(session, interview_id=interview_id, item=item, actor="t")


runner = CliRunner()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--date", "9999-12-31"], "in the future"),
        (["--date", "0001-01-01"], "before 2000"),
        (["--date", "2026-01-10", "--consent-date", "2026-01-11"], "after the interview"),
        (["--candidate", "X\x1b]52;c;ZQ==\x1b\\"], "control character"),
        (["--panelist", "N" * 100_000 + ":other"], "too long"),
    ],
)
def test_cli_new_refuses_bad_fields_and_writes_nothing(extra: list[str], message: str) -> None:
    base = ["new", "--candidate", "PM-1", "--panelist", "Ann Lee:psychologist", "--consent"]
    base += ["--panelist", "Bo Ray:other"]
    result = runner.invoke(app, base + extra)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "\x1b" not in result.output and "Traceback" not in result.output
    listed = runner.invoke(app, ["list", "--json"])
    assert json.loads(listed.stdout) == []


def test_import_refuses_bad_fields(tmp_path: Path) -> None:
    made = runner.invoke(
        app, ["new", "--candidate", "PM-1", "--panelist", "Ann:psychologist", "--consent",
              "--panelist", "Bo:other", "--date", "2026-01-10"],
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    out = tmp_path / "one.json"
    assert runner.invoke(app, ["export", "--all", "-o", str(out)]).exit_code == 0
    good = json.loads(out.read_text("utf-8"))
    target = tmp_path / "other.db"

    def bad(change: object) -> Path:
        data = json.loads(json.dumps(good))
        change(data["interviews"][0])  # type: ignore[operator]
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(data), "utf-8")
        return path

    cases = [
        (lambda d: d["candidate"].update(code="PM\x1b[2J"), "control character"),
        (lambda d: d.update(interview_date="9999-12-31"), "future"),
        (lambda d: d["consent"].update(date="2026-02-01"), "after the interview"),
        (lambda d: d["panel"][0].update(name="x" * 100_000), "too long"),
        (lambda d: d["timeline"].update(involvement_start="1200-01-01"), "before 1900"),
    ]
    for change, message in cases:
        result = runner.invoke(app, ["--db", str(target), "import", str(bad(change))])
        assert result.exit_code != 0 and message in result.stderr, (message, result.stderr)
        assert "\x1b" not in result.output
        listed = runner.invoke(app, ["--db", str(target), "list", "--json"])
        assert json.loads(listed.stdout) == []
