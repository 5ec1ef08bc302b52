"""The hub's call signalling (``services.chat.calls`` keeps the state): offers, answers,
ICE candidates, declines and hang-ups relayed between the devices of a conversation, every
state change told to all of them, and the ring timer that marks an unanswered call missed
when its time is up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from services.chat import calls, inputs
from services.chat.connection import Session
from services.chat.service import ChatService
from services.chat.settings import ChatSettings
from services.errors import Forbidden, Invalid

log = logging.getLogger(__name__)


class Signalling:
    """Part of ``Hub`` (``services.chat.hub``): WebRTC call signalling."""

    service: ChatService
    conf: ChatSettings
    by_conv: dict[str, set[Session]]
    _ringing: dict[str, asyncio.TimerHandle]
    _tasks: set[asyncio.Task]

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
            self._call_state(state, s.user, s.device)
            if kind == "call_offer":
                self._ring_later(call_id, reg.ring_timeout_s)

    def _call_state(self, record: dict[str, Any], by: str, by_device: str | None) -> None:
        """Tell every device of every member of the call's conversation its new state."""
        conv = record["conv"]
        frame = {
            "type": "call",
            "conv": conv,
            "call": record["call"],
            "state": record["state"],
            "media": record["media"],
            "caller": record["caller"],
            "by": by,
            "by_device": by_device,
            "reason": record.get("reason"),
            "joined": record["joined"],
        }
        self._post_local("conv", conv, "", "", frame)
        self.service.signal("conv", conv, "", "", frame)

    def _ring_later(self, call_id: str, delay: float) -> None:
        """When a call placed here may have rung out: mark it missed then, and tell every
        device (a call another process placed is timed out there, or when next touched)."""
        loop = asyncio.get_running_loop()
        self._ringing[call_id] = loop.call_later(
            delay, lambda: self._tasks_add(loop.create_task(self._ring_out(call_id)))
        )

    def _tasks_add(self, task: asyncio.Task) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ring_out(self, call_id: str) -> None:
        self._ringing.pop(call_id, None)
        try:
            record, left = await asyncio.to_thread(self.service.calls.ring_out, call_id)
        except Exception:  # noqa: BLE001 - the call is then timed out when next touched
            log.warning("chat ring timeout of %s failed", call_id, exc_info=True)
            return
        if record is not None:
            self._call_state(record, record["caller"], None)
        elif left > 0:
            self._ring_later(call_id, left)
