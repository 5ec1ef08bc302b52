"""A user-space TCP proxy that cuts connections at random and adds delay (no ``tc netem``
here): the network fault of the fault tests and the chaos benchmark, on loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import random


class DroppingProxy:
    """Forward ``127.0.0.1:port`` to ``upstream``. Each connection is cut after a random
    lifetime (exponential, mean ``mean_life_s``; 0 never cuts) and every chunk waits
    ``delay_s`` (plus up to ``jitter_s``) before it is forwarded."""

    def __init__(
        self,
        upstream_port: int,
        *,
        mean_life_s: float = 1.0,
        delay_s: float = 0.0,
        jitter_s: float = 0.0,
        seed: int = 1,
    ) -> None:
        self.upstream_port = upstream_port
        self.mean_life_s = mean_life_s
        self.delay_s = delay_s
        self.jitter_s = jitter_s
        self.rng = random.Random(seed)
        self.port = 0
        self.cuts = 0
        self.connections = 0
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> DroppingProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self.delay_s or self.jitter_s:
                    await asyncio.sleep(self.delay_s + self.rng.random() * self.jitter_s)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter):
        self.connections += 1
        try:
            u_reader, u_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            c_writer.close()
            return
        pipes = [
            asyncio.create_task(self._pipe(c_reader, u_writer)),
            asyncio.create_task(self._pipe(u_reader, c_writer)),
        ]
        self._tasks.update(pipes)
        life = self.rng.expovariate(1 / self.mean_life_s) if self.mean_life_s else None
        _done, pending = await asyncio.wait(
            pipes, timeout=life, return_when=asyncio.FIRST_COMPLETED
        )
        if pending and life is not None:
            self.cuts += 1
        for task in pipes:
            task.cancel()
        for w in (c_writer, u_writer):
            with contextlib.suppress(Exception):
                w.transport.abort()
        self._tasks.difference_update(pipes)
