"""Why a store could not be read or written, in one sentence.

The database reports a failed write as an exception whose text is meant for
programmers ("attempt to write a readonly database"). Every path that shows
such a failure to a person (the autosave line, each command's error line)
names it through :func:`describe`, so the same cause reads the same
everywhere and no traceback reaches the terminal.
"""

from __future__ import annotations

from formers_tui.errors import FormersError


def describe(error: BaseException) -> str:
    """One sentence about why a read or write failed."""
    known = describe_store_failure(error)
    if known is not None:
        return known
    return f"Unexpected error ({type(error).__name__}: {error})"


def describe_store_failure(error: BaseException) -> str | None:
    """The sentence for a failure of the store or the disk, or ``None`` for anything else.

    Anything else is a bug and is left to surface as it is.
    """
    if isinstance(error, FormersError):
        return str(error)
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(error, DBAPIError):
        if getattr(error.orig, "sqlstate", None) == "42501":
            # A server's row-level security or grants: this login may not do it.
            first = str(error.orig).strip().splitlines()[0].rstrip(".")
            return f"The server does not let this login make that change ({first})"
        reason = str(error.orig).lower()
        if "locked" in reason or "busy" in reason:
            return "The store is busy or locked by another program"
        if "readonly" in reason or "read-only" in reason or "unable to open" in reason:
            return "The store file is read-only"
        if "full" in reason:
            return "The disk is full"
        if "i/o" in reason or "disk" in reason:
            return "The disk could not be written"
        return f"The store refused the write ({error.orig})"
    if isinstance(error, SQLAlchemyError):
        return f"The store refused the write ({type(error).__name__})"
    if isinstance(error, PermissionError):
        where = f" ({error.filename})" if error.filename else ""
        return f"Permission denied{where}: the store's folder or file cannot be written"
    if isinstance(error, OSError):
        return f"The disk could not be written ({error.strerror or error})"
    return None
