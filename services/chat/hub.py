"""The WebSocket hub: authenticates devices, runs their sessions, fans committed rows out.

The protocol is documented in ``services/chat/PROTOCOL.md``. Every frame is a JSON object
with a ``type``. A bad frame gets an ``error`` frame and the connection lives on; only a
socket that cannot keep up (its control queue fills, or one send takes longer than
``send_timeout_s``, as one watchdog for all sockets finds) is closed, with code 4008, and
its device resyncs from its cursors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from services.chat import inputs
from services.chat.bus import RESYNC
from services.chat.connection import (
    CLOSE_AUTH,
    CLOSE_PROTOCOL,
    CLOSE_SLOW,
    ConvState,
    Session,
    problem,
)
from services.chat.model import MEMBER_ADDED, MEMBER_REMOVED, Message
from services.chat.receiving import Receiving
from services.chat.sending import Sending
from services.chat.service import ChatService
from services.chat.signalling import Signalling
from services.errors import DomainError, Invalid

log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0


class Hub(Sending, Receiving, Signalling):
    """All sessions of this process, by conversation and by user: the handshake and the
    fan-out here; each socket's sender and receiver loops and call signalling in their own
    modules."""

    def __init__(self, service: ChatService, resolve_key: Any) -> None:
        self.service = service
        self.conf = service.conf
        self.resolve_key = resolve_key  # API key -> Principal | None (blocking)
        self.by_conv: dict[str, set[Session]] = defaultdict(set)
        self.by_user: dict[str, set[Session]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sessions = 0
        # Outcomes of this process's socket writes, from the writer's thread to the loop.
        self._replies: list[tuple[Session, str | None, str | None, bool, Any]] = []
        self._replies_lock = threading.Lock()
        self._replies_due = False
        # Ring timers of the calls placed through this process, and the tasks they start.
        self._ringing: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task] = set()
        service.connected = lambda user: bool(self.by_user.get(user))
        service.subscribe(self._from_writer)

    def close(self) -> None:
        self.service.unsubscribe(self._from_writer)
        for timer in self._ringing.values():
            timer.cancel()
        self._ringing.clear()
        if self._watching is not None:
            self._watching[1].cancel()
            self._watching = None

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
        sender = session.sender = asyncio.create_task(self._sender(ws, session))
        self._watch(self.loop)
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
                await ws.send_text(orjson.dumps(problem(err)).decode())
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
