"""SQLAlchemy engines: SQLite (WAL) per system by default, a shared PostgreSQL when scaled out."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, create_engine, event, inspect, text

from warehouse.settings import Settings
from warehouse.sqlite_wal import enable_wal

#: anyio's default limit of worker threads, which run the sync routes and blocking calls.
SQLITE_POOL = 40


def make_engine(settings: Settings, name: str) -> Engine:
    """The engine for one system's store.

    SQLite gets WAL, a busy timeout and foreign keys, so several threads and processes can
    share it safely; PostgreSQL gets a small pool with pre-ping.

    A SQLite pool keeps as many connections as there can be threads using it at once (the
    server's worker threads, ``SQLITE_POOL``): a connection returned past the pool's size is
    closed, and opening one again (file, pragmas, schema, statement cache) costs more than
    the transaction it was opened for, so a busy server would churn through them.
    """
    url = settings.sqlalchemy_url(name)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=SQLITE_POOL,
            max_overflow=SQLITE_POOL,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            enable_wal(dbapi_conn)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def create_schema(engine: Engine, metadata: MetaData) -> list[str]:
    """Create missing tables, and add the nullable columns a table gained since its database
    was made (``create_all`` creates missing tables only), so an existing data directory
    keeps working after an upgrade. Returns the columns added as ``table.column``."""
    metadata.create_all(engine)
    quote = engine.dialect.identifier_preparer
    added = []
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}
        for column in table.columns:
            if column.name in have:
                continue
            if not column.nullable:
                raise RuntimeError(
                    f"{table.name}.{column.name} is new and NOT NULL: existing rows have no value"
                )
            kind = column.type.compile(dialect=engine.dialect)
            with engine.begin() as conn:
                conn.execute(
                    text(
                        f"ALTER TABLE {quote.format_table(table)} "
                        f"ADD COLUMN {quote.format_column(column)} {kind}"
                    )
                )
            added.append(f"{table.name}.{column.name}")
    return added
