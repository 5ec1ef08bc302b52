"""CDN benchmark: edge cache-hit throughput against nginx, and request coalescing.

- ``edge_hit_rps_ratio``: requests/s of cache hits on 1 MB segments at an edge process, over
  requests/s of nginx serving the same files from disk, same load generator (wrk when
  installed, else an asyncio keep-alive client), same worker count, same run.
- ``coalesce_origin_fetches``: origin fetches caused by 100 concurrent misses on one key.
- For context, a bare uvicorn app that answers every request with the same in-memory bytes
  (no caching logic at all): the ceiling of a Python ASGI server on this machine.

Run: ``python -m benchmarks.cdn_bench [--duration 5] [--workers 1]``; ends with
``RESULT edge_hit_rps_ratio=<x> coalesce_origin_fetches=<n> cdn_rfc_tests=<passed>/<total>``
(the last from ``benchmarks.cdn_rfc``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks.cdn_rfc import rfc_tests
from services.cdn.process import ServerProcess, free_port, start_edge, start_origin
from warehouse.settings import Settings

SEGMENT_BYTES = 1024 * 1024
N_SEGMENTS = 8
CONNECTIONS = 16


def _segments(root: Path) -> list[str]:
    paths = []
    for i in range(N_SEGMENTS):
        (root / f"seg_{i:03d}.m4s").write_bytes(os.urandom(SEGMENT_BYTES))
        paths.append(f"/seg_{i:03d}.m4s")
    return paths


NGINX_CONF = """
daemon off;
master_process on;
user root;
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ video/iso.segment m4s; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ add_header Cache-Control "public, max-age=31536000, immutable"; }}
    }}
}}
"""


def start_nginx(root: Path, tmp: Path, workers: int) -> tuple[subprocess.Popen, str] | None:
    """nginx on a free loopback port in the foreground, or None when it is not installed."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        return None
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(workers=workers, tmp=tmp, port=port, root=root), encoding="utf-8"
    )
    proc = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(tmp)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    return (proc, url) if _serving(proc, url, 10) else None


def _serving(proc: subprocess.Popen, url: str, seconds: float) -> bool:
    """Wait until the server at ``url`` serves the first segment; kill it if it does not
    within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/seg_000.m4s", trust_env=False, timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=5)
    return False


# -- load generators ---------------------------------------------------------------------
def wrk_rps(url: str, paths: list[str], duration: float, tmp: Path) -> float:
    script = tmp / "paths.lua"
    items = ", ".join(f'"{p}"' for p in paths)
    script.write_text(
        f"local paths = {{{items}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n',
        encoding="utf-8",
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(duration))}s", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 30,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    if match is None or errors is not None:
        raise RuntimeError(f"wrk failed or saw errors:\n{out.stdout}\n{out.stderr}")
    return float(match.group(1))


async def _py_load(host: str, port: int, paths: list[str], duration: float) -> float:
    """Keep-alive HTTP/1.1 GETs over CONNECTIONS sockets; counts complete 200 responses."""
    done = 0
    stop = time.monotonic() + duration

    async def worker(offset: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, port)
        i = offset
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            await reader.readexactly(length)
            if head.startswith(b"HTTP/1.1 200"):
                done += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(CONNECTIONS)))
    return done / (time.monotonic() - started)


def load(url: str, paths: list[str], duration: float, tmp: Path) -> float:
    if shutil.which("wrk"):
        return wrk_rps(url, paths, duration, tmp)
    host, port = url.removeprefix("http://").split(":")
    return asyncio.run(_py_load(host, int(port), paths, duration))


# -- the bare-uvicorn reference ------------------------------------------------------------
def bare_asgi_app(root: Path):
    """Answers ``/<file>`` with that file's bytes from memory, and nothing else."""
    bodies = {f"/{p.name}": p.read_bytes() for p in root.iterdir() if p.is_file()}

    async def app(scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = bodies.get(scope["path"], b"")
        headers = [
            (b"content-type", b"video/iso.segment"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send(
            {"type": "http.response.start", "status": 200 if body else 404, "headers": headers}
        )
        await send({"type": "http.response.body", "body": body})

    return app


def bare_app_from_env():
    """uvicorn factory for ``--workers``: the bare app over ``BENCH_BARE_ROOT``."""
    return bare_asgi_app(Path(os.environ["BENCH_BARE_ROOT"]))


def start_bare(root: Path, workers: int = 1) -> tuple[subprocess.Popen, str]:
    import sys

    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.cdn_bench",
            "--serve-bare",
            str(root),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    if not _serving(proc, url, 20):
        raise RuntimeError("bare uvicorn reference did not start")
    return proc, url


# -- coalescing --------------------------------------------------------------------------
async def _burst(url: str, n: int) -> list[int]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:
        return [r.status_code for r in await asyncio.gather(*(client.get(url) for _ in range(n)))]


def coalesce_fetches(root: Path, settings: Settings, n: int = 100) -> tuple[int, list[int]]:
    with (
        start_origin(root, delay_ms=300, settings=settings) as origin,
        start_edge(origin.url, name="bench-coalesce", settings=settings) as edge,
    ):
        statuses = asyncio.run(_burst(edge.url + "/seg_000.m4s", n))
        fetches = httpx.get(
            origin.url + "/_origin/stats",
            headers={"X-CDN-Token": origin.token or ""},
            trust_env=False,
        ).json()["requests"]
    return fetches, statuses


# -- the measurement ---------------------------------------------------------------------
def measure(duration: float = 4.0, workers: int = 1, log: Callable[[str], None] = print) -> dict:
    """Both CDN figures in one run; ``edge_hit_rps_ratio`` is None when nginx is missing."""
    tmp = Path(tempfile.mkdtemp(prefix="cdn-bench-"))
    root = tmp / "root"
    root.mkdir()
    settings = Settings(data_dir=tmp / "data")
    servers: list[ServerProcess] = []
    result: dict = {
        "generator": "wrk" if shutil.which("wrk") else "python-asyncio",
        "workers": workers,
        "segment_bytes": SEGMENT_BYTES,
    }
    nginx = None
    bare = None
    try:
        paths = _segments(root)
        log("coalescing: 100 concurrent misses on one key (origin adds 300 ms)")
        fetches, statuses = coalesce_fetches(root, settings)
        result["coalesce_origin_fetches"] = fetches
        result["coalesce_ok_responses"] = sum(s == 200 for s in statuses)
        log(f"  origin fetches: {fetches}; 200 responses: {result['coalesce_ok_responses']}/100")

        origin = start_origin(root, settings=settings)
        servers.append(origin)
        edge = start_edge(
            origin.url,
            name="bench-edge",
            settings=settings,
            workers=workers,
            memory_bytes=256 * 1024 * 1024,
        )
        servers.append(edge)
        with httpx.Client(trust_env=False) as client:  # warm every worker's cache
            for _ in range(4 * workers):
                for path in paths:
                    client.get(edge.url + path, headers={"connection": "close"})
        bare = start_bare(root, workers)
        nginx = start_nginx(root, tmp, workers)
        if nginx is None:
            log("nginx is not installed (bash scripts/install-tools.sh): no throughput ratio")
            result["edge_hit_rps_ratio"] = None
            result["edge_rps"] = round(load(edge.url, paths, duration, tmp), 1)
            return result
        rounds: dict[str, list[float]] = {"nginx": [], "edge": [], "bare": []}
        for _ in range(3):  # interleaved, best of three: the machine is shared
            for name, url in (("nginx", nginx[1]), ("edge", edge.url), ("bare", bare[1])):
                rps = load(url, paths, duration, tmp)
                rounds[name].append(rps)
                log(
                    f"  {name:5s} {rps:9.1f} req/s of 1 MB "
                    f"({rps * SEGMENT_BYTES / 2**30:.2f} GiB/s)"
                )
        stats = httpx.get(edge.url + "/_cdn/stats", trust_env=False).json()
        result.update(
            nginx_rps=round(max(rounds["nginx"]), 1),
            edge_rps=round(max(rounds["edge"]), 1),
            bare_uvicorn_rps=round(max(rounds["bare"]), 1),
            edge_hit_rps_ratio=round(max(rounds["edge"]) / max(rounds["nginx"]), 3),
            edge_vs_bare_uvicorn=round(max(rounds["edge"]) / max(rounds["bare"]), 3),
            edge_hits=stats["HIT"],
            edge_misses=stats["MISS"],
        )
        return result
    finally:
        if bare is not None:
            bare[0].terminate()
            bare[0].wait(timeout=10)
        if nginx is not None:
            nginx[0].terminate()
            try:
                nginx[0].wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx[0].kill()
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per load run")
    parser.add_argument("--workers", type=int, default=1, help="edge workers = nginx workers")
    parser.add_argument("--serve-bare", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        import uvicorn

        os.environ["BENCH_BARE_ROOT"] = args.serve_bare
        uvicorn.run(
            "benchmarks.cdn_bench:bare_app_from_env",
            factory=True,
            host="127.0.0.1",
            port=args.port,
            workers=args.workers if args.workers > 1 else None,
            loop="uvloop",
            http="httptools",
            log_level="warning",
            access_log=False,
        )
        return
    result = measure(args.duration, args.workers)
    for key, value in result.items():
        print(f"{key}: {value}")
    ratio = result["edge_hit_rps_ratio"]
    passed, total = rfc_tests()
    print(
        f"RESULT edge_hit_rps_ratio={'nan' if ratio is None else ratio} "
        f"coalesce_origin_fetches={result['coalesce_origin_fetches']} "
        f"cdn_rfc_tests={passed}/{total}"
    )


if __name__ == "__main__":
    main()
