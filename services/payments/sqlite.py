"""Write transactions that take SQLite's write lock when they begin.

pysqlite opens a deferred transaction: it reads under a shared lock and asks for the write
lock at its first write, and when two such transactions both hold a read, SQLite fails one
at once with "database is locked" (its busy timeout cannot help a deadlock). A transaction
that reads then writes (check a hold, then convert it) must say so up front: ``BEGIN
IMMEDIATE``. Use a separate engine for reads so they keep running beside writers (WAL).
"""

from __future__ import annotations

from sqlalchemy import Engine, event


def immediate_transactions(engine: Engine) -> Engine:
    """Make every transaction on ``engine`` begin with ``BEGIN IMMEDIATE`` (SQLite only)."""
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn) -> None:
        # Straight to the driver: a statement with no parameters and no result needs none of
        # the execution machinery, and this runs once per write transaction.
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")

    return engine
