"""Full-text search over posts and users with the store's own engine.

SQLite FTS5 ranked by BM25 in the embedded default, PostgreSQL text search (GIN index,
``ts_rank``) when scaled out: no extra service to run, and the index commits with the post.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine

from services.social import tables as t
from services.social.model import Invalid, User, check_text, to_user


def _fts_query(q: str) -> str:
    """User text as an FTS5 query of quoted terms (so operators in it are just words)."""
    terms = re.findall(r"\w+", q, re.UNICODE)
    return " ".join(f'"{term}"' for term in terms)


class SocialSearch:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    def create_index(self) -> None:
        with self.engine.begin() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS social_posts_fts "
                    "USING fts5(text, tokenize='unicode61 remove_diacritics 2')"
                )
                conn.exec_driver_sql(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS social_users_fts "
                    "USING fts5(handle, display_name, bio, "
                    "tokenize='unicode61 remove_diacritics 2')"
                )
            else:
                conn.exec_driver_sql(
                    "CREATE INDEX IF NOT EXISTS ix_social_posts_tsv ON social_posts "
                    "USING gin (to_tsvector('simple', text))"
                )
                conn.exec_driver_sql(
                    "CREATE INDEX IF NOT EXISTS ix_social_users_tsv ON social_users USING gin "
                    "(to_tsvector('simple', handle || ' ' || display_name || ' ' || bio))"
                )

    def index_post(self, conn: Connection, post_id: int, body: str) -> None:
        """Index a post inside the transaction that stores it (PostgreSQL indexes itself)."""
        if self.is_sqlite:
            conn.execute(
                text("INSERT INTO social_posts_fts(rowid, text) VALUES (:i, :x)"),
                {"i": post_id, "x": body},
            )

    def index_user(self, conn: Connection, user_id: int, handle: str, name: str, bio: str) -> None:
        if self.is_sqlite:
            conn.execute(
                text(
                    "INSERT INTO social_users_fts(rowid, handle, display_name, bio) "
                    "VALUES (:id, :h, :d, :b)"
                ),
                {"id": user_id, "h": handle, "d": name, "b": bio},
            )

    def post_ids(self, q: str, limit: int = 20, offset: int = 0) -> list[int]:
        """Full-text search ranked by BM25 (SQLite FTS5) or ts_rank (PostgreSQL)."""
        if not re.search(r"\w", check_text(q)):
            raise Invalid("a search needs at least one word")
        with self.engine.connect() as conn:
            if self.is_sqlite:
                ids = (
                    conn.execute(
                        text(
                            "SELECT rowid FROM social_posts_fts WHERE social_posts_fts MATCH :q "
                            "ORDER BY bm25(social_posts_fts) LIMIT :l OFFSET :o"
                        ),
                        {"q": _fts_query(q), "l": limit, "o": offset},
                    )
                    .scalars()
                    .all()
                )
            else:
                ids = (
                    conn.execute(
                        text(
                            "SELECT id FROM social_posts, plainto_tsquery('simple', :q) query "
                            "WHERE to_tsvector('simple', text) @@ query "
                            "ORDER BY ts_rank(to_tsvector('simple', text), query) DESC, id DESC "
                            "LIMIT :l OFFSET :o"
                        ),
                        {"q": q, "l": limit, "o": offset},
                    )
                    .scalars()
                    .all()
                )
        return list(ids)

    def users(self, q: str, limit: int = 20) -> list[User]:
        if not re.search(r"\w", check_text(q)):
            raise Invalid("a search needs at least one word")
        with self.engine.connect() as conn:
            if self.is_sqlite:
                ids = (
                    conn.execute(
                        text(
                            "SELECT rowid FROM social_users_fts WHERE social_users_fts MATCH :q "
                            "ORDER BY bm25(social_users_fts) LIMIT :l"
                        ),
                        {
                            "q": " OR ".join(f"{term}*" for term in _fts_query(q).split()),
                            "l": limit,
                        },
                    )
                    .scalars()
                    .all()
                )
            else:
                ids = (
                    conn.execute(
                        text(
                            "SELECT id FROM social_users WHERE to_tsvector('simple', "
                            "handle || ' ' || display_name || ' ' || bio) "
                            "@@ plainto_tsquery('simple', :q) LIMIT :l"
                        ),
                        {"q": q, "l": limit},
                    )
                    .scalars()
                    .all()
                )
            rows = conn.execute(select(t.users).where(t.users.c.id.in_(ids))).all() if ids else []
        by_id = {r.id: to_user(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]
