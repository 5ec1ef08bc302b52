"""``blueprint notify``: run delivery workers, inspect and replay the dead-letter queue, send.

Every command gets the one notification service through
``pipelines.commands.system_service`` and closes it afterwards.
"""

from __future__ import annotations

import click
import orjson

from pipelines.commands import system_service


@click.group("notify")
def cli() -> None:
    """Notifications (system 12): worker, dead-letter queue, ad-hoc sends.

    Providers and retry policy come from BLUEPRINT_NOTIFY_* variables (SMTP host/port,
    SMS and push URLs, max attempts, backoff, lease).
    """


@cli.command("worker")
@click.option("--drain", is_flag=True, help="Stop once nothing is due within --horizon seconds.")
@click.option("--horizon", default=30.0, show_default=True, help="Look-ahead of --drain (s).")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long.")
@click.option(
    "--flush-digests", is_flag=True, help="Send waiting digests now, not after the window."
)
def worker(drain: bool, horizon: float, max_seconds: float | None, flush_digests: bool) -> None:
    """Claim due deliveries and send them, with retries, backoff and dead-lettering."""
    from services.notify.worker import run_worker

    with system_service("notify") as svc:
        result = run_worker(
            svc,
            drain=drain,
            horizon_s=horizon,
            max_seconds=max_seconds,
            flush_digests=flush_digests,
        )
    click.echo(f"processed={result['processed']}")


@cli.command("dkim-record")
def dkim_record() -> None:
    """Print the DNS TXT record that publishes the key email is DKIM-signed with."""
    with system_service("notify") as svc:
        if svc.signer is None:
            raise click.ClickException("DKIM signing is off (BLUEPRINT_NOTIFY_DKIM_SIGN=false)")
        name, value = svc.signer.dns_record()
    click.echo(f'{name}. IN TXT "{value}"')


@cli.group("dlq")
def dlq() -> None:
    """The dead-letter queue: deliveries that ran out of attempts."""


@dlq.command("list")
@click.option("--limit", default=50, show_default=True)
def dlq_list(limit: int) -> None:
    """List dead-lettered deliveries, oldest first."""
    with system_service("notify") as svc:
        rows = svc.dead_letters(limit)
    for r in rows:
        click.echo(
            f"{r['id']}  {r['channel']:<6} user={r['user_id']} attempts={r['attempts']} "
            f"error={r['last_error']}"
        )
    click.echo(f"dead={len(rows)}")


@dlq.command("replay")
@click.option("--id", "ids", multiple=True, help="Delivery id to replay (repeatable).")
@click.option("--all", "replay_all", is_flag=True, help="Replay the whole dead-letter queue.")
def dlq_replay(ids: tuple[str, ...], replay_all: bool) -> None:
    """Put dead deliveries back on the queue with a fresh attempt budget."""
    if not ids and not replay_all:
        raise click.UsageError("give --id ... or --all")
    with system_service("notify") as svc:
        replayed = svc.replay_dead("cli", None if replay_all else list(ids))
    click.echo(f"replayed={len(replayed)}")


@cli.command("send")
@click.option("--user", "user_id", required=True)
@click.option("--template", required=True)
@click.option("--category", default="general", show_default=True)
@click.option(
    "--channel", "channels", multiple=True, help="Channel (repeatable); default: preferences."
)
@click.option("--data", default="{}", help="Template data as a JSON object.")
@click.option("--locale", default=None)
@click.option("--priority", type=click.Choice(["low", "normal", "urgent"]), default="normal")
def send(
    user_id: str,
    template: str,
    category: str,
    channels: tuple[str, ...],
    data: str,
    locale: str | None,
    priority: str,
) -> None:
    """Queue one notification (a worker delivers it)."""
    from services.notify.sending import SendRequest

    try:
        payload = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise click.BadParameter(f"--data is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise click.BadParameter("--data must be a JSON object")
    req = SendRequest(
        user_id=user_id,
        template=template,
        category=category,
        locale=locale,
        data=payload,
        channels=list(channels) or None,
        priority=priority,
    )
    with system_service("notify") as svc:
        view, _ = svc.send("cli", req)
    for d in view["deliveries"]:
        click.echo(f"{d['id']}  {d['channel']:<6} {d['status']}")
    click.echo(f"notification={view['id']}")
