"""The WebSocket hub: authenticates devices, runs their sessions, fans committed rows out.

The protocol is documented in ``services/chat/PROTOCOL.md``. Every frame is a JSON object
with a ``type``. A bad frame gets an ``error`` frame and the connection lives on; only a
socket that cannot keep up (its control queue fills, or one send takes longer than
``send_timeout_s``) is closed, with code 4008, and its device resyncs from its cursors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from services.chat import calls, inputs
from services.chat.bus import RESYNC
from services.chat.connection import ConvState, Session
from services.chat.model import MEMBER_ADDED, MEMBER_REMOVED, Message
from services.chat.service import ChatService
from services.errors import DomainError, Forbidden, Invalid

log = logging.getLogger(__name__)

CLOSE_SLOW = 4008
CLOSE_AUTH = 4001
CLOSE_PROTOCOL = 4002
HELLO_TIMEOUT_S = 10.0


def _problem(exc: DomainError) -> dict[str, Any]:
    return {"type": "error", "status": exc.status, "message": exc.message}


class Hub:
    """All sessions of this process, by conversation and by user."""

    def __init__(self, service: ChatService, resolve_key: Any) -> None:
        self.service = service
        self.conf = service.conf
        self.resolve_key = resolve_key  # API key -> Principal | None (blocking)
        self.by_conv: dict[str, set[Session]] = defaultdict(set)
        self.by_user: dict[str, set[Session]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sessions = 0
        service.connected = lambda user: bool(self.by_user.get(user))
        service.subscribe(self._from_writer)

    def close(self) -> None:
        self.service.unsubscribe(self._from_writer)

    # -- fan-out ---------------------------------------------------------------------------
    def _from_writer(self, committed: list[Any]) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._fan_out, committed)

    def _fan_out(self, committed: list[Any]) -> None:
        for item in committed:
            if isinstance(item, Message):
                self._offer(item)
            elif isinstance(item, tuple) and item[0] == "to_device":
                _, user, device, _id = item
                for s in self.by_user.get(user, ()):
                    if s.device == device:
                        s.inbox_dirty = True
                        s.wake.set()
            elif isinstance(item, tuple) and item[0] == "frame":
                _, scope, target, sender, device, frame = item
                self._post_local(scope, target, sender, device, frame)
            elif item == RESYNC:
                asyncio.get_running_loop().create_task(self._refresh_all())

    async def _refresh_all(self) -> None:
        """Notices from other processes may have been lost (the bus was down): learn every
        followed conversation's last seq from the store, so sessions send what they missed."""
        for user, sessions in list(self.by_user.items()):
            try:
                convs = await asyncio.to_thread(self.service.conversations, user)
            except Exception:  # noqa: BLE001 - the next notice or reconnect heals it
                log.warning("chat resync of %s failed", user, exc_info=True)
                continue
            for conv, _active in convs:
                for s in list(sessions):
                    state = s.convs.get(conv.id)
                    if state is not None and conv.last_seq > state.known:
                        state.known = conv.last_seq
                        s.dirty.add(conv.id)
                        s.wake.set()

    def _post_local(
        self, scope: str, target: str, sender: str, device: str, frame: dict[str, Any]
    ) -> None:
        """An ephemeral frame to this process's sockets of a conversation (``scope`` conv)
        or of a user (``scope`` user), but not to the device that sent it."""
        sessions = self.by_conv.get(target, ()) if scope == "conv" else self.by_user.get(target)
        kind = frame.get("type")
        to_user, to_device = frame.get("to_user"), frame.get("to_device")
        for other in list(sessions or ()):
            if other.user == sender and other.device == device:
                continue
            if kind == "typing" and other.user == sender:
                continue
            if (to_user and other.user != to_user) or (to_device and other.device != to_device):
                continue  # signalling meant for one device of the call
            other.post(frame, droppable=kind in ("typing", "receipt"))

    def relay(self, s: Session, scope: str, target: str, frame: dict[str, Any]) -> None:
        """Send an ephemeral frame from ``s`` here and to the other processes."""
        self._post_local(scope, target, s.user, s.device, frame)
        self.service.signal(scope, target, s.user, s.device, frame)

    def _offer(self, m: Message) -> None:
        if m.kind == MEMBER_ADDED:
            user = orjson.loads(m.body or "{}").get("user")
            for s in list(self.by_user.get(user, ())):
                if m.conv_id not in s.convs:
                    s.convs[m.conv_id] = ConvState(sent=m.seq - 1, acked=m.seq - 1, known=m.seq)
                self.by_conv[m.conv_id].add(s)
        for s in list(self.by_conv.get(m.conv_id, ())):
            s.offer(m)
        if m.kind == MEMBER_REMOVED:
            user = orjson.loads(m.body or "{}").get("user")
            for s in list(self.by_user.get(user, ())):
                self.by_conv[m.conv_id].discard(s)

    # -- one connection --------------------------------------------------------------------
    async def serve(self, ws: WebSocket, header_key: str | None) -> None:
        self.loop = asyncio.get_running_loop()
        await ws.accept()
        session = await self._hello(ws, header_key)
        if session is None:
            return
        self.sessions += 1
        sender = asyncio.create_task(self._sender(ws, session))
        try:
            await self._receiver(ws, session)
        finally:
            session.closed = True
            session.wake.set()
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
            self._forget(session)
            self.sessions -= 1
            if ws.application_state != WebSocketState.DISCONNECTED:
                with contextlib.suppress(Exception):
                    await ws.close(CLOSE_SLOW if session.overflow else 1000)

    async def _hello(self, ws: WebSocket, header_key: str | None) -> Session | None:
        try:
            raw = await asyncio.wait_for(ws.receive_text(), HELLO_TIMEOUT_S)
            frame = orjson.loads(raw)
            if not isinstance(frame, dict) or frame.get("type") != "hello":
                raise Invalid('the first frame must be {"type": "hello", "device": ...}')
            device = inputs.check_device_id(frame.get("device"))
            key = header_key or frame.get("api_key")
            principal = None
            if isinstance(key, str) and key:
                principal = await asyncio.to_thread(self.resolve_key, key)
            if principal is None:
                await ws.send_text(
                    orjson.dumps(
                        {
                            "type": "error",
                            "status": 401,
                            "message": "missing or invalid API key (X-API-Key, "
                            "Authorization: Bearer, or api_key in hello)",
                        }
                    ).decode()
                )
                await ws.close(CLOSE_AUTH)
                return None
            cursors = frame.get("cursors") or {}
            if not isinstance(cursors, dict):
                raise Invalid("cursors must be an object of conversation id -> seq")
            for conv, seq in cursors.items():
                inputs.check_conv_id(conv)
                inputs.check_seq(seq, "cursor")
        except (TimeoutError, WebSocketDisconnect):
            with contextlib.suppress(Exception):
                await ws.close(CLOSE_PROTOCOL)
            return None
        except (orjson.JSONDecodeError, DomainError, RuntimeError) as exc:
            err = exc if isinstance(exc, DomainError) else Invalid("hello is not valid JSON")
            with contextlib.suppress(Exception):
                await ws.send_text(orjson.dumps(_problem(err)).decode())
                await ws.close(CLOSE_PROTOCOL)
            return None
        user = principal.user_id
        svc = self.service
        await asyncio.to_thread(svc.register_device, user, device)
        stored = await asyncio.to_thread(svc.cursors, user, device)
        convs = await asyncio.to_thread(svc.conversations, user)
        session = Session(
            user, device, live_buffer=self.conf.live_buffer, control_buffer=self.conf.window
        )
        listing = []
        for conv, active in convs:
            start = cursors.get(conv.id, stored.get(conv.id, (0, 0))[0])
            start = min(int(start), conv.last_seq)
            session.convs[conv.id] = ConvState(sent=start, acked=start, known=conv.last_seq)
            session.convs[conv.id].read = stored.get(conv.id, (0, 0))[1]
            if active:
                self.by_conv[conv.id].add(session)
            session.dirty.add(conv.id)
            listing.append(
                {"conv": conv.id, "last_seq": conv.last_seq, "cursor": start, "active": active}
            )
        try:
            self.by_user[user].add(session)
            await asyncio.to_thread(svc.heartbeat, user)
            for conv_id, seq in cursors.items():
                if conv_id in session.convs and seq > stored.get(conv_id, (0, 0))[0]:
                    # Acks lost in flight (a crash, a cut): the device's cursor attests the rows.
                    await asyncio.to_thread(
                        svc.recover_acks,
                        user,
                        device,
                        conv_id,
                        stored.get(conv_id, (0, 0))[0],
                        session.convs[conv_id].sent,
                    )
            await ws.send_text(
                orjson.dumps(
                    {
                        "type": "welcome",
                        "user": user,
                        "device": device,
                        "conversations": listing,
                        "max_frame_bytes": self.conf.max_frame_bytes,
                        "max_message_bytes": self.conf.max_message_bytes,
                        "window": self.conf.window,
                    }
                ).decode()
            )
        except Exception:  # noqa: BLE001 - gone during hello: forget it, it reconnects
            self._forget(session)
            with contextlib.suppress(Exception):
                await ws.close(CLOSE_SLOW)
            return None
        session.wake.set()
        return session

    def _forget(self, session: Session) -> None:
        for conv in session.convs:
            self.by_conv.get(conv, set()).discard(session)
        mine = self.by_user.get(session.user, set())
        mine.discard(session)
        if not mine:
            self.by_user.pop(session.user, None)
            with contextlib.suppress(Exception):
                self.service.went_offline(session.user, session.device)

    # -- sending ---------------------------------------------------------------------------
    async def _send(self, ws: WebSocket, frame: dict[str, Any]) -> None:
        # asyncio.timeout, not wait_for: no task per frame on the hot path.
        async with asyncio.timeout(self.conf.send_timeout_s):
            await ws.send_text(orjson.dumps(frame).decode())

    async def _sender(self, ws: WebSocket, s: Session) -> None:
        try:
            while not s.closed:
                await s.wake.wait()
                s.wake.clear()
                if s.overflow:
                    await ws.close(CLOSE_SLOW, "slow consumer: reconnect and resync")
                    return
                while not s.control.empty():
                    await self._send(ws, s.control.get_nowait())
                if s.inbox_dirty:
                    s.inbox_dirty = False
                    await self._send_inbox(ws, s)
                for conv in list(s.dirty):
                    s.dirty.discard(conv)
                    if await self._send_conv(ws, s, conv):
                        s.dirty.add(conv)  # window full or more to come: later
                if s.dirty and any(len(s.convs[c].inflight) < self.conf.window for c in s.dirty):
                    s.wake.set()
        except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
            s.overflow = True
            s.closed = True
            with contextlib.suppress(Exception):
                await ws.close(CLOSE_SLOW, "slow consumer: reconnect and resync")

    async def _send_conv(self, ws: WebSocket, s: Session, conv: str) -> bool:
        """Send what is due in one conversation; True if some is still due."""
        state = s.convs[conv]
        window = self.conf.window
        while state.sent < state.known and len(state.inflight) < window:
            m = s.take_live(state, state.sent + 1)
            if m is not None:
                await self._deliver(ws, state, m)
                continue
            rows, scanned, gap = await asyncio.to_thread(
                self.service.history,
                s.user,
                conv,
                state.sent,
                min(self.conf.page_size, window - len(state.inflight)),
            )
            if gap is not None:
                await self._send(ws, {"type": "gap", **gap})
                await asyncio.to_thread(self.service.note_gap, s.user, s.device, gap)
                state.sent = max(state.sent, gap["to"])
            for m in rows:
                if m.seq > state.sent:
                    await self._deliver(ws, state, m)
            s.drop_live_through(state, scanned)
            if scanned <= state.sent and not rows and gap is None:
                state.known = max(state.sent, scanned)  # nothing more stored yet
                break
            state.sent = max(state.sent, scanned)
        return state.sent < state.known

    async def _deliver(self, ws: WebSocket, state: ConvState, m: Message) -> None:
        await self._send(ws, m.frame())
        state.sent = m.seq
        state.inflight.append((m.seq, m.created_at, time.time()))

    async def _send_inbox(self, ws: WebSocket, s: Session) -> None:
        rows = await asyncio.to_thread(self.service.store.inbox, s.user, s.device)
        for r in rows:
            if r["id"] > s.inbox_sent:
                await self._send(
                    ws,
                    {
                        "type": "to_device",
                        "id": r["id"],
                        "sender": r["sender"],
                        "sender_device": r["sender_device"],
                        "body": orjson.loads(r["body"]),
                    },
                )
                s.inbox_sent = r["id"]

    # -- receiving -------------------------------------------------------------------------
    async def _receiver(self, ws: WebSocket, s: Session) -> None:
        while not s.closed:
            try:
                message = await ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                s.post(
                    {"type": "error", "status": 400, "message": "frames are JSON text, not binary"}
                )
                continue
            if len(text.encode()) > self.conf.max_frame_bytes:
                s.post(
                    {
                        "type": "error",
                        "status": 413,
                        "message": f"frame over {self.conf.max_frame_bytes} bytes",
                    }
                )
                continue
            frame: dict[str, Any] = {}
            try:
                parsed = orjson.loads(text)
                if not isinstance(parsed, dict):
                    raise Invalid("a frame is a JSON object with a type")
                frame = parsed
                await self._handle(s, frame)
            except orjson.JSONDecodeError:
                s.post({"type": "error", "status": 400, "message": "frame is not valid JSON"})
            except DomainError as exc:
                client_id = frame.get("client_id")
                s.post(
                    {
                        **_problem(exc),
                        "ref": frame.get("type"),
                        "client_id": client_id if isinstance(client_id, str) else None,
                    }
                )

    async def _handle(self, s: Session, f: dict[str, Any]) -> None:
        kind = f.get("type")
        svc = self.service
        if kind == "send":
            conv = inputs.check_conv_id(f.get("conv"))
            client_id = inputs.check_client_id(f.get("client_id"))
            ts = f.get("ts")
            future = svc.post_async(
                s.user,
                s.device,
                conv,
                client_id,
                f.get("body"),
                client_ts=ts if isinstance(ts, int | float) else None,
            )
            asyncio.get_running_loop().create_task(self._answer(s, future, client_id, conv))
        elif kind in ("edit", "delete"):
            conv = inputs.check_conv_id(f.get("conv"))
            client_id = inputs.check_client_id(f.get("client_id"))
            seq = inputs.check_seq(f.get("seq"))
            body = f.get("body") if kind == "edit" else None
            if kind == "edit" and body is None:
                raise Invalid("an edit needs a body")
            write = svc.change_write(s.user, s.device, conv, seq, body, client_id)
            future = svc.writer.submit(write)
            asyncio.get_running_loop().create_task(self._answer(s, future, client_id, conv))
        elif kind in ("ack", "read"):
            self._ack(s, f, read=kind == "read")
        elif kind == "typing":
            conv = inputs.check_conv_id(f.get("conv"))
            state = f.get("state")
            if state not in ("start", "stop") or conv not in s.convs:
                raise Invalid("typing needs a conversation of yours and state start|stop")
            frame = {"type": "typing", "conv": conv, "user": s.user, "state": state}
            self.relay(s, "conv", conv, frame)
        elif kind == "ping":
            await asyncio.to_thread(svc.heartbeat, s.user)
            s.post({"type": "pong", "ts": time.time()}, droppable=True)
        elif kind == "to_device":
            user = f.get("user")
            if not isinstance(user, str):
                raise Invalid("to_device needs user, device and body")
            write = svc.to_device_write(s.user, s.device, user, f.get("device"), f.get("body"))
            future = svc.writer.submit(write)
            asyncio.get_running_loop().create_task(self._answer(s, future, None, None))
        elif isinstance(kind, str) and kind.startswith("call_"):
            await self._call(s, kind, f)
        elif kind == "ack_to_device":
            up_to = inputs.check_seq(f.get("id"), "id")
            svc.writer.submit(svc.inbox_ack_write(s.user, s.device, up_to))
        else:
            raise Invalid(f"unknown frame type {kind!r}; see the protocol page")

    async def _call(self, s: Session, kind: str, f: dict[str, Any]) -> None:
        """WebRTC signalling (``services.chat.calls``): check, record, relay to members."""
        conv = inputs.check_conv_id(f.get("conv"))
        call_id = calls.check_call_id(f.get("call"))
        if s not in self.by_conv.get(conv, ()):
            raise Forbidden(
                f"calls are between members of a conversation; not one of yours: {conv}"
            )
        reg = self.service.calls
        relay: dict[str, Any] = {
            "type": kind,
            "conv": conv,
            "call": call_id,
            "from_user": s.user,
            "from_device": s.device,
        }
        if f.get("to_device") is not None:
            relay["to_device"] = inputs.check_device_id(f["to_device"])
        if f.get("to_user") is not None:
            if not isinstance(f["to_user"], str) or not 0 < len(f["to_user"]) <= 200:
                raise Invalid("to_user must be a user id")
            relay["to_user"] = f["to_user"]
        state: dict[str, Any] | None = None
        if kind == "call_offer":
            relay["sdp"] = calls.check_sdp(f.get("sdp"))
            record, new = await asyncio.to_thread(
                reg.offer, call_id, conv, s.user, s.device, f.get("media")
            )
            relay["media"] = record["media"]
            state = record if new else None
        elif kind == "call_answer":
            relay["sdp"] = calls.check_sdp(f.get("sdp"))
            before = await asyncio.to_thread(reg.answer, call_id, conv, s.user, s.device)
            state = before
        elif kind == "call_ice":
            relay["candidate"] = calls.check_candidate(f.get("candidate"))
            await asyncio.to_thread(reg.signal, call_id, conv, s.user)
        elif kind == "call_decline":
            members = len(await asyncio.to_thread(self.service.store.members, conv))
            state = await asyncio.to_thread(
                reg.refuse, call_id, conv, s.user, f.get("reason") or "declined", members
            )
            relay["reason"] = f.get("reason") or "declined"
        elif kind == "call_hangup":
            state = await asyncio.to_thread(reg.hangup, call_id, conv, s.user, f.get("reason"))
            relay["reason"] = state.get("reason") or f.get("reason") or "hangup"
        else:
            raise Invalid(f"unknown call frame {kind!r}; see the protocol page")
        self.relay(s, "conv", conv, relay)
        if state is not None:  # every device of every member, the sender's too
            frame = {
                "type": "call",
                "conv": conv,
                "call": call_id,
                "state": state["state"],
                "media": state["media"],
                "caller": state["caller"],
                "by": s.user,
                "by_device": s.device,
                "reason": state.get("reason"),
                "joined": state["joined"],
            }
            self._post_local("conv", conv, "", "", frame)
            self.service.signal("conv", conv, "", "", frame)

    def _ack(self, s: Session, f: dict[str, Any], *, read: bool) -> None:
        conv = inputs.check_conv_id(f.get("conv"))
        seq = inputs.check_seq(f.get("seq"))
        state = s.convs.get(conv)
        if state is None:
            raise Invalid(f"not a conversation of this session: {conv}")
        if seq > state.sent:
            raise Invalid(f"ack of seq {seq} past the last one sent ({state.sent})")
        if read:
            if seq <= state.read:
                return
            state.read = seq
            self.service.writer.submit(
                self.service.ack_write(s.user, s.device, conv, seq, [], read=True)
            )
            frame = {
                "type": "receipt",
                "kind": "read",
                "conv": conv,
                "user": s.user,
                "device": s.device,
                "seq": seq,
            }
            self.relay(s, "conv", conv, frame)
            return
        if seq <= state.acked:
            return
        covered = []
        while state.inflight and state.inflight[0][0] <= seq:
            covered.append(state.inflight.popleft())
        state.acked = seq
        self.service.writer.submit(self.service.ack_write(s.user, s.device, conv, seq, covered))
        if state.sent < state.known:
            s.dirty.add(conv)
            s.wake.set()

    async def _answer(
        self, s: Session, future: Any, client_id: str | None, conv: str | None
    ) -> None:
        try:
            result = await asyncio.wrap_future(future)
        except DomainError as exc:
            s.post({**_problem(exc), "client_id": client_id, "conv": conv})
            return
        except Exception:  # noqa: BLE001 - the client retries with the same client id
            log.exception("chat write failed")
            s.post(
                {
                    "type": "error",
                    "status": 503,
                    "client_id": client_id,
                    "conv": conv,
                    "message": "could not store the message; resend it with the same client_id",
                }
            )
            return
        if isinstance(result, int):
            s.post({"type": "queued", "id": result})
            return
        m = result.message
        s.post(
            {
                "type": "accepted",
                "client_id": client_id,
                "conv": m.conv_id,
                "seq": m.seq,
                "duplicate": result.duplicate,
                "ts": m.created_at,
            }
        )
