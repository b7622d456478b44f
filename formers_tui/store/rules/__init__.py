"""The rules of a record, decided in one place for every path.

Every screen, command, export, import and bundle asks these modules rather
than restating a rule:

* :mod:`~formers_tui.store.rules.visibility` — who may **see** which rating
  when (blind rating).

A rule here decides; it does not present. Callers turn a refusal (a
:class:`~formers_tui.errors.FormersError`) into an inline message or a CLI
error line.
"""
