"""Conversations of the messaging service: groups and one-to-one conversations, membership
changes as rows of their log, and retention (disappearing messages) with its purge."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import Connection, select

from services.auth import canonical_user_id
from services.chat import store as st
from services.chat import tables as t
from services.chat.attachments import Attachments
from services.chat.model import (
    CREATED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    RETENTION,
    Conversation,
    Message,
)
from services.chat.records import chat_event
from services.chat.settings import ChatSettings
from services.chat.writer import Output, Writer
from services.errors import Forbidden, Invalid, NotFound


class Conversations:
    """Part of ``ChatService`` (``services.chat.service``): its conversation operations."""

    store: st.ChatStore
    conf: ChatSettings
    clock: Callable[[], float]
    writer: Writer
    attachments: Attachments

    # -- conversations ---------------------------------------------------------------------
    def create_conversation(
        self,
        creator: str,
        members: list[str],
        *,
        title: str | None = None,
        encrypted: bool = False,
        retention_s: float | None = None,
        direct: bool = False,
    ) -> Conversation:
        """A group (or, with ``direct``, the one-to-one conversation of two users: the same
        one every time). Membership changes are rows of the conversation's log."""
        people = list(dict.fromkeys([canonical_user_id(creator), *map(canonical_user_id, members)]))
        if direct and len(people) != 2:
            raise Invalid("a direct conversation has exactly two different users")
        if len(people) > self.conf.max_members:
            raise Invalid(f"a group has at most {self.conf.max_members} members")
        if retention_s is not None and retention_s <= 0:
            raise Invalid("retention_s must be positive (or absent: kept for ever)")
        key = "|".join(sorted(people)) if direct else None

        def write(conn: Connection, out: Output) -> Conversation:
            if key is not None:
                row = conn.execute(
                    select(t.conversations).where(t.conversations.c.direct_key == key)
                ).first()
                if row is not None:
                    return Conversation(**row._mapping)
            now = self.clock()
            conv = Conversation(
                uuid.uuid4().hex,
                "direct" if direct else "group",
                title,
                creator,
                now,
                encrypted,
                retention_s,
                0,
                0,
                key,
            )
            st.tx_insert_conversation(conn, conv)
            created = st.tx_append(
                conn,
                conv.id,
                CREATED,
                creator,
                None,
                {"title": title, "encrypted": encrypted, "retention_s": retention_s},
                now,
            ).message
            out.committed.append(created)
            for user in people:
                added = st.tx_append(
                    conn, conv.id, MEMBER_ADDED, creator, None, {"user": user}, now
                ).message
                st.tx_add_member(
                    conn, conv.id, user, added.seq, "owner" if user == creator else "member"
                )
                out.committed.append(added)
                out.events.append(
                    chat_event("member_added", creator, conv.id, user=user, seq=added.seq)
                )
            out.events.append(
                chat_event(
                    "conversation_created",
                    creator,
                    conv.id,
                    kind=conv.kind,
                    members=len(people),
                    encrypted=encrypted,
                    retention_s=retention_s,
                )
            )
            return st.get_conversation(conn, conv.id)

        return self.writer.call(write)

    def conversation(self, user: str, conv_id: str) -> Conversation:
        conv = self.store.conversation(conv_id)
        if conv is None:
            raise NotFound(f"no conversation {conv_id!r}")
        if not self.store.intervals(conv_id, user):
            raise Forbidden(f"you are not a member of conversation {conv_id}")
        return conv

    def conversations(self, user: str) -> list[tuple[Conversation, bool]]:
        return self.store.conversations_of(user)

    def members(self, user: str, conv_id: str) -> list[str]:
        self.conversation(user, conv_id)
        return self.store.members(conv_id)

    def add_member(self, actor: str, conv_id: str, user: str) -> Message:
        user = canonical_user_id(user)

        def write(conn: Connection, out: Output) -> Message:
            conv = st.require_member(conn, conv_id, actor)
            if conv.kind == "direct":
                raise Invalid("a direct conversation has exactly two members; start a group")
            current = st.active_members(conn, conv_id)
            if user in current:
                raise Invalid(f"{user} is already a member")
            if len(current) >= self.conf.max_members:
                raise Invalid(f"a group has at most {self.conf.max_members} members")
            added = st.tx_append(
                conn, conv_id, MEMBER_ADDED, actor, None, {"user": user}, self.clock()
            ).message
            st.tx_add_member(conn, conv_id, user, added.seq, "member")
            out.committed.append(added)
            out.events.append(chat_event("member_added", actor, conv_id, user=user, seq=added.seq))
            return added

        return self.writer.call(write)

    def remove_member(self, actor: str, conv_id: str, user: str) -> Message:
        """Remove ``user`` (any member may leave; the creator may remove others)."""
        user = canonical_user_id(user)

        def write(conn: Connection, out: Output) -> Message:
            conv = st.require_member(conn, conv_id, actor)
            if conv.kind == "direct":
                raise Invalid("nobody leaves a direct conversation")
            if user != actor and actor != conv.created_by:
                raise Forbidden("only the group's creator may remove other members")
            if user not in st.active_members(conn, conv_id):
                raise NotFound(f"{user} is not a member")
            removed = st.tx_append(
                conn, conv_id, MEMBER_REMOVED, actor, None, {"user": user}, self.clock()
            ).message
            st.tx_remove_member(conn, conv_id, user, removed.seq)
            out.committed.append(removed)
            out.events.append(
                chat_event("member_removed", actor, conv_id, user=user, seq=removed.seq)
            )
            return removed

        return self.writer.call(write)

    def set_retention(self, actor: str, conv_id: str, retention_s: float | None) -> Message:
        if retention_s is not None and retention_s <= 0:
            raise Invalid("retention_s must be positive (or null: kept for ever)")

        def write(conn: Connection, out: Output) -> Message:
            st.require_member(conn, conv_id, actor)
            st.tx_set_retention(conn, conv_id, retention_s)
            row = st.tx_append(
                conn, conv_id, RETENTION, actor, None, {"retention_s": retention_s}, self.clock()
            ).message
            out.committed.append(row)
            out.events.append(chat_event("retention_set", actor, conv_id, retention_s=retention_s))
            return row

        return self.writer.call(write)

    # -- retention -------------------------------------------------------------------------
    def purge_expired(self) -> dict[str, int]:
        """Delete rows older than each conversation's retention (disappearing messages).

        Rows go in ``seq`` order, so a conversation's history is always a suffix of its log;
        ``purged_through`` tells devices behind it that a gap cannot be filled.
        """
        now = self.clock()
        purged: dict[str, int] = {}
        for conv in self.store.with_retention():
            through = self.store.expired_through(conv.id, now - float(conv.retention_s or 0))
            if through <= conv.purged_through:
                continue

            def write(
                conn: Connection, out: Output, conv_id: str = conv.id, upto: int = through
            ) -> int:
                linked = st.attachment_bodies(conn, conv_id, upto)
                n = st.tx_purge(conn, conv_id, upto)
                links = self.attachments.revoke_bodies(linked)
                out.events.append(
                    chat_event(
                        "messages_purged", None, conv_id, through=upto, rows=n, attachments=links
                    )
                )
                return n

            purged[conv.id] = self.writer.call(write)
        if purged:
            self.store.scrub()
        return purged
