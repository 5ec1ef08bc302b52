"""``blueprint accounts``: users and their API keys, issued on the data directory's key store
by the admin (what ``POST /auth/keys`` does over HTTP), so a newcomer gets a user key
without reading the OpenAPI document first."""

from __future__ import annotations

import os

import click

from services.auth import KNOWN_ROLES


@click.group(name="accounts")
def cli() -> None:
    """Create users and their API keys."""


@cli.command()
@click.argument("user_id")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=("user",),
    show_default=True,
    type=click.Choice(sorted(KNOWN_ROLES)),
    help="A role of the key (repeatable).",
)
def create(user_id: str, roles: tuple[str, ...]) -> None:
    """Issue an API key for USER_ID and print it (shown once; only its hash is stored).

    \b
    Example:
      KEY=$(blueprint accounts create alice)
      curl -H "X-API-Key: $KEY" http://127.0.0.1:8000/auth/me
    """
    from services.auth import KeyStore
    from services.db import make_engine
    from services.errors import DomainError
    from warehouse.emitter import Emitter, make_transport
    from warehouse.settings import get_settings

    settings = get_settings()
    emitter = Emitter(make_transport(settings, f"accounts-cli-{os.getpid()}"))
    try:
        store = KeyStore(make_engine(settings, "accounts"), settings.admin_api_key, emitter)
        key = store.create(user_id, set(roles), issued_by="admin")
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        emitter.close()
    click.echo(key)
    click.echo(
        f"API key for {user_id} (roles: {', '.join(sorted(roles))}); send it as X-API-Key. "
        "It is shown only now.",
        err=True,
    )
