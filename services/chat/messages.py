"""Messages of the messaging service: storing one (idempotent on its client id, its ``seq``
assigned in the transaction that stores it), edits and deletes, and history pages.

Edits and deletes are rows of the log too (``edit``/``delete`` with ``ref_seq``): a device
that resyncs gets them in order, and the original row is rewritten so history shows the
latest text (or nothing). Windows: ``edit_window_s`` and ``delete_window_s`` from sending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Connection, and_, select

from services.chat import inputs
from services.chat import store as st
from services.chat import tables as t
from services.chat.attachments import Attachments
from services.chat.model import (
    CONTENT,
    DELETE,
    EDIT,
    SCRUB,
    Message,
    Posted,
)
from services.chat.records import chat_event
from services.chat.settings import ChatSettings
from services.chat.writer import Output, Writer
from services.errors import Forbidden, Gone, Invalid, NotFound


class Messages:
    """Part of ``ChatService`` (``services.chat.service``): its message operations."""

    store: st.ChatStore
    conf: ChatSettings
    clock: Callable[[], float]
    writer: Writer
    attachments: Attachments

    # -- messages --------------------------------------------------------------------------
    def post_write(
        self,
        user: str,
        device: str | None,
        conv_id: str,
        client_id: str,
        body: Any,
        *,
        client_ts: float | None = None,
    ) -> Callable[[Connection, Output], Posted]:
        """The write that stores one message (idempotent on ``client_id``)."""
        inputs.check_client_id(client_id)

        def write(conn: Connection, out: Output) -> Posted:
            encrypted, stored = st.member_conversation(conn, conv_id, user, client_id)
            clean = inputs.check_body(body, encrypted=encrypted, cap=self.conf.max_message_bytes)
            now = self.clock()
            if stored is not None:
                return st.tx_append(  # the replay answers the stored message, links nothing
                    conn,
                    conv_id,
                    CONTENT,
                    user,
                    device,
                    clean,
                    now,
                    client_id=client_id,
                    stored=stored,
                )
            shares = self.attachments.link(user, clean)
            try:
                posted = st.tx_append(
                    conn,
                    conv_id,
                    CONTENT,
                    user,
                    device,
                    clean,
                    now,
                    client_id=client_id,
                    stored=None,
                )
            except BaseException:
                self.attachments.revoke(user, shares)
                raise
            m = posted.message
            out.committed.append(m)
            out.committed.append(("push", m))
            out.events.append(
                chat_event(
                    "message_stored",
                    user,
                    conv_id,
                    seq=m.seq,
                    device=device,
                    client_id=client_id,
                    bytes=len(m.body or ""),
                    encrypted=encrypted,
                    attachments=len(clean.get("attachments", [])),
                    stored_at=now,
                    client_ts=client_ts,
                )
            )
            return posted

        return write

    def post(
        self, user: str, device: str | None, conv_id: str, client_id: str, body: Any
    ) -> Posted:
        return self.writer.call(self.post_write(user, device, conv_id, client_id, body))

    def change_write(
        self,
        user: str,
        device: str | None,
        conv_id: str,
        seq: int,
        body: Any | None,
        client_id: str,
    ) -> Callable[[Connection, Output], Posted]:
        """An edit (``body``) or a delete (``None``) of the sender's own message, for everyone,
        within the window; stored as a row of the log."""
        inputs.check_client_id(client_id)
        inputs.check_seq(seq, "ref_seq")
        kind = DELETE if body is None else EDIT

        def write(conn: Connection, out: Output) -> Posted:
            conv = st.require_member(conn, conv_id, user)
            row = conn.execute(
                select(t.messages).where(
                    and_(t.messages.c.conv_id == conv_id, t.messages.c.seq == seq)
                )
            ).first()
            if row is None or row.kind != CONTENT:
                raise NotFound(f"no message {seq} in conversation {conv_id}")
            if row.sender != user:
                raise Forbidden("only the sender may edit or delete a message")
            window = self.conf.delete_window_s if body is None else self.conf.edit_window_s
            now = self.clock()
            if now - row.created_at > window:
                raise Gone(
                    f"messages may be {'deleted' if body is None else 'edited'} for "
                    f"{window:.0f} s after sending; this one is older"
                )
            if row.deleted:
                raise Gone(f"message {seq} was deleted")
            clean = None
            kept = (orjson.loads(row.body) if row.body else {}).get("attachments")
            if body is not None:
                clean = inputs.check_body(
                    body, encrypted=conv.encrypted, cap=self.conf.max_message_bytes
                )
                if "attachments" in clean:
                    raise Invalid("an edit keeps the message's attachments and adds none")
                if kept:
                    clean["attachments"] = kept
            posted = st.tx_append(
                conn, conv_id, kind, user, device, clean, now, client_id=client_id, ref_seq=seq
            )
            if posted.duplicate:
                return posted
            raw = None if clean is None else orjson.dumps(clean, option=orjson.OPT_SORT_KEYS)
            st.tx_rewrite(conn, conv_id, seq, None if raw is None else raw.decode(), now)
            if body is None:
                self.attachments.revoke_bodies([(user, row.body)])
                out.committed.append(SCRUB)
            out.committed.append(posted.message)
            out.events.append(
                chat_event(
                    f"message_{'deleted' if body is None else 'edited'}",
                    user,
                    conv_id,
                    seq=posted.message.seq,
                    ref_seq=seq,
                    device=device,
                )
            )
            return posted

        return write

    def edit(
        self, user: str, device: str | None, conv_id: str, seq: int, body: Any, client_id: str
    ) -> Posted:
        return self.writer.call(self.change_write(user, device, conv_id, seq, body, client_id))

    def delete(
        self, user: str, device: str | None, conv_id: str, seq: int, client_id: str
    ) -> Posted:
        return self.writer.call(self.change_write(user, device, conv_id, seq, None, client_id))

    def history(
        self, user: str, conv_id: str, after: int, limit: int
    ) -> tuple[list[Message], int, dict[str, Any] | None]:
        """A page of what ``user`` may see after ``after``: rows, the cursor to continue from,
        and a gap notice when rows after ``after`` were purged and cannot be sent."""
        conv = self.conversation(user, conv_id)
        gap = None
        if after < conv.purged_through:
            gap = {
                "conv": conv_id,
                "from": after + 1,
                "to": conv.purged_through,
                "reason": "purged by the conversation's retention",
            }
            after = conv.purged_through
        rows, scanned = self.store.page(conv_id, user, after, limit)
        return rows, scanned, gap
