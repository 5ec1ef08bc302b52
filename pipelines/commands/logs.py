"""``blueprint logs``: search, SQL, the file-tail agent, template mining, compaction, alerts.

Commands that read or write the logging system get its service through
``pipelines.commands.system_service``, so what they shipped is sealed in the spool for
ingestion when they return.
"""

from __future__ import annotations

import getpass
import sys
import threading
from pathlib import Path

import click

from pipelines.commands import system_service
from warehouse.settings import get_settings


@click.group("logs", context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """The distributed logging system (system 14)."""


def _show(df, fmt: str) -> None:
    import polars as pl

    if fmt == "csv":
        click.echo(df.write_csv(), nl=False)
    elif fmt == "json":
        click.echo(df.write_json())
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=100, tbl_width_chars=220):
            click.echo(df)


@cli.command()
@click.argument("query", default="")
@click.option("--service", help="Only this service.")
@click.option("--level", help="Only this level (debug, info, warning, error, critical).")
@click.option("--since", help="15m, 2h, 7d or an ISO-8601 time.")
@click.option("--limit", default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def search(
    query: str, service: str | None, level: str | None, since: str | None, limit: int, fmt: str
) -> None:
    """Full-text search over log messages, e.g. blueprint logs search "timeout" --since 1h."""
    with system_service("logs") as svc:
        df = svc.search(
            query, service=service, level=level, since=since, limit=limit, principal=_cli_user()
        )
    _show(df, fmt)


@cli.command()
@click.argument("sql")
@click.option("--max-rows", default=1000, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def query(sql: str, max_rows: int, fmt: str) -> None:
    """Read-only SQL over the lake, e.g. "SELECT level, count(*) FROM logs GROUP BY 1"."""
    with system_service("logs") as svc:
        df = svc.query(sql, max_rows=max_rows, principal=_cli_user())
    _show(df, fmt)


def _cli_user() -> str:
    """Who the audit log names for a command run here: the operating-system user."""
    return f"cli:{getpass.getuser()}"


@cli.command("tail-file")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--service", help="Service of lines that do not name one (default: file stem).")
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    help="auto, json, logfmt, combined, syslog5424, syslog3164 or text.",
)
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
@click.option("--polls", type=int, default=None, help="Stop after this many polls (default: run).")
@click.option("--checkpoint", type=click.Path(path_type=Path), help="Checkpoint file.")
def tail_file(
    path: Path,
    service: str | None,
    fmt: str,
    interval: float,
    polls: int | None,
    checkpoint: Path | None,
) -> None:
    """Run the file-tail agent: ship new lines to the spool, checkpointing the offset."""
    from warehouse.logs.parsers import FORMATS

    if fmt not in FORMATS:
        raise click.BadParameter(f"one of {', '.join(FORMATS)}", param_hint="--format")
    with system_service("logs", source="tail") as svc:
        tailer = svc.tailer(path, service=service, fmt=fmt, checkpoint=checkpoint)
        try:
            tailer.run(threading.Event(), interval_s=interval, max_polls=polls)
        except KeyboardInterrupt:
            pass
        finally:
            tailer.close()
    s = tailer.stats
    click.echo(
        f"lines={s.lines} quarantined={s.quarantined} rotations={s.rotations} "
        f"truncations={s.truncations}"
    )


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def mine(file: str) -> None:
    """Mine templates of a raw log file (plain, or .gz, .bz2, .xz, .zst): CSV
    ``line,template_id,template`` on stdout."""
    from warehouse.compressed import CODEC_ERRORS, is_compressed
    from warehouse.logs.mining import mine_to_csv

    path = Path(file)
    try:
        mine_to_csv(path, sys.stdout)
    except CODEC_ERRORS as exc:
        if not is_compressed(path):
            raise
        raise click.ClickException(f"{file}: not a readable {path.suffix} archive ({exc})") from exc


@cli.command()
@click.option("--table", "tables", multiple=True, help="Only these tables (default: all).")
@click.option(
    "--retention-days",
    type=int,
    default=None,
    help="Also drop older partitions of these tables (default: the tables that opted in, "
    "BLUEPRINT_LOGS_RETENTION_TABLES).",
)
def compact(tables: tuple[str, ...], retention_days: int | None) -> None:
    """Merge small Parquet files per partition (and apply retention)."""
    with system_service("logs") as svc:
        r = svc.compact(list(tables) or None)
        click.echo(
            f"partitions={r.partitions} files_in={r.files_in} files_out={r.files_out} "
            f"rows_in={r.rows_in} rows_out={r.rows_out} recovered={r.recovered}"
        )
        if retention_days is not None:
            dropped = svc.apply_retention(retention_days, list(tables) or None)
            click.echo(f"retention dropped partitions: {dropped or 'none'}")


@cli.command()
@click.option("--dry-run", is_flag=True, help="Evaluate only; record nothing.")
def alerts(dry_run: bool) -> None:
    """Evaluate the alert rules now and record new alerts as events."""
    with system_service("logs") as svc:
        run = svc.check_alerts(record=not dry_run)
    found = run.found if dry_run else run.fired
    for a in found:
        click.echo(f"[{a.rule}] {a.service}: {a.message}")
    click.echo(f"{len(found)} alert(s){' (dry run)' if dry_run else ' fired'}")


@cli.command("consume-nats")
@click.option("--url", help="NATS URL (default: BLUEPRINT_NATS_URL).")
@click.option("--stream", default="BLUEPRINT", show_default=True)
@click.option("--max-batches", type=int, default=None, help="Stop after this many batches.")
def consume_nats(url: str | None, stream: str, max_batches: int | None) -> None:
    """Land the JetStream stream in the lake (scale-out transport -> spool -> Parquet)."""
    from warehouse.nats_transport import consume_to_lake

    settings = get_settings()
    url = url or settings.nats_url
    if not url:
        raise click.UsageError("no NATS URL: pass --url or set BLUEPRINT_NATS_URL")
    report = consume_to_lake(
        url, settings.spool_dir, settings.lake_dir, stream=stream, max_batches=max_batches
    )
    click.echo(f"rows={report.rows} quarantined={report.quarantined} files={report.files}")
