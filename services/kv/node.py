"""A node process: an asyncio RESP2 server on loopback over a durable keyspace.

Each client is a ``connection.Connection``: requests run in order per connection, and their
replies are written only once the writes they made are durable (group commit, ``wal.py``):
a node killed with ``kill -9`` has lost nothing it acknowledged.

Alone (``cluster=None``) the node answers from its own keyspace; in a cluster the
coordinator (``services.kv.coordinator``) answers, and this process also serves replica
requests from its peers (``KV.R.*`` commands).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import struct
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from services.kv import commands
from services.kv.connection import Connection
from services.kv.keyspace import Keyspace
from services.kv.resp import Error
from services.kv.wal import CHECKPOINT_BYTES, DurableStore

log = logging.getLogger(__name__)

commands.load_all()
_EXPIRE = struct.Struct("<q")


@dataclass
class NodeConfig:
    name: str = "n1"
    host: str = "127.0.0.1"
    port: int = 7001
    data_dir: Path | None = None
    proto_max_bulk_len: int = 64 << 20
    maxclients: int = 10000
    fsync: bool = True
    checkpoint_bytes: int = CHECKPOINT_BYTES  # the log's size that starts a checkpoint
    consistency: str = "eventual"
    n: int = 3
    r: int = 2
    w: int = 2
    vnodes: int = 64
    peers: dict[str, tuple[str, int]] = field(default_factory=dict)
    request_timeout_s: float = 5.0
    hint_limit: int = 100_000
    hint_rate_per_s: int = 2000
    anti_entropy_interval_s: float = 2.0
    heartbeat_interval_s: float = 0.2  # SWIM protocol period
    probe_timeout_s: float = 0.5
    suspect_timeout_s: float = 3.0
    join: tuple[str, int] | None = None
    tombstone_grace_s: float = 60.0
    events: bool = False

    def open_store(self) -> DurableStore:
        """The node's write-ahead log and LMDB under ``data_dir``, as configured."""
        assert self.data_dir is not None
        return DurableStore(
            Path(self.data_dir), fsync=self.fsync, checkpoint_bytes=self.checkpoint_bytes
        )

    def settable(self) -> set[str]:
        return {"proto-max-bulk-len", "maxclients", "kv-r", "kv-w", "kv-consistency"}


def encode_local(value: bytes, expire_ms: int | None) -> bytes:
    return _EXPIRE.pack(-1 if expire_ms is None else expire_ms) + value


def decode_local(blob: bytes) -> tuple[bytes, int | None]:
    (at,) = _EXPIRE.unpack_from(blob, 0)
    return blob[8:], None if at == -1 else at


class Node:
    """One node: its keyspace and durable store, its server, and (in a cluster) its peers."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.started = time.time()
        self.stats = {"connections": 0, "commands": 0, "rejected": 0, "protocol_errors": 0}
        self.connections: set[Connection] = set()
        self.tasks: set[asyncio.Future] = set()
        self.draining = False
        self.server: asyncio.AbstractServer | None = None
        self.store: DurableStore | None = None
        self.cluster: Any = None
        self._background: list[asyncio.Task] = []
        self.keyspace = Keyspace(journal=self._journal)
        self.shutdown = asyncio.Event()  # set to stop the process (KV.LEAVE)
        if config.data_dir is not None and not config.peers and config.join is None:
            self.store = config.open_store()
            self.keyspace.journal = None
            for key, blob in self.store.load().items():
                value, at = decode_local(blob)
                self.keyspace.store(key, value, at)
            self.keyspace.journal = self._journal

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def port(self) -> int:
        return self.config.port

    @property
    def address(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def _journal(self, key: bytes, value: bytes | None, expire_ms: int | None) -> None:
        if self.store is not None:
            self.store.put(key, None if value is None else encode_local(value, expire_ms))

    def wal_bytes(self) -> int:
        return self.store.log_bytes if self.store is not None else 0

    def cluster_info(self) -> list[tuple[str, Any]]:
        return self.cluster.info() if self.cluster is not None else [("cluster_enabled", 0)]

    def execute(self, args: list[bytes], conn: Connection) -> Any:
        try:
            if self.cluster is not None:
                return self.cluster.execute(args, conn)
            return commands.dispatch(self.keyspace, args, conn)
        except Error as err:
            return err
        except Exception as exc:  # a bug costs its request an error reply, not the connection
            log.exception("kv %s: %r failed", self.config.name, args[:1])
            return Error(f"ERR internal error: {exc!r}")

    def config_params(self) -> dict[str, Any]:
        c = self.config
        return {
            "proto-max-bulk-len": c.proto_max_bulk_len,
            "maxclients": c.maxclients,
            "save": "",
            "appendonly": "yes",
            "appendfsync": "always" if c.fsync else "no",
            "databases": 1,
            "kv-consistency": c.consistency,
            "kv-n": c.n,
            "kv-r": c.r,
            "kv-w": c.w,
        }

    def set_config(self, name: str, raw: bytes) -> None:
        c = self.config
        if name not in c.settable():
            raise Error(
                f"ERR CONFIG SET failed (possibly related to argument '{name}') - read-only"
            )
        if name == "kv-consistency":
            mode = raw.decode("ascii", "replace").lower()
            if mode not in ("eventual", "linearizable"):
                raise Error(f"ERR CONFIG SET failed (possibly related to argument '{name}')")
            c.consistency = mode
            return
        try:
            value = commands.parse_int(raw)
        except Error:
            raise Error(
                f"ERR CONFIG SET failed (possibly related to argument '{name}') - "
                "argument couldn't be parsed into an integer"
            ) from None
        limits = {"proto-max-bulk-len": (1024, 512 << 20), "maxclients": (1, 100_000)}
        limits |= {"kv-r": (1, c.n), "kv-w": (1, c.n)}
        lo, hi = limits[name]
        if not lo <= value <= hi:
            raise Error(
                f"ERR CONFIG SET failed (possibly related to argument '{name}') - "
                f"argument must be between {lo} and {hi} inclusive"
            )
        setattr(c, {f.name.replace("_", "-"): f.name for f in fields(c)}.get(name, name[3:]), value)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: Connection(self), self.config.host, self.config.port, reuse_address=True
        )
        self.config.port = self.server.sockets[0].getsockname()[1]
        self._background.append(asyncio.create_task(self._cron()))
        if self.cluster is not None:
            await self.cluster.start()

    async def _cron(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            if self.cluster is None:
                self.keyspace.active_expire()
            if self.store is not None:
                self.store.maybe_checkpoint()

    async def stop(self, drain_s: float = 5.0) -> None:
        """Stop accepting, let requests in flight finish (bounded), make everything durable."""
        self.draining = True
        if self.server is not None:
            self.server.close()
        deadline = time.monotonic() + drain_s
        while self.tasks and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self.cluster is not None:
            await self.cluster.stop()
        for task in self._background:
            task.cancel()
        for task in list(self.tasks):
            task.cancel()
        if self.store is not None:
            while self.store._flushing and time.monotonic() < deadline + 1:
                await asyncio.sleep(0.005)
            self.store.close()
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.close()


async def serve(node: Node, ready: asyncio.Event | None = None) -> None:
    """Run ``node`` until SIGTERM or SIGINT, then drain and stop.

    SIGTERM in a cluster first leaves it as ``KV.LEAVE`` does (the node hands its ranges and
    hints to their new homes), so a rolling restart loses nothing and leaves no copy only in a
    stand-in's hints; SIGINT only drains (a whole cluster shutting down has no one to hand to).
    A node that left and is started again rejoins by refuting the ``left`` rumour (gossip).
    """
    await node.start()
    stop = asyncio.Event()
    leave = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig, event in ((signal.SIGTERM, leave), (signal.SIGINT, stop)):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, event.set)
    if ready is not None:
        ready.set()
    print(f"kv node {node.name} listening on {node.address}", flush=True)
    waiters = [asyncio.ensure_future(e.wait()) for e in (stop, leave, node.shutdown)]
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for w in waiters:
        w.cancel()
    if leave.is_set() and not stop.is_set() and node.cluster is not None:
        await node.cluster.topology.leave_for_exit()
    await node.stop()
