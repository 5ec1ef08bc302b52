"""Background duties of the serving process, so what it records reaches SQL on its own.

Every second the app seals its spool segment once it has been quiet for
``spool_idle_seal_s`` (otherwise an idle server would keep its last events in an open segment
until more traffic came). ``blueprint serve`` also ingests sealed segments every
``serve_ingest_interval_s`` seconds; ingestion is idempotent and takes a lock per lake, so this
loop and the Dagster ``spool_sensor`` may both run. Failures are logged and retried on the
next tick: a background duty never stops the server.
"""

from __future__ import annotations

import asyncio
import logging

import anyio.to_thread

from warehouse.emitter import Emitter
from warehouse.settings import Settings

log = logging.getLogger(__name__)
SEAL_TICK_S = 1.0


async def seal_idle_segments(emitter: Emitter, idle_s: float) -> None:
    """Seal the app's spool segment whenever it has been quiet for ``idle_s``."""
    while True:
        await asyncio.sleep(SEAL_TICK_S)
        try:
            await anyio.to_thread.run_sync(emitter.seal_idle, idle_s)
        except Exception:  # a full disk, say: keep serving and try again
            log.exception("sealing the idle spool segment failed")


async def ingest_continuously(settings: Settings, every_s: float) -> None:
    """Ingest the spool into the lake every ``every_s`` seconds."""
    from warehouse.ingest import ingest_spool

    while True:
        await asyncio.sleep(every_s)
        try:
            report = await anyio.to_thread.run_sync(
                ingest_spool, settings.spool_dir, settings.lake_dir
            )
        except Exception:
            log.exception("ingesting the spool failed; retrying in %.0f s", every_s)
            continue
        if report.segments:
            log.info("ingested %d segments, %d rows", report.segments, report.rows)
