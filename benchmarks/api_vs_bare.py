"""Contended throughput of a full API against a bare route, for the booking and shop benchmarks.

Both ask the same question: what share of a bare FastAPI route's rate (one conditional UPDATE
on the same table and database) does the full API keep under the same contended load? The
machine is shared, so a rate alone says little; this module makes the comparison fair once:

- Both servers run in this process (uvicorn on loopback, one free port each) and stay up for
  the whole comparison.
- The load generator is closed-loop: ``LOAD_CLIENTS`` threads, each with its own keep-alive
  client, send the next job when the last one answered. The clients (each loads the CA store)
  and the pool's threads exist before the clock starts: only the jobs are timed.
- Each side first runs ``WARMUP_SECONDS`` of the same load, untimed (first connections,
  statement caches, lazy imports), so the first round is no slower for the side that goes
  first. Then rounds are interleaved (API, bare, then bare, API, ...) and the ratio is the
  median of the rounds' ratios, so a burst of other work on the machine lands on both sides.
- The process CPU time per successful job is recorded too: it moves much less than the rate
  when other work takes the CPU.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

LOAD_CLIENTS = 16
ROUNDS = 3
ROUND_SECONDS = 4.0
WARMUP_SECONDS = 1.0

Job = Callable[[httpx.Client, int], int]
"""One request (or a few) by client ``k``: 1 when it succeeded, else 0."""


def settings(root: Path, database_url: str | None = None) -> Any:
    """Settings whose data directory is ``root`` (and database ``database_url``, if given)."""
    from warehouse.settings import Settings

    os.environ["BLUEPRINT_DATA_DIR"] = str(root)
    conf = Settings()
    return conf.model_copy(update={"database_url": database_url}) if database_url else conf


@contextmanager
def pg_schema(prefix: str) -> Iterator[str | None]:
    """A database URL on a fresh schema of the benchmark PostgreSQL, dropped afterwards.

    The server is ``BLUEPRINT_BENCH_PG_URL`` or a private one (``benchmarks.private_servers``),
    never the shared one; None (with the reason printed) when neither is available.
    """
    import uuid

    from sqlalchemy import create_engine, text

    from benchmarks.private_servers import bench_postgres

    with bench_postgres() as base:
        if base is None:
            yield None
            return
        schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield f"{base}?options=-csearch_path%3D{schema}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@dataclass
class Served:
    """A uvicorn server running ``app`` on a thread of this process."""

    url: str
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve(app: Any) -> Served:
    import uvicorn

    from tests.conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return Served(f"http://127.0.0.1:{port}", server, thread)


def api_keys(url: str, admin_key: str, role: str, n: int = LOAD_CLIENTS) -> list[str]:
    """One API key per load client (users ``load0``...), so no client shares a rate limit."""
    return [
        httpx.post(
            f"{url}/auth/keys",
            json={"user_id": f"load{k}", "roles": [role]},
            headers={"X-API-Key": admin_key},
        ).json()["api_key"]
        for k in range(n)
    ]


@dataclass
class Rate:
    per_s: float
    cpu_ms_per_job: float


def load(url: str, job: Job, seconds: float, clients: int = LOAD_CLIENTS) -> Rate:
    """Successful jobs per second over ``seconds`` of closed-loop load by ``clients`` threads,
    and this process's CPU milliseconds per successful job (server and load generator share
    the process)."""
    done = [0] * clients
    http = [httpx.Client(base_url=url, timeout=30) for _ in range(clients)]
    pool = ThreadPoolExecutor(clients)
    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    stop = [0.0]

    def worker(k: int) -> None:
        ready.wait()
        go.wait()
        while time.monotonic() < stop[0]:
            done[k] += job(http[k], k)

    try:
        futures = [pool.submit(worker, k) for k in range(clients)]
        ready.wait()
        start, cpu_start = time.monotonic(), time.process_time()
        stop[0] = start + seconds
        go.set()
        for future in futures:
            future.result()
        elapsed, cpu_used = time.monotonic() - start, time.process_time() - cpu_start
    finally:
        pool.shutdown()
        for client in http:
            client.close()
    n = sum(done)
    return Rate(n / elapsed, cpu_used * 1000 / max(1, n))


@dataclass
class Comparison:
    """Medians over the interleaved rounds; ``ratio`` is the median of the rounds' ratios."""

    api_per_s: float
    bare_per_s: float
    ratio: float
    api_cpu_ms: float
    bare_cpu_ms: float
    cpu_ratio: float
    rounds: int


def compare(
    api_url: str,
    api_job: Job,
    bare_url: str,
    bare_job: Job,
    *,
    rounds: int = ROUNDS,
    seconds: float = ROUND_SECONDS,
    before_round: Callable[[int], object] | None = None,
    warmup_s: float = WARMUP_SECONDS,
) -> Comparison:
    """``rounds`` interleaved rounds of ``seconds`` on each side, the order alternating, after
    ``warmup_s`` of untimed load on each. ``before_round(r)`` runs first in each round (say,
    to move both sides to fresh stock)."""
    if before_round is not None:
        before_round(0)
    if warmup_s > 0:
        load(api_url, api_job, warmup_s)
        load(bare_url, bare_job, warmup_s)
    api: list[Rate] = []
    bare: list[Rate] = []
    for r in range(rounds):
        if before_round is not None:
            before_round(r)
        sides = [(api_url, api_job, api), (bare_url, bare_job, bare)]
        for url, job, out in sides if r % 2 == 0 else sides[::-1]:
            out.append(load(url, job, seconds))
    return Comparison(
        api_per_s=statistics.median(a.per_s for a in api),
        bare_per_s=statistics.median(b.per_s for b in bare),
        ratio=statistics.median(
            a.per_s / max(b.per_s, 1e-9) for a, b in zip(api, bare, strict=True)
        ),
        api_cpu_ms=statistics.median(a.cpu_ms_per_job for a in api),
        bare_cpu_ms=statistics.median(b.cpu_ms_per_job for b in bare),
        cpu_ratio=statistics.median(
            b.cpu_ms_per_job / max(a.cpu_ms_per_job, 1e-9) for a, b in zip(api, bare, strict=True)
        ),
        rounds=rounds,
    )


def machine_load() -> str:
    """The load average next to the CPU count, for the printed figures."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
