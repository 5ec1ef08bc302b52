"""The logging service as its composition root builds it: settings, clock, errors, app logs."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from services.errors import DomainError, Invalid, TooLarge
from services.logs.errors import QueryRejected
from services.logs.settings import LogsSettings
from services.logs.system import build
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _clock(at: datetime = NOW):
    return lambda: at.timestamp()


def _land(settings, emitter):
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)


def test_settings_are_read_from_the_blueprint_logs_environment(monkeypatch):
    monkeypatch.setenv("BLUEPRINT_LOGS_ALERT_ERROR_THRESHOLD", "3")
    monkeypatch.setenv("BLUEPRINT_LOGS_ALERT_WINDOW_MINUTES", "10")
    monkeypatch.setenv("BLUEPRINT_LOGS_RETENTION_DAYS", "2")
    monkeypatch.setenv("BLUEPRINT_LOGS_APP_LOG_LEVEL", "warning")
    conf = LogsSettings()
    assert conf.retention_days == 2 and conf.app_log_level == "WARNING"
    rules = conf.alert_rules()
    assert rules.error_threshold == 3 and rules.window == timedelta(minutes=10)
    monkeypatch.setenv("BLUEPRINT_LOGS_APP_LOG_LEVEL", "loud")
    with pytest.raises(ValueError):
        LogsSettings()


def test_alerts_are_judged_at_the_service_clock_and_fire_once_as_logs_events(settings, emitter):
    svc = build(settings, emitter, conf=LogsSettings(alert_error_threshold=5), clock=_clock())
    svc.ingest_records(
        [
            {
                "ts": (NOW - timedelta(seconds=10 + i)).isoformat(),
                "level": "error",
                "msg": f"db timeout {i}",
                "service": "pay",
            }
            for i in range(8)
        ]
    )
    _land(settings, emitter)
    first = svc.check_alerts()
    assert [(a.rule, a.service, a.value) for a in first.fired] == [("error_threshold", "pay", 8)]
    assert svc.check_alerts().fired == []  # the same incident, evaluated again
    assert list(svc.fired_alerts()) == [first.fired[0].key]
    later = build(settings, emitter, clock=_clock(NOW + timedelta(hours=1)))
    assert later.evaluate_alerts() == []  # an hour on, the burst is out of the window
    _land(settings, emitter)
    events = Lake(settings.lake_dir).query("SELECT system, type, entity FROM logs_events")
    assert events.rows() == [("logs", "alert_fired", "pay")]


def test_relative_search_windows_count_back_from_the_service_clock(settings, emitter):
    svc = build(settings, emitter, clock=_clock())
    svc.ingest_records(
        [
            {"ts": (NOW - timedelta(minutes=5)).isoformat(), "msg": "disk full", "service": "db"},
            {"ts": (NOW - timedelta(hours=3)).isoformat(), "msg": "disk full", "service": "db"},
        ]
    )
    _land(settings, emitter)
    assert svc.search("disk", since="15m").height == 1
    assert svc.search("disk", since="4h").height == 2
    assert svc.search("disk", until="1h").height == 1


def test_retention_drops_old_days_of_opted_in_tables_by_the_service_clock(settings, emitter):
    svc = build(settings, emitter, conf=LogsSettings(retention_days=10), clock=_clock())
    svc.ingest_records(
        [
            {"ts": "2024-04-01T10:00:00Z", "msg": "old", "service": "web"},
            {"ts": "2024-04-28T10:00:00Z", "msg": "recent", "service": "web"},
        ]
    )
    emitter.append_rows(
        "quarantine",
        [{"ts": "2024-04-01T10:00:00Z", "table_name": "logs", "reason": "x", "raw": "x"}],
    )
    _land(settings, emitter)
    assert svc.apply_retention() == {"logs": 1}
    lake = Lake(settings.lake_dir)
    assert lake.query("SELECT message FROM logs")["message"].to_list() == ["recent"]
    assert lake.row_counts()["quarantine"] == 1  # not opted in: kept


def test_limits_from_the_settings_answer_domain_errors(settings, emitter):
    conf = LogsSettings(max_batch=2, search_max_limit=10, sql_max_rows=5)
    svc = build(settings, emitter, conf=conf)
    with pytest.raises(TooLarge):
        svc.ingest_records([{"msg": "a"}, {"msg": "b"}, {"msg": "c"}])
    with pytest.raises(TooLarge):
        svc.ingest_body(b"x" * (conf.max_body_bytes + 1), "text/plain")
    with pytest.raises(Invalid):
        svc.search("x", limit=11)
    with pytest.raises(Invalid):
        svc.search("x", level="loud")
    with pytest.raises(Invalid):
        svc.ingest_lines(["a"], fmt="xml")
    with pytest.raises(Invalid):
        svc.query("SELECT 1", max_rows=6)
    with pytest.raises(QueryRejected) as rejected:
        svc.query("DELETE FROM logs")
    assert isinstance(rejected.value, DomainError) and rejected.value.status == 400
    assert svc.query("SELECT * FROM range(100)").height == 5  # the cap is the default


def test_closing_the_service_stops_shipping_app_logs_and_restores_levels(settings, emitter):
    app_logger = logging.getLogger("blueprint")
    before = app_logger.level
    svc = build(settings, emitter, conf=LogsSettings(app_log_level="WARNING"))
    handler = svc.ship_app_logs()
    assert svc.ship_app_logs() is handler  # idempotent
    assert handler in app_logger.handlers and app_logger.level == logging.WARNING
    logging.getLogger("blueprint.svc-test").warning("shipped")
    logging.getLogger("blueprint.svc-test").info("below the level")
    svc.close()
    assert handler not in app_logger.handlers and app_logger.level == before
    assert svc.app_log_handler is None and handler.shipped == 1
    off = build(settings, emitter, conf=LogsSettings(ship_app_logs=False))
    assert off.ship_app_logs() is None and handler not in app_logger.handlers
