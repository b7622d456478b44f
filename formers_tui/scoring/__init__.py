"""Pure scoring: agreement statistics, the panel matrix, thresholds and the suggestion.

Nothing here reads or writes anything: functions take protocol objects and
plain values and return frozen dataclasses. The store loads the rows and
calls in; the TUI and the CLI render what comes back. Keeping it pure makes
every rule testable in isolation and lets program staff recompute a
suggestion from an export without a store.
"""
