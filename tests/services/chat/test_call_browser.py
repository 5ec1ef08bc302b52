"""A real call between two headless Chromium pages of ``/chat/`` (fake microphones), signalled
through the server's socket: one calls, the other accepts, audio flows both ways, and the
hang-up ends it on both."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.services.chat.helpers import PAGE_READY, create
from tests.services.video.browser import Chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FAKE_MEDIA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


def _until(browser: Chromium, expression: str, timeout: float = 30.0):
    got = browser.wait_for(expression, timeout)
    assert got and got.get("done"), got
    return got


def _sign_in(browser: Chromium, base: str, key: str, device: str, conv: str) -> None:
    browser.send("Page.enable")
    browser.navigate(f"{base}/chat/")
    _until(browser, PAGE_READY)
    browser.evaluate(
        f"document.getElementById('key').value = {json.dumps(key)};"
        f"document.getElementById('device').value = {json.dumps(device)};"
        "document.getElementById('login').requestSubmit()"
    )
    item = f"document.querySelector('#convs li[data-conv={json.dumps(conv)}]')"
    # The page's own error and status lines come back with the wait, so that a sign-in that
    # never completes says why (a refused key, a socket that keeps reconnecting).
    _until(
        browser,
        f"({{done: !!{item} && !!window.__chat.user,"
        " error: document.getElementById('error').textContent,"
        " status: document.getElementById('status').textContent})",
    )
    browser.evaluate(f"{item}.click()")
    _until(browser, "({done: !document.getElementById('call').hidden})")


def test_two_pages_place_a_call_and_audio_flows_both_ways(server) -> None:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (make tools installs it when root)")
    keys = {u: server.api_key(u) for u in ("alice", "bob")}
    conv = create(server, keys["alice"], ["bob"], direct=True)["id"]
    alice = Chromium(binary, FAKE_MEDIA)
    bob = Chromium(binary, FAKE_MEDIA)
    try:
        _sign_in(alice, server.url, keys["alice"], "alice-web", conv)
        _sign_in(bob, server.url, keys["bob"], "bob-web", conv)
        alice.evaluate("document.getElementById('call').click()")
        ringing = _until(
            bob,
            "(() => ({done: window.__call.state === 'incoming',"
            " text: document.getElementById('callstate').textContent}))()",
        )
        assert "alice" in ringing["text"]
        bob.evaluate("document.getElementById('accept').click()")
        flowing = (
            "(() => { const c = window.__call; return {done: c.state === 'connected'"
            " && c.stats.sent > 2000 && c.stats.received > 2000, state: c.state,"
            " stats: c.stats}; })()"
        )
        a = _until(alice, flowing, 45)
        b = _until(bob, flowing, 45)
        assert a["stats"]["received"] > 2000 and b["stats"]["received"] > 2000
        alice.evaluate("document.getElementById('hangup').click()")
        for page in (alice, bob):
            _until(page, "({done: window.__call.state === 'idle'})")
        assert bob.evaluate("window.__call.last") == "ended"
    finally:
        alice.close()
        bob.close()
