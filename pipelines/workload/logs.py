"""Logging workload: application logs through every collector, then a summary.

Runs after the other systems (order 90), so their access logs are in the spool too. It sends
logs through the Python handler and ``POST /logs`` in every format (with a few malformed lines
and a deploy marker), writes a log file and tails it with the agent across a rotation.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

NAME = "logs"


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds")


def _post(
    ctx,
    headers: dict[str, str],
    body: Any,
    content_type: str | None = None,
    params: dict[str, str] | None = None,
) -> dict[str, int]:
    if content_type is None:
        resp = ctx.client.post("/logs", json=body, headers=headers, params=params)
    else:
        resp = ctx.client.post(
            "/logs", content=body, params=params, headers={**headers, "content-type": content_type}
        )
    resp.raise_for_status()
    return resp.json()


def _service(ctx):
    """The app's logging service, for the collectors that do not speak HTTP."""
    return ctx.client.app.state.services[NAME]


def _via_handler(ctx, n: int) -> int:
    """Application code logging as usual; the service's handler ships the records."""
    handler = _service(ctx).handler(service="inventory")
    log = logging.getLogger("workload.inventory")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(handler)
    rng = ctx.rng
    try:
        for i in range(n):
            sku = f"SKU-{rng.randint(1000, 9999)}"
            roll = rng.random()
            if roll < 0.6:
                log.info(
                    "reserved %d units of %s for order %d",
                    rng.randint(1, 5),
                    sku,
                    i,
                    extra={"request_id": f"wl-{i:06d}"},
                )
            elif roll < 0.85:
                log.debug("stock level for %s is %d", sku, rng.randint(0, 500))
            elif roll < 0.97:
                log.warning("low stock for %s: %d left", sku, rng.randint(0, 5))
            else:
                try:
                    raise TimeoutError(f"warehouse api timed out after {rng.randint(2, 9)}s")
                except TimeoutError:
                    log.exception("could not sync stock for %s", sku)
        handler.flush()
    finally:
        log.removeHandler(handler)
        handler.close()
    return handler.shipped


def _via_api(ctx, headers: dict[str, str]) -> dict[str, int]:
    rng = ctx.rng
    now = datetime.now(UTC)
    totals = {"accepted": 0, "quarantined": 0}

    def add(result: dict[str, int]) -> None:
        totals["accepted"] += result["accepted"]
        totals["quarantined"] += result["quarantined"]

    # Baselines over the last hour: checkout's usual messages, catalog's cache misses.
    batch = []
    for minute in range(60, 6, -1):
        ts = now - timedelta(minutes=minute, seconds=rng.randint(0, 50))
        batch.append(
            {
                "ts": _iso(ts),
                "level": "info",
                "service": "checkout",
                "msg": f"order {rng.randint(10**5, 10**6)} placed total={rng.randint(5, 400)}",
            }
        )
        batch.append(
            {
                "ts": _iso(ts),
                "level": "debug",
                "service": "catalog",
                "msg": f"cache miss for key product:{rng.randint(1, 10**5)}",
            }
        )
    add(_post(ctx, headers, batch))
    # A deploy of checkout two minutes ago, then a template it never logged before.
    deploy_at = now - timedelta(minutes=2)
    add(
        _post(
            ctx,
            headers,
            [
                {
                    "ts": _iso(deploy_at),
                    "service": "checkout",
                    "logger": "deploy",
                    "msg": "deployed checkout v2.4.1",
                    "deploy": "v2.4.1",
                }
            ],
        )
    )
    after = []
    for i in range(30):
        ts = deploy_at + timedelta(seconds=3 + i * 3)
        after.append(
            {
                "ts": _iso(ts),
                "level": "error",
                "service": "checkout",
                "msg": f"payment provider rejected token tok_{rng.getrandbits(32):08x}",
                "request_id": f"co-{i}",
            }
        )
        after.append(
            {
                "ts": _iso(ts),
                "level": "info",
                "service": "checkout",
                "msg": f"order {rng.randint(10**5, 10**6)} placed total={rng.randint(5, 400)}",
            }
        )
    add(_post(ctx, headers, after))
    # A burst of catalog cache misses: a frequency anomaly against its hourly baseline.
    burst = b"\n".join(
        orjson.dumps(
            {
                "ts": _iso(now - timedelta(seconds=5 + i * 3)),
                "service": "catalog",
                "level": "debug",
                "msg": f"cache miss for key product:{i}",
            }
        )
        for i in range(45)
    )
    add(_post(ctx, headers, burst, "application/x-ndjson"))
    # Raw lines in every format as an edge proxy and syslog relay would send them.
    stamp = now.strftime("%d/%b/%Y:%H:%M:%S +0000")
    bsd = now.strftime("%b %d %H:%M:%S")
    lines = []
    for _ in range(40):
        status = rng.choice((200, 200, 200, 304, 404, 500))
        size = rng.randint(200, 9000)
        lines.append(
            f"10.0.{rng.randint(0, 9)}.{rng.randint(1, 254)} - - [{stamp}] "
            f'"GET /products/{rng.randint(1, 999)} HTTP/1.1" {status} {size} '
            f'"-" "Mozilla/5.0 (X11; Linux x86_64)"'
        )
    for i in range(10):
        lines.append(
            f"<86>1 {_iso(now)} auth-1 sshd {4000 + i} - - "
            f"Accepted publickey for user{i} from 10.1.0.{i} port {50000 + i} ssh2"
        )
        lines.append(f"<38>{bsd} gw-1 kernel: eth0 link up, 1000 Mbps full duplex")
        lines.append(
            f'ts={_iso(now)} level=warn service=search msg="slow query" '
            f"took_ms={rng.randint(500, 2000)}"
        )
    lines += ['{"msg": "unterminated', "<999>1 bad pri", "GET /x \x00\x01 binary junk"]
    add(_post(ctx, headers, "\n".join(lines), "text/plain", {"service": "edge"}))
    return totals


def _via_tail(ctx) -> dict[str, int]:
    """A generated application log file, tailed by the agent across a rotation."""
    folder = ctx.settings.data_dir / "logs" / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "billing.log"
    for old in folder.glob("billing.log*"):
        old.unlink()
    checkpoint = folder / "billing.checkpoint.json"
    checkpoint.unlink(missing_ok=True)
    rng = ctx.rng

    def write(n: int, mode: str = "a") -> None:
        now = datetime.now(UTC)
        with open(path, mode, encoding="utf-8") as fh:
            for i in range(n):
                ts = (now - timedelta(seconds=n - i)).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
                a, b = rng.randint(1, 10**6), rng.randint(1, 999)
                level, msg = rng.choice(
                    [
                        ("INFO", f"invoice {a} generated for account {b}"),
                        ("INFO", f"charged card ending {a % 10000:04d} amount {b}.00 EUR"),
                        ("WARN", f"retrying ledger write, attempt {b % 3 + 1}"),
                        ("ERROR", f"ledger unavailable: connection reset by 10.2.0.{b % 9 + 1}"),
                    ]
                )
                fh.write(f"{ts} {level} [worker-{rng.randint(1, 4)}] billing.Ledger: {msg}\n")

    tailer = _service(ctx).tailer(path, service="billing", checkpoint=checkpoint)
    try:
        write(300, "w")
        while tailer.poll():
            pass
        write(50)
        os.rename(path, path.with_name("billing.log.1"))  # logrotate's rename + create
        write(120, "w")
        for _ in range(3):
            while tailer.poll():
                pass
    finally:
        tailer.close()
    return {
        "tailed": tailer.stats.lines,
        "rotations": tailer.stats.rotations,
        "tail_quarantined": tailer.stats.quarantined,
    }


class LogsWorkload:
    name = NAME
    order = 90

    def run(self, ctx) -> None:
        started = datetime.now(UTC)
        key = ctx.api_key("log-collector", ["service"])
        headers = {"X-API-Key": key}
        ctx.client.put(  # the on-call, whom fired alerts reach through notifications
            "/notifications/users/oncall",
            json={"email": "oncall@example.org"},
            headers=ctx.admin_headers,
        ).raise_for_status()
        handled = _via_handler(ctx, int(400 * ctx.scale))
        api = _via_api(ctx, headers)
        tail = _via_tail(ctx)
        ctx.facts[NAME] = {"started": started.isoformat(), "handler": handled, **api, **tail}
        ctx.log(
            f"  logs: handler {handled}, api accepted {api['accepted']} "
            f"(quarantined {api['quarantined']}), tailed {tail['tailed']} "
            f"across {tail['rotations']} rotation(s)"
        )

    def summarize(self, ctx) -> list[str]:
        facts = ctx.facts.get(NAME, {})
        svc = _service(ctx)
        tables = svc.lake.tables()
        out = []
        if "logs" in tables:
            row = svc.query(
                "SELECT count(*) AS n, count(DISTINCT template_id) AS t, "
                "count(DISTINCT service) AS s FROM logs"
            ).row(0)
            out.append(
                f"lines ingested: {row[0]} from {row[2]} services; templates found: {row[1]}"
            )
        quarantined = 0
        if "quarantine" in tables:
            quarantined = svc.query(
                "SELECT count(*) AS n FROM quarantine WHERE table_name = 'logs'"
            )["n"][0]
        out.append(
            f"quarantined lines: {quarantined} (this run: {facts.get('quarantined', 0)} "
            "sent malformed on purpose)"
        )
        started = facts.get("started")
        fired = list(svc.fired_alerts(datetime.fromisoformat(started) if started else None))
        rules: dict[str, int] = {}
        for key in fired:
            rules[key.split(":")[0]] = rules.get(key.split(":")[0], 0) + 1
        out.append(f"alerts fired: {len(fired)} {rules or ''}".rstrip())
        notify = ctx.client.app.state.services.get("notify")
        if notify is not None:
            out.append(
                f"alert notifications to the on-call (by status): {notify.stats('alerts')} "
                "(delivered by `blueprint notify worker`)"
            )
        out.append(
            f"collectors: handler {facts.get('handler', 0)}, POST /logs "
            f"{facts.get('accepted', 0)}, file tail {facts.get('tailed', 0)} "
            f"({facts.get('rotations', 0)} rotation)"
        )
        out.append('try: .venv/bin/blueprint logs search "ledger unavailable" --since 1h')
        return out


WORKLOAD = LogsWorkload()
