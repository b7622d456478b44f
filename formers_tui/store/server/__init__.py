"""A store on a PostgreSQL server: the engine and the database's own guards.

Only :mod:`formers_tui.store` imports this package, and only for a
``postgresql://`` location (:mod:`formers_tui.store.location`); psycopg is
imported when a server store is opened, never at start-up.
"""
