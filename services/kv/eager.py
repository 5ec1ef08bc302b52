"""A future whose callbacks run when it is settled, not in a later turn of the event loop.

An asyncio future hands its done-callbacks to ``loop.call_soon``: they run after every other
callback already queued, and on a busy node that queue is a whole turn of the loop (the rest
of the sockets read in that turn). A quorum write's reply waits on two such hops, the replica
answering once its log is durable and the coordinator answering once the replicas have, so
each costs the client the length of a turn. The batched path's futures are settled by code
that is already finishing the request, and their one consumer (the client connection)
queues the reply bytes itself, so the hop buys nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class EagerFuture:
    """The part of ``asyncio.Future`` a connection uses (``done``, ``result``, ``exception``,
    ``cancelled``, ``cancel``, ``add_done_callback``), with the callbacks run at once."""

    __slots__ = ("_state", "_result", "_callbacks")

    _PENDING, _DONE, _CANCELLED = 0, 1, 2

    def __init__(self) -> None:
        self._state = self._PENDING
        self._result: Any = None
        self._callbacks: list[Callable[[EagerFuture], None]] = []

    def done(self) -> bool:
        return self._state != self._PENDING

    def cancelled(self) -> bool:
        return self._state == self._CANCELLED

    def result(self) -> Any:
        if self._state == self._CANCELLED:
            raise asyncio.CancelledError
        if self._state == self._PENDING:
            raise asyncio.InvalidStateError("result is not set")
        return self._result

    def exception(self) -> BaseException | None:
        if self._state == self._CANCELLED:
            raise asyncio.CancelledError
        return None

    def set_result(self, result: Any) -> None:
        if self._state != self._PENDING:
            raise asyncio.InvalidStateError("already done")
        self._result = result
        self._state = self._DONE
        self._run_callbacks()

    def cancel(self) -> bool:
        if self._state != self._PENDING:
            return False
        self._state = self._CANCELLED
        self._run_callbacks()
        return True

    def add_done_callback(self, callback: Callable[[EagerFuture], None]) -> None:
        if self._state == self._PENDING:
            self._callbacks.append(callback)
        else:
            _call(callback, self)

    def _run_callbacks(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            _call(callback, self)


def _call(callback: Callable[[EagerFuture], None], fut: EagerFuture) -> None:
    """One consumer's failure must not stop the others (nor the code that settled it):
    reported to the loop, as asyncio reports a failing callback."""
    try:
        callback(fut)
    except Exception as exc:
        asyncio.get_running_loop().call_exception_handler(
            {"message": "a request's done-callback failed", "exception": exc, "future": fut}
        )
