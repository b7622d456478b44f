"""One way out to a terminal or a plain document: control characters made visible.

Text typed into an interview, or carried in by an imported file, can hold
bytes a terminal obeys rather than shows: ``ESC ] 52`` writes the clipboard,
``ESC [ 2J`` clears the screen, a carriage return overwrites a line, a
right-to-left override reorders what is read. Everything the command line
prints and every Markdown or HTML report passes its text through
:func:`clean_text`, which replaces each such character with a visible stand-in,
so what is shown is exactly what was stored and nothing more.

Kept as they are: newline and tab (notes have lines). Replaced:

* C0 controls and DEL with their Unicode "control pictures" (``ESC`` shows as
  ``␛``, a carriage return as ``␍``);
* C1 controls (``U+0080``–``U+009F``; ``U+009B`` is a one-byte ``ESC [``) and
  the bidirectional embedding, override and isolate marks with a ``\\xNN`` or
  ``\\uNNNN`` spelling.

Markup is a separate matter: the command line prints through a console that
reads no markup, and the interface puts user text in :class:`rich.text.Text`.
"""

from __future__ import annotations

KEPT = frozenset("\n\t")
BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in KEPT:
            table[code] = chr(0x2400 + code)
    table[0x7F] = "\u2421"
    for code in range(0x80, 0xA0):
        table[code] = f"\\x{code:02x}"
    for code in BIDI_CONTROLS:
        table[code] = f"\\u{code:04x}"
    return table


_TABLE = _table()


def clean_text(text: str) -> str:
    """``text`` with every control character a terminal would act on made visible.

    Args:
        text: anything a user or a file supplied.

    Returns:
        The same text where newline and tab are kept and each other control
        character is replaced by a visible stand-in (see the module notes).
    """
    return text.translate(_TABLE)


def clean_line(text: str) -> str:
    """Like :func:`clean_text`, for a place that shows one line (newline and tab too)."""
    return clean_text(text).replace("\n", "\u2424").replace("\t", "\u2409")


def has_controls(text: str) -> bool:
    """Whether :func:`clean_text` would change ``text``."""
    return any(ord(c) in _TABLE for c in text)
