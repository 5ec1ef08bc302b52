from datetime import UTC, datetime, timedelta

import pytest

from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.alerts import AlertRules, evaluate, fire
from warehouse.logs.process import LogProcessor, ship

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _ts(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def load(settings):
    def _load(records):
        em = Emitter(SpoolTransport(settings, "alerts"))
        ship(em, LogProcessor().process_records(records))
        em.close()
        ingest_spool(settings.spool_dir, settings.lake_dir)
        return Lake(settings.lake_dir)

    return _load


def _rules(alerts, rule):
    return [a for a in alerts if a.rule == rule]


def test_error_threshold_fires_per_service_over_the_window_only(load):
    recs = [
        {"ts": _ts(1 + i / 10), "level": "error", "msg": f"db timeout {i}", "service": "pay"}
        for i in range(25)
    ]
    recs += [{"ts": _ts(30), "level": "error", "msg": "old", "service": "shop"} for _ in range(50)]
    recs += [{"ts": _ts(2), "level": "info", "msg": "fine", "service": "shop"} for _ in range(50)]
    lake = load(recs)
    alerts = _rules(evaluate(lake, AlertRules(error_threshold=20), NOW), "error_threshold")
    assert [(a.service, a.value) for a in alerts] == [("pay", 25)]
    assert not _rules(evaluate(lake, AlertRules(error_threshold=25), NOW), "error_threshold")


def test_new_template_after_a_deploy_marker_fires_but_known_ones_do_not(load):
    recs = [{"ts": _ts(60 + i), "msg": f"user {i} logged in", "service": "web"} for i in range(5)]
    recs.append({"ts": _ts(20), "msg": "deployed v2", "deploy": "v2", "service": "web"})
    recs += [
        {"ts": _ts(10 - i), "msg": f"user {100 + i} logged in", "service": "web"} for i in range(3)
    ]
    recs += [
        {"ts": _ts(5), "msg": f"cache shard {i} unreachable", "service": "web"} for i in range(2)
    ]
    recs.append({"ts": _ts(5), "msg": "brand new thing", "service": "other"})  # no deploy there
    lake = load(recs)
    alerts = _rules(evaluate(lake, AlertRules(), NOW), "new_template_after_deploy")
    assert [(a.service, a.template) for a in alerts] == [("web", "cache shard <*> unreachable")]


def test_template_frequency_spike_is_an_anomaly_but_a_steady_rate_is_not(load):
    recs = []
    for minute in range(5, 65):  # one per minute in the baseline hour
        recs.append(
            {"ts": _ts(minute + 0.5), "msg": f"cache miss for key k{minute}", "service": "api"}
        )
        recs.append({"ts": _ts(minute + 0.5), "msg": f"request {minute} ok", "service": "api"})
    for i in range(60):  # a burst in the last five minutes
        recs.append({"ts": _ts(0.01 + i / 15), "msg": f"cache miss for key b{i}", "service": "api"})
    for i in range(30):  # new, so no known rate: the deploy rule's business, not an anomaly
        recs.append({"ts": _ts(0.01 + i / 10), "msg": f"brand new burst {i}", "service": "api"})
    for i in range(5):  # the usual rate
        recs.append({"ts": _ts(i), "msg": f"request {i} ok", "service": "api"})
    lake = load(recs)
    alerts = _rules(
        evaluate(lake, AlertRules(anomaly_min_count=5), NOW), "template_frequency_anomaly"
    )
    assert [a.template for a in alerts] == ["cache miss for key <*>"]
    assert alerts[0].value == 60


def test_rates_are_judged_over_the_minutes_a_service_was_logging(load):
    # Steady at ten lines a minute for the last 20 minutes: 15 minutes of baseline, not 60.
    recs = [{"ts": _ts(20 - i / 10), "msg": f"tick {i}", "service": "new"} for i in range(200)]
    # A real spike after 20 steady minutes still stands out.
    recs += [{"ts": _ts(20 - i), "msg": f"sync {i} done", "service": "new"} for i in range(15)]
    recs += [{"ts": _ts(i / 10), "msg": f"sync {i} done", "service": "new"} for i in range(40)]
    # Five-minute bursts at 30 lines a minute, with quarter-hour silences between.
    for burst_end in (40, 20, 0):
        recs += [
            {"ts": _ts(burst_end + 0.01 + i / 30), "msg": f"job {i} ran", "service": "batch"}
            for i in range(149)
        ]
    # Seven minutes of history is too little to know a rate.
    recs += [{"ts": _ts(7 - i / 10), "msg": f"poll {i}", "service": "newer"} for i in range(70)]
    lake = load(recs)
    alerts = _rules(
        evaluate(lake, AlertRules(anomaly_min_count=5), NOW), "template_frequency_anomaly"
    )
    assert [(a.service, a.template) for a in alerts] == [("new", "sync <*> done")]


def test_alerts_are_recorded_as_events_once_per_incident(load, settings):
    lake = load(
        [{"ts": _ts(1), "level": "error", "msg": f"e {i}", "service": "pay"} for i in range(30)]
    )
    alerts = evaluate(lake, AlertRules(), NOW)
    em = Emitter(SpoolTransport(settings, "fire"))
    state = settings.data_dir / "alerts.json"
    assert len(fire(em, alerts, state)) == len(alerts) >= 1
    assert fire(em, evaluate(lake, AlertRules(), NOW), state) == []  # evaluated again: no repeat
    em.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    ev = Lake(settings.lake_dir).query(
        "SELECT type, entity, json_extract_string(attrs, '$.rule') AS rule FROM logs_events"
    )
    assert sorted(ev.rows()) == sorted(("alert_fired", "pay", a.rule) for a in alerts)
    assert ("alert_fired", "pay", "error_threshold") in ev.rows()
