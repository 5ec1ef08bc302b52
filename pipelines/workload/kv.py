"""Key-value traffic: a 5-node cluster of real node processes on loopback, driven through
redis-py, with one node killed (``kill -9``) and brought back mid-run.

Writes made while it is down go to stand-ins with hints; when it returns, the hints are
replayed (rate-limited) and read repair and anti-entropy fix what is left. The nodes log
sampled replica latencies, repairs, hints and anti-entropy exchanges to the lake, where the
``kv_staleness`` (PBS) and ``kv_repair_order`` assets read them.
"""

from __future__ import annotations

import shutil
import time

from pipelines.workload import WorkloadContext

NODES = 5
KEYS = 500


def _stats(client) -> dict[str, int]:  # noqa: ANN001
    flat = client.execute_command("KV.STATS")
    return {k.decode(): int(v) for k, v in zip(flat[::2], flat[1::2], strict=True)}


def _wait_until_down(client, name: str, timeout_s: float = 15.0) -> None:  # noqa: ANN001
    """Until the failure detector of ``client``'s node counts ``name`` as down."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        states = dict(client.execute_command("KV.RING"))
        if states.get(name.encode()) == b"dead":
            return
        time.sleep(0.1)


def _retry(fn, attempts: int = 5):  # noqa: ANN001, ANN202
    """Right after a restart a read may find a replica still unknown to its peers."""
    import redis

    for _ in range(attempts - 1):
        try:
            return fn()
        except redis.RedisError:
            time.sleep(0.5)
    return fn()


class KvWorkload:
    name = "kv"
    order = 13

    def run(self, ctx: WorkloadContext) -> None:
        import redis

        from services.kv.launch import LocalCluster

        data = (ctx.settings.data_dir / "kv" / "cluster").resolve()
        shutil.rmtree(data, ignore_errors=True)
        cluster = LocalCluster.create(
            data,
            NODES,
            extra=["--events", "--anti-entropy-s", "0.5"],
            env={"BLUEPRINT_DATA_DIR": str(ctx.settings.data_dir.resolve())},
        )
        ops = max(600, int(3000 * ctx.scale))
        facts: dict = {"ops": 0, "errors": 0, "mismatches": 0}
        try:
            cluster.start()
            clients = [
                redis.Redis(port=n.port, socket_timeout=5, protocol=2) for n in cluster.nodes
            ]
            victim = cluster.nodes[-1]
            expected: dict[str, bytes] = {}
            for i in range(ops):
                if i == ops // 3:
                    victim.kill()
                    _wait_until_down(clients[0], victim.name)
                elif i == 2 * ops // 3:
                    cluster.restart(victim)
                    clients[-1] = redis.Redis(port=victim.port, socket_timeout=5, protocol=2)
                live = clients[:-1] if not victim.alive else clients
                c = live[i % len(live)]
                key = f"user:{ctx.rng.randrange(KEYS)}"
                try:
                    if ctx.rng.random() < 0.5:
                        value = f"v{i}".encode()
                        c.set(key, value)
                        expected[key] = value
                    else:
                        got = c.get(key)
                        facts["mismatches"] += key in expected and got != expected[key]
                    facts["ops"] += 1
                except redis.RedisError:
                    facts["errors"] += 1
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if sum(_stats(c)["hints_held"] for c in clients) == 0:
                    break
                time.sleep(0.2)
            time.sleep(1.0)
            # every acknowledged write is readable through the node that was down
            values = _retry(lambda: clients[-1].mget(list(expected)))
            facts["lost_after_heal"] = sum(
                1 for k, v in zip(expected, values, strict=True) if v != expected[k]
            )
            totals: dict[str, int] = {}
            for c in clients:
                for k, v in _stats(c).items():
                    totals[k] = totals.get(k, 0) + v
            facts.update(totals)
            facts["victim"] = victim.name
        finally:
            cluster.stop()
        ctx.client.get("/kv/ring", headers=ctx.admin_headers).raise_for_status()
        ctx.facts[self.name] = facts
        ctx.log(
            f"    {facts['ops']} ops on {NODES} nodes ({facts['errors']} errors), "
            f"{facts.get('victim')} killed and restarted: {facts.get('hints_queued', 0)} hints "
            f"queued, {facts.get('hints_replayed', 0)} replayed, {facts.get('read_repairs', 0)} "
            f"read repairs, {facts.get('ae_keys_repaired', 0)} keys repaired by anti-entropy; "
            f"{facts.get('lost_after_heal')} acknowledged writes missing after the heal"
        )

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        from services.kv.pbs import DEFAULT_T_MS, consistency_probability, replica_latencies
        from services.kv.repair_order import divergence_by_range
        from warehouse.lake import Lake

        f = ctx.facts.get(self.name, {})
        lines = [
            f"cluster of {NODES}: {f.get('ops')} redis-py ops, {f.get('errors')} errors; "
            f"{f.get('victim')} killed -9 and restarted; hints queued {f.get('hints_queued', 0)}, "
            f"replayed {f.get('hints_replayed', 0)}; read repairs {f.get('read_repairs', 0)}; "
            f"anti-entropy {f.get('ae_exchanges', 0)} exchanges, "
            f"{f.get('ae_keys_repaired', 0)} keys repaired; "
            f"{f.get('lost_after_heal')} acknowledged writes missing after the heal",
        ]
        lake = Lake(ctx.settings.lake_dir)
        writes, reads = replica_latencies(lake)
        if writes and reads:
            parts = []
            for r, w in ((1, 1), (1, 2), (2, 2)):
                p = consistency_probability(writes, reads, 3, r, w, DEFAULT_T_MS)
                parts.append(f"R={r} W={w}: {p[0]:.3f} at commit, {p[4]:.3f} after 1 ms")
            lines.append(
                f"PBS (N=3, {len(writes)} write / {len(reads)} read replica latencies): "
                + "; ".join(parts)
            )
        ranking = divergence_by_range(lake)
        if ranking.height:
            top = ranking.head(3).to_dicts()
            lines.append(
                "most divergent token ranges: "
                + ", ".join(f"#{r['key_range']} ({r['divergence']})" for r in top)
            )
        return lines


WORKLOAD = KvWorkload()
