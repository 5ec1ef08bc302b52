"""Key-value store benchmark: throughput against Redis, faults, key movement.

- Throughput: ``redis-benchmark -t set,get -n 500000 -c 50 -r 100000 -d 100 -P 16`` against
  one coordinator of a 3-node cluster (N=3, R=W=2, eventual), against a single node (N=1),
  and against a private ``redis-server`` on another port (never the shared one on 6379),
  interleaved, median of 3 rounds; SET and GET are reported as ratios to Redis, with the
  cluster's p99 at that load and the CPU time per request summed over each target's
  processes (``/proc``; SET and GET run as two invocations, in that order, so that each has
  its own), which a loaded machine disturbs far less than the rates. The same without
  pipelining (``-P 1``) follows. Every node fsyncs its write-ahead log before answering
  (group commit); the Redis baseline runs with its defaults for this comparison (no AOF), as
  the issue asks.
- Faults: rounds of the linearizable fault run (kill -9, SIGSTOP, a partition through the
  fault proxy) with every history checked for linearizability and every acknowledged unique
  write looked for afterwards.
- Key movement: the share of keys whose primary owner changes when a 6th node joins 5, on
  the ring the nodes use, as a ratio to the ideal 1/6.

Options (environment): ``KV_BENCH_REQUESTS`` (500000; Redis and the single node),
``KV_BENCH_CLUSTER_REQUESTS`` (as many), ``KV_BENCH_ROUNDS`` (3),
``KV_BENCH_FAULT_ROUNDS`` (10), ``KV_BENCH_FAULT_S`` (30), ``KV_BENCH_PARTS``
(``throughput,faults,join``: a comma list, e.g. ``throughput`` alone while developing; the
RESULT line then reports ``nan`` for the parts not run; ``incr`` adds the read-modify-write
part, INCR against Redis, ``KV_BENCH_INCR_REQUESTS`` (20000) per round).

Last line: ``RESULT kv_set_ratio=<x> kv_get_ratio=<x> kv_p99_ms=<x> kv_lin_violations=<n>
kv_lost_writes=<n> kv_moved_ratio=<x>``.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from services.kv import native
from services.kv.faults import run_faults
from services.kv.launch import LocalCluster, RedisServer, free_port
from services.kv.ring import Ring, moved_fraction

REQUESTS = int(os.environ.get("KV_BENCH_REQUESTS", "500000"))
# The parameters for the cluster too (fewer through KV_BENCH_CLUSTER_REQUESTS while
# developing: the ratio compares rates, not totals).
CLUSTER_REQUESTS = int(os.environ.get("KV_BENCH_CLUSTER_REQUESTS", str(REQUESTS)))
ROUNDS = int(os.environ.get("KV_BENCH_ROUNDS", "3"))
FAULT_ROUNDS = int(os.environ.get("KV_BENCH_FAULT_ROUNDS", "10"))
FAULT_S = float(os.environ.get("KV_BENCH_FAULT_S", "30"))
JOIN_KEYS = int(os.environ.get("KV_BENCH_JOIN_KEYS", "6000"))
PARTS = set(os.environ.get("KV_BENCH_PARTS", "throughput,faults,join").split(","))
INCR_REQUESTS = int(os.environ.get("KV_BENCH_INCR_REQUESTS", "20000"))


def log(msg: str) -> None:
    print(msg, flush=True)


def redis_benchmark(
    port: int, requests: int, pipeline: int, tests: str = "set,get", keyspace: int = 100_000
) -> dict[str, dict[str, float]]:
    """rps and p99 per test, from ``redis-benchmark --csv`` (``keyspace`` 0: one key)."""
    spread = ["-r", str(keyspace)] if keyspace else []
    done = subprocess.run(
        [
            "redis-benchmark",
            "-p",
            str(port),
            "-t",
            tests,
            "-n",
            str(requests),
            "-c",
            "50",
            *spread,
            "-d",
            "100",
            "-P",
            str(pipeline),
            "--csv",
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()[-500:]
        raise RuntimeError(f"redis-benchmark on port {port} exited {done.returncode}: {said}")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    return {r["test"]: {"rps": float(r["rps"]), "p99": float(r["p99_latency_ms"])} for r in rows}


def settle(name: str, port: int, timeout_s: float = 60.0) -> None:
    """Wait until the node at ``port`` sees every member alive: the rounds between saturate
    both cores, and a node starved that long may be suspected (or, past the suspicion
    timeout, declared dead and skipped) for a while, so each round starts from a healthy ring.
    The wait is printed, never hidden; redis-benchmark stops at the first error reply."""
    import redis

    started = time.monotonic()
    while True:
        ring = redis.Redis(port=port, socket_timeout=10).execute_command("KV.RING")
        states = {name.decode(): state.decode() for name, state in ring}
        if all(state == "alive" for state in states.values()):
            break
        if time.monotonic() - started > timeout_s:
            raise RuntimeError(f"{name}: members not all alive after {timeout_s:.0f} s: {states}")
        time.sleep(0.2)
    waited = time.monotonic() - started
    if waited > 0.1:
        log(f"  {name}: waited {waited:.1f} s for every member to be seen alive")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def process_cpu_s(pids: list[int]) -> float:
    """User plus system CPU seconds the processes have used so far (``/proc/<pid>/stat``)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def throughput(
    targets: dict[str, int],
    requests: dict[str, int],
    pipeline: int,
    pids: dict[str, list[int]] | None = None,
) -> dict[str, dict]:
    """Interleaved rounds; the median rps, p99 and CPU per request (summed over the target's
    processes, in microseconds) per target and test. SET and GET run as two invocations, in
    that order, so each test's CPU is its own."""
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    pids = pids or {}
    for i in range(ROUNDS):
        for name, port in targets.items():
            if name.startswith("cluster"):  # a single node has no members to wait for
                settle(name, port)
            result = {}
            for test in ("set", "get"):
                before = process_cpu_s(pids.get(name, []))
                got = redis_benchmark(port, requests[name], pipeline, test)
                spent = process_cpu_s(pids.get(name, [])) - before
                for row in got.values():
                    row["cpu_us"] = spent / requests[name] * 1e6
                result.update(got)
            runs[name].append(result)
            log(
                f"  round {i + 1} {name:>8} P={pipeline}: "
                + ", ".join(
                    f"{t} {v['rps']:.0f}/s p99 {v['p99']:.1f} ms cpu {v['cpu_us']:.1f} us/op"
                    for t, v in result.items()
                )
                + f" (load {load_average()})"
            )
    medians = {}
    for name, results in runs.items():
        medians[name] = {
            test: {
                key: statistics.median(r[test][key] for r in results if test in r)
                for key in ("rps", "p99", "cpu_us")
            }
            for test in ("SET", "GET")
        }
    return medians


def ratios(medians: dict[str, dict], name: str) -> tuple[float, float]:
    base = medians["redis"]
    return (
        medians[name]["SET"]["rps"] / base["SET"]["rps"],
        medians[name]["GET"]["rps"] / base["GET"]["rps"],
    )


def measure_join(root: Path, keys: int = JOIN_KEYS) -> float:
    """A live 6th node joins 5 holding ``keys`` keys (N=3): the replicas streamed to it, as a
    share of all replicas (ideal 1/6)."""
    import time

    import redis

    cluster = LocalCluster.create(root, 5, extra=["--anti-entropy-s", "60"])
    cluster.start()
    try:
        c = redis.Redis(port=cluster.nodes[0].port, socket_timeout=30)
        for i in range(0, keys, 500):
            c.mset({f"key:{j}": j for j in range(i, min(keys, i + 500))})
        joiner = cluster.add_joiner("n6", cluster.nodes[0])
        joiner.start()
        cluster.wait(joiner)

        def sent() -> int:
            total = 0
            for node in cluster.nodes[:5]:
                flat = redis.Redis(port=node.port, socket_timeout=10).execute_command("KV.STATS")
                stats = dict(zip(flat[::2], flat[1::2], strict=True))
                total += int(stats.get(b"rebalance_keys_sent", 0))
            return total

        last, deadline = -1, time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(2)
            now = sent()
            if now == last and now > 0:
                break
            last = now
        return sent() / (keys * 3)
    finally:
        cluster.stop()


def measure_throughput(root: Path) -> dict[str, float]:
    """Interleaved redis-benchmark rounds against Redis, the 3-node cluster and a single node."""
    redis_server = RedisServer(free_port(), root / "redis").start()
    cluster = LocalCluster.create(root / "cluster", 3, n=3, r=2, w=2)
    single = LocalCluster.create(root / "single", 1, n=1, r=1, w=1)
    try:
        cluster.start()
        single.start()
        targets = {
            "redis": redis_server.port,
            "cluster3": cluster.nodes[0].port,
            "single": single.nodes[0].port,
        }
        counts = {"redis": REQUESTS, "cluster3": CLUSTER_REQUESTS, "single": REQUESTS}
        pids = {
            "redis": [redis_server.proc.pid] if redis_server.proc is not None else [],
            "cluster3": [n.proc.pid for n in cluster.nodes if n.proc is not None],
            "single": [n.proc.pid for n in single.nodes if n.proc is not None],
        }
        log(f"throughput, requests {counts}, 50 clients, -P 16, {ROUNDS} rounds:")
        piped = throughput(targets, counts, 16, pids)
        fewer = {k: max(1000, v // 10) for k, v in counts.items()}
        log(f"throughput without pipelining, requests {fewer}:")
        plain = throughput(targets, fewer, 1, pids)
    finally:
        cluster.stop()
        single.stop()
        redis_server.stop()
    set_ratio, get_ratio = ratios(piped, "cluster3")
    s_set, s_get = ratios(piped, "single")
    p_set, p_get = ratios(plain, "cluster3")
    p99 = max(piped["cluster3"]["SET"]["p99"], piped["cluster3"]["GET"]["p99"])
    log(
        f"3-node cluster vs redis, -P 16: SET {set_ratio:.3f} GET {get_ratio:.3f} "
        f"(p99 {p99:.1f} ms); single node: SET {s_set:.3f} GET {s_get:.3f}"
    )
    cpu = {name: (m["SET"]["cpu_us"], m["GET"]["cpu_us"]) for name, m in piped.items()}
    log(
        "CPU per request, -P 16 (us, summed over the processes): "
        + "; ".join(f"{name} SET {s:.1f} GET {g:.1f}" for name, (s, g) in cpu.items())
    )
    log(
        f"3-node cluster vs redis, no pipelining: SET {p_set:.3f} GET {p_get:.3f} "
        f"(p99 {max(plain['cluster3']['SET']['p99'], plain['cluster3']['GET']['p99']):.1f} ms)"
    )
    return {"set": set_ratio, "get": get_ratio, "p99": p99}


def measure_incr(root: Path) -> None:
    """INCR through one coordinator of the 3-node cluster (each runs at its key's serialiser)
    against a private Redis, interleaved, median of the rounds: random keys, and one hot key
    (50 clients on one counter: the serialiser combines what waits). Afterwards the hot
    counter must equal the INCRs sent to it (none lost, none applied twice)."""
    import redis

    redis_server = RedisServer(free_port(), root / "redis-incr").start()
    cluster = LocalCluster.create(root / "cluster-incr", 3, n=3, r=2, w=2)
    try:
        cluster.start()
        targets = {"redis": redis_server.port, "cluster3": cluster.nodes[0].port}
        log(f"INCR, {INCR_REQUESTS} requests, 50 clients, -P 1, {ROUNDS} rounds:")
        for label, keyspace in (("random keys", 100_000), ("one hot key", 0)):
            rps: dict[str, list[float]] = {name: [] for name in targets}
            for i in range(ROUNDS):
                for name, port in targets.items():
                    got = redis_benchmark(port, INCR_REQUESTS, 1, "incr", keyspace)["INCR"]
                    rps[name].append(got["rps"])
                    log(f"  round {i + 1} {name:>8} {label}: {got['rps']:.0f}/s")
            ratio = statistics.median(rps["cluster3"]) / statistics.median(rps["redis"])
            log(f"  INCR {label}: cluster {ratio:.3f} of redis")
        hot = redis.Redis(port=cluster.nodes[1].port, socket_timeout=30).get("counter:__rand_int__")
        sent = INCR_REQUESTS * ROUNDS
        log(f"  hot counter after {sent} INCRs through the cluster: {int(hot or 0)}")
    finally:
        cluster.stop()
        redis_server.stop()


def measure_faults(root: Path) -> tuple[int, int]:
    """Linearizable rounds with kills, pauses and a partition: (violations, lost writes)."""
    violations = lost = 0
    log(f"faults: {FAULT_ROUNDS} linearizable rounds of {FAULT_S:.0f} s")
    for i in range(FAULT_ROUNDS):
        report = run_faults(
            root / f"faults{i}", duration_s=FAULT_S, consistency="linearizable", seed=i
        )
        log(f"  round {i + 1}: {report.line()}")
        violations += report.violations
        lost += report.lost_writes
    return violations, lost


def main() -> None:
    if shutil.which("redis-benchmark") is None or not RedisServer.available():
        log("redis-benchmark and redis-server are needed (make tools installs them)")
        log(
            "RESULT kv_set_ratio=nan kv_get_ratio=nan kv_p99_ms=nan kv_lin_violations=nan "
            "kv_lost_writes=nan kv_moved_ratio=nan"
        )
        sys.exit(1)
    modules = "compiled by mypyc" if native.wanted() else "from source"
    log(f"node modules: {modules} (services/kv/native.py)")
    nan = float("nan")
    tput = {"set": nan, "get": nan, "p99": nan}
    violations: float = nan
    lost: float = nan
    streamed = nan
    with tempfile.TemporaryDirectory(prefix="bench-kv-") as tmp:
        if "throughput" in PARTS:
            tput = measure_throughput(Path(tmp))
        if "faults" in PARTS:
            violations, lost = measure_faults(Path(tmp))
        if "incr" in PARTS:
            measure_incr(Path(tmp))
    keys = [f"key:{i}".encode() for i in range(100_000)]
    moved = moved_fraction(
        Ring([f"n{i}" for i in range(1, 6)]), Ring([f"n{i}" for i in range(1, 7)]), keys
    )
    log(f"key movement: {moved:.4f} of keys moved when a 6th node joined 5 (ideal {1 / 6:.4f})")
    if "join" in PARTS:
        with tempfile.TemporaryDirectory(prefix="bench-kv-join-") as tmp:
            streamed = measure_join(Path(tmp))
        log(f"live join: {streamed:.4f} of the replicas streamed to a 6th node (ideal {1 / 6:.4f})")
    log(
        f"RESULT kv_set_ratio={tput['set']:.3f} kv_get_ratio={tput['get']:.3f} "
        f"kv_p99_ms={tput['p99']:.1f} kv_lin_violations={violations} kv_lost_writes={lost} "
        f"kv_moved_ratio={moved / (1 / 6):.3f} kv_join_streamed_ratio={streamed / (1 / 6):.3f}"
    )


if __name__ == "__main__":
    main()
