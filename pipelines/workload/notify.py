"""Notifications workload: a mix of sends through the API, delivered by a worker to local fakes.

Everything runs on loopback and is started and stopped here: an SMTP server (aiosmtpd) and
two HTTP providers that fail at random and go down for a while. A worker of the app's own
notification service, pointed at the fakes, drains the queue (bounded), waiting digests are
flushed, the dead-letter queue is replayed once, providers report delivery through signed
callbacks, and some users read their inbox.

What "delivered" means differs by channel, and the summary says so: SMS and push are
delivered when the provider's callback says so; email ends at the SMTP server's acceptance
(SMTP has no delivery receipt); an inbox message is delivered the moment it is written,
and reading it is counted apart.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from pipelines.workload import WorkloadContext
from pipelines.workload.shortener import simulated_web

LOCALES = ["en", "fr", "de", "fr-CA", "en-GB"]
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
TEMPLATES = [
    ("welcome", "account", lambda r, i: {"name": f"user{i}"}),
    (
        "order_shipped",
        "orders",
        lambda r, i: {"order_id": f"O-{r.randint(1000, 9999)}", "eta": None},
    ),
    ("security_alert", "security", lambda r, i: {"device": r.choice(["Firefox", "iPhone"])}),
    (
        "news",
        "marketing",
        lambda r, i: {
            "title": f"Story {i}",
            "summary": f"Read the whole story at https://news.example.com/story/{i}.",
        },
    ),
]
CAMPAIGNS = ["spring-launch", "weekly-news"]
TYPES = {  # notification types users subscribe to; security alerts cannot be left
    "security": {"description": "Sign-ins and account security", "mandatory": True},
    "marketing": {"description": "Stories and offers"},
    "orders": {"description": "Order updates"},
}
OPEN_P, CLICK_P, SMS_CLICK_P = 0.45, 0.5, 0.15  # what the simulated recipients do


def _polite(call, *args: Any, **kwargs: Any) -> httpx.Response:
    """Make a request, waiting out 429s (the platform limiter is shared), for up to ~20 s."""
    waited = 0.0
    while True:
        resp = call(*args, **kwargs)
        if resp.status_code != 429 or waited >= 20:
            return resp
        pause = min(5.0, float(resp.headers.get("Retry-After", "1")))
        time.sleep(pause)
        waited += pause


class NotifyWorkload:
    name = "notify"
    order = 60

    def run(self, ctx: WorkloadContext) -> None:
        from services.notify.fakes import FakeProvider, FakeSmtp
        from services.notify.status import sign

        rng = ctx.rng
        n_users = max(5, int(30 * ctx.scale))
        n_sends = max(20, int(240 * ctx.scale))
        notify = ctx.client.app.state.services["notify"]
        simulated_web(ctx.client.app.state.services["shortener"])  # links become short links
        svc = {"X-API-Key": self._key(ctx, "notify-workload", ["service"])}
        # The simulated Slack is on loopback, which webhooks may not reach by default.
        notify.conf = notify.conf.model_copy(update={"allow_private_webhooks": True})
        with (
            FakeSmtp() as smtp,
            FakeProvider("sms", seed=11) as sms,
            FakeProvider("push", seed=12) as push,
            FakeProvider("webhook", seed=13) as slack,
        ):
            sms.control(fail_rate=0.4)
            push.control(fail_after_accept_rate=0.1, down=True)  # an outage at the start
            for name, body in TYPES.items():
                _polite(
                    ctx.client.put,
                    f"/notifications/types/{name}",
                    json=body,
                    headers=ctx.admin_headers,
                ).raise_for_status()
            users = [f"nu{i:03d}" for i in range(n_users)]
            for i, user in enumerate(users):
                body = {
                    "email": f"{user}@example.org",
                    "timezone": rng.choice(ZONES),
                    "locale": rng.choice(LOCALES),
                    "push_token": f"tok-{user}-{i:04d}",
                }
                if i % 3:
                    body["phone"] = f"+3361234{i:04d}"
                if i % 5 == 0:
                    body["webhook_url"] = slack.send_url
                _polite(
                    ctx.client.put, f"/notifications/users/{user}", json=body, headers=svc
                ).raise_for_status()
                if i % 7 == 0:  # some users opt out of marketing everywhere and of SMS
                    _polite(
                        ctx.client.put,
                        f"/notifications/preferences?user_id={user}",
                        headers=svc,
                        json={
                            "channels": {"sms": False},
                            "categories": {"marketing": {"email": False, "push": False}},
                        },
                    )
            status_codes: dict[int, int] = {}
            for i in range(n_sends):
                template, category, data = rng.choice(TEMPLATES)
                body: dict[str, Any] = {
                    "user_id": rng.choice(users),
                    "template": template,
                    "category": category,
                    "data": data(rng, i),
                }
                if template == "order_shipped" and rng.random() < 0.5:
                    body["data"]["eta"] = "tomorrow"
                if rng.random() < 0.5:
                    body["channels"] = rng.sample(
                        ["email", "sms", "push", "inbox"], rng.randint(1, 3)
                    )
                if category == "marketing":
                    body["campaign"] = rng.choice(CAMPAIGNS)
                    if rng.random() < 0.3:
                        body["priority"] = "low"  # folded into a digest
                if category == "security":
                    body["priority"] = "urgent"
                if rng.random() < 0.05:
                    body["send_at"] = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
                headers = dict(svc)
                if rng.random() < 0.1:
                    headers["Idempotency-Key"] = f"wl-{i % 5}-{body['user_id']}"
                if rng.random() < 0.03:
                    body["channels"] = ["fax"]  # bad input: a clear 422
                r = _polite(ctx.client.post, "/notifications", json=body, headers=headers)
                status_codes[r.status_code] = status_codes.get(r.status_code, 0) + 1
            ctx.log(f"    notify: {n_sends} sends, answers {dict(sorted(status_codes.items()))}")
            social = self._social_actions(ctx, rng, users)
            at_the_fakes = notify.conf.model_copy(
                update={
                    "smtp_host": smtp.host,
                    "smtp_port": smtp.port,
                    "sms_url": sms.send_url,
                    "push_url": push.send_url,
                    "backoff_base_s": 0.05,
                    "backoff_cap_s": 0.5,
                    "max_attempts": 4,
                    "lease_s": 10,
                    "provider_timeout_s": 2,
                }
            )
            worker = notify.worker(conf=at_the_fakes)
            try:
                worker.run(max_seconds=1.5, idle_sleep=0.02)  # push is down meanwhile
                push.control(down=False)
                worker.run(drain=True, horizon_s=5, max_seconds=40, idle_sleep=0.02)
                worker.flush_digests(window_s=0)
                dead_before_replay = notify.stats().get("dead", 0)
                sms.control(fail_rate=0.0)
                replay = _polite(
                    ctx.client.post,
                    "/notifications/dlq/replay",
                    json={"ids": None},
                    headers=ctx.admin_headers,
                )
                replay.raise_for_status()
                worker.run(drain=True, horizon_s=5, max_seconds=30, idle_sleep=0.02)
            finally:
                worker.close()
            secret = notify.callback_secret  # what the app verifies callbacks with
            callbacks = self._callbacks(ctx, rng, sms, "sms", sign, secret) + self._callbacks(
                ctx, rng, push, "push", sign, secret
            )
            reads = self._read_inboxes(ctx, rng, users[: max(3, n_users // 5)])
            engaged = self._engage(ctx, rng, smtp.messages, sms.delivered)
            ctx.facts[self.name] = {
                "sends": n_sends,
                "answers": status_codes,
                "by": notify.breakdown(),
                "dead_before_replay": dead_before_replay,
                "replayed": len(replay.json()["replayed"]),
                "emails": len(smtp.messages),
                "callbacks": callbacks,
                "inbox_reads": reads,
                "engaged": engaged,
                "social": social,
                "social_notified": {
                    kind: notify.stats(f"social.{kind}")
                    for kind in ("mention", "reply", "like", "follow")
                },
                "inbox": notify.inbox_totals(),
                "dupes": sms.duplicates() + push.duplicates() + smtp.duplicates(),
            }

    @staticmethod
    def _key(ctx: WorkloadContext, user_id: str, roles: list[str] | None = None) -> str:
        for _ in range(10):
            try:
                return ctx.api_key(user_id, roles)
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 429:
                    raise
                time.sleep(min(5.0, float(exc.response.headers.get("Retry-After", "1"))))
        raise RuntimeError("could not get an API key: rate limited")

    @classmethod
    def _read_inboxes(cls, ctx: WorkloadContext, rng, users: list[str]) -> int:
        """Some users open their inbox and read about half of what is unread."""
        reads = 0
        for user in users:
            headers = {"X-API-Key": cls._key(ctx, user)}
            unread = _polite(ctx.client.get, "/notifications/inbox?unread=true", headers=headers)
            unread.raise_for_status()
            for item in unread.json():
                if rng.random() < 0.5:
                    r = _polite(
                        ctx.client.post, f"/notifications/inbox/{item['id']}/read", headers=headers
                    )
                    reads += r.status_code == 204
        return reads

    @staticmethod
    def _social_actions(ctx: WorkloadContext, rng, users: list[str]) -> dict[str, int]:
        """Some notification users are on the social network too: others mention them, reply
        to them, like their posts and follow them, and the social system tells them so."""
        social = ctx.client.app.state.services.get("social")
        if social is None:
            return {}
        done = {"mention": 0, "reply": 0, "like": 0, "follow": 0}
        fans = [f"fan{i}" for i in range(3)]
        for handle in [*users[:6], *fans]:
            if handle not in social.existing_handles([handle]):
                social.create_user(handle)
        for user in users[:6]:
            fan = rng.choice(fans)
            post, _ = social.create_post(user, f"notes from {user}")
            social.create_post(fan, f"@{user} nice one", reply_to=post.id)
            social.create_post(fan, f"reading @{user} today")
            if social.follow(fan, user):
                done["follow"] += 1
            social.like(fan, post.id)
            done.update(mention=done["mention"] + 1, reply=done["reply"] + 1, like=done["like"] + 1)
        return done

    @staticmethod
    def _engage(ctx: WorkloadContext, rng, emails: list, texts: list) -> dict[str, int]:
        """Recipients open some emails (their client loads the pixel), click some links, and
        two leave marketing by the one-click unsubscribe their mail client offers."""
        out = {"emails": len(emails), "opened": 0, "clicked": 0, "sms_clicked": 0, "left": 0}

        def fetch(url: str) -> bool:
            path = urlsplit(url).path
            return _polite(ctx.client.get, path, follow_redirects=False).status_code in (200, 302)

        for msg in emails:
            html = msg.get_body(preferencelist=("html",))
            plain = msg.get_body(preferencelist=("plain",))
            pixel = re.search(r'<img src="([^"]+)"', html.get_content()) if html else None
            if pixel and rng.random() < OPEN_P:
                out["opened"] += fetch(pixel.group(1))
                links = re.findall(r"https?://\S+/s/[A-Za-z0-9_-]+", plain.get_content())
                if links and rng.random() < CLICK_P:
                    out["clicked"] += fetch(rng.choice(links))
            unsubscribe = msg["List-Unsubscribe"]
            if unsubscribe and msg["X-Category"] == "marketing" and out["left"] < 2:
                url = urlsplit(unsubscribe.strip("<>"))
                r = _polite(
                    ctx.client.post,
                    url.path,
                    content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                out["left"] += r.status_code == 200
        for text in texts:
            links = re.findall(r"https?://\S+/s/[A-Za-z0-9_-]+", text.payload.get("body", ""))
            if links and rng.random() < SMS_CLICK_P:
                out["sms_clicked"] += fetch(links[0])
        return out

    @staticmethod
    def _callbacks(ctx: WorkloadContext, rng, provider, name: str, sign, secret: str) -> int:
        n = 0
        for d in list(provider.delivered):
            status = "delivered" if rng.random() < 0.95 else rng.choice(["failed", "bounced"])
            raw = orjson.dumps({"message_id": d.provider_id, "status": status})
            r = _polite(
                ctx.client.post,
                f"/notifications/callbacks/{name}",
                content=raw,
                headers={
                    "X-Signature": sign(secret, name, raw),
                    "Content-Type": "application/json",
                },
            )
            n += r.status_code == 200
        return n

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        facts = ctx.facts.get(self.name)
        if not facts:
            return ["notify: no facts (workload did not run)"]
        per: dict[str, dict[str, int]] = {}
        for channel, status, count, retries in facts["by"]:
            c = per.setdefault(channel, {})
            c[status] = c.get(status, 0) + int(count)
            c["retried"] = c.get("retried", 0) + int(retries or 0)
        lines = [
            f"notify: {facts['sends']} sends (answers {facts['answers']}), "
            f"DLQ {facts['dead_before_replay']} -> replayed {facts['replayed']}, "
            f"callbacks {facts['callbacks']}, duplicates at providers {facts['dupes']}",
            "  sent = handed to the provider and accepted; delivered = what the channel can "
            "confirm (see the note on each line)",
        ]
        told = facts.get("social_notified", {})
        if told:
            lines.append(
                "  social: mentions, replies, likes and follows told through notifications "
                f"(deliveries by status): {told}"
            )
        e = facts.get("engaged", {})
        if e:
            lines.append(
                f"  engagement: recipients opened {e['opened']} of {e['emails']} emails and "
                f"clicked {e['clicked']} email and {e['sms_clicked']} SMS links (short links of "
                f"the shortener); {e['left']} left marketing by one-click unsubscribe. Rates per "
                "channel, template and campaign: asset notify_engagement"
            )
        inbox = facts.get("inbox", {})
        for channel in ("email", "sms", "push", "inbox", "webhook"):
            c = per.get(channel, {})
            sent = sum(c.get(s, 0) for s in ("sent", "delivered", "failed", "bounced"))
            delivered, note = _delivered(channel, c, sent, inbox)
            lines.append(
                f"  {channel:<6} sent={sent} delivered={delivered} "
                f"failed={c.get('failed', 0) + c.get('bounced', 0)} retried={c.get('retried', 0)} "
                f"dlq={c.get('dead', 0)} suppressed={c.get('suppressed', 0)} "
                f"digested={c.get('digested', 0)} "
                f"waiting={c.get('pending', 0) + c.get('digest_wait', 0)}  ({note})"
            )
        return lines


def _delivered(
    channel: str, c: dict[str, int], sent: int, inbox: dict[str, int]
) -> tuple[str, str]:
    """The ``delivered`` figure of one channel and what it means there."""
    confirmed = c.get("delivered", 0)
    if channel == "inbox":
        read = inbox.get("read", 0)
        return str(sent), f"delivered = written to the user's inbox; read={read} of them"
    if channel == "webhook":
        return "n/a", "sent = the webhook answered 2xx; webhooks send no delivery receipt"
    if channel == "email":
        if confirmed:
            return str(confirmed), "delivered = reported by the mail provider's callback"
        return "n/a", "sent = accepted by the SMTP server; SMTP gives no delivery receipt"
    return str(confirmed), "delivered = confirmed by the provider's signed callback"


WORKLOAD = NotifyWorkload()
