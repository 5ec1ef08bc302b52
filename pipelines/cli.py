"""``blueprint``: the one command-line interface of the platform."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from warehouse.settings import get_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="system-blueprints", prog_name="blueprint")
def main() -> None:
    """System Blueprints: fifteen system designs as one data and ML platform.

    Settings come from BLUEPRINT_* environment variables (see README); all state lives under
    BLUEPRINT_DATA_DIR (default ./.data).
    """


@main.command()
@click.option("--seed", default=7, show_default=True, help="Seed of the workload simulator.")
@click.option("--scale", default=1.0, show_default=True, help="Multiplier on simulated traffic.")
def run(seed: int, scale: float) -> None:
    """Run the main job: simulate every system, materialise all assets, print a summary."""
    from pipelines.runner import run_main_job

    sys.exit(run_main_job(seed=seed, scale=scale))


@main.command()
@click.option("--host", default=None, help="Bind address (default from settings: loopback).")
@click.option("--port", default=None, type=int, help="Port (default from settings).")
@click.option("--only", multiple=True, help="Mount only these systems (repeatable).")
def serve(host: str | None, port: int | None, only: tuple[str, ...]) -> None:
    """Serve the API (OpenAPI docs at /docs, /healthz, /metrics).

    What it records reaches the lake on its own: an idle spool segment is sealed after
    BLUEPRINT_SPOOL_IDLE_SEAL_S (2 s) and ingested every BLUEPRINT_SERVE_INGEST_INTERVAL_S
    (1 s; 0 turns this off).

    Header size, count and read-time limits, body timeouts, keep-alive and connection limits
    come from settings; X-Forwarded-For is believed only from BLUEPRINT_TRUSTED_PROXIES.
    """
    import uvicorn

    from services.app import create_app
    from services.heap import settle_startup_heap
    from services.server import server_config

    settings = get_settings()
    app = create_app(settings, only=only or None, ingest_every_s=settings.serve_ingest_interval_s)
    settle_startup_heap()
    server = uvicorn.Server(server_config(app, settings, host=host, port=port, log_level="info"))
    server.run()  # handles SIGINT/SIGTERM itself: a graceful shutdown
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE: the port is taken, say


def _dagster_script(name: str) -> str:
    """A Dagster console script of this environment (``dagster``, ``dagster-daemon``...)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise click.ClickException(f"{name} not found; is Dagster installed in this environment?")
    return found


def _become(cmd: list[str]) -> NoReturn:
    """Replace this process with a long-running Dagster server (no timeout: it runs until
    stopped). Ctrl-C and SIGTERM then reach Dagster itself, not a wrapper that would kill it
    and leave its own child processes behind.

    Dagster stops on SIGTERM by giving it SIGINT's handler, and an ignored SIGINT survives
    ``exec``: started in the background by a shell (``make ui &``, ``nohup``), SIGINT is
    ignored and SIGTERM would be too. So SIGINT is reset to its default first.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(cmd[0], cmd, os.environ.copy())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address.")
@click.option("--port", default=3000, show_default=True)
def ui(host: str, port: int) -> None:
    """Start the Dagster UI on the instance of the settings (DAGSTER_HOME under the data dir).

    Embedded: `dagster dev`, the webserver and the daemon in one command, on SQLite.
    Scale-out (BLUEPRINT_DAGSTER_PG_URL set): the webserver only; the daemon runs once per
    instance, from `blueprint daemon`, on this or another machine.
    """
    from pipelines.instance import prepare_dagster_home

    settings = get_settings()
    prepare_dagster_home(settings)
    target = ["-m", "pipelines.definitions", "-h", host, "-p", str(port)]
    if settings.dagster_pg_url:
        _become([_dagster_script("dagster-webserver"), *target])
    _become([_dagster_script("dagster"), "dev", *target])


@main.command()
def daemon() -> None:
    """Run the Dagster daemon (schedules, sensors, the run queue) on the shared instance.

    Run exactly one per instance: with BLUEPRINT_DAGSTER_PG_URL set, on any one machine that
    sees the same PostgreSQL database and data directory as the others.
    """
    from pipelines.instance import prepare_dagster_home

    settings = get_settings()
    if not settings.dagster_pg_url:
        click.echo(
            "note: local SQLite instance; `blueprint ui` (dagster dev) already runs a daemon "
            "on it, so run this one only without it",
            err=True,
        )
    prepare_dagster_home(settings)
    _become([_dagster_script("dagster-daemon"), "run", "-m", "pipelines.definitions"])


@main.command()
@click.argument("query", required=False)
@click.option("--tables", "list_tables", is_flag=True, help="List tables and views, with rows.")
@click.option("--describe", "describe", metavar="NAME", help="Show the columns of a table.")
@click.option(
    "--catalog",
    "catalog",
    is_flag=True,
    help="Write <data_dir>/lake.duckdb: the lake's views, for `duckdb` or a notebook.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--limit", default=50, show_default=True, help="Rows shown in table format.")
def sql(
    query: str | None,
    list_tables: bool,
    describe: str | None,
    catalog: bool,
    fmt: str,
    limit: int,
) -> None:
    """Run DuckDB SQL over the lake, e.g. blueprint sql "SELECT count(*) FROM events".

    \b
    blueprint sql --tables              tables and views, with their row counts
    blueprint sql --describe logs       the columns of one
    blueprint sql --catalog             write .data/lake.duckdb (duckdb -readonly opens it)
    """
    import duckdb
    import polars as pl

    from warehouse.lake import Lake

    settings = get_settings()
    lake = Lake(settings.lake_dir)
    if sum([query is not None, list_tables, describe is not None, catalog]) != 1:
        raise click.UsageError("give a QUERY, or one of --tables, --describe NAME, --catalog")
    if catalog:
        path = settings.data_dir / "lake.duckdb"
        views = lake.write_catalog(path)
        click.echo(f"wrote {path} ({len(views)} views); open it with: duckdb -readonly {path}")
        return
    try:
        if list_tables:
            df = _table_list(lake)
        elif describe is not None:
            if describe not in lake.views():
                raise click.ClickException(
                    f"no table or view {describe!r}; `blueprint sql --tables` lists them"
                )
            df = lake.query(f'DESCRIBE "{describe}"').select("column_name", "column_type")
        else:
            df = lake.query(query or "")
    except duckdb.Error as exc:
        raise click.ClickException(
            f"{exc}\nTables: {', '.join(lake.tables()) or '(none)'}"
        ) from exc
    if fmt == "csv":
        click.echo(df.write_csv(), nl=False)
    elif fmt == "json":
        click.echo(df.write_json())
    else:
        with pl.Config(tbl_rows=limit, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
            click.echo(df)


def _table_list(lake: Any) -> Any:
    """Every table and view with its kind and row count."""
    import polars as pl

    tables = set(lake.tables())
    rows = []
    with lake.connect() as con:
        for name in lake.views():
            count = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            rows.append(
                {"name": name, "kind": "table" if name in tables else "view", "rows": count}
            )
    return pl.DataFrame(rows, schema={"name": pl.String, "kind": pl.String, "rows": pl.Int64})


@main.command()
def ingest() -> None:
    """Ingest the spool into the lake now.

    You rarely need this: `blueprint serve` ingests every second and the Dagster spool_sensor
    (on by default in `blueprint ui`) every 15 s. It is for processes that wrote to the spool
    with neither running."""
    from warehouse.ingest import ingest_spool

    s = get_settings()
    report = ingest_spool(s.spool_dir, s.lake_dir, progress=click.echo)
    click.echo(f"segments={report.segments} rows={report.rows} quarantined={report.quarantined}")


def _add_plugin_groups() -> None:
    from pipelines.discovery import submodules

    for module in submodules("pipelines.commands", "cli"):
        main.add_command(module.cli)


_add_plugin_groups()

if __name__ == "__main__":
    main()
