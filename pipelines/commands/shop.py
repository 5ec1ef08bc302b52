"""``blueprint shop``: load the real catalogue, search it, settle payments, audit stock."""

from __future__ import annotations

import json

import click

from pipelines.commands import system_service


@click.group("shop")
def cli() -> None:
    """E-commerce: the catalogue from real orders, search, reconciliation and the ledger."""


@cli.command("load")
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Also load past invoices as delivered orders.",
)
@click.option("--sellers", default=4, show_default=True, type=click.IntRange(1, 100))
def load(history: bool, sellers: int) -> None:
    """Seed products, prices, stock (and order history) from online_retail.parquet."""
    from services.shop.loader import read_lines, seed

    try:
        lines = read_lines()
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    with system_service("shop") as svc:
        out = seed(svc, lines, sellers=sellers, history=lines if history else None)
    click.echo(f"loaded products={out['products']} history_orders={out['history_orders']}")


@cli.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option(
    "--sort",
    default="relevance",
    show_default=True,
    type=click.Choice(["relevance", "price_asc", "price_desc", "rating", "newest"]),
)
def search(query: str, limit: int, sort: str) -> None:
    """Full-text search with facet counts, as JSON."""
    with system_service("shop") as svc:
        click.echo(json.dumps(svc.find(q=query, limit=limit, sort=sort), indent=2))


@cli.command("reconcile")
def reconcile() -> None:
    """Release expired reservations and settle payments left mid-way (after a crash)."""
    with system_service("shop") as svc:
        released = svc.sweep()
        click.echo(json.dumps({"released": released, **svc.reconcile()}))


@cli.command("audit")
def audit() -> None:
    """The store's ledger against its stock counters; exits 1 on any violation."""
    with system_service("shop") as svc:
        bad = svc.audit()
    for line in bad:
        click.echo(line)
    click.echo(f"ledger violations={len(bad)}")
    if bad:
        raise SystemExit(1)


@cli.command("stats")
def stats() -> None:
    """Orders by status, revenue and refunds (minor units)."""
    with system_service("shop") as svc:
        click.echo(json.dumps(svc.totals(), indent=2))
