"""Alert rules over the ``logs`` table, evaluated at a point in time.

- **threshold**: more than ``error_threshold`` error/critical lines of one service in the last
  ``window``;
- **new template after deploy**: a template a service logs after its latest deploy marker (a
  line with ``attrs.deploy`` set, or logger ``deploy``) that it never logged in the baseline
  before it. A template that only differs from an older one by more or fewer ``<*>`` is the
  same message seen more specifically, not a new one;
- **frequency anomaly**: a template's count in the last window is improbable under a Poisson
  law with its baseline rate (previous ``baseline`` period, add-one smoothed). Rates are per
  minute in which the service logged anything, in the baseline and in the window alike, so
  a service that started ten minutes ago, or logs in bursts with silences between, is judged
  on how much it logs while it is up, not against minutes it was silent. With fewer than
  ``anomaly_min_active_minutes`` such minutes there is no known rate yet. Templates with too
  few baseline lines have no known rate either and are left to the new-template rule.

Fired alerts are recorded as ``logs/alert_fired`` events. A small state file keeps the keys
already fired (one per rule, service, template and window bucket), so a rule evaluated every
minute fires once per incident, not once per evaluation.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from scipy.stats import poisson

from warehouse.emitter import Emitter
from warehouse.lake import Lake
from warehouse.logs.search import logs_scan, run_sql
from warehouse.logs.table import LOGS_TABLE


@dataclass(frozen=True)
class AlertRules:
    window: timedelta = timedelta(minutes=5)
    error_threshold: int = 20
    deploy_lookback: timedelta = timedelta(hours=24)
    new_template_baseline: timedelta = timedelta(days=7)
    anomaly_baseline: timedelta = timedelta(hours=1)
    anomaly_p: float = 1e-4
    anomaly_min_count: int = 10
    anomaly_min_baseline: int = 5  # a template needs a known rate; novelty is the deploy rule's
    anomaly_min_active_minutes: int = 10
    max_new_templates: int = 20


@dataclass
class Alert:
    rule: str
    service: str
    message: str
    key: str
    value: float
    threshold: float | None = None
    template_id: str | None = None
    template: str | None = None
    window_start: str = ""
    window_end: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _scan(lake: Lake, since: datetime) -> str:
    """Deduplicated rows of the logs table from ``since``'s day on (partition-pruned)."""
    return logs_scan(lake, [f"date >= '{since.strftime('%Y-%m-%d')}'::DATE"])


def _bucket(ts: datetime, window: timedelta) -> str:
    step = int(window.total_seconds())
    return str(int(ts.timestamp()) // step * step)


def threshold_alerts(lake: Lake, rules: AlertRules, now: datetime) -> list[Alert]:
    start = now - rules.window
    rows = run_sql(
        lake,
        f"SELECT service, count(*) AS n FROM {_scan(lake, start)} "
        "WHERE ts >= ? AND ts < ? AND level IN ('error', 'critical') "
        "GROUP BY service HAVING count(*) > ? ORDER BY service",
        [start, now, rules.error_threshold],
    ).rows()
    minutes = rules.window.total_seconds() / 60
    return [
        Alert(
            "error_threshold",
            service,
            f"{n} error lines from {service} in {minutes:g} min "
            f"(threshold {rules.error_threshold})",
            f"error_threshold:{service}:{_bucket(now, rules.window)}",
            n,
            rules.error_threshold,
            window_start=start.isoformat(),
            window_end=now.isoformat(),
        )
        for service, n in rows
    ]


def _pattern(template: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in template.split("<*>")]
    return re.compile(".*?".join(parts), re.S)


def _covered(template: str, known: list[str]) -> bool:
    """Same message as a known template, seen more (or less) specifically."""
    return any(_pattern(k).fullmatch(template) or _pattern(template).fullmatch(k) for k in known)


def new_template_alerts(lake: Lake, rules: AlertRules, now: datetime) -> list[Alert]:
    start = now - rules.deploy_lookback - rules.new_template_baseline
    scan = _scan(lake, start)
    deploys = run_sql(
        lake,
        f"SELECT service, max(ts) AS at FROM {scan} WHERE ts >= ? AND ts <= ? AND "
        "(json_extract_string(attrs, '$.deploy') IS NOT NULL OR logger = 'deploy') "
        "GROUP BY service ORDER BY service",
        [now - rules.deploy_lookback, now],
    ).rows()
    alerts: list[Alert] = []
    for service, at in deploys:
        seen = run_sql(
            lake,
            f"SELECT ts >= ? AS after, template_id, any_value(template) AS template, "
            f"count(*) AS n, min(ts) AS first FROM {scan} "
            "WHERE service = ? AND ts >= ? AND ts <= ? AND template_id IS NOT NULL "
            "AND json_extract_string(attrs, '$.deploy') IS NULL "
            "AND coalesce(logger, '') <> 'deploy' "
            "GROUP BY ALL",
            [at, service, at - rules.new_template_baseline, now],
        )
        before = seen.filter(~seen["after"])
        known_ids = set(before["template_id"].to_list())
        known = before["template"].to_list()
        fresh = seen.filter(seen["after"]).sort("first")
        for tid, template, n in fresh.select("template_id", "template", "n").rows():
            if tid in known_ids or _covered(template, known):
                continue
            alerts.append(
                Alert(
                    "new_template_after_deploy",
                    service,
                    f"new template after the deploy of {service} at {at.isoformat()}: {template}",
                    f"new_template:{service}:{tid}:{at.isoformat()}",
                    n,
                    template_id=tid,
                    template=template,
                    window_start=at.isoformat(),
                    window_end=now.isoformat(),
                )
            )
            if sum(a.service == service for a in alerts) >= rules.max_new_templates:
                break
    return alerts


def anomaly_alerts(lake: Lake, rules: AlertRules, now: datetime) -> list[Alert]:
    start = now - rules.window
    base_start = start - rules.anomaly_baseline
    df = run_sql(
        lake,
        f"SELECT service, template_id, any_value(template) AS template, "
        "count(*) FILTER (WHERE ts >= ?) AS current, count(*) FILTER (WHERE ts < ?) AS baseline "
        f"FROM {_scan(lake, base_start)} WHERE ts >= ? AND ts < ? AND template_id IS NOT NULL "
        "GROUP BY ALL HAVING count(*) FILTER (WHERE ts >= ?) >= ? ORDER BY ALL",
        [start, start, base_start, now, start, rules.anomaly_min_count],
    )
    minute = "count(DISTINCT date_trunc('minute', ts))"
    active = {
        service: (before, during)
        for service, before, during in run_sql(
            lake,
            f"SELECT service, {minute} FILTER (WHERE ts < ?), {minute} FILTER (WHERE ts >= ?) "
            f"FROM {_scan(lake, base_start)} WHERE ts >= ? AND ts < ? GROUP BY service",
            [start, start, base_start, now],
        ).rows()
    }
    alerts = []
    for service, tid, template, current, baseline in df.rows():
        before, during = active[service]
        if baseline < rules.anomaly_min_baseline or before < rules.anomaly_min_active_minutes:
            continue
        expected = (baseline + 1) * during / before
        p = float(poisson.sf(current - 1, expected))
        if p < rules.anomaly_p:
            alerts.append(
                Alert(
                    "template_frequency_anomaly",
                    service,
                    f"{template!r} logged {current} times in {rules.window} vs {expected:.1f} "
                    f"expected (p={p:.2g})",
                    f"anomaly:{service}:{tid}:{_bucket(now, rules.window)}",
                    current,
                    expected,
                    template_id=tid,
                    template=template,
                    window_start=start.isoformat(),
                    window_end=now.isoformat(),
                    extra={"p_value": p, "baseline_count": baseline},
                )
            )
    return alerts


def newest_line_ts(lake: Lake) -> datetime | None:
    """When the newest stored log line was written (None for an empty table)."""
    if LOGS_TABLE not in lake.tables():
        return None
    return run_sql(lake, f"SELECT max(ts) AS ts FROM {lake.scan(LOGS_TABLE)}", [])["ts"][0]


def evaluate(
    lake: Lake, rules: AlertRules | None = None, now: datetime | None = None
) -> list[Alert]:
    """Every rule's alerts at ``now`` (default: the current time)."""
    rules = rules or AlertRules()
    now = now or datetime.now(UTC)
    if LOGS_TABLE not in lake.tables():
        return []
    return (
        threshold_alerts(lake, rules, now)
        + new_template_alerts(lake, rules, now)
        + anomaly_alerts(lake, rules, now)
    )


def load_state(state_path: Path) -> dict[str, str]:
    """The keys of alerts already fired, with when they fired (ISO-8601, UTC)."""
    try:
        state = orjson.loads(state_path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}
    return state if isinstance(state, dict) else {}


def fire(
    emitter: Emitter,
    alerts: list[Alert],
    state_path: Path,
    *,
    keep: timedelta = timedelta(days=8),
    now: datetime | None = None,
) -> list[Alert]:
    """Record alerts not fired before as ``logs/alert_fired`` events; returns those fired."""
    state = load_state(state_path)
    now = now or datetime.now(UTC)
    fresh = [a for a in alerts if a.key not in state]
    for alert in fresh:
        emitter.emit(
            "logs", "alert_fired", actor=alert.rule, entity=alert.service, attrs=asdict(alert)
        )
        state[alert.key] = now.isoformat()
    cutoff = (now - keep).isoformat()
    state = {k: v for k, v in state.items() if v >= cutoff}
    state_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_path.with_name(state_path.name + ".tmp")
    tmp.write_bytes(orjson.dumps(state))
    tmp.replace(state_path)
    return fresh
