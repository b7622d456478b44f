"""Modal forms that return a typed result with ``dismiss``; the screen does the saving."""
