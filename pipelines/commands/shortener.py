"""``blueprint shortener``: run the redirect edge, purge expired links."""

from __future__ import annotations

import click

from pipelines.commands import system_service


@click.group("shortener")
def cli() -> None:
    """URL shortener tools."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True)
def edge(host: str, port: int) -> None:
    """Serve GET /s/<code> only, from the cache tier (a lean process for redirect traffic)."""
    import uvicorn

    from services.server import server_config
    from services.shortener.edge import create_edge_app
    from warehouse.settings import get_settings

    settings = get_settings()
    config = server_config(
        create_edge_app(settings),
        settings,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )
    uvicorn.Server(config).run()


@cli.command()
@click.option(
    "--grace-hours",
    default=24.0,
    show_default=True,
    help="Keep expired links this long (they answer 410), then delete them.",
)
def purge(grace_hours: float) -> None:
    """Delete links that expired more than GRACE_HOURS ago (what the hourly schedule does)."""
    with system_service("shortener") as svc:
        n = svc.purge_expired(grace_s=grace_hours * 3600)
    click.echo(f"purged={n}")
