"""The rules of a record, decided in one place for every path.

Every screen, command, export, import and bundle asks these modules rather
than restating a rule:

* :mod:`~formers_tui.store.rules.visibility` — who may **see** which rating
  when (blind rating): :func:`~formers_tui.store.rules.visibility.visibility`
  for a store, :func:`~formers_tui.store.rules.visibility.document_visibility`
  for an interview document, and the redaction of documents and audit values.
* :mod:`~formers_tui.store.rules.writes` — who may **write** what in which
  state: the lock, the chair's and an author's authority (PINs), signatures
  withdrawn by any change under them, and who a capture is attributed to.
* :mod:`~formers_tui.store.rules.invariants` — what a valid **record** is:
  consent, a panel of at least two with one chair, a status that agrees with
  the determination and signatures, and no restore that undoes a
  finalization. (Valid *fields* — names, texts, dates — are
  :mod:`formers_tui.store.fields`.)

A rule here decides; it does not present. Callers turn a refusal (a
:class:`~formers_tui.errors.FormersError`) into an inline message or a CLI
error line.
"""
