"""``blueprint cdn``: run an origin, edges and shields as processes; purge; show hit ratios."""

from __future__ import annotations

import click

from pipelines.commands import system_service


@click.group("cdn")
def cli() -> None:
    """CDN (system 10): origin, edge and shield servers, purge, hit ratio.

    A tier on one machine: `blueprint cdn origin` over the blob store, one `blueprint cdn edge
    --role shield --origin <origin>` and several `blueprint cdn edge --origin <shield>`.
    Each edge has a purge token of its own: register the edge (POST /cdn/edges) with it.
    """


EDGE_TOKEN_ENV = "BLUEPRINT_CDN_EDGE_TOKEN"


def _edge_token(name: str) -> tuple[str, str]:
    """The edge's purge token and where it came from: ``$BLUEPRINT_CDN_EDGE_TOKEN``, else a
    file ``<data_dir>/cdn/tokens/<name>`` (mode 0600) made on first use."""
    import os
    import secrets

    from warehouse.settings import get_settings

    given = os.environ.get(EDGE_TOKEN_ENV, "").strip()
    if given:
        return given, f"${EDGE_TOKEN_ENV}"
    path = get_settings().data_dir / "cdn" / "tokens" / name
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip(), str(path)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="ascii").strip(), str(path)


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
    """Serve a directory with Content-Type, ETag, Last-Modified, ranges and Cache-Control.

    The request counters (/_origin/stats, /_origin/reset) answer the token in
    $BLUEPRINT_CDN_ORIGIN_TOKEN (as X-CDN-Token); without it they stay closed.
    """
    import os
    from pathlib import Path

    from services.cdn.run import ORIGIN_TOKEN_ENV, serve_origin
    from warehouse.settings import get_settings

    directory = Path(root) if root else get_settings().blobs_dir
    directory.mkdir(parents=True, exist_ok=True)
    counters = "open to its token" if os.environ.get(ORIGIN_TOKEN_ENV) else "closed"
    click.echo(f"origin serving {directory} on http://{host}:{port} (counters {counters})")
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
@click.option(
    "--compress-type",
    "compress_types",
    multiple=True,
    help="Content type (prefix) to compress; repeat for several. Default: HLS playlists and "
    "DASH manifests. Other types pass through as the origin sent them.",
)
@click.option(
    "--rate-limit",
    "rate_limit_rps",
    default=0.0,
    show_default=True,
    help="Requests per second per client address (429 beyond); 0: no limit.",
)
@click.option(
    "--rate-burst",
    "rate_limit_burst",
    default=0.0,
    show_default=True,
    help="Requests a client may make at once; 0: twice --rate-limit.",
)
@click.option(
    "--tls",
    is_flag=True,
    help="Serve HTTPS with a certificate for the CDN's name from the local CA "
    "(<data_dir>/cdn/tls/ca.pem, made on first use; clients trust that file).",
)
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
    compress_types: tuple[str, ...],
    rate_limit_rps: float,
    rate_limit_burst: float,
    tls: bool,
) -> None:
    """Run an edge cache (or a shield) in front of --origin.

    Purges need the edge's own token: $BLUEPRINT_CDN_EDGE_TOKEN, else one generated into
    <data_dir>/cdn/tokens/<name> (mode 0600). Register the edge with that token.
    """
    import re

    from services.cdn.edgeconfig import EdgeConfig
    from services.cdn.run import serve_edge

    name = name or f"{role}-{region}-{port}"
    if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}", name):
        rule = "letters, digits, '_', '-' and '.' (not first)"
        raise click.BadParameter(rule, param_hint="--name")
    token, source = _edge_token(name)
    config = EdgeConfig(
        name=name,
        upstream=upstream,
        region=region,
        role=role,
        memory_bytes=memory_mb * 1024 * 1024,
        disk_dir=disk_dir,
        max_object_bytes=max_object_mb * 1024 * 1024,
        read_timeout=read_timeout,
        purge_token=token,
        access_log=not no_access_log,
        rate_limit_rps=rate_limit_rps,
        rate_limit_burst=rate_limit_burst,
        **({"compress_types": compress_types} if compress_types else {}),
    )
    scheme = "http"
    if tls:
        from services.cdn.settings import CdnSettings
        from services.cdn.tls import edge_certificate
        from warehouse.settings import get_settings

        files = edge_certificate(get_settings().data_dir, name, CdnSettings().dns_zone)
        config.tls_certfile, config.tls_keyfile = str(files.cert), str(files.key)
        scheme = "https"
        click.echo(f"TLS certificate {files.cert}; clients trust {files.ca}")
    click.echo(
        f"{role} {config.name} on {scheme}://{host}:{port} -> {upstream}; purge token: {source}"
    )
    serve_edge(config, host, port, workers)


@cli.command("purge")
@click.option("--url", "url", default=None, help="Exact path to purge, e.g. /videos/v1/a.m4s.")
@click.option("--prefix", default=None, help="Path prefix to purge, e.g. /videos/v1/.")
@click.option(
    "--edge",
    "edges",
    multiple=True,
    help="Purge on this registered edge (by name) only (repeatable); default: every one.",
)
def purge(url: str | None, prefix: str | None, edges: tuple[str, ...]) -> None:
    """Purge a URL or a prefix on every registered edge (shields first) or on the named ones.

    The edge registry (with each edge's purge token) is the ``cdn`` store the API uses, so no
    API server needs to run.
    """
    import asyncio

    if (url is None) == (prefix is None) or not (url or prefix or "").startswith("/"):
        raise click.UsageError("give exactly one of --url or --prefix, starting with '/'")
    with system_service("cdn") as svc:
        done = asyncio.run(
            svc.purge(url=url, prefix=prefix, actor="cli", names=list(edges) or None)
        )
    if not done.results:
        click.echo("no edges registered: nothing to purge")
    for r in done.results:
        state = f"purged {r['purged']}" if r["ok"] else f"FAILED {r['error']}"
        click.echo(f"{r['edge']}: {state}")
    if not all(r["ok"] for r in done.results):
        raise SystemExit(1)


@cli.command("dns")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5353, show_default=True, help="UDP and TCP port.")
def dns_server(host: str, port: int) -> None:
    """Answer DNS for the CDN's name (BLUEPRINT_CDN_DNS_ZONE) with the nearest healthy edge,
    over UDP and TCP, until stopped (Ctrl-C or SIGTERM).

    Try it: dig @127.0.0.1 -p 5353 +subnet=10.4.0.0/16 cdn.blueprint.test
    """
    import asyncio
    import signal

    from services.cdn.dns import DnsServer

    async def serve(router) -> None:
        server = DnsServer(router, host, port)
        try:
            await server.start()
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc
        svc.start_probing()  # health stays fresh between queries
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        click.echo(f"answering {svc.conf.dns_zone} on {host}:{server.port} (UDP and TCP)")
        await stop.wait()
        await svc.stop_probing()
        await server.stop()

    with system_service("cdn") as svc:
        asyncio.run(serve(svc.dns_router()))


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


@cli.command("preload")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--edge",
    "edges",
    multiple=True,
    help="Warm this registered edge (by name) only (repeatable); default: every edge.",
)
def preload(paths: tuple[str, ...], edges: tuple[str, ...]) -> None:
    """Warm PATHS (e.g. /videos/v1/master.m3u8) on the edges before clients ask: each edge
    fetches them through its own cache and reports stored, not-cacheable or error."""
    import asyncio

    from services.errors import DomainError

    with system_service("cdn") as svc:
        try:
            results = asyncio.run(svc.preload(list(paths), names=list(edges) or None, actor="cli"))
        except DomainError as exc:
            raise click.UsageError(str(exc)) from exc
    if not results:
        click.echo("no edges registered: nothing to warm")
    for r in results:
        if not r["ok"]:
            click.echo(f"{r['edge']}: FAILED {r['error']}")
            continue
        for p in r["paths"]:
            click.echo(f"{r['edge']}: {p['path']} {p['result']} ({p['status']})")
    if not all(r["ok"] for r in results):
        raise SystemExit(1)
