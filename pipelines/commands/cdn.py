"""``blueprint cdn``: run an origin, edges and shields as processes; purge; show hit ratios."""

from __future__ import annotations

import click

from pipelines.commands import system_service


@click.group("cdn")
def cli() -> None:
    """CDN (system 10): origin, edge and shield servers, purge, hit ratio.

    A tier on one machine: `blueprint cdn origin` over the blob store, one `blueprint cdn edge
    --role shield --origin <origin>` and several `blueprint cdn edge --origin <shield>`.
    """


@cli.command("origin")
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Directory to serve (default: the blob store, BLUEPRINT_DATA_DIR/blobs).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8090, show_default=True)
@click.option("--delay-ms", default=0, show_default=True, help="Added latency per response.")
def origin(root: str | None, host: str, port: int, delay_ms: int) -> None:
    """Serve a directory with Content-Type, ETag, Last-Modified, ranges and Cache-Control."""
    from pathlib import Path

    from services.cdn.run import serve_origin
    from warehouse.settings import get_settings

    directory = Path(root) if root else get_settings().blobs_dir
    directory.mkdir(parents=True, exist_ok=True)
    click.echo(f"origin serving {directory} on http://{host}:{port}")
    serve_origin(directory, host, port, delay_ms)


@cli.command("edge")
@click.option(
    "--origin",
    "upstream",
    required=True,
    help="Upstream base URL: the shield, or the origin for a shield.",
)
@click.option("--port", default=8100, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--name", default=None, help="Edge name (default: <role>-<region>-<port>).")
@click.option("--region", default="local", show_default=True, help="e.g. eu-west, us-east.")
@click.option("--role", type=click.Choice(["edge", "shield"]), default="edge", show_default=True)
@click.option("--memory-mb", default=256, show_default=True, help="Memory cache budget.")
@click.option("--disk-dir", default=None, help="Optional disk tier for objects memory evicts.")
@click.option(
    "--max-object-mb", default=64, show_default=True, help="Larger bodies stream through uncached."
)
@click.option("--read-timeout", default=10.0, show_default=True, help="Upstream read timeout (s).")
@click.option("--workers", default=1, show_default=True, help="uvicorn worker processes.")
@click.option("--no-access-log", is_flag=True, help="Do not write access events to the lake.")
def edge(
    upstream: str,
    port: int,
    host: str,
    name: str | None,
    region: str,
    role: str,
    memory_mb: int,
    disk_dir: str | None,
    max_object_mb: int,
    read_timeout: float,
    workers: int,
    no_access_log: bool,
) -> None:
    """Run an edge cache (or a shield) in front of --origin; purges need the admin key."""
    from services.cdn.edge import EdgeConfig
    from services.cdn.run import serve_edge

    config = EdgeConfig(
        name=name or f"{role}-{region}-{port}",
        upstream=upstream,
        region=region,
        role=role,
        memory_bytes=memory_mb * 1024 * 1024,
        disk_dir=disk_dir,
        max_object_bytes=max_object_mb * 1024 * 1024,
        read_timeout=read_timeout,
        access_log=not no_access_log,
    )
    click.echo(f"{role} {config.name} on http://{host}:{port} -> {upstream}")
    serve_edge(config, host, port, workers)


@cli.command("purge")
@click.option("--url", "url", default=None, help="Exact path to purge, e.g. /videos/v1/a.m4s.")
@click.option("--prefix", default=None, help="Path prefix to purge, e.g. /videos/v1/.")
@click.option(
    "--edge",
    "edges",
    multiple=True,
    help="Purge on this edge URL only (repeatable); default: every registered edge.",
)
def purge(url: str | None, prefix: str | None, edges: tuple[str, ...]) -> None:
    """Purge a URL or a prefix on every registered edge (shields first) or on the given edges.

    The edge registry is the ``cdn`` store the API uses, so no API server needs to run.
    """
    import asyncio

    from services.cdn.routing import EdgeInfo

    if (url is None) == (prefix is None) or not (url or prefix or "").startswith("/"):
        raise click.UsageError("give exactly one of --url or --prefix, starting with '/'")
    only = [EdgeInfo(e, e, "local", 0.0, 0.0) for e in edges] or None
    with system_service("cdn") as svc:
        done = asyncio.run(svc.purge(url=url, prefix=prefix, actor="cli", edges=only))
    if not done.results:
        click.echo("no edges registered: nothing to purge")
    for r in done.results:
        state = f"purged {r['purged']}" if r["ok"] else f"FAILED {r['error']}"
        click.echo(f"{r['edge']}: {state}")
    if not all(r["ok"] for r in done.results):
        raise SystemExit(1)


@cli.command("hit-ratio")
def hit_ratio() -> None:
    """Hit ratio per edge and shield from the access logs in the lake."""
    import polars as pl

    from services.cdn.hitratio import hit_ratio_by_edge
    from warehouse.lake import Lake
    from warehouse.settings import get_settings

    table = hit_ratio_by_edge(Lake(get_settings().lake_dir))
    if table.height == 0:
        click.echo("no CDN access events in the lake yet (run `blueprint ingest` first)")
        return
    with pl.Config(tbl_cols=-1, tbl_width_chars=160):
        click.echo(table)
