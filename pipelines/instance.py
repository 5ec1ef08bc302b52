"""The Dagster instance: where runs, event logs and schedules are stored.

Embedded default: a SQLite instance under ``<data_dir>/dagster`` for one machine. Scale-out:
with ``BLUEPRINT_DAGSTER_PG_URL`` set, every process that shares the URL (``blueprint ui``,
``blueprint daemon``, ``make run``, run workers) shares one PostgreSQL instance through
``dagster-postgres``, and runs wait in the queued run coordinator until the daemon launches
them. Either way the instance is described by ``dagster.yaml`` in ``DAGSTER_HOME``, which this
module writes from the settings.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import yaml

from warehouse.settings import Settings

# Runs the daemon launches at once from the queue; each is a process (and, with the
# multiprocess executor, one process per step), so a few per machine is plenty.
MAX_CONCURRENT_RUNS = 4


def postgres_url(url: str) -> str:
    """The URL with the driver dagster-postgres is written for.

    dagster-postgres talks to psycopg2 (its ``NOTIFY`` statements use psycopg2's client-side
    parameters), but SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3, where they
    are a syntax error. A URL that names its driver is left as it is.
    """
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg2://{rest}"
    return url


def dagster_yaml(settings: Settings) -> str:
    """The instance configuration the settings ask for, as ``dagster.yaml`` text."""
    # No telemetry, and no newsletter pop-up over the asset graph (its links need the internet).
    config: dict = {"telemetry": {"enabled": False}, "nux": {"enabled": False}}
    if settings.dagster_pg_url:
        config["storage"] = {"postgres": {"postgres_url": postgres_url(settings.dagster_pg_url)}}
        config["run_coordinator"] = {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {"max_concurrent_runs": MAX_CONCURRENT_RUNS},
        }
    return yaml.safe_dump(config, sort_keys=False)


def prepare_dagster_home(settings: Settings) -> Path:
    """Write ``dagster.yaml`` for these settings and point ``DAGSTER_HOME`` at it.

    The file is rewritten whenever the settings change it (switching to PostgreSQL and back
    must take effect), atomically so a webserver or daemon starting now never reads half a
    file. It may hold the database password, so only its owner can read it. Child processes
    (``dagster dev``, ``dagster-daemon``, run workers) inherit ``DAGSTER_HOME``.
    """
    home = settings.dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    text = dagster_yaml(settings)
    if not config.exists() or config.read_text(encoding="utf-8") != text:
        tmp = config.with_name(f".{config.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.replace(config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance(settings: Settings) -> dg.DagsterInstance:
    """The instance of these settings (SQLite under the data directory, or PostgreSQL)."""
    prepare_dagster_home(settings)
    return dg.DagsterInstance.get()
