"""Open and click tracking, notification types and subscriptions, RFC 8058 one-click unsubscribe.

Emails carry an open pixel and a one-click unsubscribe link; the links in email, SMS and push
bodies are short links of the shortener, so clicks are its own click events. Tokens name a
delivery, never an address, and cannot be forged or reused for another purpose.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import dagster as dg
import pytest

from pipelines.workload.shortener import simulated_web
from services.notify.channels import EmailChannel, Job
from services.notify.settings import NotifySettings
from services.notify.tracking import PIXEL_GIF, Tracker, find_urls, rewrite_links
from tests.services.notify.conftest import register, user_headers

STORY = "https://news.example.com/story/7"


@pytest.fixture
def app(notify_env, settings, emitter):
    """The app with notify and the shortener it sends links through (and its redirects)."""
    from fastapi.testclient import TestClient

    from services.app import create_app

    with TestClient(create_app(settings, emitter, only=["notify", "shortener"])) as c:
        simulated_web(c.app.state.services["shortener"])
        yield c


@pytest.fixture
def events(emitter, monkeypatch: pytest.MonkeyPatch) -> list:
    """Every event the services emit, as well as spooled."""
    seen: list = []
    spool = emitter.emit_events

    def record(batch) -> None:
        seen.extend(batch)
        spool(batch)

    monkeypatch.setattr(emitter, "emit_events", record)
    return seen


@pytest.fixture
def svc_headers(app, admin_headers):
    r = app.post(
        "/auth/keys", json={"user_id": "mailer", "roles": ["service"]}, headers=admin_headers
    )
    return {"X-API-Key": r.json()["api_key"]}


def _send(app, headers, user="ann", category="marketing", summary=f"More at {STORY}.", **extra):
    body = {
        "user_id": user,
        "template": "news",
        "category": category,
        "data": {"title": "Spring", "summary": summary},
        "channels": ["email", "sms", "inbox"],
        **extra,
    }
    r = app.post("/notifications", json=body, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()


def _deliver(app) -> None:
    worker = app.app.state.services["notify"].worker()
    try:
        worker.run(drain=True, horizon_s=1, max_seconds=20, idle_sleep=0.02)
    finally:
        worker.close()


def _status(notification: dict, channel: str) -> str:
    return next(d["status"] for d in notification["deliveries"] if d["channel"] == channel)


# -- the pure parts ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see https://a.example.com/x.", "https://a.example.com/x"),
        ("(https://a.example.com/x)", "https://a.example.com/x"),
        ("wiki https://en.example.com/Foo_(bar) ok", "https://en.example.com/Foo_(bar)"),
        ('<a href="https://a.example.com/q?x=1&y=2">', "https://a.example.com/q?x=1&y=2"),
        ("end https://a.example.com/p?!", "https://a.example.com/p"),
    ],
)
def test_urls_are_found_as_mail_clients_linkify_them(text, url):
    assert [text[a:b] for a, b in find_urls(text)] == [url]


def test_rewrite_keeps_links_the_shortener_refuses_and_tracks_the_rest():
    made = {"https://ok.example.com/a": ("abc", "http://sb/s/abc")}
    text, links = rewrite_links(
        "a https://ok.example.com/a b http://10.0.0.1/x c", lambda url: made.get(url)
    )
    assert text == "a http://sb/s/abc b http://10.0.0.1/x c"
    assert [(x.url, x.code) for x in links] == [("https://ok.example.com/a", "abc")]


def test_tokens_cannot_be_forged_moved_to_another_purpose_or_another_secret():
    tracker = Tracker("s3cret", "https://n.example.com")
    delivery = "0123456789abcdef0123456789abcdef"
    token = tracker.token("open", delivery)
    assert tracker.delivery("open", token) == delivery
    assert tracker.delivery("unsubscribe", token) is None
    assert Tracker("other", "https://n.example.com").delivery("open", token) is None
    assert tracker.delivery("open", token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    forged = "fedcba9876543210fedcba9876543210" + token[32:]
    assert tracker.delivery("open", forged) is None
    assert tracker.delivery("open", "not-a-token") is None


def _job(**kw) -> Job:
    base = dict(
        delivery_id="d" * 32,
        notification_id="n1",
        user_id="ann",
        channel="email",
        category="marketing",
        to="ann@example.org",
        subject="Hi",
        body="Read https://s.example.com/s/abc <now> & later",
    )
    return Job(**{**base, **kw})


def test_email_has_html_with_escaped_text_pixel_and_rfc8058_headers_only_over_https():
    channel = EmailChannel(NotifySettings())
    msg = channel.message(
        _job(open_url="https://n.example.com/o/t", unsubscribe_url="https://n.example.com/u/t")
    )
    assert msg["List-Unsubscribe"] == "<https://n.example.com/u/t>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert '<img src="https://n.example.com/o/t" width="1" height="1" alt="">' in html
    assert "&lt;now&gt; &amp; later" in html
    assert '<a href="https://s.example.com/s/abc">' in html
    assert "<now>" in msg.get_body(preferencelist=("plain",)).get_content()

    plain_http = channel.message(_job(unsubscribe_url="http://127.0.0.1:8000/u/t"))
    assert plain_http["List-Unsubscribe"] == "<http://127.0.0.1:8000/u/t>"
    assert plain_http["List-Unsubscribe-Post"] is None  # RFC 8058 needs an HTTPS URI

    untracked = channel.message(_job())
    assert untracked["List-Unsubscribe"] is None
    assert untracked.get_body(preferencelist=("html",)) is None


# -- through the app -----------------------------------------------------------------------
def test_email_links_become_short_links_that_redirect_and_count_as_clicks(
    app, svc_headers, smtp, events
):
    register(app, svc_headers, "ann")
    n = _send(app, svc_headers)
    _deliver(app)
    (msg,) = smtp.messages
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    assert STORY not in plain
    (short,) = re.findall(r"https?://\S+/s/([A-Za-z0-9_-]+)", plain)
    r = app.get(f"/s/{short}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == STORY
    tracked = [e for e in events if e.type == "link_tracked"]
    assert {(e.attrs["channel"], e.attrs["notification_id"]) for e in tracked} == {
        ("email", n["id"]),
        ("sms", n["id"]),
    }
    assert short in {e.attrs["code"] for e in tracked}
    inbox_body = app.app.state.services["notify"].inbox("ann")[0]["body"]
    assert STORY in inbox_body  # the in-app inbox keeps the link as written


def test_the_open_pixel_records_an_open_and_forged_tokens_get_404(app, svc_headers, smtp, events):
    register(app, svc_headers, "ann")
    _send(app, svc_headers)
    _deliver(app)
    html = smtp.messages[0].get_body(preferencelist=("html",)).get_content()
    pixel = urlsplit(re.search(r'<img src="([^"]+)"', html).group(1)).path
    r = app.get(pixel)
    assert r.status_code == 200 and r.content == PIXEL_GIF
    assert r.headers["content-type"] == "image/gif" and r.headers["cache-control"] == "no-store"
    (opened,) = [e for e in events if e.type == "email_opened"]
    assert opened.actor == "ann" and opened.attrs["channel"] == "email"
    assert "ann@example.org" not in pixel  # the URL names a delivery, never an address
    forged = pixel[:-4] + ("AAAA" if not pixel.endswith("AAAA") else "BBBB")
    assert app.get(forged).status_code == 404
    unsubscribe_path = pixel.replace("/open/", "/unsubscribe/")
    assert app.post(unsubscribe_path).status_code == 404  # an open token unsubscribes no one


def test_one_click_unsubscribe_stops_that_types_email_at_once_and_get_changes_nothing(
    app, svc_headers, smtp
):
    register(app, svc_headers, "ann")
    _send(app, svc_headers)
    _deliver(app)
    path = urlsplit(smtp.messages[0]["List-Unsubscribe"].strip("<>")).path
    page = app.get(path)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert _status(_send(app, svc_headers), "email") == "pending"  # a GET left it subscribed

    r = app.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200 and "marketing" in r.text
    after = _send(app, svc_headers)
    assert _status(after, "email") == "suppressed"
    assert _status(after, "sms") == "pending"  # the list left is the email one
    assert _status(_send(app, svc_headers, category="orders"), "email") == "pending"
    assert app.post(path).status_code == 200  # repeating it is harmless


def test_mandatory_types_have_no_unsubscribe_link_and_cannot_be_left(
    app, svc_headers, smtp, admin_headers
):
    r = app.put(
        "/notifications/types/security",
        json={"description": "Account security", "mandatory": True},
        headers=admin_headers,
    )
    assert r.status_code == 200, r.text
    register(app, svc_headers, "ann")
    ann = user_headers(app, admin_headers, "ann")
    left = app.put("/notifications/subscriptions/security", json={"subscribed": False}, headers=ann)
    assert left.status_code == 409
    app.put(
        "/notifications/preferences", json={"channels": {"email": False}}, headers=ann
    ).raise_for_status()
    n = _send(app, svc_headers, category="security")
    assert _status(n, "email") == "pending"  # no opt-out applies to a mandatory type
    _deliver(app)
    (msg,) = smtp.messages
    assert msg["List-Unsubscribe"] is None


def test_opt_in_types_reach_only_subscribers(app, svc_headers, admin_headers):
    app.put(
        "/notifications/types/beta",
        json={"description": "Beta programme", "default_subscribed": False},
        headers=admin_headers,
    ).raise_for_status()
    register(app, svc_headers, "ann")
    ann = user_headers(app, admin_headers, "ann")
    assert _status(_send(app, svc_headers, category="beta"), "email") == "suppressed"
    r = app.put(
        "/notifications/subscriptions/beta",
        json={"subscribed": True, "channels": {"sms": False}},
        headers=ann,
    )
    assert r.status_code == 200, r.text
    assert r.json()["channels"] == {
        "email": True,
        "sms": False,
        "push": True,
        "inbox": True,
        "webhook": False,  # no webhook set
    }
    n = _send(app, svc_headers, category="beta")
    assert (_status(n, "email"), _status(n, "sms")) == ("pending", "suppressed")
    listed = {s["type"]: s for s in app.get("/notifications/subscriptions", headers=ann).json()}
    assert listed["beta"]["subscribed"] is True


def test_users_see_and_change_only_their_own_subscriptions(app, svc_headers, admin_headers):
    register(app, svc_headers, "ann")
    register(app, svc_headers, "bob")
    bob = user_headers(app, admin_headers, "bob")
    assert app.get("/notifications/subscriptions?user_id=ann", headers=bob).status_code == 403
    r = app.put(
        "/notifications/subscriptions/marketing?user_id=ann",
        json={"subscribed": False},
        headers=bob,
    )
    assert r.status_code == 403
    assert (
        app.put("/notifications/types/x", json={"description": "d"}, headers=bob).status_code == 403
    )


def test_links_the_shortener_refuses_stay_as_written_and_untracked(app, svc_headers, smtp, events):
    register(app, svc_headers, "ann")
    _send(app, svc_headers, summary="Router at http://192.168.1.1/admin now")
    _deliver(app)
    plain = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "http://192.168.1.1/admin" in plain
    assert not [e for e in events if e.type == "link_tracked"]


def test_engagement_asset_reports_open_and_click_rates_per_channel_template_and_campaign(
    app, svc_headers, smtp, emitter, settings
):
    from assets.notify import notify_engagement
    from assets.resources import PlatformResource
    from warehouse.ingest import ingest_spool

    for user in ("ann", "bob", "cat", "dan"):
        register(app, svc_headers, user)
        _send(app, svc_headers, user=user, campaign="spring")
    _deliver(app)
    by_user = {m["To"].split("@")[0]: m for m in smtp.messages}
    for user in ("ann", "bob"):  # two open; one of them clicks
        html = by_user[user].get_body(preferencelist=("html",)).get_content()
        app.get(urlsplit(re.search(r'<img src="([^"]+)"', html).group(1)).path)
        app.get(urlsplit(re.search(r'<img src="([^"]+)"', html).group(1)).path)  # counted once
    plain = by_user["ann"].get_body(preferencelist=("plain",)).get_content()
    app.get(urlsplit(re.search(r"https?://\S+/s/[A-Za-z0-9_-]+", plain).group(0)).path)
    app.app.state.services["shortener"].clicks.flush()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)

    result = dg.materialize(
        [notify_engagement],
        resources={"platform": PlatformResource(data_dir=str(settings.data_dir))},
    )
    assert result.success
    meta = result.asset_materializations_for_node("notify_engagement")[0].metadata
    assert meta["email_open_rate"].value == pytest.approx(0.5)
    (check,) = result.get_asset_check_evaluations()
    assert check.passed
    import polars as pl

    df = pl.read_parquet(settings.lake_dir / "notify_engagement" / "snapshot.parquet")
    email = df.filter(pl.col("channel") == "email").row(0, named=True)
    assert (email["template"], email["campaign"]) == ("news", "spring")
    assert (email["sent"], email["opened"], email["clicked"]) == (4, 2, 1)
    assert email["click_to_open"] == pytest.approx(0.5)
    sms = df.filter(pl.col("channel") == "sms").row(0, named=True)
    assert sms["open_rate"] is None and sms["clicked"] == 0


# -- DKIM (RFC 8058 §4: the unsubscribe headers must be covered by a DKIM signature) --------
def _dns(signer):
    name, value = signer.dns_record()

    def txt(qname: bytes, timeout: int = 5) -> bytes | None:
        return value.encode() if qname.decode().rstrip(".") == name else None

    return txt


def test_sent_email_carries_a_dkim_signature_over_the_unsubscribe_headers(app, svc_headers, smtp):
    import dkim

    register(app, svc_headers, "ann")
    _send(app, svc_headers)
    _deliver(app)
    (raw,) = smtp.raw
    signer = app.app.state.services["notify"].signer
    assert dkim.verify(raw, dnsfunc=_dns(signer))
    signed = dkim.DKIM(raw)
    signed.verify(dnsfunc=_dns(signer))
    assert {b"list-unsubscribe", b"list-unsubscribe-post"} <= {
        h.lower() for h in signed.include_headers
    }
    forged = raw.replace(b"/notifications/unsubscribe/", b"/notifications/unsubscribx/", 1)
    assert forged != raw and not dkim.verify(forged, dnsfunc=_dns(signer))


def test_dkim_record_command_prints_the_published_key(notify_env, settings):
    from click.testing import CliRunner

    from pipelines.cli import main

    result = CliRunner().invoke(main, ["notify", "dkim-record"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("blueprint._domainkey.blueprints.local. IN TXT")
    assert "v=DKIM1; k=rsa; p=" in result.output
