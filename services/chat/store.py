"""Reads and transactional writes of the messaging tables.

Writes are functions of an open connection (``tx_*``) so the group-commit writer
(``services.chat.writer``) can run many in one transaction: a message's ``seq`` comes from
``UPDATE ... SET last_seq = last_seq + 1 ... RETURNING`` in the very transaction that
inserts it, so a sequence number is never handed out for a row that was not stored, and
concurrent writers (threads or processes) serialise on the conversation's row.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from sqlalchemy import Connection, TextClause, and_, delete, event, insert, select, text, update
from sqlalchemy.engine import Engine

from services.chat import tables as t
from services.chat.model import Conversation, Message, Posted, entitled
from services.errors import Conflict, Forbidden, NotFound
from services.periodic import Periodic

UNKNOWN = object()  # ``tx_append``: the caller did not look the client id up


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA secure_delete=ON")
    # Checkpoints (the only fsync of a WAL database at synchronous=NORMAL) run on the
    # store's own thread, never inside the writer's commit, where they held up delivery.
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


def _conversation(row: Any) -> Conversation:
    return Conversation(**row._mapping)


def _message(row: Any) -> Message:
    return Message(**row._mapping)


class ChatStore:
    """The messaging store over one engine."""

    def __init__(self, engine: Engine, checkpoint_s: float = 0.5) -> None:
        self.engine = engine
        self._checkpoints = Periodic("chat-checkpoint")
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            self._checkpoints.start(checkpoint_s, self.checkpoint)
        t.metadata.create_all(engine)

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database without waiting for its writer or
        readers (SQLite's passive checkpoint)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self._checkpoints.stop()
        if self.engine.dialect.name == "sqlite":
            self.checkpoint()

    def scrub(self) -> None:
        """After a delete for everyone or a purge: let no copy of the removed text linger in
        the database's files. SQLite zeroes freed space (``secure_delete``, set on every
        connection) and here folds the write-ahead log into the database and truncates it,
        since the log still holds the pages as they were. (PostgreSQL reuses the space of
        dead rows once vacuumed.)"""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reads ---------------------------------------------------------------------------
    def conversation(self, conv_id: str) -> Conversation | None:
        with self.engine.connect() as conn:
            return get_conversation(conn, conv_id)

    def members(self, conv_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return active_members(conn, conv_id)

    def intervals(self, conv_id: str, user_id: str) -> list[tuple[int, int | None]]:
        with self.engine.connect() as conn:
            return membership(conn, conv_id, user_id)

    def conversations_of(self, user_id: str) -> list[tuple[Conversation, bool]]:
        """Every conversation ``user_id`` ever belonged to, with whether it still does."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.conversations, t.members.c.left_seq)
                .join(t.members, t.members.c.conv_id == t.conversations.c.id)
                .where(t.members.c.user_id == user_id)
                .order_by(t.conversations.c.created_at, t.members.c.joined_seq)
            ).all()
        found: dict[str, tuple[Conversation, bool]] = {}
        for row in rows:
            data = dict(row._mapping)
            active = data.pop("left_seq") is None
            conv = Conversation(**data)
            found[conv.id] = (conv, active or found.get(conv.id, (conv, False))[1])
        return list(found.values())

    def page(self, conv_id: str, user_id: str, after: int, limit: int) -> tuple[list[Message], int]:
        """Up to ``limit`` rows after ``after`` that ``user_id`` may see, and the last seq
        scanned (the cursor to continue from; rows outside the membership are skipped)."""
        with self.engine.connect() as conn:
            spans = membership(conn, conv_id, user_id)
            if not spans:
                raise Forbidden(f"you are not a member of conversation {conv_id}")
            rows = conn.execute(
                select(t.messages)
                .where(and_(t.messages.c.conv_id == conv_id, t.messages.c.seq > after))
                .order_by(t.messages.c.seq)
                .limit(limit)
            ).all()
        got = [_message(r) for r in rows]
        scanned = got[-1].seq if got else after
        return [m for m in got if entitled(m.seq, spans)], scanned

    def message(self, conv_id: str, seq: int) -> Message | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.messages).where(
                    and_(t.messages.c.conv_id == conv_id, t.messages.c.seq == seq)
                )
            ).first()
        return None if row is None else _message(row)

    def cursors(self, user_id: str, device_id: str) -> dict[str, tuple[int, int]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.cursors).where(
                    and_(t.cursors.c.user_id == user_id, t.cursors.c.device_id == device_id)
                )
            ).all()
        return {r.conv_id: (r.delivered_seq, r.read_seq) for r in rows}

    def receipts(self, conv_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.cursors)
                .where(t.cursors.c.conv_id == conv_id)
                .order_by(t.cursors.c.user_id, t.cursors.c.device_id)
            ).all()
        return [
            {
                "user_id": r.user_id,
                "device_id": r.device_id,
                "delivered_seq": r.delivered_seq,
                "read_seq": r.read_seq,
                "updated_at": r.updated_at,
            }
            for r in rows
        ]

    def devices(self, user_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.devices).where(t.devices.c.user_id == user_id).order_by("device_id")
            ).all()
        return [dict(r._mapping) for r in rows]

    def inbox(self, user_id: str, device_id: str, limit: int = 500) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.device_inbox)
                .where(
                    and_(
                        t.device_inbox.c.user_id == user_id,
                        t.device_inbox.c.device_id == device_id,
                    )
                )
                .order_by(t.device_inbox.c.id)
                .limit(limit)
            ).all()
        return [dict(r._mapping) for r in rows]

    def with_retention(self) -> list[Conversation]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.conversations).where(t.conversations.c.retention_s.is_not(None))
            ).all()
        return [_conversation(r) for r in rows]

    def expired_through(self, conv_id: str, cutoff: float) -> int:
        """The highest seq stored at or before ``cutoff`` (0 when none)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.messages.c.seq)
                .where(and_(t.messages.c.conv_id == conv_id, t.messages.c.created_at <= cutoff))
                .order_by(t.messages.c.seq.desc())
                .limit(1)
            ).first()
        return 0 if row is None else int(row.seq)


# The hot path (a message, an ack) runs prebuilt textual statements: building and caching
# SQLAlchemy expressions cost more than SQLite's own work per row. Portable SQL only. On
# SQLite they go straight to the driver's connection (the transaction's own, so they are in
# it): SQLAlchemy's result set-up per statement cost more than the statement.
_MEMBER = text(
    "SELECT c.encrypted AS encrypted, m.joined_seq AS joined_seq, m.left_seq AS left_seq, "
    "(SELECT x.seq FROM chat_messages x WHERE x.conv_id = :conv AND x.sender = :user "
    "AND x.client_id = :client_id) AS replayed "
    "FROM chat_conversations c LEFT JOIN chat_members m "
    "ON m.conv_id = c.id AND m.user_id = :user WHERE c.id = :conv "
    "ORDER BY m.joined_seq DESC LIMIT 1"
)
_BY_CLIENT_ID = text(
    "SELECT conv_id, seq, kind, sender, device, client_id, body, ref_seq, created_at, "
    "edited_at, deleted FROM chat_messages WHERE conv_id = :conv AND sender = :sender "
    "AND client_id = :client_id"
)
_NEXT_SEQ = text(
    "UPDATE chat_conversations SET last_seq = last_seq + 1 WHERE id = :conv RETURNING last_seq"
)
# Elsewhere than SQLite (a server a round trip away) the seq and the row in one statement.
_APPEND = text(
    "WITH s AS (UPDATE chat_conversations SET last_seq = last_seq + 1 WHERE id = :conv_id "
    "RETURNING last_seq) INSERT INTO chat_messages (conv_id, seq, kind, sender, device, "
    "client_id, body, ref_seq, created_at, edited_at, deleted) VALUES (:conv_id, "
    "(SELECT last_seq FROM s), :kind, :sender, :device, :client_id, :body, :ref_seq, "
    ":created_at, :edited_at, :deleted) RETURNING seq"
)
_INSERT_MESSAGE = text(
    "INSERT INTO chat_messages (conv_id, seq, kind, sender, device, client_id, body, ref_seq, "
    "created_at, edited_at, deleted) VALUES (:conv_id, :seq, :kind, :sender, :device, "
    ":client_id, :body, :ref_seq, :created_at, :edited_at, :deleted)"
)


def execute_hot(conn: Connection, stmt: TextClause, params: dict[str, Any]) -> Any:
    """Execute a hot-path statement (straight on the driver's connection under SQLite);
    the result has ``fetchone()`` (rows by position) and
    ``rowcount``."""
    if conn.dialect.name == "sqlite":
        return conn.connection.driver_connection.execute(stmt.text, params)
    return conn.execute(stmt, params)


def _message_of(row: Any) -> Message:
    """A ``Message`` from a row of ``_BY_CLIENT_ID``'s columns (the driver's raw values)."""
    return Message(*row[:10], deleted=bool(row[10]))


def member_conversation(
    conn: Connection, conv_id: str, user_id: str, client_id: str = ""
) -> tuple[bool, Message | None]:
    """Whether the conversation is encrypted, when ``user_id`` is a member of it now (else
    ``NotFound`` or ``Forbidden``), and the row ``user_id`` already stored with
    ``client_id``, if any: one query, the hot path of every message."""
    params = {"conv": conv_id, "user": user_id, "client_id": client_id}
    row = execute_hot(conn, _MEMBER, params).fetchone()
    if row is None:
        raise NotFound(f"no conversation {conv_id!r}")
    if row[1] is None or row[2] is not None:
        raise Forbidden(f"you are not a member of conversation {conv_id}")
    stored = None if row[3] is None else by_client_id(conn, conv_id, user_id, client_id)
    return bool(row[0]), stored


# -- reads inside a transaction ------------------------------------------------------------
def get_conversation(conn: Connection, conv_id: str) -> Conversation | None:
    row = conn.execute(select(t.conversations).where(t.conversations.c.id == conv_id)).first()
    return None if row is None else _conversation(row)


def require_conversation(conn: Connection, conv_id: str) -> Conversation:
    conv = get_conversation(conn, conv_id)
    if conv is None:
        raise NotFound(f"no conversation {conv_id!r}")
    return conv


def active_members(conn: Connection, conv_id: str) -> list[str]:
    rows = conn.execute(
        select(t.members.c.user_id)
        .where(and_(t.members.c.conv_id == conv_id, t.members.c.left_seq.is_(None)))
        .order_by(t.members.c.user_id)
    ).all()
    return [r.user_id for r in rows]


def membership(conn: Connection, conv_id: str, user_id: str) -> list[tuple[int, int | None]]:
    rows = conn.execute(
        select(t.members.c.joined_seq, t.members.c.left_seq)
        .where(and_(t.members.c.conv_id == conv_id, t.members.c.user_id == user_id))
        .order_by(t.members.c.joined_seq)
    ).all()
    return [(r.joined_seq, r.left_seq) for r in rows]


def require_member(conn: Connection, conv_id: str, user_id: str) -> Conversation:
    """The conversation, when ``user_id`` is a member now; else ``NotFound`` or ``Forbidden``."""
    conv = require_conversation(conn, conv_id)
    spans = membership(conn, conv_id, user_id)
    if not spans or spans[-1][1] is not None:
        raise Forbidden(f"you are not a member of conversation {conv_id}")
    return conv


# -- writes (run by the writer, many per transaction) ----------------------------------------
def tx_insert_conversation(conn: Connection, conv: Conversation) -> None:
    conn.execute(insert(t.conversations).values(**conv.__dict__))


def _content(raw: str | None) -> tuple[dict[str, Any], int] | None:
    """A body as a replay is compared: stored attachments are links where the replay names
    paths, so they count by number only."""
    if raw is None:
        return None
    body = orjson.loads(raw)
    return body, len(body.pop("attachments", None) or [])


def by_client_id(conn: Connection, conv_id: str, sender: str, client_id: str) -> Message | None:
    """The row ``sender`` already stored with ``client_id`` in the conversation, if any."""
    params = {"conv": conv_id, "sender": sender, "client_id": client_id}
    row = execute_hot(conn, _BY_CLIENT_ID, params).fetchone()
    return None if row is None else _message_of(row)


def attachment_bodies(conn: Connection, conv_id: str, through: int) -> list[tuple[str, str]]:
    """(sender, body) of the rows up to ``through`` that carry attachments."""
    m = t.messages.c
    return [
        (row.sender, row.body)
        for row in conn.execute(
            select(m.sender, m.body).where(
                and_(m.conv_id == conv_id, m.seq <= through, m.body.like('%"attachments"%'))
            )
        )
    ]


def tx_append(
    conn: Connection,
    conv_id: str,
    kind: str,
    sender: str,
    device: str | None,
    body: dict[str, Any] | None,
    now: float,
    *,
    client_id: str | None = None,
    ref_seq: int | None = None,
    stored: Message | None | object = UNKNOWN,
) -> Posted:
    """Store one row under the conversation's next seq; a known ``client_id`` of the same
    sender returns the row stored first (``duplicate``), or ``Conflict`` if it differs.
    ``stored``: what ``by_client_id`` answered, when the caller already asked it."""
    raw = None if body is None else orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()
    if client_id is not None:
        first = stored if stored is not UNKNOWN else by_client_id(conn, conv_id, sender, client_id)
        if first is not None:
            if (
                first.kind != kind
                or first.ref_seq != ref_seq
                or (first.body is not None and _content(first.body) != _content(raw))
            ):
                raise Conflict(
                    f"client id {client_id!r} was already used for another message "
                    f"(seq {first.seq}); use a new id for a new message"
                )
            return Posted(first, duplicate=True)
    if conn.dialect.name != "sqlite":
        message = Message(conv_id, 0, kind, sender, device, client_id, raw, ref_seq, now)
        seq = conn.execute(_APPEND, message.__dict__).scalar_one()
        return Posted(dataclasses.replace(message, seq=seq), duplicate=False)
    seq = execute_hot(conn, _NEXT_SEQ, {"conv": conv_id}).fetchone()[0]
    message = Message(conv_id, seq, kind, sender, device, client_id, raw, ref_seq, now)
    execute_hot(conn, _INSERT_MESSAGE, message.__dict__)
    return Posted(message, duplicate=False)


def tx_add_member(conn: Connection, conv_id: str, user_id: str, seq: int, role: str) -> None:
    conn.execute(
        insert(t.members).values(
            conv_id=conv_id, user_id=user_id, joined_seq=seq, left_seq=None, role=role
        )
    )


def tx_remove_member(conn: Connection, conv_id: str, user_id: str, seq: int) -> None:
    conn.execute(
        update(t.members)
        .where(
            and_(
                t.members.c.conv_id == conv_id,
                t.members.c.user_id == user_id,
                t.members.c.left_seq.is_(None),
            )
        )
        .values(left_seq=seq)
    )


def tx_rewrite(conn: Connection, conv_id: str, seq: int, body: str | None, now: float) -> None:
    """Apply an edit (new body) or a delete (``None``) to the original row. A delete also
    blanks the edits of that message: no version of a deleted text is kept."""
    values: dict[str, Any] = {"body": body}
    values.update({"edited_at": now} if body is not None else {"deleted": True})
    m = t.messages.c
    conn.execute(
        update(t.messages).where(and_(m.conv_id == conv_id, m.seq == seq)).values(**values)
    )
    if body is None:
        conn.execute(
            update(t.messages)
            .where(and_(m.conv_id == conv_id, m.seq > seq, m.ref_seq == seq, m.kind == "edit"))
            .values(body=None)
        )


def tx_purge(conn: Connection, conv_id: str, through: int) -> int:
    """Delete a conversation's rows up to ``through`` and remember where history starts."""
    n = conn.execute(
        delete(t.messages).where(and_(t.messages.c.conv_id == conv_id, t.messages.c.seq <= through))
    ).rowcount
    conn.execute(
        update(t.conversations)
        .where(and_(t.conversations.c.id == conv_id, t.conversations.c.purged_through < through))
        .values(purged_through=through)
    )
    return n


def tx_set_retention(conn: Connection, conv_id: str, retention_s: float | None) -> None:
    conn.execute(
        update(t.conversations)
        .where(t.conversations.c.id == conv_id)
        .values(retention_s=retention_s)
    )
