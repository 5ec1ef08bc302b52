"""Voice and video calls: WebRTC signalling relayed over the delivery socket.

The server never touches media. It relays offers, answers and ICE candidates between the
devices of a conversation's members (only members: the hub checks that the sender is an
active member, and relays only to the conversation's sockets), and keeps each call's state
so that every device sees one story: ``ringing`` -> ``answered`` -> ``ended``, or
``ringing`` -> ``declined``/``busy``/``missed``/``cancelled``. The record lives in the cache
tier (shared Redis when scaled out), keyed by the call id the caller chose, with a TTL; the
transitions are ``chat`` events in the lake (``call_started``, ``call_answered``,
``call_ended`` with duration and reason).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from services.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from warehouse.emitter import Emitter

PREFIX = "chat:call:"
CALL_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MEDIA = ("audio", "video")
# How a call may end, as the hanging-up device says (``failed``: ICE or media failure).
END_REASONS = ("hangup", "failed", "timeout")
REFUSALS = ("declined", "busy")
MAX_SDP_BYTES = 16_384
MAX_CANDIDATE_BYTES = 2048


def check_call_id(value: Any) -> str:
    if not isinstance(value, str) or not CALL_ID.match(value):
        raise Invalid("call must be 1-64 of A-Z a-z 0-9 _ . : -")
    return value


def check_sdp(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value.encode()) > MAX_SDP_BYTES:
        raise Invalid(f"sdp must be a non-empty string of at most {MAX_SDP_BYTES} bytes")
    return value


def check_candidate(value: Any) -> dict[str, Any] | str:
    """An ICE candidate as the browser gives it (``RTCIceCandidateInit``), or null-like
    end-of-candidates as an empty string."""
    import orjson

    if not isinstance(value, dict | str):
        raise Invalid("candidate must be an object (RTCIceCandidateInit) or a string")
    if len(orjson.dumps(value)) > MAX_CANDIDATE_BYTES:
        raise Invalid(f"candidate over {MAX_CANDIDATE_BYTES} bytes")
    return value


class Calls:
    """Call records and their transitions; thread-safe within a process."""

    def __init__(
        self,
        cache: Any,
        emitter: Emitter | None,
        *,
        ring_timeout_s: float = 60.0,
        ttl_s: float = 6 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache
        self.emitter = emitter
        self.ring_timeout_s = ring_timeout_s
        self.ttl_s = ttl_s
        self.clock = clock
        self._lock = threading.Lock()

    def _get(self, call_id: str) -> dict[str, Any] | None:
        return self.cache.get(PREFIX + call_id)

    def _put(self, record: dict[str, Any]) -> None:
        self.cache.set(PREFIX + record["call"], record, ttl=self.ttl_s)

    def _emit(self, type_: str, record: dict[str, Any], actor: str, **attrs: Any) -> None:
        if self.emitter is not None:
            self.emitter.emit(
                "chat",
                type_,
                actor=actor,
                entity=record["conv"],
                attrs={"call": record["call"], "media": record["media"], **attrs},
            )

    def _live(self, call_id: str, conv: str | None = None) -> dict[str, Any]:
        record = self._get(call_id)
        if record is None or (conv is not None and record["conv"] != conv):
            raise NotFound(f"no call {call_id!r}" + (f" in conversation {conv}" if conv else ""))
        if record["state"] in ("ringing",) and (
            self.clock() - record["started_at"] > self.ring_timeout_s
        ):
            self._finish(record, "missed", record["caller"], reason="timeout")
        if record["state"] not in ("ringing", "answered"):
            raise Gone(f"call {call_id} is over ({record['state']})")
        return record

    def _finish(self, record: dict[str, Any], state: str, user: str, reason: str) -> None:
        now = self.clock()
        answered = record.get("answered_at")
        record.update(state=state, ended_at=now, ended_by=user, reason=reason)
        self._put(record)
        self._emit(
            "call_ended",
            record,
            user,
            state=state,
            reason=reason,
            answered=answered is not None,
            duration_s=round(now - answered, 3) if answered is not None else 0.0,
            ring_s=round((answered or now) - record["started_at"], 3),
        )

    def ring_out(self, call_id: str) -> tuple[dict[str, Any] | None, float]:
        """Mark ``call_id`` missed if it still rings past the ring timeout (the hub's timer,
        so devices stop ringing when the time is up, not when the call is next touched).
        Returns the record when it was marked, and the seconds still to wait when the call
        rings and its time is not up yet (0.0 when there is nothing more to wait for)."""
        with self._lock:
            record = self._get(call_id)
            if record is None or record["state"] != "ringing":
                return None, 0.0
            left = record["started_at"] + self.ring_timeout_s - self.clock()
            if left > 0:
                return None, left
            self._finish(record, "missed", record["caller"], reason="timeout")
            return record, 0.0

    def offer(
        self, call_id: str, conv: str, user: str, device: str, media: Any
    ) -> tuple[dict[str, Any], bool]:
        """An offer: the first one places the call (ringing); later ones renegotiate or add
        a participant of a group call. Returns the record and whether the call is new."""
        check_call_id(call_id)
        with self._lock:
            record = self._get(call_id)
            if record is None:
                if media not in MEDIA:
                    raise Invalid(f"media must be one of {list(MEDIA)}")
                record = {
                    "call": call_id,
                    "conv": conv,
                    "caller": user,
                    "caller_device": device,
                    "media": media,
                    "state": "ringing",
                    "started_at": self.clock(),
                    "answered_at": None,
                    "joined": [user],
                }
                self._put(record)
                self._emit("call_started", record, user, device=device)
                return record, True
            if record["conv"] != conv:
                raise Conflict(f"call id {call_id!r} is in use in another conversation")
            record = self._live(call_id, conv)
            if user not in record["joined"]:
                raise Forbidden("join a call by answering it before sending offers")
            return record, False

    def answer(self, call_id: str, conv: str, user: str, device: str) -> dict[str, Any]:
        with self._lock:
            record = self._live(call_id, conv)
            if user == record["caller"] and device == record["caller_device"]:
                raise Invalid("the calling device cannot answer its own call")
            if record["state"] == "ringing":
                record["state"] = "answered"
                record["answered_at"] = self.clock()
                self._emit(
                    "call_answered",
                    record,
                    user,
                    device=device,
                    ring_s=round(record["answered_at"] - record["started_at"], 3),
                )
            if user not in record["joined"]:
                record["joined"].append(user)
            self._put(record)
            return record

    def signal(self, call_id: str, conv: str, user: str) -> dict[str, Any]:
        """An ICE candidate (or renegotiation) from a participant: the call must be live."""
        with self._lock:
            record = self._live(call_id, conv)
            if user not in record["joined"] and record["state"] != "ringing":
                raise Forbidden("you are not in this call")
            return record

    def refuse(self, call_id: str, conv: str, user: str, reason: str, members: int) -> dict:
        """A callee declines (or is busy). In a one-to-one call that ends it; in a group the
        others may still answer."""
        if reason not in REFUSALS:
            raise Invalid(f"reason must be one of {list(REFUSALS)}")
        with self._lock:
            record = self._live(call_id, conv)
            if user == record["caller"]:
                raise Invalid("the caller hangs up (call_hangup), it does not decline")
            if record["state"] == "ringing" and members <= 2:
                self._finish(record, reason, user, reason)
            return record

    def hangup(self, call_id: str, conv: str, user: str, reason: Any) -> dict[str, Any]:
        reason = reason or "hangup"
        if reason not in END_REASONS:
            raise Invalid(f"reason must be one of {list(END_REASONS)}")
        with self._lock:
            record = self._live(call_id, conv)
            if user not in record["joined"]:
                raise Forbidden("you are not in this call")
            if record["state"] == "answered" and len(record["joined"]) > 2:
                record["joined"].remove(user)  # a group call goes on without them
                self._put(record)
                self._emit("call_left", record, user, reason=reason)
                return record
            state = "cancelled" if record["state"] == "ringing" else "ended"
            self._finish(record, state, user, reason)
            return record
