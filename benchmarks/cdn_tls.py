"""CDN TLS benchmark: cache-hit throughput of an HTTPS edge as a ratio to a plain-HTTP edge.

Two edge processes with the same configuration in front of one origin, one serving HTTPS with
a certificate from the CDN's local CA (``services.cdn.tls``, EC P-256, TLS 1.3), the other
plain HTTP. Both are warmed, then loaded in turn (plain, TLS, plain, TLS) by the same load
generator over keep-alive connections (wrk when installed, else an asyncio client): the
ratio measures the per-byte cost of encryption on hits, not handshakes. Bodies are generated
bytes the size of video segments (``--size-kb``) and small objects (4 KiB); what they hold
does not change what TLS costs.

Run: ``python -m benchmarks.cdn_tls [--duration 4] [--size-kb 1024]``; ends with
``RESULT cdn_tls_hit_ratio=<tls/plain, segments> cdn_tls_hit_ratio_small=<tls/plain, 4 KiB>``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import ssl
import tempfile
import time
from pathlib import Path
from statistics import mean

import httpx

from benchmarks.cdn_bench import CONNECTIONS, wrk_rps
from services.cdn.process import ServerProcess, start_edge, start_origin
from warehouse.settings import Settings


async def _py_load(
    port: int, paths: list[str], duration: float, context: ssl.SSLContext | None
) -> float:
    """Keep-alive HTTP/1.1 GETs over CONNECTIONS sockets; counts complete 200 responses."""
    done = 0
    stop = time.monotonic() + duration

    async def worker(offset: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=context, server_hostname="localhost" if context else None
        )
        i = offset
        while time.monotonic() < stop:
            writer.write(f"GET {paths[i % len(paths)]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            await reader.readexactly(length)
            done += head.startswith(b"HTTP/1.1 200")
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(CONNECTIONS)))
    return done / (time.monotonic() - started)


def rps(edge: ServerProcess, paths: list[str], duration: float, tmp: Path) -> float:
    if shutil.which("wrk"):  # wrk speaks TLS too (it does not verify: throughput only)
        return wrk_rps(edge.url, paths, duration, tmp)
    context = ssl.create_default_context(cafile=str(edge.ca)) if edge.ca else None
    return asyncio.run(_py_load(edge.port, paths, duration, context))


def warm(edge: ServerProcess, paths: list[str]) -> None:
    with httpx.Client(verify=edge.verify(), trust_env=False, timeout=30) as http:
        for path in paths:
            for _ in range(2):
                resp = http.get(edge.url + path)
                resp.raise_for_status()
            if not resp.headers["x-cache"].startswith("HIT"):
                raise RuntimeError(f"{path} is not a hit on {edge.name}: {resp.headers}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cdn_tls")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per load run")
    parser.add_argument("--size-kb", type=int, default=1024, help="segment size")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cdn-tls-") as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "root"
        root.mkdir()
        sets = {"segments": [], "small": []}
        for i in range(4):
            (root / f"seg_{i}.m4s").write_bytes(os.urandom(args.size_kb * 1024))
            (root / f"small_{i}.js").write_bytes(os.urandom(4096))
            sets["segments"].append(f"/seg_{i}.m4s")
            sets["small"].append(f"/small_{i}.js")
        settings = Settings(data_dir=tmp / "data")
        common = {"settings": settings, "access_log": False, "memory_bytes": 512 * 1024 * 1024}
        with (
            start_origin(root, settings=settings) as origin,
            start_edge(origin.url, name="edge-plain", **common) as plain,
            start_edge(origin.url, name="edge-tls", tls=True, **common) as secure,
        ):
            ratios = {}
            for label, paths in sets.items():
                warm(plain, paths)
                warm(secure, paths)
                runs: dict[str, list[float]] = {"plain": [], "tls": []}
                for _ in range(2):
                    runs["plain"].append(rps(plain, paths, args.duration, tmp))
                    runs["tls"].append(rps(secure, paths, args.duration, tmp))
                p, t = mean(runs["plain"]), mean(runs["tls"])
                ratios[label] = t / p
                print(f"{label}: plain {p:,.0f} req/s, TLS {t:,.0f} req/s, ratio {t / p:.3f}")
    print(
        f"RESULT cdn_tls_hit_ratio={ratios['segments']:.3f} "
        f"cdn_tls_hit_ratio_small={ratios['small']:.3f}"
    )


if __name__ == "__main__":
    main()
