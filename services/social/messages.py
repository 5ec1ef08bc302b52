"""Direct messages between two users: only the two of them can read a conversation."""

from __future__ import annotations

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.engine import Engine

from services.social import tables as t
from services.social.model import Invalid, Message, NotFound, check_text, now, user_row


class DirectMessages:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def send(self, sender: str, recipient: str, body: str) -> Message:
        body = check_text(body).strip()
        if not body or len(body) > 10_000:
            raise Invalid("a message is 1 to 10,000 characters")
        if sender == recipient:
            raise Invalid("you cannot message yourself")
        with self.engine.begin() as conn:
            s = user_row(conn, sender)
            r = user_row(conn, recipient)
            mid = conn.execute(
                insert(t.messages).values(
                    sender_id=s.id, recipient_id=r.id, text=body, created_at=now()
                )
            ).inserted_primary_key[0]
            row = conn.execute(select(t.messages).where(t.messages.c.id == mid)).one()
        return Message(mid, s.handle, r.handle, body, row.created_at)

    def conversation(
        self, user: str, other: str, before: int | None = None, limit: int = 50
    ) -> list[Message]:
        """Messages between two users, newest first; only the two participants can ask."""
        with self.engine.connect() as conn:
            a = user_row(conn, user)
            b = user_row(conn, other)
            m = t.messages
            q = select(m).where(
                or_(
                    and_(m.c.sender_id == a.id, m.c.recipient_id == b.id),
                    and_(m.c.sender_id == b.id, m.c.recipient_id == a.id),
                )
            )
            if before is not None:
                q = q.where(m.c.id < before)
            rows = conn.execute(q.order_by(m.c.id.desc()).limit(limit)).all()
        names = {a.id: a.handle, b.id: b.handle}
        return [
            Message(r.id, names[r.sender_id], names[r.recipient_id], r.text, r.created_at)
            for r in rows
        ]

    def get(self, user: str, message_id: int) -> Message:
        """One message, visible only to its sender and recipient (404 otherwise: no leak)."""
        with self.engine.connect() as conn:
            me = user_row(conn, user)
            r = conn.execute(select(t.messages).where(t.messages.c.id == message_id)).first()
            if r is None or me.id not in (r.sender_id, r.recipient_id):
                raise NotFound(f"no message {message_id}")
            handles = dict(
                conn.execute(
                    select(t.users.c.id, t.users.c.handle).where(
                        t.users.c.id.in_([r.sender_id, r.recipient_id])
                    )
                ).all()
            )
        return Message(r.id, handles[r.sender_id], handles[r.recipient_id], r.text, r.created_at)
