"""``blueprint``: the one command-line interface of the platform."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from warehouse.settings import get_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    """Serve the API (OpenAPI docs at /docs, /healthz, /metrics)."""
    import uvicorn

    from services.app import create_app

    settings = get_settings()
    app = create_app(settings, only=only or None)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


@main.command()
@click.option("--port", default=3000, show_default=True)
def ui(port: int) -> None:
    """Start the Dagster webserver with DAGSTER_HOME under the data directory."""
    from pipelines.runner import prepare_dagster_home

    prepare_dagster_home(get_settings())
    cmd = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "pipelines.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    sys.exit(subprocess.call(cmd, env=os.environ.copy()))


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--limit", default=50, show_default=True, help="Rows shown in table format.")
def sql(query: str, fmt: str, limit: int) -> None:
    """Run DuckDB SQL over the lake, e.g. blueprint sql "SELECT count(*) FROM events"."""
    import duckdb
    import polars as pl

    from warehouse.lake import Lake

    lake = Lake(get_settings().lake_dir)
    try:
        df = lake.query(query)
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


@main.command()
def ingest() -> None:
    """Ingest the spool into the lake now (what the spool sensor does every minute)."""
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
