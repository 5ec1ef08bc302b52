"""Devices of the messaging service: linking them, their delivered and read cursors (the
acks that become the lake's per-device ``delivered`` log), receipts, device-to-device
envelopes (key shares), and presence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, and_, select

from services.auth import canonical_user_id
from services.chat import device_store as ds
from services.chat import inputs
from services.chat import store as st
from services.chat import tables as t
from services.chat.presence import Presence
from services.chat.records import chat_event, stamp
from services.chat.settings import ChatSettings
from services.chat.writer import Output, Writer
from services.errors import Forbidden, Invalid, NotFound
from warehouse.emitter import Emitter


class Devices:
    """Part of ``ChatService`` (``services.chat.service``): its device operations."""

    store: st.ChatStore
    conf: ChatSettings
    clock: Callable[[], float]
    writer: Writer
    emitter: Emitter | None
    presence: Presence

    # -- devices, cursors, receipts --------------------------------------------------------
    def register_device(self, user: str, device: str, public_key: str | None = None) -> bool:
        """Link a device (or update its public key); True when it is new. A new device's
        cursors start at the user's joining of each conversation, so it can fetch history."""
        inputs.check_device_id(device)
        if public_key is not None and (len(public_key) > 200 or not public_key.isascii()):
            raise Invalid("public_key must be at most 200 ASCII characters (base64)")

        def write(conn: Connection, out: Output) -> bool:
            new = ds.tx_upsert_device(conn, user, device, public_key, self.clock())
            if new:
                out.events.append(chat_event("device_linked", user, device))
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
    ) -> Callable[[Connection, Output], bool]:
        """Move the device's delivered (or read) cursor to ``seq``. ``deliveries`` are the
        rows this device's socket sent and this ack covers: ``(seq, stored_at, sent_at)``;
        each becomes one ``delivered`` event, the per-device log the gap audit reads."""
        column = "read_seq" if read else "delivered_seq"

        def write(conn: Connection, out: Output) -> bool:
            now = self.clock()
            # Recorded once per row: a late ack from a dead socket and the cursor a
            # reconnecting device brings may cover the same rows.
            before = ds.tx_cursor(conn, user, device, conv_id, column)
            moved = ds.tx_advance_cursor(conn, user, device, conv_id, column, seq, now)
            ts = stamp()  # one timestamp for the write's events (they stay in list order)
            if read and moved:
                out.events.append(chat_event("read", user, conv_id, ts=ts, device=device, seq=seq))
            for d_seq, stored_at, sent_at in deliveries:
                if d_seq <= before:
                    continue
                out.events.append(
                    chat_event(
                        "delivered",
                        user,
                        conv_id,
                        ts=ts,
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
    ) -> Callable[[Connection, Output], int]:
        """Queue an opaque envelope (a sealed key share, say) for one device of ``user``."""
        inputs.check_device_id(device)
        raw = inputs.encode(body)
        if len(raw) > self.conf.max_message_bytes:
            raise Invalid(
                f"to-device body is {len(raw)} bytes; the cap is {self.conf.max_message_bytes}"
            )

        def write(conn: Connection, out: Output) -> int:
            known = conn.execute(
                select(t.devices.c.device_id).where(
                    and_(t.devices.c.user_id == user, t.devices.c.device_id == device)
                )
            ).first()
            if known is None:
                raise NotFound(f"{user} has no device {device!r}")
            if user != sender and not self._share_a_conversation(conn, sender, user):
                raise Forbidden("you may send to devices of people you share a conversation with")
            envelope_id = ds.tx_inbox_put(
                conn, user, device, sender, sender_device, raw.decode(), self.clock()
            )
            out.committed.append(("to_device", user, device, envelope_id))
            out.events.append(chat_event("to_device_queued", sender, user, device=device))
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
        def write(conn: Connection, out: Output) -> int:
            return ds.tx_inbox_ack(conn, user, device, up_to)

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

        def write(conn: Connection, out: Output) -> None:
            ds.tx_upsert_device(conn, user, device, None, self.clock())

        self.writer.send(write)
