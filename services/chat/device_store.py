"""Per-device writes of the messaging store: delivered and read cursors (the hot path of
every ack), the device registry, and the device-to-device inbox.

Functions of an open connection, run by the group-commit writer (``services.chat.writer``)
like the rest of ``services.chat.store``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, text, update

from services.chat import tables as t
from services.chat.store import execute_hot

_CURSOR = text(
    "SELECT delivered_seq, read_seq FROM chat_cursors "
    "WHERE user_id = :user AND device_id = :device AND conv_id = :conv"
)
_MOVE = {
    column: text(
        f"UPDATE chat_cursors SET {column} = :seq, updated_at = :now "
        f"WHERE user_id = :user AND device_id = :device AND conv_id = :conv AND {column} < :seq"
    )
    for column in ("delivered_seq", "read_seq")
}
_NEW_CURSOR = text(
    "INSERT INTO chat_cursors (user_id, device_id, conv_id, delivered_seq, read_seq, "
    "updated_at) VALUES (:user, :device, :conv, :delivered, :read, :now)"
)


def tx_advance_cursor(
    conn: Connection, user_id: str, device_id: str, conv_id: str, column: str, seq: int, now: float
) -> bool:
    """Move a device's delivered or read cursor forward (never back); True if it moved."""
    key = {"user": user_id, "device": device_id, "conv": conv_id}
    if execute_hot(conn, _MOVE[column], {**key, "seq": seq, "now": now}).rowcount:
        return True
    if execute_hot(conn, _CURSOR, key).fetchone() is not None:
        return False
    values = {"delivered": 0, "read": 0, column.split("_")[0]: seq}
    execute_hot(conn, _NEW_CURSOR, {**key, **values, "now": now})
    return True


def tx_cursor(conn: Connection, user_id: str, device_id: str, conv_id: str, column: str) -> int:
    row = execute_hot(
        conn, _CURSOR, {"user": user_id, "device": device_id, "conv": conv_id}
    ).fetchone()
    return 0 if row is None else int(row[0 if column == "delivered_seq" else 1])


def tx_upsert_device(
    conn: Connection, user_id: str, device_id: str, public_key: str | None, now: float
) -> bool:
    """Register a device (or update its key); True when it is new."""
    found = conn.execute(
        select(t.devices.c.device_id).where(
            and_(t.devices.c.user_id == user_id, t.devices.c.device_id == device_id)
        )
    ).first()
    if found is None:
        conn.execute(
            insert(t.devices).values(
                user_id=user_id,
                device_id=device_id,
                public_key=public_key,
                created_at=now,
                last_seen=now,
            )
        )
        return True
    values: dict[str, Any] = {"last_seen": now}
    if public_key is not None:
        values["public_key"] = public_key
    conn.execute(
        update(t.devices)
        .where(and_(t.devices.c.user_id == user_id, t.devices.c.device_id == device_id))
        .values(**values)
    )
    return False


def tx_inbox_put(
    conn: Connection,
    user_id: str,
    device_id: str,
    sender: str,
    sender_device: str,
    body: str,
    now: float,
) -> int:
    return conn.execute(
        insert(t.device_inbox)
        .values(
            user_id=user_id,
            device_id=device_id,
            sender=sender,
            sender_device=sender_device,
            body=body,
            created_at=now,
        )
        .returning(t.device_inbox.c.id)
    ).scalar_one()


def tx_inbox_ack(conn: Connection, user_id: str, device_id: str, up_to: int) -> int:
    return conn.execute(
        delete(t.device_inbox).where(
            and_(
                t.device_inbox.c.user_id == user_id,
                t.device_inbox.c.device_id == device_id,
                t.device_inbox.c.id <= up_to,
            )
        )
    ).rowcount
