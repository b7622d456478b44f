"""The local store: SQLModel tables, engine, migrations, queries, audit chain.

Import the submodules you need (``store.interviews``, ``store.capture``...);
this package module stays light so importing it does not load SQLAlchemy.
"""
