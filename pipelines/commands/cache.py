"""``blueprint cache``: replay access traces through the cache simulator; tiers' hit ratios;
check a consistency mode against a register checker."""

from __future__ import annotations

from pathlib import Path

import click

COLUMN = click.option(
    "--column",
    type=click.IntRange(min=0),
    default=None,
    help="The key is this 0-based field of comma-separated lines (libCacheSim's csv traces); "
    "lines starting with # are skipped.",
)


FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "text", "oracleGeneral"]),
    default="auto",
    show_default=True,
    help="oracleGeneral: libCacheSim's binary records (24 bytes: time, id, size, next "
    "access); auto reads a file so named that way, any other as text.",
)
TRACE = click.option(
    "--trace",
    "trace_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Trace file: one key per line (.gz, .bz2, .xz and .zst are decompressed).",
)


def _read(trace_path: Path, column: int | None, fmt: str) -> list[int]:
    """The trace's keys; an unreadable trace is a usage error (exit 1), not a traceback."""
    from services.cache.simulator import read_trace

    try:
        return read_trace(trace_path, column, fmt)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("cache")
def cli() -> None:
    """Distributed cache tools: trace-driven simulation, miss-ratio curves, hit ratios."""


@cli.command()
@TRACE
@COLUMN
@FORMAT
@click.option("--size", required=True, type=click.IntRange(min=1), help="Cache size in entries.")
@click.option(
    "--policy",
    default="wtinylfu",
    show_default=True,
    type=click.Choice(["fifo", "lru", "lfu", "arc", "lirs", "wtinylfu", "opt"]),
)
def simulate(trace_path: Path, column: int | None, fmt: str, size: int, policy: str) -> None:
    """Print the hit ratio of POLICY at SIZE on a trace; the last line is hit_ratio=<percent>."""
    from services.cache.simulator import simulate as run

    trace = _read(trace_path, column, fmt)
    result = run(trace, size, policy)
    click.echo(
        f"policy={policy} size={size} requests={result.requests} hits={result.hits} "
        f"keys={len(set(trace))}"
    )
    click.echo(f"hit_ratio={100 * result.hit_ratio:.2f}")


@cli.command()
@TRACE
@COLUMN
@FORMAT
@click.option("--sizes", default="", help="Comma-separated sizes (default: a log-spaced sweep).")
@click.option("--target", default=0.8, show_default=True, help="Target hit ratio (0..1).")
def mrc(trace_path: Path, column: int | None, fmt: str, sizes: str, target: float) -> None:
    """Miss-ratio curves of every policy on a trace, and the size that reaches TARGET."""
    from services.cache.mrc import default_sizes, miss_ratio_curves, recommend_size

    trace = _read(trace_path, column, fmt)
    size_list = [int(s) for s in sizes.split(",") if s.strip()] or default_sizes(len(set(trace)))
    curves = miss_ratio_curves(trace, size_list)
    for row in curves:
        click.echo(f"{row['policy']:>9} size={row['size']:>7} hit_ratio={row['hit_ratio']:.4f}")
    rec = recommend_size(curves, target)
    click.echo(f"recommended_size={rec if rec is not None else 'none'} target={target}")


@cli.command("hit-ratio")
def hit_ratio() -> None:
    """Hit ratio of every cache tier (each system's, and the cache system's) from the lake."""
    import polars as pl

    from services.cache.hitratio import hit_ratio_by_owner
    from warehouse.lake import Lake
    from warehouse.settings import get_settings

    table = hit_ratio_by_owner(Lake(get_settings().lake_dir))
    if table.height == 0:
        click.echo("no cache stats events in the lake yet (run `blueprint ingest` first)")
        return
    columns = ["owner", "lookups", "hits", "misses", "hit_ratio", "near_hits", "failovers"]
    with pl.Config(tbl_cols=-1, tbl_width_chars=160):
        click.echo(table.select(columns))


@cli.command("check-consistency")
@click.option(
    "--consistency",
    default="strong",
    show_default=True,
    type=click.Choice(["eventual", "strong"]),
    help="The clients' consistency (strong: R=W=2 of N=3).",
)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 16))
@click.option(
    "--ops", default=150, show_default=True, type=click.IntRange(1, 2000), help="Calls per thread."
)
def check_consistency(consistency: str, seed: int, threads: int, ops: int) -> None:
    """Run concurrent clients over three in-process nodes while nodes fail, and count reads
    older than an acknowledged write; the last line is stale_reads=<n>. Exit 1 when strong
    clients show any."""
    from services.cache.history import run_history, stale_reads

    histories = run_history(consistency, seed, threads=threads, ops=ops)  # type: ignore[arg-type]
    calls = [o for h in histories.values() for o in h]
    failed = sum(not o["ok"] for o in calls)
    stale = sum(len(stale_reads(h)) for h in histories.values())
    click.echo(
        f"consistency={consistency} calls={len(calls)} refused={failed} "
        f"(below quorum, or no replica up)"
    )
    click.echo(f"stale_reads={stale}")
    if consistency == "strong" and stale:
        raise SystemExit(1)
