"""Dagster assets of the logging system: raw and parsed logs per day, templates, alert
evaluations, compaction and retention, and the lake's table views.

Thin: day summaries come from ``warehouse.logs.daily``, alerts and upkeep from the logs
service. Each daily asset's check reads exactly the partition it guards, in the same run.
"""

import dagster as dg

from assets.facts import first_data_day
from assets.metadata import md_table
from assets.resources import PlatformResource, SystemResource
from warehouse.logs import daily
from warehouse.parquet_io import encrypted_path, partition_dir

GROUP = "logs"
DAILY = dg.DailyPartitionsDefinition(start_date=first_data_day("logs"), end_offset=1)
INGEST = dg.AssetKey("lake_ingest")
TEMPLATES_TABLE = daily.TEMPLATES_TABLE
NO_DUPLICATES = "logs_have_no_duplicate_source_seq"
SCHEMA = "logs_schema_matches_the_table_spec"
TEMPLATES_COUNTED = "logs_templates_count_every_templated_line"
FRESH = "logs_are_fresh"


@dg.asset(
    group_name=GROUP,
    deps=[INGEST],
    partitions_def=DAILY,
    kinds={"parquet", "duckdb"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(NO_DUPLICATES, asset="logs_raw", blocking=True)],
)
def logs_raw(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    """Log lines received on the day: stored rows by format, and malformed lines in quarantine.

    Its check: exactly-once storage, no ``(source, seq)`` twice in the day's files.
    """
    lake, day = platform.lake(), context.partition_key
    by_format = daily.lines_by_format(lake, day)
    dupes = daily.duplicate_keys(lake, day)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(by_format["lines"].sum()),
            "quarantined": daily.quarantined(lake, day),
            "by_format": md_table(by_format),
            "preview": md_table(daily.newest_lines(lake, day, ["ts", "service", "format", "raw"])),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=NO_DUPLICATES,
                passed=dupes == 0,
                metadata={"duplicate_keys": dupes, "partition": day},
            )
        ],
    )


@dg.asset(
    group_name=GROUP,
    deps=[logs_raw],
    partitions_def=DAILY,
    kinds={"duckdb"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(SCHEMA, asset="logs_parsed", blocking=True)],
)
def logs_parsed(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Parsed, enriched lines of the day, by service and normalised level.

    Its check: every column the logs table declares is in the day's files.
    """
    lake, day = platform.lake(), context.partition_key
    by_level = daily.lines_by_service_level(lake, day)
    columns = ["ts", "service", "host", "level", "logger", "message", "template_id"]
    missing = daily.missing_columns(lake, day)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(by_level["lines"].sum()),
            "services": by_level["service"].n_unique(),
            "by_service_level": md_table(by_level, limit=20),
            "preview": md_table(daily.newest_lines(lake, day, columns)),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=SCHEMA,
                passed=not missing,
                metadata={"missing": dg.MetadataValue.json(missing), "partition": day},
            )
        ],
    )


@dg.asset(
    group_name=GROUP,
    deps=[logs_parsed],
    partitions_def=DAILY,
    kinds={"parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(TEMPLATES_COUNTED, asset="logs_templates")],
)
def logs_templates(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Templates of the day per service with counts, written to the ``log_templates`` table.

    Its check reads the file just written: one row per (service, template), and their lines
    add up to the day's templated lines.
    """
    lake, day = platform.lake(), context.partition_key
    df = daily.templates(lake, day)
    target = partition_dir(lake.root, TEMPLATES_TABLE, {"date": day}) / "templates.parquet"
    if len(df):
        written_path = lake.publish(df, target)  # overwrite: rerunning a day is idempotent
        written = lake.read_file(written_path)
    else:
        target.unlink(missing_ok=True)
        encrypted_path(target).unlink(missing_ok=True)
        written = df
    expected = daily.templated_lines(lake, day)
    counted = int(written["lines"].sum())
    repeated = written.height - written.select("service", "template_id").n_unique()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(df),
            "templates": df["template_id"].n_unique(),
            "top_templates": md_table(df, ["service", "lines", "errors", "template"], limit=15),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=TEMPLATES_COUNTED,
                passed=counted == expected and repeated == 0,
                metadata={
                    "lines_counted": counted,
                    "templated_lines": expected,
                    "repeated_templates": repeated,
                    "partition": day,
                },
            )
        ],
    )


class AlertConfig(dg.Config):
    """Overrides of the service's alert settings for one run (empty: the settings)."""

    error_threshold: int | None = None
    window_minutes: float | None = None
    fresh_within_minutes: float = 120.0


@dg.asset(
    group_name=GROUP,
    deps=[INGEST],
    kinds={"python"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(FRESH, asset="logs_alert_evaluations")],
)
def logs_alert_evaluations(
    context: dg.AssetExecutionContext, config: AlertConfig, logs: SystemResource
) -> dg.MaterializeResult:
    """The alert rules evaluated after each ingest; new alerts become ``logs/alert_fired``
    events. Its check (a warning) says whether the newest line they saw was recent."""
    from datetime import timedelta

    svc = logs.service()
    overrides: dict[str, object] = {}
    if config.error_threshold is not None:
        overrides["error_threshold"] = config.error_threshold
    if config.window_minutes is not None:
        overrides["window"] = timedelta(minutes=config.window_minutes)
    run = svc.check_alerts(svc.alert_rules(**overrides))
    for a in run.fired:
        context.log.warning(f"alert [{a.rule}] {a.service}: {a.message}")
    by_rule: dict[str, int] = {}
    for a in run.found:
        by_rule[a.rule] = by_rule.get(a.rule, 0) + 1
    age = svc.minutes_since_newest_line()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(run.found),
            "fired_now": len(run.fired),
            "notified": run.routed.notified,
            "held_by_quiet_period": run.routed.held,
            "by_rule": dg.MetadataValue.json(by_rule),
            "alerts": md_table(
                [{"rule": a.rule, "service": a.service, "message": a.message} for a in run.found],
                limit=20,
            ),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=FRESH,
                passed=age is not None and age <= config.fresh_within_minutes,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"minutes_since_newest": -1.0 if age is None else round(age, 2)},
            )
        ],
    )


class MaintenanceConfig(dg.Config):
    """Overrides of the service's retention settings for one run (empty: the settings)."""

    retention_days: int | None = None
    retention_tables: list[str] | None = None


@dg.asset(
    group_name=GROUP,
    kinds={"parquet"},
    automation_condition=dg.AutomationCondition.on_cron("17 3 * * *"),
)
def logs_compaction(config: MaintenanceConfig, logs: SystemResource) -> dg.MaterializeResult:
    """Nightly: small files merged per partition (every spooled table); partitions older than
    the retention period dropped from the tables that opted in (``logs`` by default)."""
    svc = logs.service()
    report = svc.compact()
    dropped = svc.apply_retention(config.retention_days, config.retention_tables)
    return dg.MaterializeResult(
        metadata={
            "partitions_compacted": report.partitions,
            "files_in": report.files_in,
            "files_out": report.files_out,
            "duplicates_removed": report.rows_in - report.rows_out,
            "recovered_interrupted": report.recovered,
            "retention_dropped": dg.MetadataValue.json(dropped),
        }
    )


defs = dg.Definitions(
    assets=[
        logs_raw,
        logs_parsed,
        logs_templates,
        logs_alert_evaluations,
        logs_compaction,
    ]
)
