"""The terminal interface, built on Textual.

Start it through :func:`formers_tui.tui.app.make_app`; nothing here runs or
opens anything at import time.
"""
