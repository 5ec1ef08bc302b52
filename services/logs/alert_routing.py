"""Fired alerts to people, through the notification system (system 12).

Each fired alert becomes one notification per recipient (``alert_recipients``: users of the
notification system, reached on the channels they chose: email, SMS, push, the inbox or
their webhook, such as a Slack incoming webhook), category ``alerts``. The Idempotency-Key
is the recipient and the alert's key, so an alert is never notified twice, even when an
evaluation is retried. A quiet period per rule and service holds back further notifications
of the same kind; the first one after it says how many were held back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from services.errors import DomainError
from warehouse.logs.alerts import Alert

if TYPE_CHECKING:
    from services.notify.service import NotifyService

CATEGORY = "alerts"
TEMPLATE = "log_alert"
URGENT_RULES = frozenset({"error_threshold"})


@dataclass(frozen=True)
class Routed:
    notified: int = 0  # notifications accepted by the notification system
    held: int = 0  # alerts held back by the quiet period
    failed: int = 0  # recipients the notification system refused (unknown user, say)


def _load(path: Path) -> dict[str, dict]:
    try:
        state = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}
    return state if isinstance(state, dict) else {}


def _save(path: Path, state: dict[str, dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(orjson.dumps(state))
    tmp.replace(path)


def route(
    notify: NotifyService,
    alerts: list[Alert],
    recipients: list[str],
    *,
    quiet: timedelta,
    state_path: Path,
    now: datetime,
) -> Routed:
    """Notify ``recipients`` of newly fired ``alerts``, one quiet period per rule and service."""
    from services.notify.sending import SendRequest

    if not alerts or not recipients:
        return Routed()
    state = _load(state_path)
    notified = held = failed = 0
    for alert in alerts:
        kind = f"{alert.rule}:{alert.service}"
        last = state.get(kind, {})
        if last.get("at") and now - datetime.fromisoformat(last["at"]) < quiet:
            last["held"] = int(last.get("held", 0)) + 1
            state[kind] = last
            held += 1
            continue
        data = {**asdict(alert), "held": int(last.get("held", 0))}
        for user_id in recipients:
            req = SendRequest(
                user_id=user_id,
                template=TEMPLATE,
                category=CATEGORY,
                data=data,
                priority="urgent" if alert.rule in URGENT_RULES else "normal",
            )
            try:
                notify.send("logs", req, f"log-alert:{user_id}:{alert.key}"[:200])
                notified += 1
            except DomainError:
                failed += 1
        state[kind] = {"at": now.isoformat(), "held": 0}
    _save(state_path, state)
    return Routed(notified, held, failed)
