"""formers-tui: the readiness and appropriateness interview for prospective peer mentors."""

from __future__ import annotations

__version__ = "0.1.0"
