"""A user-space TCP proxy for fault injection between nodes (there is no netem here).

One ``Link`` per directed pair of nodes: node A dials B through the link's port. A link can
delay every chunk it forwards, cut connections at random (what a lossy network does to TCP
from the application's view) and be partitioned: open connections are cut and new ones
refused until it heals. ``FaultProxy`` runs all links on one event loop in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from dataclasses import dataclass, field


@dataclass
class Link:
    name: str
    target: tuple[str, int]
    delay_s: float = 0.0
    cut_probability: float = 0.0  # per forwarded chunk
    partitioned: bool = False
    port: int = 0
    writers: set[asyncio.StreamWriter] = field(default_factory=set)
    server: asyncio.AbstractServer | None = None
    forwarded: int = 0
    cut: int = 0


class FaultProxy:
    def __init__(self, seed: int = 0) -> None:
        self.links: dict[str, Link] = {}
        self.rng = random.Random(seed)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def _call(self, coro):  # noqa: ANN001, ANN202
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def add_link(self, name: str, target: tuple[str, int], port: int = 0) -> Link:
        link = Link(name, target)
        self.links[name] = link
        self._call(self._serve(link, port))
        return link

    async def _serve(self, link: Link, port: int) -> None:
        link.server = await asyncio.start_server(
            lambda r, w: self._accept(link, r, w), "127.0.0.1", port
        )
        link.port = link.server.sockets[0].getsockname()[1]

    async def _accept(
        self, link: Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if link.partitioned:
            writer.close()
            return
        try:
            up_r, up_w = await asyncio.open_connection(*link.target)
        except OSError:
            writer.close()
            return
        link.writers.update((writer, up_w))
        await asyncio.gather(
            self._pump(link, reader, up_w, writer), self._pump(link, up_r, writer, up_w)
        )

    async def _pump(
        self,
        link: Link,
        src: asyncio.StreamReader,
        dst: asyncio.StreamWriter,
        other: asyncio.StreamWriter,
    ) -> None:
        try:
            while data := await src.read(65536):
                if link.partitioned or self.rng.random() < link.cut_probability:
                    link.cut += 1
                    break
                if link.delay_s:
                    await asyncio.sleep(link.delay_s)
                dst.write(data)
                await dst.drain()
                link.forwarded += len(data)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for w in (dst, other):
                link.writers.discard(w)
                with contextlib.suppress(Exception):
                    w.close()

    def _set(self, link: Link, **changes: object) -> None:
        async def apply() -> None:
            for k, v in changes.items():
                setattr(link, k, v)
            if link.partitioned:
                for w in list(link.writers):
                    w.close()
                link.writers.clear()

        self._call(apply())

    def partition(self, names: list[str]) -> None:
        for name in names:
            self._set(self.links[name], partitioned=True)

    def heal(self) -> None:
        for link in self.links.values():
            self._set(link, partitioned=False, delay_s=0.0, cut_probability=0.0)

    def degrade(self, name: str, *, delay_s: float = 0.0, cut_probability: float = 0.0) -> None:
        self._set(self.links[name], delay_s=delay_s, cut_probability=cut_probability)

    def close(self) -> None:
        async def shutdown() -> None:
            for link in self.links.values():
                if link.server is not None:
                    link.server.close()
                for w in list(link.writers):
                    w.close()

        with contextlib.suppress(Exception):
            self._call(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
