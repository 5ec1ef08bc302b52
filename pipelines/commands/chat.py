"""``blueprint chat``: send and listen over the WebSocket, purge expired messages, audit
delivery from the lake."""

from __future__ import annotations

import asyncio
import os
import sys

import click
import orjson

from pipelines.commands import system_service

DEFAULT_URL = "ws://127.0.0.1:8000/chat/ws"


def _key(api_key: str | None) -> str:
    key = api_key or os.environ.get("BLUEPRINT_API_KEY")
    if not key:
        raise click.UsageError("give --api-key or set BLUEPRINT_API_KEY")
    return key


@click.group("chat")
def cli() -> None:
    """Messaging tools."""


@cli.command()
@click.option("--conv", required=True, help="Conversation id.")
@click.option("--text", required=True)
@click.option("--url", default=DEFAULT_URL, show_default=True)
@click.option("--api-key", default=None, help="Default: $BLUEPRINT_API_KEY.")
@click.option("--device", default="cli", show_default=True)
@click.option("--timeout", default=10.0, show_default=True)
def send(conv: str, text: str, url: str, api_key: str | None, device: str, timeout: float) -> None:
    """Send one message and print the seq it was stored under (exit 1 if refused)."""
    from services.chat.client import ChatClient

    async def run() -> dict:
        client = ChatClient(url, _key(api_key), device)
        await client.connect(timeout)
        reader = asyncio.create_task(client.run())
        client_id = await client.send(conv, {"text": text})
        try:
            await client.wait_for(
                lambda: (
                    client_id in client.accepted
                    or any(e.get("client_id") == client_id for e in client.log.errors)
                ),
                timeout,
            )
        finally:
            await client.close()
            await reader
        if client_id in client.accepted:
            return {"conv": conv, "seq": client.accepted[client_id], "client_id": client_id}
        error = next(e for e in client.log.errors if e.get("client_id") == client_id)
        raise click.ClickException(f"refused ({error['status']}): {error['message']}")

    try:
        click.echo(orjson.dumps(asyncio.run(run())).decode())
    except (OSError, TimeoutError) as exc:
        raise click.ClickException(f"could not send: {exc!r}") from exc


@cli.command()
@click.option("--url", default=DEFAULT_URL, show_default=True)
@click.option("--api-key", default=None, help="Default: $BLUEPRINT_API_KEY.")
@click.option("--device", default="cli", show_default=True)
@click.option("--count", default=0, help="Stop after this many rows (0: until interrupted).")
@click.option("--timeout", default=0.0, help="Stop after this many seconds (0: never).")
def listen(url: str, api_key: str | None, device: str, count: int, timeout: float) -> None:
    """Print every row delivered to this device as a JSON line, resuming from its cursors."""
    from services.chat.client import ChatClient

    def show(frame: dict) -> None:
        if frame.get("type") in ("msg", "gap", "typing", "receipt", "error"):
            sys.stdout.write(orjson.dumps(frame).decode() + "\n")
            sys.stdout.flush()

    async def run() -> int:
        client = ChatClient(url, _key(api_key), device, on_frame=show)
        stop = asyncio.Event()
        task = asyncio.create_task(client.run_forever(stop))
        try:
            await client.wait_for(
                lambda: count > 0 and len(client.log.applied) >= count,
                timeout if timeout > 0 else float("inf"),
            )
        except TimeoutError:
            pass
        finally:
            stop.set()
            await task
        return len(client.log.applied)

    n = asyncio.run(run())
    click.echo(f"received={n}", err=True)


@cli.command()
def purge() -> None:
    """Delete messages past their conversation's retention (what the schedule does)."""
    with system_service("chat") as svc:
        purged = svc.purge_expired()
    click.echo(f"conversations={len(purged)} rows={sum(purged.values())}")


@cli.command()
def audit() -> None:
    """The delivery-gap audit over the lake; exit 1 if any device has a hole, a duplicate or
    a reordering."""
    from services.chat.audit import EVENTS_SQL, gap_audit, verdict
    from warehouse.lake import Lake
    from warehouse.settings import get_settings

    lake = Lake(get_settings().lake_dir)
    if "events" not in lake.tables():
        raise click.ClickException("the lake has no events yet (run make run, or ingest)")
    totals = verdict(gap_audit(lake.query(EVENTS_SQL)))
    click.echo(" ".join(f"{k}={v}" for k, v in totals.items()))
    if totals["duplicates"] or totals["reorders"] or totals["holes"]:
        sys.exit(1)
