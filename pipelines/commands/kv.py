"""``blueprint kv``: run nodes and clusters, show the ring, run fault rounds, predict staleness."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click

_CONSISTENCY = click.Choice(["eventual", "linearizable"])


@click.group("kv")
def cli() -> None:
    """Distributed key-value store: Redis-protocol nodes in a Dynamo-style cluster."""


def _quorum_options(f):  # noqa: ANN001, ANN202
    f = click.option("--consistency", type=_CONSISTENCY, default="eventual", show_default=True)(f)
    f = click.option("--w", type=click.IntRange(1, 16), default=2, show_default=True)(f)
    f = click.option("--r", type=click.IntRange(1, 16), default=2, show_default=True)(f)
    f = click.option("--n", type=click.IntRange(1, 16), default=3, show_default=True)(f)
    return f


@cli.command()
@click.option("--name", required=True)
@click.option("--port", required=True, type=click.IntRange(1, 65535))
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--peers", default="", help="The other nodes: name=host:port,... (none: alone).")
@click.option("--join", default="", help="HOST:PORT of a running node: join its cluster.")
@_quorum_options
def node(
    name: str,
    port: int,
    data: Path,
    peers: str,
    join: str,
    n: int,
    r: int,
    w: int,
    consistency: str,
):
    """Run one node in the foreground (SIGTERM or KV.LEAVE hands its ranges away, then stops
    it; SIGINT only drains it)."""
    from services.kv.process import main

    args = ["--name", name, "--port", str(port), "--data", str(data), "--peers", peers]
    if join:
        args += ["--join", join]
    args += ["--n", str(n), "--r", str(r), "--w", str(w), "--consistency", consistency]
    try:
        main(args)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@click.option("--nodes", type=click.IntRange(1, 64), default=3, show_default=True)
@click.option("--base-port", type=click.IntRange(1024, 65000), required=True)
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path))
@_quorum_options
def cluster(nodes: int, base_port: int, data: Path, n: int, r: int, w: int, consistency: str):
    """Run NODES nodes on ports BASE_PORT.. and write DATA/<name>.pid; Ctrl-C or SIGTERM stops
    them all."""
    from services.kv.launch import LocalCluster

    c = LocalCluster.create(
        data, nodes, base_port=base_port, n=n, r=r, w=w, consistency=consistency
    )
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        c.start()
        for nd in c.nodes:
            click.echo(f"{nd.name} 127.0.0.1:{nd.port} pid {nd.proc.pid if nd.proc else '?'}")
        while not stop and all(nd.alive for nd in c.nodes):
            time.sleep(0.2)
    except (RuntimeError, TimeoutError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        c.stop()


@cli.command()
@click.option("--nodes", type=click.IntRange(1, 64), default=5, show_default=True)
@click.option("--vnodes", type=click.IntRange(1, 1024), default=64, show_default=True)
@click.option("--n", type=click.IntRange(1, 16), default=3, show_default=True)
@click.option("--seed", default="", help="host:port of a running node: show node states too.")
def ring(nodes: int, vnodes: int, n: int, seed: str) -> None:
    """Ownership of the hash space per node, and (with --seed) each node's state."""
    from services.kv.service import KvService
    from services.kv.settings import KvSettings
    from warehouse.settings import get_settings

    conf = KvSettings(nodes=nodes, vnodes=vnodes, n=n, seeds=seed)
    svc = KvService(get_settings(), None, conf)  # type: ignore[arg-type]
    states: dict[str, str] = {}
    if seed:
        view = svc.cluster()["nodes"][0]
        if not view["reachable"]:
            raise click.ClickException(f"{seed} did not answer ({view.get('error')})")
        states = view["ring"]  # the seed's gossip table: its ring members and their states
        svc = KvService(get_settings(), None, conf, names=sorted(states))  # type: ignore[arg-type]
    for row in svc.ring_shares():
        state = states.get(row["name"], "?") if seed else "-"
        click.echo(
            f"{row['name']:>5} ranges={row['ranges']:>4} primary={row['primary_share']:.3f} "
            f"replica={row['replica_share']:.3f} state={state}"
        )


@cli.command()
@click.option("--rounds", type=click.IntRange(1, 100), default=1, show_default=True)
@click.option("--duration", type=click.FloatRange(2, 600), default=8.0, show_default=True)
@click.option("--consistency", type=_CONSISTENCY, default="linearizable", show_default=True)
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None)
def faults(rounds: int, duration: float, consistency: str, data: Path | None) -> None:
    """Fault rounds (kill -9, SIGSTOP, partitions); exit 1 on any violation or lost write."""
    import tempfile

    from services.kv.faults import run_faults

    violations = lost = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            report = run_faults(
                (data or Path(tmp)) / f"round{i}",
                duration_s=duration,
                consistency=consistency,
                seed=i,
            )
            click.echo(f"round {i + 1}: {report.line()}")
            violations += report.violations
            lost += report.lost_writes
    click.echo(f"violations={violations} lost_writes={lost}")
    if violations or lost:
        sys.exit(1)


@cli.command()
@click.option("--n", type=click.IntRange(1, 16), default=3, show_default=True)
@click.option("--r", type=click.IntRange(1, 16), default=1, show_default=True)
@click.option("--w", type=click.IntRange(1, 16), default=1, show_default=True)
def pbs(n: int, r: int, w: int) -> None:
    """P(consistent read) against time since the write, from the lake's replica latencies."""
    from pipelines.commands import system_service

    with system_service("kv") as svc:
        result = svc.staleness(n, r, w)
    click.echo(f"N={n} R={r} W={w} samples={result['samples']}")
    for point in result["points"]:
        click.echo(f"  t={point['t_ms']:>6} ms  p_consistent={point['p_consistent']:.4f}")
