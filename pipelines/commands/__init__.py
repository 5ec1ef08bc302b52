"""``blueprint`` sub-command groups, one module per system, each exporting ``cli``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click


@contextmanager
def system_service(system_id: str, source: str | None = None) -> Iterator[Any]:
    """A system's service for one command, built by its composition root and closed after.

    The command gets an emitter of its own (spool source ``source``, by default one per
    process), closed on the way out so what it emitted is sealed for ingestion when the
    command returns. Services the system needs are built and closed with it. Domain errors
    become click errors: a message and exit code 1, no traceback.
    """
    from services.compose import build_services, close_services
    from services.errors import DomainError
    from warehouse.emitter import Emitter, make_transport
    from warehouse.settings import get_settings

    settings = get_settings()
    emitter = Emitter(make_transport(settings, source or f"{system_id}-cli-{os.getpid()}"))
    try:
        built = build_services(settings, emitter, [system_id])
        try:
            yield built[system_id]
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        finally:
            close_services(built)
    finally:
        emitter.close()
