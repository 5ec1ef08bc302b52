"""The scale-out phase of ``make bench-chat``: two messaging server processes share one store
(a private PostgreSQL) and delivery notices (a private ``redis-server``'s pub/sub), as
``services/chat/bus.py`` describes. Clients alternate between the processes, so every
conversation of 4 has members on both, and each message crosses processes for half its
devices. Throughput is counted like the single-process phase; every delivered ``seq`` is
then checked against the stored log: lost, duplicated and reordered rows per device.

Both servers are private, on free ports, in a temporary directory, and stopped at the end:
the machine's shared PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from services.chat.process import ServerProcess, free_port
from services.kv.launch import RedisServer, stop_process, wait_listening


def _pg_binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free loopback port (default durability settings:
    a commit is flushed to its write-ahead log before it returns)."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_owner(self) -> list[str]:
        """PostgreSQL refuses to run as root: run it as the ``postgres`` user then."""
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> PrivatePostgres:
        # A directory of its own (the benchmark's is private to this user), removed on stop.
        self.directory = Path(tempfile.mkdtemp(prefix="bench-chat-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        data = self.directory / "data"
        subprocess.run(
            [*self._as_owner(), _pg_binary("initdb"), "-D", str(data), "-U", "postgres"]
            + ["-A", "trust", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.proc = subprocess.Popen(
            [*self._as_owner(), _pg_binary("postgres"), "-D", str(data), "-p", str(self.port)]
            + ["-h", "127.0.0.1", "-k", str(self.directory), "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_listening(self.port, 60, self.proc)
        time.sleep(0.5)  # listening comes just before accepting connections
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, 30, signal.SIGINT)  # SIGINT: PostgreSQL's fast shutdown
            self.proc = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


class ScaleOut:
    """Private PostgreSQL and Redis, and two server processes on them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pg = PrivatePostgres()
        self.redis = RedisServer(free_port(), root / "redis")
        self.servers: list[ServerProcess] = []

    def __enter__(self) -> ScaleOut:
        try:
            self.pg.start()
            self.redis.start()
            env = {
                "BLUEPRINT_DATABASE_URL": self.pg.url,
                "BLUEPRINT_REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
                "BLUEPRINT_CHAT_BUS_CHANNEL": f"bench-chat-{uuid.uuid4().hex}",
                "BLUEPRINT_ADMIN_API_KEY": secrets.token_urlsafe(24),
            }
            for name in ("a", "b"):
                srv = ServerProcess(self.root / name, env=env, log_path=self.root / f"{name}.log")
                self.servers.append(srv.start())
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for srv in self.servers:
            srv.stop()
        self.redis.stop()
        self.pg.stop()
