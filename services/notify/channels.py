"""Channel adapters: real SMTP for email, HTTP providers for SMS and push, the in-app inbox,
and users' own webhooks.

Every send carries the delivery id as its idempotency key: the ``Idempotency-Key`` header
for HTTP providers, the ``Message-ID`` for email (SMTP has no idempotency, so email is
at-least-once; the stable Message-ID lets mail systems and tests spot a repeat), and a unique
column for the inbox (exactly-once by construction). Adapters classify failures: a
``Retryable`` outcome goes back to the queue with backoff, a ``Permanent`` one does not.
"""

from __future__ import annotations

import email.policy
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol

import httpx
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from services.notify.dkim import DkimSigner
from services.notify.settings import NotifySettings
from services.notify.store import inbox
from services.notify.tracking import html_body
from warehouse.urlsafety import Policy, UnsafeURLError, check_url


@dataclass(frozen=True)
class Job:
    """What a channel needs to send one delivery."""

    delivery_id: str
    notification_id: str | None
    user_id: str
    channel: str
    category: str
    to: str
    subject: str
    body: str
    locale: str = "en"
    open_url: str | None = None  # email: the open-tracking pixel
    unsubscribe_url: str | None = None  # email: RFC 8058 one-click unsubscribe


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retryable: bool = False
    provider_message_id: str | None = None
    error: str | None = None
    status: str = "sent"  # on permanent failure: "failed" or "bounced"


def sent(provider_id: str | None) -> Outcome:
    return Outcome(ok=True, provider_message_id=provider_id)


def retry(error: str) -> Outcome:
    return Outcome(ok=False, retryable=True, error=error)


def permanent(error: str, status: str = "failed") -> Outcome:
    return Outcome(ok=False, retryable=False, error=error, status=status)


class Channel(Protocol):
    def send(self, job: Job) -> Outcome: ...


class EmailChannel:
    """Email through a real SMTP server with ``smtplib``, DKIM-signed when given a signer."""

    def __init__(self, cfg: NotifySettings, signer: DkimSigner | None = None) -> None:
        self.cfg = cfg
        self.signer = signer

    def message(self, job: Job) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.cfg.smtp_from
        msg["To"] = job.to
        msg["Subject"] = job.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{job.delivery_id}@notify.blueprints.local>"
        msg["X-Notification-Id"] = job.notification_id or ""
        msg["X-Category"] = job.category
        if job.unsubscribe_url:
            msg["List-Unsubscribe"] = f"<{job.unsubscribe_url}>"
            if job.unsubscribe_url.startswith("https://"):  # RFC 8058 asks for an HTTPS URI
                msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(job.body)
        if job.open_url or job.unsubscribe_url:
            msg.add_alternative(
                html_body(job.body, open_url=job.open_url, unsubscribe_url=job.unsubscribe_url),
                subtype="html",
            )
        msg["Content-Language"] = job.locale  # after set_content, which resets Content-*
        return msg

    def send(self, job: Job) -> Outcome:
        try:
            with smtplib.SMTP(
                self.cfg.smtp_host, self.cfg.smtp_port, timeout=self.cfg.smtp_timeout_s
            ) as smtp:
                msg = self.message(job)
                if self.signer is None:
                    refused = smtp.send_message(msg)
                else:
                    raw = self.signer.sign(msg.as_bytes(policy=email.policy.SMTP))
                    refused = smtp.sendmail(self.cfg.smtp_from, [job.to], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            return permanent(f"recipient refused: {exc.recipients}", "bounced")
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                return permanent(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", "bounced")
            return retry(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            return retry(f"SMTP unavailable: {exc!r}")
        if refused:
            return permanent(f"recipient refused: {refused}", "bounced")
        return sent(f"<{job.delivery_id}@notify.blueprints.local>")


class HttpProviderChannel:
    """An SMS or push provider behind an HTTP API that honours ``Idempotency-Key``."""

    def __init__(self, url: str, timeout_s: float, client: httpx.Client | None = None) -> None:
        self.url = url
        self.client = client or httpx.Client(timeout=timeout_s)

    def payload(self, job: Job) -> dict[str, Any]:
        return {
            "to": job.to,
            "title": job.subject,
            "body": job.body[:480],
            "notification_id": job.notification_id,
            "delivery_id": job.delivery_id,
            "category": job.category,
        }

    def send(self, job: Job) -> Outcome:
        return self.post(self.url, job)

    def post(self, url: str, job: Job) -> Outcome:
        try:
            resp = self.client.post(
                url, json=self.payload(job), headers={"Idempotency-Key": job.delivery_id}
            )
        except httpx.TimeoutException:
            return retry("provider timed out")
        except httpx.HTTPError as exc:
            return retry(f"provider unreachable: {exc!r}")
        if resp.status_code in (408, 425, 429) or resp.status_code >= 500:
            return retry(f"provider answered {resp.status_code}")
        if resp.status_code >= 400:
            return permanent(f"provider rejected the message: {resp.status_code} {resp.text[:200]}")
        try:
            provider_id = str(resp.json().get("id") or "") or None
        except ValueError:
            provider_id = None
        return sent(provider_id)

    def close(self) -> None:
        self.client.close()


class WebhookChannel(HttpProviderChannel):
    """A user's incoming webhook (Slack's format: ``text``, with the fields beside it).

    The URL was checked when the user set it; it is checked again before each send, since
    what its host resolves to may have changed since (a private address is refused)."""

    def __init__(self, timeout_s: float, policy: Policy) -> None:
        super().__init__("", timeout_s)
        self.policy = policy

    def payload(self, job: Job) -> dict[str, Any]:
        return {
            "text": f"*{job.subject}*\n{job.body}"[:4000],
            "subject": job.subject,
            "body": job.body,
            "category": job.category,
            "notification_id": job.notification_id,
            "delivery_id": job.delivery_id,
        }

    def send(self, job: Job) -> Outcome:
        try:
            check_url(job.to, self.policy)
        except UnsafeURLError as exc:
            return permanent(f"webhook URL refused: {exc}")
        return self.post(job.to, job)


class InboxChannel:
    """The in-app inbox: a row per delivery, unique on the delivery id."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def send(self, job: Job) -> Outcome:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(inbox).values(
                        user_id=job.user_id,
                        delivery_id=job.delivery_id,
                        category=job.category,
                        subject=job.subject,
                        body=job.body,
                        created_at=self.clock(),
                    )
                )
        except IntegrityError:
            pass  # already in the inbox: a redelivery after a crash
        with self.engine.connect() as conn:
            row_id = conn.execute(
                select(inbox.c.id).where(inbox.c.delivery_id == job.delivery_id)
            ).scalar()
        return sent(f"inbox-{row_id}")


def build_channels(
    cfg: NotifySettings,
    engine: Engine,
    clock: Callable[[], float] = time.time,
    signer: DkimSigner | None = None,
) -> dict[str, Channel]:
    """The real adapters, configured by ``cfg``: SMTP, the two HTTP providers, the inbox."""
    return {
        "email": EmailChannel(cfg, signer),
        "sms": HttpProviderChannel(cfg.sms_url, cfg.provider_timeout_s),
        "push": HttpProviderChannel(cfg.push_url, cfg.provider_timeout_s),
        "inbox": InboxChannel(engine, clock),
        "webhook": WebhookChannel(cfg.provider_timeout_s, cfg.webhook_policy()),
    }
