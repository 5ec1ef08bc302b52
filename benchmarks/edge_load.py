"""Load generation for ``bench_edge``: uvicorn servers in subprocesses and wrk (or Python).

``wrk`` (Debian) is the generator when present; otherwise a keep-alive asyncio client does the
same job, slower. Latency at a fixed rate uses wrk's ``delay()`` hook to pace each connection
(a closed loop with think time, so it does not correct for coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def uvicorn_server(factory: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """Run ``uvicorn --factory <factory>`` on a free loopback port; yields its base URL."""
    port = free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                factory,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not server_reachable("127.0.0.1", port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{factory} did not start; see {log}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _script(tmp: Path, paths: list[str], delay_ms: float | None) -> Path:
    items = ", ".join(f'"{p}"' for p in paths)
    body = (
        f"local paths = {{{items}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    if delay_ms is not None:
        body += f"delay = function()\n  return {delay_ms:.3f}\nend\n"
    script = tmp / f"paths-{delay_ms}.lua"
    script.write_text(body, encoding="utf-8")
    return script


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url: str, script: Path, duration: float, connections: int) -> str:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 30,
    )
    if "Non-2xx or 3xx responses" in out.stdout or "Socket errors" in out.stdout:
        raise RuntimeError(f"wrk saw errors:\n{out.stdout}")
    return out.stdout


def max_rps(url: str, paths: list[str], duration: float, tmp: Path) -> float:
    """Requests/s at saturation (CONNECTIONS keep-alive connections)."""
    if shutil.which("wrk"):
        text = _wrk(url, _script(tmp, paths, None), duration, CONNECTIONS)
        return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    host, port = url.removeprefix("http://").split(":")
    rps, _ = asyncio.run(_py_load(host, int(port), paths, duration, CONNECTIONS, None))
    return rps


def p99_at_rate(
    url: str, paths: list[str], rate: float, duration: float, tmp: Path
) -> tuple[float, float]:
    """(p99 latency ms, achieved rate) with connections paced to ``rate`` requests/s in total."""
    conns = 16
    delay_ms = 1000.0 * conns / max(rate, 1.0)
    if shutil.which("wrk"):
        text = _wrk(url, _script(tmp, paths, delay_ms), duration, conns)
        m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        achieved = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        return _ms(m.group(1), m.group(2)), achieved
    host, port = url.removeprefix("http://").split(":")
    achieved, lat = asyncio.run(_py_load(host, int(port), paths, duration, conns, delay_ms))
    lat.sort()
    return (lat[int(0.99 * (len(lat) - 1))] if lat else float("nan")), achieved


async def _py_load(
    host: str, port: int, paths: list[str], duration: float, conns: int, delay_ms: float | None
) -> tuple[float, list[float]]:
    """Keep-alive HTTP/1.1 GETs; counts complete 3xx answers, records latencies in ms."""
    done = 0
    latencies: list[float] = []
    stop = time.monotonic() + duration

    async def worker(offset: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, port)
        i = offset
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            m = re.search(rb"(?i)content-length:\s*(\d+)", head)
            await reader.readexactly(int(m.group(1)) if m else 0)
            latencies.append(1000 * (time.perf_counter() - t0))
            if head[9:10] == b"3":
                done += 1
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(conns)))
    return done / (time.monotonic() - started), latencies
