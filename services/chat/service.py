"""The messaging service: the one object the WebSocket hub, the HTTP routes, the CLI, the
workload and the Dagster assets use.

It owns the store, the group-commit writer, presence in its cache tier, its clock and its
settings, and emits every ``chat`` event itself. Writes go through the writer so that a
message's ``seq`` is assigned in the transaction that stores it; listeners (the hub's
fan-out) hear of rows only after they are durable, in commit order.

Edits and deletes are rows of the log too (``edit``/``delete`` with ``ref_seq``): a device
that resyncs gets them in order, and the original row is rewritten so history shows the
latest text (or nothing). Windows: ``edit_window_s`` and ``delete_window_s`` from sending.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
from sqlalchemy import Connection, and_, select

from services.auth import canonical_user_id
from services.chat import inputs
from services.chat import store as st
from services.chat import tables as t
from services.chat.attachments import Attachments
from services.chat.bus import LocalBus, RedisBus
from services.chat.calls import Calls
from services.chat.model import (
    CONTENT,
    CREATED,
    DELETE,
    EDIT,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    RETENTION,
    Conversation,
    Message,
    Posted,
)
from services.chat.presence import Presence
from services.chat.push import Pusher
from services.chat.settings import ChatSettings
from services.chat.writer import Outbox, Writer
from services.errors import Forbidden, Gone, Invalid, NotFound
from warehouse.emitter import Emitter
from warehouse.events import Event

log = logging.getLogger(__name__)

# Hears every commit, in order: ``Message`` rows and ``("to_device", user, device, id)``.
Listener = Callable[[list[Any]], None]
SCRUB = ("scrub",)  # a commit that removed text: the store's files are scrubbed after it


def _event(type_: str, actor: str | None, entity: str | None, **attrs: Any) -> Event:
    return Event(system="chat", type=type_, actor=actor, entity=entity, attrs=attrs)


class ChatService:
    def __init__(
        self,
        store: st.ChatStore,
        conf: ChatSettings,
        emitter: Emitter | None,
        cache: Any,
        *,
        clock: Callable[[], float] = time.time,
        pusher: Pusher | None = None,
        files: Any = None,
        bus: LocalBus | RedisBus | None = None,
    ) -> None:
        self.store = store
        self.attachments = Attachments(files)
        self.conf = conf
        self.emitter = emitter
        self.cache = cache
        self.clock = clock
        self.pusher = pusher
        self.presence = Presence(cache, emitter, conf.presence_ttl_s, clock)
        self.calls = Calls(cache, emitter, ring_timeout_s=conf.ring_timeout_s, clock=clock)
        self._listeners: list[Listener] = []
        # Who has a device connected to this process (the hub keeps it): push skips them.
        self.connected: Callable[[str], bool] = lambda _user: False
        self.writer = Writer(store.engine, emitter, batch=conf.writer_batch, on_commit=self._fan)
        self._push_pool = ThreadPoolExecutor(1, thread_name_prefix="chat-push")  # in order
        # Other app processes hear of this one's commits (and it of theirs) through the bus.
        self.bus = bus or LocalBus()
        self.bus.start(self._remote)

    # -- listeners -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _fan(self, committed: list[Any]) -> None:
        for listener in list(self._listeners):
            listener(committed)
        self.bus.publish(committed)
        if self.pusher is not None and self.conf.push:
            wake = []
            for item in committed:
                if isinstance(item, tuple) and item[0] == "push":
                    wake.append(item[1:])
            if wake:
                self._push_pool.submit(self._push, wake)
        if any(
            item is SCRUB for item in committed
        ):  # a text was deleted: no copy may linger in the store's files
            self._push_pool.submit(self.store.scrub)

    def _online(self, user: str) -> bool:
        """A device of ``user`` is connected here, or (scaled out) to another process, as
        the shared presence says."""
        if self.connected(user):
            return True
        return self.bus.shared and self.presence.status(user)["online"]

    def _remote(self, committed: list[Any]) -> None:
        """Rows another process committed, and its ephemeral frames: for this process's
        sockets only (the committing process pushes and records)."""
        for listener in list(self._listeners):
            listener(committed)

    def signal(self, scope: str, target: str, sender: str, device: str, frame: Any) -> None:
        """Relay an ephemeral frame (typing, a read receipt, call signalling) to the sockets
        of other processes: ``scope`` is ``conv`` (its members) or ``user`` (their devices);
        the sending device is left out."""
        self.bus.publish([("frame", scope, target, sender, device, frame)])

    def _push(self, wake: list[tuple[Message]]) -> None:
        for (message,) in wake:
            users = [u for u in self.store.members(message.conv_id) if u != message.sender]
            offline = [u for u in users if not self._online(u)]
            if offline and self.pusher is not None:
                self.pusher.wake(message, offline)

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

        def write(conn: Connection, out: Outbox) -> Conversation:
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
                    _event("member_added", creator, conv.id, user=user, seq=added.seq)
                )
            out.events.append(
                _event(
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

        def write(conn: Connection, out: Outbox) -> Message:
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
            out.events.append(_event("member_added", actor, conv_id, user=user, seq=added.seq))
            return added

        return self.writer.call(write)

    def remove_member(self, actor: str, conv_id: str, user: str) -> Message:
        """Remove ``user`` (any member may leave; the creator may remove others)."""
        user = canonical_user_id(user)

        def write(conn: Connection, out: Outbox) -> Message:
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
            out.events.append(_event("member_removed", actor, conv_id, user=user, seq=removed.seq))
            return removed

        return self.writer.call(write)

    def set_retention(self, actor: str, conv_id: str, retention_s: float | None) -> Message:
        if retention_s is not None and retention_s <= 0:
            raise Invalid("retention_s must be positive (or null: kept for ever)")

        def write(conn: Connection, out: Outbox) -> Message:
            st.require_member(conn, conv_id, actor)
            st.tx_set_retention(conn, conv_id, retention_s)
            row = st.tx_append(
                conn, conv_id, RETENTION, actor, None, {"retention_s": retention_s}, self.clock()
            ).message
            out.committed.append(row)
            out.events.append(_event("retention_set", actor, conv_id, retention_s=retention_s))
            return row

        return self.writer.call(write)

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
    ) -> Callable[[Connection, Outbox], Posted]:
        """The write that stores one message (idempotent on ``client_id``)."""
        inputs.check_client_id(client_id)

        def write(conn: Connection, out: Outbox) -> Posted:
            encrypted = st.member_conversation(conn, conv_id, user)
            clean = inputs.check_body(body, encrypted=encrypted, cap=self.conf.max_message_bytes)
            now = self.clock()
            if st.stored_client_id(conn, conv_id, user, client_id):
                return st.tx_append(  # the replay answers the stored message, links nothing
                    conn, conv_id, CONTENT, user, device, clean, now, client_id=client_id
                )
            shares = self.attachments.link(user, clean)
            try:
                posted = st.tx_append(
                    conn, conv_id, CONTENT, user, device, clean, now, client_id=client_id
                )
            except BaseException:
                self.attachments.revoke(user, shares)
                raise
            m = posted.message
            out.committed.append(m)
            out.committed.append(("push", m))
            out.events.append(
                _event(
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

    def post_async(self, *args: Any, **kwargs: Any) -> Future:
        return self.writer.submit(self.post_write(*args, **kwargs))

    def change_write(
        self,
        user: str,
        device: str | None,
        conv_id: str,
        seq: int,
        body: Any | None,
        client_id: str,
    ) -> Callable[[Connection, Outbox], Posted]:
        """An edit (``body``) or a delete (``None``) of the sender's own message, for everyone,
        within the window; stored as a row of the log."""
        inputs.check_client_id(client_id)
        inputs.check_seq(seq, "ref_seq")
        kind = DELETE if body is None else EDIT

        def write(conn: Connection, out: Outbox) -> Posted:
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
                _event(
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

    # -- devices, cursors, receipts --------------------------------------------------------
    def register_device(self, user: str, device: str, public_key: str | None = None) -> bool:
        """Link a device (or update its public key); True when it is new. A new device's
        cursors start at the user's joining of each conversation, so it can fetch history."""
        inputs.check_device_id(device)
        if public_key is not None and (len(public_key) > 200 or not public_key.isascii()):
            raise Invalid("public_key must be at most 200 ASCII characters (base64)")

        def write(conn: Connection, out: Outbox) -> bool:
            new = st.tx_upsert_device(conn, user, device, public_key, self.clock())
            if new:
                out.events.append(_event("device_linked", user, device))
            return new

        return self.writer.call(write)

    def devices(self, user: str) -> list[dict[str, Any]]:
        return self.store.devices(canonical_user_id(user))

    def ack_write(
        self,
        user: str,
        device: str,
        conv_id: str,
        seq: int,
        deliveries: list[tuple[int, float, float]],
        *,
        read: bool = False,
    ) -> Callable[[Connection, Outbox], bool]:
        """Move the device's delivered (or read) cursor to ``seq``. ``deliveries`` are the
        rows this device's socket sent and this ack covers: ``(seq, stored_at, sent_at)``;
        each becomes one ``delivered`` event, the per-device log the gap audit reads."""
        column = "read_seq" if read else "delivered_seq"

        def write(conn: Connection, out: Outbox) -> bool:
            now = self.clock()
            # Recorded once per row: a late ack from a dead socket and the cursor a
            # reconnecting device brings may cover the same rows.
            before = st.tx_cursor(conn, user, device, conv_id, column)
            moved = st.tx_advance_cursor(conn, user, device, conv_id, column, seq, now)
            if read and moved:
                out.events.append(_event("read", user, conv_id, device=device, seq=seq))
            for d_seq, stored_at, sent_at in deliveries:
                if d_seq <= before:
                    continue
                out.events.append(
                    _event(
                        "delivered",
                        user,
                        conv_id,
                        device=device,
                        seq=d_seq,
                        stored_at=stored_at,
                        sent_at=sent_at,
                        acked_at=now,
                    )
                )
            return moved

        return write

    def recover_acks(self, user: str, device: str, conv_id: str, stored: int, cursor: int) -> None:
        """A device reconnected with a cursor past the stored one (its acks were lost in a
        crash or a cut): record the rows it attests, those it may see, as delivered."""
        deliveries: list[tuple[int, float, float]] = []
        after = stored
        while after < cursor:
            rows, scanned = self.store.page(conv_id, user, after, min(1000, cursor - after))
            deliveries += [(m.seq, m.created_at, None) for m in rows if m.seq <= cursor]
            if scanned <= after:
                break
            after = scanned
        self.writer.call(self.ack_write(user, device, conv_id, cursor, deliveries))

    def ack(self, user: str, device: str, conv_id: str, seq: int, *, read: bool = False) -> bool:
        """Move a cursor over HTTP (no socket delivery is recorded)."""
        inputs.check_seq(seq)
        conv = self.conversation(user, conv_id)
        if seq > conv.last_seq:
            raise Invalid(f"seq {seq} is past the conversation's last ({conv.last_seq})")
        return self.writer.call(self.ack_write(user, device, conv_id, seq, [], read=read))

    def cursors(self, user: str, device: str) -> dict[str, tuple[int, int]]:
        return self.store.cursors(user, device)

    def receipts(self, user: str, conv_id: str) -> dict[str, Any]:
        """Delivered and read cursors per device, and per user (the furthest of its devices)."""
        self.conversation(user, conv_id)
        per_device = self.store.receipts(conv_id)
        per_user: dict[str, dict[str, int]] = {}
        for r in per_device:
            agg = per_user.setdefault(r["user_id"], {"delivered_seq": 0, "read_seq": 0})
            agg["delivered_seq"] = max(agg["delivered_seq"], r["delivered_seq"])
            agg["read_seq"] = max(agg["read_seq"], r["read_seq"])
        return {
            "devices": per_device,
            "users": [{"user_id": u, **v} for u, v in sorted(per_user.items())],
        }

    # -- device-to-device envelopes (key shares) -------------------------------------------
    def to_device_write(
        self, sender: str, sender_device: str, user: str, device: str, body: Any
    ) -> Callable[[Connection, Outbox], int]:
        """Queue an opaque envelope (a sealed key share, say) for one device of ``user``."""
        inputs.check_device_id(device)
        raw = inputs.encode(body)
        if len(raw) > self.conf.max_message_bytes:
            raise Invalid(
                f"to-device body is {len(raw)} bytes; the cap is {self.conf.max_message_bytes}"
            )

        def write(conn: Connection, out: Outbox) -> int:
            known = conn.execute(
                select(t.devices.c.device_id).where(
                    and_(t.devices.c.user_id == user, t.devices.c.device_id == device)
                )
            ).first()
            if known is None:
                raise NotFound(f"{user} has no device {device!r}")
            if user != sender and not self._share_a_conversation(conn, sender, user):
                raise Forbidden("you may send to devices of people you share a conversation with")
            envelope_id = st.tx_inbox_put(
                conn, user, device, sender, sender_device, raw.decode(), self.clock()
            )
            out.committed.append(("to_device", user, device, envelope_id))
            out.events.append(_event("to_device_queued", sender, user, device=device))
            return envelope_id

        return write

    @staticmethod
    def _share_a_conversation(conn: Connection, a: str, b: str) -> bool:
        mine = select(t.members.c.conv_id).where(
            and_(t.members.c.user_id == a, t.members.c.left_seq.is_(None))
        )
        row = conn.execute(
            select(t.members.c.conv_id)
            .where(
                and_(
                    t.members.c.user_id == b,
                    t.members.c.left_seq.is_(None),
                    t.members.c.conv_id.in_(mine),
                )
            )
            .limit(1)
        ).first()
        return row is not None

    def inbox_ack_write(self, user: str, device: str, up_to: int) -> Callable[..., int]:
        def write(conn: Connection, out: Outbox) -> int:
            return st.tx_inbox_ack(conn, user, device, up_to)

        return write

    def note_gap(self, user: str, device: str, gap: dict[str, Any]) -> None:
        """Record that a device was told of a range it cannot get (the audit accounts for it)."""
        if self.emitter is not None:
            self.emitter.emit(
                "chat",
                "gap_notified",
                actor=user,
                entity=gap["conv"],
                attrs={"device": device, "from": gap["from"], "to": gap["to"]},
            )

    # -- presence --------------------------------------------------------------------------
    def heartbeat(self, user: str) -> None:
        self.presence.heartbeat(user)

    def presence_of(self, users: list[str]) -> list[dict[str, Any]]:
        out = []
        for user in map(canonical_user_id, users):
            seen = [d["last_seen"] for d in self.store.devices(user) if d["last_seen"]]
            out.append(self.presence.status(user, max(seen) if seen else None))
        return out

    def went_offline(self, user: str, device: str) -> None:
        """The user's last device on this process disconnected."""
        self.presence.offline(user)

        def write(conn: Connection, out: Outbox) -> None:
            st.tx_upsert_device(conn, user, device, None, self.clock())

        self.writer.submit(write)

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
                conn: Connection, out: Outbox, conv_id: str = conv.id, upto: int = through
            ) -> int:
                linked = st.attachment_bodies(conn, conv_id, upto)
                n = st.tx_purge(conn, conv_id, upto)
                links = self.attachments.revoke_bodies(linked)
                out.events.append(
                    _event(
                        "messages_purged", None, conv_id, through=upto, rows=n, attachments=links
                    )
                )
                return n

            purged[conv.id] = self.writer.call(write)
        if purged:
            self.store.scrub()
        return purged

    def close(self) -> None:
        self.writer.close()
        self.bus.close()
        self._push_pool.shutdown(wait=True)
        if self.pusher is not None:
            self.pusher.close()
        self.cache.close()
