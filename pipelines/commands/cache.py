"""``blueprint cache``: replay access traces through the cache simulator; tiers' hit ratios."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("cache")
def cli() -> None:
    """Distributed cache tools: trace-driven simulation, miss-ratio curves, hit ratios."""


@cli.command()
@click.option(
    "--trace",
    "trace_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Trace file: one key per line.",
)
@click.option("--size", required=True, type=click.IntRange(min=1), help="Cache size in entries.")
@click.option(
    "--policy",
    default="wtinylfu",
    show_default=True,
    type=click.Choice(["fifo", "lru", "lfu", "arc", "lirs", "wtinylfu", "opt"]),
)
def simulate(trace_path: Path, size: int, policy: str) -> None:
    """Print the hit ratio of POLICY at SIZE on a trace; the last line is hit_ratio=<percent>."""
    from services.cache.simulator import read_trace
    from services.cache.simulator import simulate as run

    try:
        trace = read_trace(trace_path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    result = run(trace, size, policy)
    click.echo(
        f"policy={policy} size={size} requests={result.requests} hits={result.hits} "
        f"keys={len(set(trace))}"
    )
    click.echo(f"hit_ratio={100 * result.hit_ratio:.2f}")


@cli.command()
@click.option(
    "--trace",
    "trace_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--sizes", default="", help="Comma-separated sizes (default: a log-spaced sweep).")
@click.option("--target", default=0.8, show_default=True, help="Target hit ratio (0..1).")
def mrc(trace_path: Path, sizes: str, target: float) -> None:
    """Miss-ratio curves of every policy on a trace, and the size that reaches TARGET."""
    from services.cache.mrc import default_sizes, miss_ratio_curves, recommend_size
    from services.cache.simulator import read_trace

    trace = read_trace(trace_path)
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
