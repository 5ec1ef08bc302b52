"""The batched path's futures run their callbacks when settled, in the same turn of the event
loop, so a reply that waits on a replica's log or on a quorum leaves as soon as it can."""

from __future__ import annotations

import asyncio

import pytest

from services.kv.eager import EagerFuture


def test_callbacks_run_when_the_result_is_set_in_the_order_added():
    seen: list[tuple[str, object]] = []
    fut = EagerFuture()
    fut.add_done_callback(lambda f: seen.append(("a", f.result())))
    fut.add_done_callback(lambda f: seen.append(("b", f.result())))
    assert not fut.done()
    fut.set_result(7)
    assert seen == [("a", 7), ("b", 7)]  # no turn of a loop in between
    fut.add_done_callback(lambda f: seen.append(("late", f.result())))
    assert seen[-1] == ("late", 7)


def test_a_failing_callback_is_reported_and_the_others_still_run():
    async def main() -> tuple[list[str], list[dict]]:
        reported: list[dict] = []
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: reported.append(ctx))
        ran: list[str] = []
        fut = EagerFuture()

        def boom(_: EagerFuture) -> None:
            raise RuntimeError("consumer failed")

        fut.add_done_callback(boom)
        fut.add_done_callback(lambda f: ran.append("second"))
        fut.set_result(None)  # the settling code is not interrupted
        return ran, reported

    ran, reported = asyncio.run(main())
    assert ran == ["second"]
    assert isinstance(reported[0]["exception"], RuntimeError)


def test_a_cancelled_future_tells_its_callbacks_and_cannot_be_settled():
    fut = EagerFuture()
    seen: list[bool] = []
    fut.add_done_callback(lambda f: seen.append(f.cancelled()))
    assert fut.cancel()
    assert seen == [True]
    assert not fut.cancel()
    with pytest.raises(asyncio.CancelledError):
        fut.result()
    with pytest.raises(asyncio.InvalidStateError):
        fut.set_result(1)


def test_a_result_is_set_once():
    fut = EagerFuture()
    with pytest.raises(asyncio.InvalidStateError):
        fut.result()
    fut.set_result("x")
    assert fut.exception() is None
    with pytest.raises(asyncio.InvalidStateError):
        fut.set_result("y")
