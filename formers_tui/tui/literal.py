"""User text on screen: always shown as it is, never read as markup.

Textual reads a plain ``str`` given to a label, an option or a notification
as markup, so a name such as ``Ana [/b]`` would stop the screen and
``[reverse]`` would restyle it. Text that came from a person or a file (names,
codes, notes, quotes, error sentences that repeat what was typed) is passed
through :func:`literal` instead, which also makes control characters visible
(:func:`formers_tui.sanitize.clean_text`), so no escape sequence stored in a
record reaches the terminal.
"""

from __future__ import annotations

from textual.content import Content

from formers_tui.sanitize import clean_text


def literal(text: str) -> Content:
    """``text`` as content that is shown literally."""
    return Content(clean_text(text))
