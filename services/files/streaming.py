"""Hand a request body, as it arrives, to a blocking consumer on a worker thread.

The event loop keeps receiving while the worker chunks, hashes, seals and writes what came
before, so the two overlap (on two cores, receiving and storing run side by side) and the
body never touches a temporary file. Pieces are handed over in lists of about
``BATCH_BYTES`` (not joined: the chunker copies each byte once, into its buffer), so the
loop and the worker meet a few hundred times per GiB, not once per socket read; at most
``DEPTH`` batches wait, which bounds memory and pushes back on a fast client.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import AsyncIterable, Callable, Iterator
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
BATCH_BYTES = 4 * 1024 * 1024
DEPTH = 4
_END = object()


class _Aborted(Exception):
    """The body stopped early (the client went away or sent too much)."""


async def consume(stream: AsyncIterable[bytes], fn: Callable[[Iterator[list[bytes]]], T]) -> T:
    """Run ``fn(batches)`` (each batch a list of pieces, in order) on a worker thread while
    ``stream`` feeds it; returns its result.
    If ``fn`` fails, the rest of the body is not read; if the body fails, ``fn`` sees the
    error raised from its iterator (so it can drop what it wrote) and the error propagates."""
    q: queue.Queue = queue.Queue(maxsize=DEPTH)
    done = anyio.Event()
    stop = threading.Event()  # set when the body fails, even if the loop is being cancelled
    outcome: dict[str, object] = {}

    def pieces() -> Iterator[list[bytes]]:
        while True:
            try:
                item = q.get(timeout=0.5)
            except queue.Empty:
                if stop.is_set():
                    raise _Aborted("the request body ended early") from None
                continue
            if item is _END:
                return
            yield item

    def run() -> None:
        try:
            outcome["value"] = fn(pieces())
        except BaseException as exc:  # handed to the event loop below
            outcome["error"] = exc

    async def worker() -> None:
        try:
            await anyio.to_thread.run_sync(run)
        finally:
            done.set()

    async def put(item: object) -> bool:
        """Queue ``item`` unless the worker has finished; False when it has."""
        while not done.is_set():
            try:
                q.put_nowait(item)
                return True
            except queue.Full:
                with anyio.move_on_after(0.005):
                    await done.wait()
        return False

    failed: BaseException | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(worker)
        batch: list[bytes] = []
        held = 0
        try:
            async for piece in stream:
                if done.is_set():
                    break
                batch.append(piece)
                held += len(piece)
                if held >= BATCH_BYTES:
                    await put(batch)
                    batch, held = [], 0
            if batch:
                await put(batch)
            await put(_END)
        except Exception as exc:  # raised below, after the worker has let go
            stop.set()  # the worker drops what it wrote; the task group waits for it
            failed = exc
        except BaseException:  # cancellation: the worker still stops
            stop.set()
            raise
    if failed is not None:
        raise failed
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
