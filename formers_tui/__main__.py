"""Allow ``python -m formers_tui``."""

from __future__ import annotations

from formers_tui.cli import main

main()
