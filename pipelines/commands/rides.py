"""``blueprint rides``: reconcile after a crash, show the served surge, replay policies."""

from __future__ import annotations

import json

import click

from pipelines.commands import system_service


@click.group("rides")
def cli() -> None:
    """Ride sharing: crash recovery, safety counts, surge, and policy replay."""


@cli.command("recover")
def recover() -> None:
    """Take back lapsed offers, re-match orphaned requests, clear stray reservations and
    settle payments left mid-way (what the API runs at start-up)."""
    with system_service("rides") as svc:
        out = svc.recover()
        out.update(svc.safety())
        click.echo(json.dumps(out, sort_keys=True))


@cli.command("surge")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
def show_surge(top: int) -> None:
    """The served surge multipliers (H3 resolution-7 cells), highest first."""
    with system_service("rides") as svc:
        table = sorted(svc.surge.table().items(), key=lambda kv: -kv[1])
        click.echo(f"version {svc.surge.version or 'none'}: {len(table)} cells above 1.0")
        for cell, mult in table[:top]:
            click.echo(f"{cell}  x{mult:.3f}")


@cli.command("replay")
def replay_day() -> None:
    """Replay the lake's newest day of rides under every dispatch and surge policy."""
    from services.rides import analytics, replay
    from services.rides.dispatch import speed_eta
    from services.rides.settings import RidesSettings
    from warehouse.lake import Lake
    from warehouse.settings import get_settings

    day, requests, drivers = analytics.replay_day(Lake(get_settings().lake_dir))
    if not requests or not drivers:
        raise click.ClickException("no day of rides with requests and driver positions yet")
    v = replay.verdict(requests, drivers, speed_eta(RidesSettings().fallback_speed_kmh))
    click.echo(f"day {day}: {len(requests)} requests, {len(drivers)} drivers")
    for row in v.rows():
        click.echo(json.dumps(row))
    click.echo(v.reason)
