"""Logging settings (``BLUEPRINT_LOGS_*``): ingest caps, search limits, alert rules, retention."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warehouse.logs.alerts import AlertRules


class LogsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_LOGS_", extra="ignore")

    # -- ingest ------------------------------------------------------------------------------
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        gt=0,
        description="Largest POST /logs body (read when the router module is imported).",
    )
    max_batch: int = Field(default=50_000, gt=0, description="Records in one ingest batch.")
    templater_renew_after: int = Field(
        default=2_000_000,
        gt=0,
        description="Messages one template miner sees before a fresh one replaces it "
        "(bounds its memory; template ids are content hashes, so they survive renewal).",
    )

    # -- search and SQL ------------------------------------------------------------------------
    search_max_limit: int = Field(default=1000, gt=0, description="Most hits one search returns.")
    sql_max_rows: int = Field(default=10_000, gt=0, description="Most rows one SQL query returns.")
    sql_timeout_s: float = Field(default=20.0, gt=0, description="Time limit of one SQL query.")

    # -- the app's own logs (the Python logging handler) ---------------------------------------
    ship_app_logs: bool = Field(
        default=True, description="Ship the serving app's own logs into the logs table."
    )
    app_log_service: str = Field(default="api", description="``service`` of the app's logs.")
    app_log_level: str = Field(default="INFO", description="Lowest level of app logs shipped.")
    handler_batch_size: int = Field(default=500, gt=0)
    handler_flush_interval_s: float = Field(default=0.5, gt=0)
    handler_max_queue: int = Field(
        default=10_000, gt=0, description="Records queued before new ones are counted as lost."
    )

    # -- file-tail agent -----------------------------------------------------------------------
    tail_max_bytes: int = Field(default=4 * 1024 * 1024, gt=0, description="Bytes read per poll.")
    tail_max_line_bytes: int = Field(
        default=65_536, gt=0, description="Longer lines are quarantined, not buffered."
    )

    # -- alert rules ---------------------------------------------------------------------------
    alert_window_minutes: float = Field(default=5.0, gt=0)
    alert_error_threshold: int = Field(
        default=20, ge=0, description="Error lines of one service in a window before it alerts."
    )
    alert_deploy_lookback_hours: float = Field(default=24.0, gt=0)
    alert_new_template_baseline_days: float = Field(default=7.0, gt=0)
    alert_anomaly_baseline_minutes: float = Field(default=60.0, gt=0)
    alert_anomaly_p: float = Field(default=1e-4, gt=0, lt=1)
    alert_anomaly_min_count: int = Field(default=10, ge=1)
    alert_anomaly_min_baseline: int = Field(default=5, ge=0)
    alert_anomaly_min_active_minutes: int = Field(default=10, ge=1)
    alert_max_new_templates: int = Field(default=20, ge=1)
    alert_state_keep_days: float = Field(
        default=8.0, gt=0, description="How long a fired alert's key is remembered."
    )
    alert_recipients: list[str] = Field(
        default=["oncall"],
        description="Users of the notification system told of each fired alert, on the "
        "channels they chose (email, SMS, push, inbox, webhook). Register them with "
        "PUT /notifications/users/<id>; an unregistered one is skipped.",
    )
    alert_quiet_minutes: float = Field(
        default=15.0,
        ge=0,
        description="After notifying of a rule on a service, hold back more of the same kind "
        "this long (the next notification says how many were held).",
    )

    # -- compaction and retention --------------------------------------------------------------
    retention_days: int = Field(default=30, ge=0, description="Days of partitions kept.")
    retention_tables: list[str] = Field(
        default=["logs"],
        description="Tables retention deletes from (other systems opt in; compaction, which "
        "loses nothing, covers every spooled table).",
    )
    compact_min_files: int = Field(default=2, ge=2)
    compact_small_file_bytes: int = Field(default=32 * 1024 * 1024, gt=0)

    @field_validator("app_log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        name = v.upper()
        if not isinstance(logging.getLevelName(name), int):
            raise ValueError("app_log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return name

    def alert_rules(self, **overrides: object) -> AlertRules:
        """The alert rules these settings describe (``overrides`` by ``AlertRules`` field)."""
        rules = AlertRules(
            window=timedelta(minutes=self.alert_window_minutes),
            error_threshold=self.alert_error_threshold,
            deploy_lookback=timedelta(hours=self.alert_deploy_lookback_hours),
            new_template_baseline=timedelta(days=self.alert_new_template_baseline_days),
            anomaly_baseline=timedelta(minutes=self.alert_anomaly_baseline_minutes),
            anomaly_p=self.alert_anomaly_p,
            anomaly_min_count=self.alert_anomaly_min_count,
            anomaly_min_baseline=self.alert_anomaly_min_baseline,
            anomaly_min_active_minutes=self.alert_anomaly_min_active_minutes,
            max_new_templates=self.alert_max_new_templates,
        )
        return replace(rules, **overrides)
