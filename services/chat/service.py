"""The messaging service: the one object the WebSocket hub, the HTTP routes, the CLI, the
workload and the Dagster assets use.

It owns the store, the group-commit writer, presence in its cache tier, its clock and its
settings, and emits every ``chat`` event itself. Writes go through the writer so that a
message's ``seq`` is assigned in the transaction that stores it; listeners (the hub's
fan-out) hear of rows only after they are durable, in commit order.

Its operations live in one module per subject: ``conversations`` (membership, retention),
``messages`` (send, edit, delete, history) and ``devices`` (cursors, receipts, envelopes,
presence); this module puts them together and fans commits out (listeners, the bus, push).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from services.chat import store as st
from services.chat.attachments import Attachments
from services.chat.bus import RESYNC, LocalBus, RedisBus
from services.chat.calls import Calls
from services.chat.conversations import Conversations
from services.chat.devices import Devices
from services.chat.messages import Messages
from services.chat.model import (
    MEMBER_ADDED,
    MEMBER_REMOVED,
    SCRUB,
    Message,
)
from services.chat.presence import Presence
from services.chat.push import Pusher
from services.chat.settings import ChatSettings
from services.chat.writer import Writer
from warehouse.emitter import Emitter

log = logging.getLogger(__name__)

# Hears every commit, in order: ``Message`` rows and ``("to_device", user, device, id)``.
Listener = Callable[[list[Any]], None]


class ChatService(Conversations, Messages, Devices):
    """The messaging service: conversations, messages and devices (one module each), over
    one store, one group-commit writer and one bus; it fans committed rows out and pushes."""

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
        # Active members per conversation, for push: read once, not once per message;
        # dropped when a membership change commits (here or in another process).
        self._members: dict[str, list[str]] = {}
        self._members_version = 0
        self._members_lock = threading.Lock()
        # Other app processes hear of this one's commits (and it of theirs) through the bus.
        self.bus = bus or LocalBus()
        self.bus.start(self._remote)

    # -- listeners -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _forget_members(self, committed: list[Any]) -> None:
        """Drop cached member lists a commit changed (called after the commit)."""
        for item in committed:
            if item == RESYNC:
                with self._members_lock:
                    self._members_version += 1
                    self._members.clear()
            elif isinstance(item, Message) and item.kind in (MEMBER_ADDED, MEMBER_REMOVED):
                with self._members_lock:
                    self._members_version += 1
                    self._members.pop(item.conv_id, None)

    def _active_members(self, conv_id: str) -> list[str]:
        """Active members of a conversation, cached; a list read while a membership change
        committed is not kept (the change may have come after the read)."""
        members = self._members.get(conv_id)
        if members is None:
            version = self._members_version
            members = self.store.members(conv_id)
            with self._members_lock:
                if version == self._members_version:
                    self._members[conv_id] = members
        return members

    def _fan(self, committed: list[Any]) -> None:
        self._forget_members(committed)
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
        self._forget_members(committed)
        for listener in list(self._listeners):
            listener(committed)

    def signal(self, scope: str, target: str, sender: str, device: str, frame: Any) -> None:
        """Relay an ephemeral frame (typing, a read receipt, call signalling) to the sockets
        of other processes: ``scope`` is ``conv`` (its members) or ``user`` (their devices);
        the sending device is left out."""
        self.bus.publish([("frame", scope, target, sender, device, frame)])

    def _push(self, wake: list[tuple[Message]]) -> None:
        for (message,) in wake:
            users = [u for u in self._active_members(message.conv_id) if u != message.sender]
            offline = [u for u in users if not self._online(u)]
            if offline and self.pusher is not None:
                self.pusher.wake(message, offline)

    def close(self) -> None:
        self.writer.close()
        self.store.close()
        self.bus.close()
        self._push_pool.shutdown(wait=True)
        if self.pusher is not None:
            self.pusher.close()
        self.cache.close()
