"""Start origins, shields and edges as separate processes on loopback ports and wait until
they answer ``/healthz``. Used by tests, the workload, benchmarks and other systems (video,
files) that serve through the CDN::

    with start_origin(blobs) as origin, start_edge(origin.url, region="eu-west") as edge:
        httpx.get(edge.url + "/videos/abc/master.m3u8")

or a whole tier (origin, shield, one edge per region) with ``run_tier(blobs)``.

Every edge gets a purge token of its own and the origin a control token (``.token``; register
an edge with its token so the control plane can purge it). Configuration and tokens reach the
child process through its environment, never its command line, which other local users can
read in ``ps``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.cdn.edgeconfig import EdgeConfig
from services.cdn.run import EDGE_ENV, ORIGIN_TOKEN_ENV
from services.cdn.settings import CdnSettings
from services.cdn.tls import client_context, edge_certificate
from warehouse.settings import Settings, get_settings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class ServerProcess:
    """A running CDN server process; stop it (or use it as a context manager) when done.

    ``token`` is an edge's purge token, or the origin's control token."""

    name: str
    role: str
    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    region: str = "local"
    token: str | None = None
    ca: Path | None = None  # the CA to trust when the server speaks HTTPS

    def verify(self) -> ssl.SSLContext | bool:
        """What an httpx client passes as ``verify=`` to talk to this server."""
        return client_context(self.ca) if self.ca is not None else True

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop: edges flush their access logs into the spool on the way out."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        """Abrupt death (failover tests): SIGKILL, no cleanup."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def wait_ready(self, timeout: float = 20.0) -> ServerProcess:
        """Block until ``/healthz`` answers (kills the process if it never does)."""
        try:
            wait_ready(self, timeout)
        except BaseException:
            self.kill()
            raise
        return self

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _spawn(
    args: list[str],
    name: str,
    role: str,
    port: int,
    settings: Settings,
    region: str,
    ready_timeout: float | None,
    *,
    token: str | None = None,
    secret_env: dict[str, str] | None = None,
    ca: Path | None = None,
) -> ServerProcess:
    log_dir = settings.data_dir / "cdn" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}-{port}.log"
    env = {
        **os.environ,
        "BLUEPRINT_DATA_DIR": str(Path(settings.data_dir).resolve()),
        **(secret_env or {}),
    }
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.cdn.run", *args, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    scheme = "https" if ca is not None else "http"
    server = ServerProcess(
        name, role, f"{scheme}://127.0.0.1:{port}", port, proc, log_path, region, token, ca
    )
    return server if ready_timeout is None else server.wait_ready(ready_timeout)


def wait_ready(server: ServerProcess, timeout: float) -> None:
    """Poll ``/healthz`` until it answers 200; fail fast if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            resp = httpx.get(
                server.url + "/healthz", timeout=0.5, trust_env=False, verify=server.verify()
            )
            if resp.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{server.name} not healthy after {timeout}s:\n{server.log_tail()}")


def start_origin(
    root: Path | str,
    *,
    port: int | None = None,
    delay_ms: int = 0,
    settings: Settings | None = None,
    ready_timeout: float | None = 20.0,
    token: str | None = None,
) -> ServerProcess:
    """An origin process serving ``root`` (e.g. ``settings.blobs_dir``), its request
    counters open to ``token`` (a fresh one by default; see ``ServerProcess.token``).

    ``ready_timeout=None`` returns at once (call ``wait_ready()``), to start several at once.
    """
    settings = settings or get_settings()
    port = port or free_port()
    token = token or secrets.token_urlsafe(32)
    args = ["origin", "--root", str(Path(root).resolve()), "--delay-ms", str(delay_ms)]
    return _spawn(
        args,
        "origin",
        "origin",
        port,
        settings,
        "origin",
        ready_timeout,
        token=token,
        secret_env={ORIGIN_TOKEN_ENV: token},
    )


def start_edge(
    upstream: str,
    *,
    name: str | None = None,
    region: str = "local",
    role: str = "edge",
    port: int | None = None,
    workers: int = 1,
    settings: Settings | None = None,
    ready_timeout: float | None = 20.0,
    tls: bool = False,
    **config: object,
) -> ServerProcess:
    """An edge (``role="shield"`` for the shield tier) in front of ``upstream``, with a purge
    token of its own (a fresh one unless ``purge_token`` is given; see
    ``ServerProcess.token``).

    Extra keyword arguments are ``EdgeConfig`` fields (memory_bytes, disk_dir,
    max_object_bytes, read_timeout, connect_timeout, purge_token, access_log, rate_limit_rps).
    With ``tls`` the edge serves HTTPS with a certificate for the CDN's name from the local CA
    (``services.cdn.tls``; trust ``.ca``, or use ``.verify()`` with httpx).
    """
    settings = settings or get_settings()
    port = port or free_port()
    name = name or f"{role}-{region}-{uuid.uuid4().hex[:6]}"
    if not config.get("purge_token"):
        config["purge_token"] = secrets.token_urlsafe(32)
    ca = None
    if tls:
        files = edge_certificate(settings.data_dir, name, CdnSettings().dns_zone)
        config["tls_certfile"], config["tls_keyfile"] = str(files.cert), str(files.key)
        ca = files.ca
    edge = EdgeConfig(name=name, upstream=upstream, region=region, role=role, **config)  # type: ignore[arg-type]
    args = ["edge", "--workers", str(workers)]
    return _spawn(
        args,
        name,
        role,
        port,
        settings,
        region,
        ready_timeout,
        token=edge.purge_token,
        secret_env={EDGE_ENV: json.dumps(dataclasses.asdict(edge))},
        ca=ca,
    )


@dataclass
class Tier:
    """An origin, one shield in front of it, and edges (one per region) in front of that."""

    origin: ServerProcess
    shield: ServerProcess
    edges: list[ServerProcess]

    def edge(self, region: str | None = None) -> ServerProcess:
        """The edge of ``region`` (or the first edge)."""
        for edge in self.edges:
            if region is None or edge.region == region:
                return edge
        raise KeyError(f"no edge in region {region!r}")

    def servers(self) -> list[ServerProcess]:
        return [self.origin, self.shield, *self.edges]

    def stop(self) -> None:
        """Stop edges first, then shield and origin; each edge seals its access log."""
        for server in reversed(self.servers()):
            server.stop()


@contextmanager
def run_tier(
    root: Path | str,
    *,
    regions: tuple[str, ...] = ("eu-west", "us-east"),
    shield_region: str = "eu-central",
    settings: Settings | None = None,
    ready_timeout: float = 60.0,
    tls: bool = False,
    **edge_config: object,
) -> Iterator[Tier]:
    """Start origin, shield and edges at once (in parallel) and stop them all on exit; with
    ``tls`` the edges (not the shield, which only edges talk to) serve HTTPS::

    with run_tier(settings.blobs_dir) as tier:
        httpx.get(tier.edge("eu-west").url + "/videos/v1/master.m3u8")
    """
    settings = settings or get_settings()
    common: dict = {"settings": settings, "ready_timeout": None}
    started: list[ServerProcess] = []
    try:
        origin = start_origin(root, **common)
        started.append(origin)
        shield = start_edge(
            origin.url,
            name=f"shield-{shield_region}",
            region=shield_region,
            role="shield",
            **common,
            **edge_config,
        )
        started.append(shield)
        for region in regions:
            started.append(
                start_edge(
                    shield.url,
                    name=f"edge-{region}",
                    region=region,
                    tls=tls,
                    **common,
                    **edge_config,
                )
            )
        for server in started:
            server.wait_ready(ready_timeout)
        yield Tier(origin, shield, started[2:])
    finally:
        for server in reversed(started):
            server.stop()
