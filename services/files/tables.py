"""The file system's tables (SQLAlchemy Core; SQLite by default, PostgreSQL when scaled out).

``files_entries`` is the tree: one row per live file or folder of a user, keyed by path, plus
rows in the trash (``trash_id`` set). ``files_versions`` holds every version of every file as an
ordered chunk list. ``files_chunks`` counts, per chunk, the versions that reference it; the
garbage collector deletes only chunks at zero that nobody has touched for a grace period.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    or_,
)
from sqlalchemy.sql.elements import ColumnElement

metadata = MetaData()

entries = Table(
    "files_entries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("path", Text, nullable=False),
    Column("parent", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(8), nullable=False),  # file | dir
    Column("version_id", String(32)),
    Column("size", BigInteger, nullable=False, default=0),
    Column("etag", String(32), nullable=False),
    Column("modified", Float, nullable=False),
    Column("trash_id", String(32)),
)
Index(
    "files_entries_live_path",
    entries.c.owner,
    entries.c.path,
    unique=True,
    sqlite_where=entries.c.trash_id.is_(None),
    postgresql_where=entries.c.trash_id.is_(None),
)
Index("files_entries_parent", entries.c.owner, entries.c.parent)
Index("files_entries_trash", entries.c.trash_id)

versions = Table(
    "files_versions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("file_id", String(32), nullable=False, index=True),
    Column("owner", String(128), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("chunks", Text, nullable=False),  # JSON [[hash, size], ...] in file order
    Column("created", Float, nullable=False),
    Column("device", String(64), nullable=False, default=""),
)

chunks = Table(
    "files_chunks",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("refs", BigInteger, nullable=False, default=0),
    Column("state", String(8), nullable=False),  # live | deleting
    Column("touched", Float, nullable=False, index=True),
)

trash = Table(
    "files_trash",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("trashed_at", Float, nullable=False),
)

changes = Table(
    "files_changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(128), nullable=False, index=True),
    Column("op", String(16), nullable=False),  # write | mkdir | delete | move | restore
    Column("path", Text, nullable=False),
    Column("dest", Text),
    Column("kind", String(8), nullable=False),
    Column("etag", String(32)),
    Column("ts", Float, nullable=False),
)

shares = Table(
    "files_shares",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("owner", String(128), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("rights", String(8), nullable=False),  # read | write
    Column("expires", Float),
    Column("password_hash", Text),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created", Float, nullable=False),
)

uploads = Table(
    "files_uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("offset", BigInteger, nullable=False, default=0),
    Column("status", String(16), nullable=False),  # receiving | done
    Column("if_match", String(40)),
    Column("device", String(64), nullable=False, default=""),
    Column("on_conflict", String(8), nullable=False, default="fail"),
    Column("created", Float, nullable=False),
)

quotas = Table(
    "files_quotas",
    metadata,
    Column("owner", String(128), primary_key=True),
    Column("quota_bytes", BigInteger, nullable=False),
)

plans = Table(
    "files_plans",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("path", Text, nullable=False),
    Column("chunks", Text, nullable=False),
    Column("created", Float, nullable=False, index=True),
)

grants = Table(
    "files_grants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("grantee", String(128), nullable=False, index=True),
    Column("role", String(8), nullable=False),  # viewer | editor
    Column("created", Float, nullable=False),
)

#: Per-user references to chunk keys: the chunk's convergent key wrapped (AES-KW) under a key
#: of the user (see chunkstore.py). Written in the commit that first references the chunk.
chunk_keys = Table(
    "files_chunk_keys",
    metadata,
    Column("owner", String(128), primary_key=True),
    Column("hash", String(64), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
)


def new_id() -> str:
    return uuid.uuid4().hex


def under(path: str) -> ColumnElement[bool]:
    """Entries at ``path`` or below it (no LIKE, so ``%`` and ``_`` in names are literal)."""
    prefix = path + "/"
    return or_(entries.c.path == path, func.substr(entries.c.path, 1, len(prefix)) == prefix)
