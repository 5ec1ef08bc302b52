"""Starting and stopping node processes (and, for comparison, a private ``redis-server``) on
free loopback ports; used by ``blueprint kv cluster``, the workload, the benchmark and tests.

Every process started here is tracked by its pid and stopped by it: SIGTERM (a node leaves its
cluster, then drains) or SIGINT (it only drains; a whole cluster stopping), then
SIGKILL after a bound, so no run leaves orphans behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports below the kernel's ephemeral range.

    Nodes dial each other before all of them listen; a port from the ephemeral range could
    meanwhile be taken as the local end of such a connection.
    """
    socks: list[socket.socket] = []
    try:
        while len(socks) < count:
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", random.randrange(20000, 32000)))
            except OSError:
                s.close()
                continue
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_listening(
    port: int, timeout_s: float = 15.0, proc: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port} after {timeout_s}s")


def stop_process(proc: subprocess.Popen, timeout_s: float = 5.0, sig: int = signal.SIGTERM) -> None:
    """``sig`` (SIGTERM: a node leaves its cluster and drains; SIGINT: it only drains), then
    SIGKILL if it has not exited in time."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


@dataclass
class NodeProcess:
    name: str
    port: int
    args: list[str]
    log: Path
    proc: subprocess.Popen | None = None
    env: dict[str, str] | None = None

    def start(self) -> None:
        env = {**os.environ, **self.env} if self.env else None
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """``kill -9``: no drain, no flush."""
        if self.alive:
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait(timeout=10)

    def pause(self) -> None:
        if self.alive:
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.alive:
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 5.0) -> None:
        if self.proc is not None:
            self.resume()
            stop_process(self.proc, timeout_s, sig)


@dataclass
class LocalCluster:
    """K node processes on loopback (K=1: a single node, no replication)."""

    data_dir: Path
    nodes: list[NodeProcess] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        data_dir: Path,
        count: int,
        *,
        base_port: int | None = None,
        n: int = 3,
        r: int = 2,
        w: int = 2,
        consistency: str = "eventual",
        extra: list[str] | None = None,
        peer_ports: dict[str, dict[str, int]] | None = None,
        ports: list[int] | None = None,
        env: dict[str, str] | None = None,
    ) -> LocalCluster:
        """Describe (not start) ``count`` nodes ``n1..nK``.

        ``peer_ports[a][b]`` overrides the port node ``a`` dials to reach ``b`` (a fault
        proxy in between).
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        if ports is None:
            ports = list(range(base_port, base_port + count)) if base_port else free_ports(count)
        names = [f"n{i + 1}" for i in range(count)]
        cluster = cls(data_dir)
        for name, port in zip(names, ports, strict=True):
            args = [
                sys.executable,
                "-m",
                "services.kv.process",
                "--name",
                name,
                "--port",
                str(port),
                "--data",
                str(data_dir),
                "--n",
                str(min(n, count)),
                "--r",
                str(r),
                "--w",
                str(w),
                "--consistency",
                consistency,
            ]
            if count > 1:
                dial = (peer_ports or {}).get(name, {})
                peers = ",".join(
                    f"{o}=127.0.0.1:{dial.get(o, p)}"
                    for o, p in zip(names, ports, strict=True)
                    if o != name
                )
                args += ["--peers", peers]
            args += extra or []
            cluster.nodes.append(NodeProcess(name, port, args, data_dir / f"{name}.log", env=env))
        return cluster

    def start(self, timeout_s: float = 20.0) -> None:
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            self.wait(node, timeout_s)
        self.write_pids()

    def add_joiner(self, name: str, seed: NodeProcess, port: int | None = None) -> NodeProcess:
        """Describe (not start) one more node that joins the running cluster through ``seed``:
        the same options as ``seed``, no peer list."""
        port = port or free_ports(1)[0]
        args, skip = [], 0
        for a in seed.args:
            if skip:
                skip -= 1
                continue
            if a == "--peers":
                skip = 1
                continue
            if a in ("--name", "--port"):
                args += [a, name if a == "--name" else str(port)]
                skip = 1
                continue
            args.append(a)
        args += ["--join", f"127.0.0.1:{seed.port}"]
        node = NodeProcess(name, port, args, self.data_dir / f"{name}.log", env=seed.env)
        self.nodes.append(node)
        return node

    def wait(self, node: NodeProcess, timeout_s: float = 20.0) -> None:
        wait_listening(node.port, timeout_s, node.proc)

    def restart(self, node: NodeProcess) -> None:
        node.start()
        self.wait(node)
        self.write_pids()

    def write_pids(self) -> None:
        for node in self.nodes:
            if node.alive:
                assert node.proc is not None
                (self.data_dir / f"{node.name}.pid").write_text(f"{node.proc.pid}\n", "utf-8")

    def node(self, name: str) -> NodeProcess:
        return next(n for n in self.nodes if n.name == name)

    def stop(self) -> None:
        """Stop every node (SIGINT: each drains and keeps its data; with the whole cluster
        going down there is no one to hand ranges to)."""
        for node in self.nodes:
            node.stop(signal.SIGINT)

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class RedisServer:
    """A private ``redis-server`` (never the machine's shared one) for comparison."""

    port: int
    directory: Path
    proc: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--databases",
                "1",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_listening(self.port, 10, self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
