"""Throw-away PostgreSQL and Redis servers on free loopback ports, for the benchmarks.

The machine's shared servers (PostgreSQL on 5432, Redis on 6379) are used by others and must
never be loaded or flushed, so a benchmark that needs one starts its own: in a temporary
directory, on a port nobody else uses, stopped and deleted when the ``with`` block ends.
Each context manager yields ``None`` when the server binaries are not installed, so the
caller can skip that phase and say why.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

START_TIMEOUT_S = 30.0


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free on ``host`` now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, what: str, timeout_s: float = START_TIMEOUT_S) -> None:
    """Block until ``port`` on loopback accepts connections; ``RuntimeError`` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.2),
        ):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not accept connections on port {port} in {timeout_s}s")
        time.sleep(0.05)


def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding initdb and pg_ctl, if any."""
    found = [
        Path(d)
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists()
    ]
    return max(found, key=lambda p: int(p.parent.name), default=None) if found else None


def _as_unprivileged(tmp: str) -> list[str]:
    """The command prefix that runs PostgreSQL's tools as the ``postgres`` user when this
    process is root (initdb and postgres refuse to run as root), owning ``tmp``; else none."""
    if os.geteuid() != 0:
        return []
    import pwd

    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("initdb will not run as root, and there is no postgres user") from None
    os.chown(tmp, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def private_postgres() -> Iterator[str | None]:
    """A SQLAlchemy URL of a fresh PostgreSQL cluster (trust auth), or None without binaries."""
    bindir = postgres_bin()
    if bindir is None:
        yield None
        return
    tmp = tempfile.mkdtemp(prefix="bench-pg-")
    data, port = Path(tmp) / "data", free_port()
    as_user = _as_unprivileged(tmp)

    def pg(tool: str, *args: object, check: bool = True) -> None:
        subprocess.run(
            [*as_user, str(bindir / tool), "-D", str(data), *map(str, args)],
            check=check,
            capture_output=True,
            env={**os.environ, "LC_ALL": "C"},
            timeout=START_TIMEOUT_S * 2,
        )

    started = False
    try:
        pg("initdb", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        opts = f"-h 127.0.0.1 -p {port} -k {tmp} -c fsync=off"
        pg("pg_ctl", "-o", opts, "-l", Path(tmp) / "log", "-w", "-t", int(START_TIMEOUT_S), "start")
        started = True
        wait_for_port(port, "postgres")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            pg("pg_ctl", "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def bench_postgres() -> Iterator[str | None]:
    """``BLUEPRINT_BENCH_PG_URL`` if set, else a private PostgreSQL; None (reason printed)."""
    url = os.environ.get("BLUEPRINT_BENCH_PG_URL")
    if url:
        yield url
        return
    with private_postgres() as url:
        if url is None:
            print(
                "PostgreSQL phase skipped: BLUEPRINT_BENCH_PG_URL is not set and no "
                "/usr/lib/postgresql/*/bin/initdb is installed to start a private server"
            )
        yield url


@contextlib.contextmanager
def private_redis(count: int = 1) -> Iterator[list[str] | None]:
    """URLs of ``count`` throw-away redis-server processes, or None without the binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    tmp = tempfile.mkdtemp(prefix="bench-redis-")
    procs, ports = [], []
    try:
        for _ in range(count):
            port = free_port()
            procs.append(
                subprocess.Popen(
                    [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
                    + ["--appendonly", "no", "--dir", tmp],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            ports.append(port)
        for port in ports:
            wait_for_port(port, "redis-server", timeout_s=10)
        yield [f"redis://127.0.0.1:{port}/0" for port in ports]
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
