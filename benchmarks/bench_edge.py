"""Edge benchmark: shortener redirects, cache hit ratios and speed, key movement, notifications.

- Redirect throughput: ``GET /s/{code}`` on cache hits from the redirect edge server against
  a bare Starlette handler returning the same 302 from a dict, both under uvicorn (one process
  each) and the same load generator; the full platform app is measured alongside and printed.
  Then p99 at half the edge's maximum rate.
- Hit ratio: W-TinyLFU against the best README reference figure per trace (margin in points),
  with LRU, ARC, LIRS and OPT from our simulator alongside.
- Adaptive W-TinyLFU: margin against the best of LRU, ARC, LIRS and static W-TinyLFU on
  synthetic recency-heavy traces at four sizes (``benchmarks.cache_climb``), against static
  W-TinyLFU on frequency-heavy ones, on traces of neither kind throughout (two database-like
  extent traces at three sizes, traces that switch kind halfway), per shared real
  trace at three sizes with the shipped settings, and with the climber's settings chosen
  leave-one-trace-out.
- Cache speed: get/put ops/s of the in-process W-TinyLFU node as a ratio to
  ``cachetools.LRUCache`` on the same Zipf stream.
- Consistency cost: ops/s of a strong (quorum, R=W=2 of N=3) cache client as a ratio to an
  eventual one (R=W=1, near-cache) on the same stream (``benchmarks.cache_consistency``).
- Key movement: fraction of keys whose owner changes when a 5th node joins 4 (ideal 1/5).
- Notifications: lost and duplicated deliveries under chaos, ``benchmarks.notify_bench.measure()``.

Run: ``python -m benchmarks.bench_edge``. The last line is the ``RESULT`` line.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.edge_load import max_rps, p99_at_rate, uvicorn_server

SHARED = Path(
    os.environ.get("BLUEPRINT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
# README reference hit ratios (percent): LRU, ARC, LIRS, W-TinyLFU (1% window), OPT.
REFERENCE = {
    "multi2": (1000, 47.80, 50.75, 57.52, 56.84, 62.16),
    "sprite": (200, 39.88, 42.78, 44.92, 47.80, 68.86),
    "ps": (500, 48.55, 52.59, 56.77, 57.05, 58.10),
    "loop": (500, 0.00, 0.00, 48.86, 48.72, 49.36),
}
LINKS = 200


# -- servers (uvicorn factories) ---------------------------------------------------------
def make_app():
    """The platform app with only the cache and shortener mounted."""
    from services.app import create_app

    return create_app(only=["cache", "shortener"])


def make_bare_app():
    """A bare Starlette app: the same 302s from a dict, nothing else."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse, RedirectResponse
    from starlette.routing import Route

    table = json.loads(Path(os.environ["BENCH_EDGE_LINKS"]).read_text(encoding="utf-8"))

    async def follow(request):
        url = table.get(request.path_params["code"])
        if url is None:
            return PlainTextResponse("not found", status_code=404)
        return RedirectResponse(url, status_code=302)

    return Starlette(routes=[Route("/s/{code}", follow)])


def _create_links(url: str) -> dict[str, str]:
    table: dict[str, str] = {}
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
        for i in range(LINKS):
            r = client.post(
                "/shortener/links",
                headers={"X-API-Key": "bench-admin"},
                json={"url": f"https://example.com/article/{i}?utm=bench"},
            )
            r.raise_for_status()
            table[r.json()["code"]] = r.json()["url"]
        for code in table:  # warm: every code is a cache hit from now on
            if client.get(f"/s/{code}").status_code != 302:
                raise RuntimeError(f"/s/{code} did not redirect")
    return table


def redirect_figures(tmp: Path, duration: float, log, rounds: int = 5) -> dict:
    """Servers run side by side; rounds alternate so background load hits them alike, and the
    ratios are the medians of the per-round ratios (robust to a burst of outside load).

    ``edge`` is the redirect-only server (``services.shortener.edge``), ``app`` the whole
    platform app (FastAPI stack and platform middleware); both read the same cache tier code.
    """
    env = {
        "BLUEPRINT_DATA_DIR": str(tmp / "data"),
        "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "1000000000",
        "BLUEPRINT_SHORTENER_CREATE_PER_MINUTE": "1000000",
        "BLUEPRINT_SHORTENER_CREATE_BURST": "100000",
        # The benchmark's links point at example.com names, which need no DNS here.
        "BLUEPRINT_SHORTENER_ALLOW_UNRESOLVABLE_TARGETS": "true",
        "BLUEPRINT_ADMIN_API_KEY": "bench-admin",
    }
    runs: dict[str, list[float]] = {"edge": [], "app": [], "bare": []}
    with uvicorn_server("benchmarks.bench_edge:make_app", env, tmp / "app.log") as app_url:
        table = _create_links(app_url)
        links = tmp / "links.json"
        links.write_text(json.dumps(table), encoding="utf-8")
        paths = [f"/s/{c}" for c in table]
        with (
            uvicorn_server(
                "services.shortener.edge:create_edge_app", env, tmp / "edge.log"
            ) as edge_url,
            uvicorn_server(
                "benchmarks.bench_edge:make_bare_app",
                {"BENCH_EDGE_LINKS": str(links)},
                tmp / "bare.log",
            ) as bare_url,
        ):
            urls = {"edge": edge_url, "app": app_url, "bare": bare_url}
            for url in urls.values():
                max_rps(url, paths, 1.0, tmp)  # warm-up: the edge loads each link once
            for r in range(rounds):
                for name, url in urls.items():
                    runs[name].append(max_rps(url, paths, duration, tmp))
                log(f"  round {r + 1}: " + ", ".join(f"{k} {v[-1]:.0f}/s" for k, v in runs.items()))
            best = {k: statistics.median(v) for k, v in runs.items()}
            p99, achieved = p99_at_rate(edge_url, paths, best["edge"] / 2, duration, tmp)
            with httpx.Client(trust_env=False) as client:
                served = client.get(f"{edge_url}/healthz").json()["served"]
    edge_ratio = statistics.median(e / b for e, b in zip(runs["edge"], runs["bare"], strict=True))
    app_ratio = statistics.median(a / b for a, b in zip(runs["app"], runs["bare"], strict=True))
    log(
        f"  median: edge {best['edge']:.0f}/s, platform app {best['app']:.0f}/s, bare Starlette "
        f"{best['bare']:.0f}/s (redirects served by the edge: {served})"
    )
    log(f"  median per-round ratio: edge/bare {edge_ratio:.2f}, platform app/bare {app_ratio:.2f}")
    log(f"  edge p99 at ~{achieved:.0f}/s (half of its median max): {p99:.2f} ms")
    return {
        "redirect_rps_ratio": edge_ratio,
        "app_rps_ratio": app_ratio,
        "redirect_p99_ms": p99,
        **best,
    }


# -- hit ratio ---------------------------------------------------------------------------
def hit_ratio_figures(log) -> float | None:
    from services.cache.simulator import read_trace, simulate

    traces = SHARED / "cache-traces"
    if not traces.exists():
        log(f"  {traces} is absent: hit-ratio figures skipped")
        return None
    margins = []
    log("  trace@size   LRU    ARC    LIRS   W-TinyLFU  OPT   | best ref  margin")
    for name, (size, *ref) in REFERENCE.items():
        path = traces / f"{name}.trace"
        if not path.exists():
            log(f"  {name}: trace missing, skipped")
            continue
        trace = read_trace(path)
        mine = {
            p: 100 * simulate(trace, size, p).hit_ratio
            for p in ("lru", "arc", "lirs", "wtinylfu", "opt")
        }
        best = max(ref[:4])
        margin = mine["wtinylfu"] - best
        margins.append(margin)
        log(
            f"  {name}@{size:<5} {mine['lru']:6.2f} {mine['arc']:6.2f} {mine['lirs']:6.2f} "
            f"{mine['wtinylfu']:8.2f} {mine['opt']:8.2f} | {best:6.2f}  {margin:+.2f}"
        )
    return min(margins) if margins else None


# -- cache speed -------------------------------------------------------------------------
def cache_ops_figures(log, n: int = 300_000, size: int = 10_000) -> float:
    from cachetools import LRUCache

    from services.cache.nodes import InProcessNode

    rng = random.Random(11)
    keys = [f"k{int(rng.paretovariate(1.0)) % 100_000}" for _ in range(n)]
    value = b"x" * 32

    def run_cachetools() -> float:
        cache = LRUCache(maxsize=size)
        t0 = time.perf_counter()
        for k in keys:
            if cache.get(k) is None:
                cache[k] = value
        return time.perf_counter() - t0

    def run_node() -> float:
        node = InProcessNode("bench", size, "wtinylfu")
        t0 = time.perf_counter()
        for k in keys:
            if node.get(k) is None:
                node.set(k, value)
        return time.perf_counter() - t0

    base = min(run_cachetools() for _ in range(3))
    mine = min(run_node() for _ in range(3))
    log(f"  cachetools.LRUCache: {n / base:,.0f} ops/s; W-TinyLFU node: {n / mine:,.0f} ops/s")
    return base / mine


# -- key movement ------------------------------------------------------------------------
def key_movement(log, n: int = 100_000) -> float:
    from services.cache.ring import HashRing

    before = HashRing([f"node-{i}" for i in range(4)])
    after = HashRing([f"node-{i}" for i in range(5)])
    keys = [f"key:{i}" for i in range(n)]
    moved = sum(before.owner(k) != after.owner(k) for k in keys) / n
    log(f"  {moved:.4f} of {n} keys moved adding a 5th node (ideal 0.2000)")
    return moved


def notify_figures(log) -> tuple[str, str]:
    from benchmarks.notify_bench import measure

    res = measure(log=log)
    return str(res["notify_lost"]), str(res["notify_dupes"])


def main() -> None:
    duration = float(os.environ.get("BENCH_EDGE_SECONDS", "4"))
    tmp = Path(tempfile.mkdtemp(prefix="edge-bench-"))
    print("[1/5] redirect throughput (cache hits) vs bare Starlette")
    red = redirect_figures(tmp, duration, print)
    print("[2/5] hit ratio on the LIRS traces")
    margin = hit_ratio_figures(print)
    print("[2b] adaptive W-TinyLFU on recency-heavy traces, and leave-one-trace-out")
    from benchmarks.cache_climb import (
        frequency_margins,
        leave_one_out,
        mixed_margins,
        real_margins,
        recency_margins,
    )

    recency = min(recency_margins(print).values())
    frequency = min(frequency_margins(print).values())
    mixed = min(mixed_margins(print).values())
    real = real_margins(log=print)
    real_s = "n/a" if not real else f"{min(real.values()):.2f}"
    held = leave_one_out(log=print)
    loo_s = "n/a" if not held else f"{min(held.values()):.2f}"
    loo_mean_s = "n/a" if not held else f"{sum(held.values()) / len(held):.2f}"
    print("[3/5] in-process cache speed vs cachetools.LRUCache")
    ops = cache_ops_figures(print)
    print("[3b] strong vs eventual cache clients (N=3)")
    from benchmarks.cache_consistency import consistency_figures

    consistency = consistency_figures(print)
    redis_c = "n/a" if consistency["redis"] is None else f"{consistency['redis']:.2f}"
    print("[4/5] key movement 4 -> 5 nodes")
    moved = key_movement(print)
    print("[5/5] notification chaos")
    lost, dupes = notify_figures(print)
    margin_s = "n/a" if margin is None else f"{margin:.2f}"
    print(
        f"RESULT redirect_rps_ratio={red['redirect_rps_ratio']:.2f} "
        f"redirect_p99_ms={red['redirect_p99_ms']:.2f} wtinylfu_min_margin={margin_s} "
        f"wtinylfu_recency_margin={recency:.2f} wtinylfu_frequency_vs_static={frequency:.2f} "
        f"wtinylfu_mixed_margin={mixed:.2f} "
        f"wtinylfu_real_min_margin={real_s} "
        f"wtinylfu_loo_min_margin={loo_s} wtinylfu_loo_mean_margin={loo_mean_s} "
        f"cache_ops_ratio={ops:.2f} keys_moved_ratio={moved:.3f} notify_lost={lost} "
        f"notify_dupes={dupes} cache_strong_vs_eventual={consistency['in_process']:.2f} "
        f"cache_strong_vs_eventual_redis={redis_c}"
    )


if __name__ == "__main__":
    main()
