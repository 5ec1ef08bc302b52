"""``blueprint booking``: load inventory, search, reconcile payments, serve the local gateway."""

from __future__ import annotations

import json
from datetime import date, timedelta

import click

from pipelines.commands import system_service


@click.group("booking")
def cli() -> None:
    """Hotel and flight booking: inventory, search, payments reconciliation, the gateway."""


@cli.command("load-hotels")
@click.option("--properties", default=20, show_default=True, type=click.IntRange(1, 5000))
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 731))
@click.option("--seed", default=0, show_default=True, type=int)
def load_hotels(properties: int, days: int, seed: int) -> None:
    """Generate PROPERTIES hotels (three room types each) with DAYS of inventory from today."""
    from services.booking.catalog import generate_hotels, inventory_rows

    with system_service("booking") as svc:
        today = svc.today()
        units = 0
        for hotel in generate_hotels(properties, seed):
            svc.add_property(hotel.id, hotel.name, hotel.city)
            for suffix, (name, guests, count, price) in hotel.rooms.items():
                unit = f"{hotel.id}-{suffix}"
                svc.add_unit(unit, "room", name, guests, property_id=hotel.id)
                svc.load_inventory(inventory_rows(unit, today, days, count, price, seed))
                units += 1
        click.echo(f"loaded properties={properties} units={units} days={days}")


@cli.command("load-flights")
@click.option("--openflights", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--source", default=None, help="Only routes from this IATA airport.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 731))
def load_flights(openflights: str, source: str | None, limit: int, days: int) -> None:
    """Load real OpenFlights routes as flights with seats per cabin per departure date."""
    from pathlib import Path

    from services.booking.catalog import inventory_rows, read_routes

    with system_service("booking") as svc:
        today = svc.today()
        n = 0
        for route in read_routes(Path(openflights), source=source, limit=limit):
            for cabin, seats in route.cabins().items():
                unit = f"{route.unit_prefix}:{cabin}"
                place = f"{route.source}-{route.dest}"
                try:
                    svc.add_unit(unit, "seat", f"{route.airline} {place} {cabin}", 1, place=place)
                except Exception:  # noqa: BLE001 - a route listed twice (codeshares) loads once
                    continue
                price = 9000 if cabin == "economy" else 45000
                svc.load_inventory(inventory_rows(unit, today, days, seats, price))
                n += 1
        click.echo(f"loaded flight_cabins={n} days={days}")


@cli.command()
@click.option("--place", required=True)
@click.option("--check-in", "check_in", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--nights", default=1, show_default=True, type=click.IntRange(1, 30))
@click.option("--guests", default=2, show_default=True, type=click.IntRange(1, 9))
@click.option("--kind", default="room", type=click.Choice(["room", "seat"]))
def search(place: str, check_in, nights: int, guests: int, kind: str) -> None:
    """Available units at PLACE, cheapest first, as JSON lines."""
    day: date = check_in.date()
    with system_service("booking") as svc:
        for offer in svc.search(kind, place, day, day + timedelta(days=nights), guests):
            click.echo(json.dumps(offer))


@cli.command()
def reconcile() -> None:
    """Lapse expired holds and settle every payment left mid-way (exit 1 if any remains)."""
    with system_service("booking") as svc:
        lapsed = svc.sweep()
        outcome = svc.reconcile()
        click.echo(f"lapsed={lapsed} " + " ".join(f"{k}={v}" for k, v in sorted(outcome.items())))
        pending = sum(
            v
            for k, v in outcome.items()
            if k in ("authorizing", "authorized", "voiding", "refunding")
        )
        if pending:
            raise SystemExit(1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8470, show_default=True, type=click.IntRange(1, 65535))
def gateway(host: str, port: int) -> None:
    """Serve the local payment gateway as its own process (Stripe's API on HOST:PORT).

    Point the booking service at it with BLUEPRINT_BOOKING_GATEWAY_URL; both read the key
    and webhook secret from the data directory (or BLUEPRINT_BOOKING_GATEWAY_API_KEY/...)."""
    import httpx
    import uvicorn

    from services.booking.settings import BookingSettings
    from services.payments.factory import local_gateway
    from services.payments.gateway_app import gateway_app
    from warehouse.secrets import secret
    from warehouse.settings import get_settings

    settings, conf = get_settings(), BookingSettings()
    api_key = conf.gateway_api_key or "sk_" + secret(settings.data_dir, "booking_gateway_key")
    hook = conf.webhook_secret or "whsec_" + secret(settings.data_dir, "booking_webhook")
    sink_url = f"{settings.public_base_url.rstrip('/')}/booking/webhooks"

    def sink(body: bytes, signature: str) -> bool:
        r = httpx.post(sink_url, content=body, headers={"Stripe-Signature": signature}, timeout=5)
        return r.status_code == 200

    gw = local_gateway(
        settings.data_dir / "db" / "payments_gateway.sqlite",
        api_key=api_key,
        webhook_secret=hook,
        webhook_sink=sink,
    )
    click.echo(f"local gateway on http://{host}:{port} (webhooks to {sink_url})")
    uvicorn.run(gateway_app(gw), host=host, port=port, log_level="warning")
