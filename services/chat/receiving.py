"""The hub's receiving side: each frame a device sends, checked and acted on (a send, an
edit, an ack, typing, a to-device envelope, call signalling), and the answers of its writes.

Writes go to the group-commit writer with a reply; the replies of one commit reach the
loop in one wake-up and become ``accepted`` (or ``error``) frames on the device's socket."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.chat import inputs
from services.chat.connection import Session, problem
from services.chat.service import ChatService
from services.chat.settings import ChatSettings
from services.errors import DomainError, Invalid

log = logging.getLogger(__name__)


class Receiving:
    """Part of ``Hub`` (``services.chat.hub``): the receiver loop of each socket."""

    service: ChatService
    conf: ChatSettings
    loop: asyncio.AbstractEventLoop | None

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
                        **problem(exc),
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
            write = svc.post_write(
                s.user,
                s.device,
                conv,
                client_id,
                f.get("body"),
                client_ts=ts if isinstance(ts, int | float) else None,
            )
            svc.writer.send(write, self._reply(s, client_id, conv))
        elif kind in ("edit", "delete"):
            conv = inputs.check_conv_id(f.get("conv"))
            client_id = inputs.check_client_id(f.get("client_id"))
            seq = inputs.check_seq(f.get("seq"))
            body = f.get("body") if kind == "edit" else None
            if kind == "edit" and body is None:
                raise Invalid("an edit needs a body")
            write = svc.change_write(s.user, s.device, conv, seq, body, client_id)
            svc.writer.send(write, self._reply(s, client_id, conv))
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
            svc.writer.send(write, self._reply(s, None, None))
        elif isinstance(kind, str) and kind.startswith("call_"):
            await self._call(s, kind, f)
        elif kind == "ack_to_device":
            up_to = inputs.check_seq(f.get("id"), "id")
            svc.writer.send(svc.inbox_ack_write(s.user, s.device, up_to))
        else:
            raise Invalid(f"unknown frame type {kind!r}; see the protocol page")

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
            self.service.writer.send(
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
        self.service.writer.send(self.service.ack_write(s.user, s.device, conv, seq, covered))
        if state.sent < state.known:
            s.dirty.add(conv)
            s.wake.set()

    def _reply(self, s: Session, client_id: str | None, conv: str | None) -> Any:
        """The writer's reply for one write of ``s``: queued for the loop, which answers it
        (``_answer``). Replies of a batch reach the loop in one wake-up, not one each."""

        def reply(ok: bool, value: Any) -> None:
            with self._replies_lock:
                self._replies.append((s, client_id, conv, ok, value))
                if self._replies_due:
                    return
                self._replies_due = True
            loop = self.loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._answer_all)

        return reply

    def _answer_all(self) -> None:
        with self._replies_lock:
            replies, self._replies = self._replies, []
            self._replies_due = False
        for reply in replies:
            self._answer(*reply)

    def _answer(
        self, s: Session, client_id: str | None, conv: str | None, ok: bool, result: Any
    ) -> None:
        if not ok:
            if isinstance(result, DomainError):
                s.post({**problem(result), "client_id": client_id, "conv": conv})
                return
            # Not the client's fault: it retries with the same client id.
            log.error("chat write failed", exc_info=result)
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
