"""A bounded fault run: clients read and write a few registers through a cluster whose nodes
talk through fault proxies, while a nemesis kills (``kill -9``), pauses (SIGSTOP/SIGCONT) and
partitions nodes. Afterwards every key's history goes through the linearizability checker,
and every acknowledged write of a unique key is looked for (a lost write is one not found).
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from services.kv.faultproxy import FaultProxy
from services.kv.launch import LocalCluster, free_ports
from services.kv.linearizability import Op, check_history


@dataclass
class FaultReport:
    consistency: str
    duration_s: float
    ops: int = 0
    acknowledged: int = 0
    unknown: int = 0
    violations: int = 0
    lost_writes: int = 0
    unique_acked: int = 0
    faults: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.consistency}: {self.ops} ops ({self.acknowledged} acknowledged, "
            f"{self.unknown} unknown outcome), faults {', '.join(self.faults) or 'none'}; "
            f"{self.violations} linearizability violations, {self.lost_writes} of "
            f"{self.unique_acked} acknowledged unique writes lost"
        )


class _Client(threading.Thread):
    def __init__(self, idx: int, ports: list[int], keys: int, deadline: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.idx, self.ports, self.keys, self.deadline = idx, ports, keys, deadline
        self.rng = random.Random(seed)
        self.ops: list[Op] = []
        self.unique: list[bytes] = []
        self.unknown = 0

    def _connect(self) -> redis.Redis:
        port = self.rng.choice(self.ports)
        # No client retries: a retried write could take effect twice inside one operation,
        # which no register history can explain (redis-py retries 10 times by default).
        return redis.Redis(
            port=port,
            socket_timeout=2,
            socket_connect_timeout=1,
            protocol=2,
            retry=Retry(NoBackoff(), 0),
        )

    def run(self) -> None:
        conn = self._connect()
        i = 0
        while time.monotonic() < self.deadline:
            i += 1
            key = f"reg:{self.rng.randrange(self.keys)}".encode()
            roll = self.rng.random()
            call = time.monotonic()
            try:
                if roll < 0.45:
                    value = f"{self.idx}-{i}".encode()
                    conn.set(key, value)
                    self.ops.append(Op(self.idx, call, time.monotonic(), "write", value, key))
                elif roll < 0.9:
                    got = conn.get(key)
                    self.ops.append(Op(self.idx, call, time.monotonic(), "read", got, key))
                else:
                    ukey = f"u:{self.idx}:{i}".encode()
                    conn.set(ukey, b"1")
                    self.unique.append(ukey)
            except (redis.RedisError, OSError):
                self.unknown += 1
                if roll < 0.45:
                    self.ops.append(Op(self.idx, call, math.inf, "write", value, key))
                conn.close()
                time.sleep(0.05)
                conn = self._connect()
        conn.close()


def _nemesis(
    cluster: LocalCluster, proxy: FaultProxy, deadline: float, rng: random.Random, log: list[str]
) -> None:
    kinds = ["partition", "pause", "kill"]
    k = 0
    # every kind of fault runs at least once, however slow the machine; then while time lasts
    while k < len(kinds) or time.monotonic() + 2.5 < deadline:
        time.sleep(0.5)
        victim = rng.choice(cluster.nodes)
        kind = kinds[k % len(kinds)]
        k += 1
        log.append(f"{kind} {victim.name}")
        if kind == "kill":
            victim.kill()
            time.sleep(1.0)
            cluster.restart(victim)
        elif kind == "pause":
            victim.pause()
            time.sleep(1.0)
            victim.resume()
        else:
            cut = [n for n in proxy.links if victim.name in n.split("->")]
            proxy.partition(cut)
            time.sleep(1.5)
            proxy.heal()
        time.sleep(0.5)


def run_faults(
    data_dir: Path,
    *,
    duration_s: float = 8.0,
    consistency: str = "linearizable",
    nodes: int = 3,
    clients: int = 4,
    keys: int = 3,
    seed: int = 0,
    faults: bool = True,
) -> FaultReport:
    rng = random.Random(seed)
    report = FaultReport(consistency, duration_s)
    ports = free_ports(nodes)
    names = [f"n{i + 1}" for i in range(nodes)]
    proxy = FaultProxy(seed)
    cluster: LocalCluster | None = None
    try:
        dial: dict[str, dict[str, int]] = {a: {} for a in names}
        for a in names:
            for b, port in zip(names, ports, strict=True):
                if a != b:
                    dial[a][b] = proxy.add_link(f"{a}->{b}", ("127.0.0.1", port)).port
        cluster = LocalCluster.create(
            data_dir,
            nodes,
            consistency=consistency,
            peer_ports=dial,
            ports=ports,
            extra=["--anti-entropy-s", "0.2"],
        )
        cluster.start()
        time.sleep(0.5)
        deadline = time.monotonic() + duration_s
        workers = [_Client(i, ports, keys, deadline, seed * 100 + i) for i in range(clients)]
        for w in workers:
            w.start()
        if faults:
            _nemesis(cluster, proxy, deadline, rng, report.faults)
        for w in workers:
            w.join(duration_s + 30)
        proxy.heal()
        for node in cluster.nodes:
            node.resume()
            if not node.alive:
                cluster.restart(node)
        time.sleep(2.0)  # failure detectors see everyone up; hints and anti-entropy run
        ops = [op for w in workers for op in w.ops]
        final = redis.Redis(port=ports[0], socket_timeout=5, protocol=2)
        for key in {op.key for op in ops}:
            call = time.monotonic()
            got = _retry(lambda k=key: final.get(k))
            ops.append(Op(-1, call, time.monotonic(), "read", got, key))
        verdicts = check_history(ops)
        report.violations = sum(not ok for ok in verdicts.values())
        report.ops = len(ops)
        report.acknowledged = sum(1 for op in ops if not math.isinf(op.ret))
        report.unknown = sum(w.unknown for w in workers)
        unique = [k for w in workers for k in w.unique]
        report.unique_acked = len(unique)
        missing = [k for k in unique if _retry(lambda k=k: final.get(k)) is None]
        # eventual: a write on W replicas may be missed by an R-read until repair has run
        deadline = time.monotonic() + (15.0 if consistency == "eventual" else 0.0)
        while missing and time.monotonic() < deadline:
            time.sleep(0.5)
            missing = [k for k in missing if _retry(lambda k=k: final.get(k)) is None]
        report.lost_writes = len(missing)
        final.close()
    finally:
        if cluster is not None:
            cluster.stop()
        proxy.close()
    return report


def _retry(fn, attempts: int = 20):  # noqa: ANN001, ANN202
    for _ in range(attempts - 1):
        try:
            return fn()
        except redis.RedisError:
            time.sleep(0.2)
    return fn()
