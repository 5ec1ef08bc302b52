"""``blueprint files``: the reference sync client, and admin commands over the file service
(garbage collection, dedup figures, listing, put and get as a user).

``sync`` talks HTTP to a running API (``make serve``) with an API key, as any client would;
the others get the one file service through ``pipelines.commands.system_service``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from pipelines.commands import system_service


@click.group("files")
def cli() -> None:
    """File sharing (system 6): sync a folder, collect garbage, dedup figures, ls/put/get."""


@cli.command("sync")
@click.argument("local_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--remote", required=True, help="The remote folder, relative to your root.")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The API.")
@click.option("--key", envvar="BLUEPRINT_FILES_API_KEY", required=True, help="Your API key.")
@click.option("--device", default="cli", show_default=True, help="Named in conflict copies.")
@click.option("--watch", type=float, default=None, help="Sync again every N seconds.")
def sync(local_dir: Path, remote: str, url: str, key: str, device: str, watch: float | None):
    """Keep LOCAL_DIR and the remote folder in sync both ways (by chunk delta)."""
    import time

    import httpx

    from services.files.client import SyncClient, SyncError

    local_dir.mkdir(parents=True, exist_ok=True)
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=120) as http:
        while True:
            try:
                report = SyncClient(http, local_dir, remote, device=device).sync()
            except (SyncError, httpx.HTTPError) as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(orjson.dumps(report.public()).decode())
            if watch is None:
                return
            time.sleep(watch)


@cli.command("gc")
def gc() -> None:
    """Delete chunks no version references (after the grace period)."""
    with system_service("files") as svc:
        report = svc.collect_garbage()
    click.echo(orjson.dumps(report.public()).decode())


@cli.command("dedup")
def dedup() -> None:
    """Logical against stored bytes, per user and overall (``*``)."""
    from services.files.analytics import dedup_table

    with system_service("files") as svc:
        table = dedup_table(svc)
    for row in table.iter_rows(named=True):
        click.echo(
            f"{row['user']:<24} logical={row['logical_bytes']} stored={row['stored_bytes']} "
            f"ratio={row['dedup_ratio']:.2f}"
        )


@cli.command("ls")
@click.argument("user")
@click.argument("path", default="")
def ls(user: str, path: str) -> None:
    """List a folder of USER's tree."""
    with system_service("files") as svc:
        for e in svc.listdir(user, path):
            click.echo(f"{e.kind:<4} {e.size:>12} {e.etag} {e.path}")


@cli.command("put")
@click.argument("user")
@click.argument("local", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("remote")
def put(user: str, local: Path, remote: str) -> None:
    """Store LOCAL as a new version of USER's REMOTE path."""
    with system_service("files") as svc:
        entry = svc.put_file(user, remote, local, device="cli")
    click.echo(f"{entry.path} {entry.size} bytes etag={entry.etag}")


@cli.command("get")
@click.argument("user")
@click.argument("remote")
@click.option("--version", type=int, default=None)
def get(user: str, remote: str, version: int | None) -> None:
    """Write USER's REMOTE file (or one of its versions) to standard output."""
    with system_service("files") as svc:
        _, body = svc.open_file(user, remote, version=version)
        for piece in body:
            sys.stdout.buffer.write(piece)
