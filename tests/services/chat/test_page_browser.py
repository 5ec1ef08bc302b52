"""The ``/chat/`` page in headless Chromium, against a real server process: sign in with an API
key, list conversations, show history, receive live over the socket, send, and show the
delivery state of a sent message move from sent to delivered to read as the other member's
device (a Python client) acknowledges and reads it."""

from __future__ import annotations

import asyncio
import json
import shutil

import httpx
import pytest

from services.chat.client import ChatClient
from tests.services.chat.helpers import PAGE_READY, create, running
from tests.services.video.browser import Chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _js(value: str) -> str:
    return json.dumps(value)


def _until(browser: Chromium, expression: str, timeout: float = 20.0):
    """Evaluate ``expression`` (which returns {done: bool, ...}) until done."""
    got = browser.wait_for(expression, timeout)
    assert got and got.get("done"), got
    return got


def test_the_chat_page_signs_in_lists_receives_sends_and_shows_receipts(server) -> None:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (make tools installs it when root)")
    keys = {u: server.api_key(u) for u in ("alice", "bob")}
    conv = create(server, keys["alice"], ["bob"], title="Weekend plans")["id"]
    httpx.post(
        f"{server.url}/chat/conversations/{conv}/messages",
        json={"client_id": "old-1", "body": {"text": "from history"}},
        headers={"X-API-Key": keys["bob"]},
        trust_env=False,
    ).raise_for_status()
    page = httpx.get(f"{server.url}/chat/", trust_env=False)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "http://" not in page.text.replace(server.url, "") and "https://" not in page.text

    browser = Chromium(binary)
    try:
        browser.send("Page.enable")
        browser.navigate(f"{server.url}/chat/")
        _until(browser, PAGE_READY)
        browser.evaluate(  # a person types a wrong key first
            "document.getElementById('key').value = 'bp_wrong';"
            "document.getElementById('login').requestSubmit()"
        )
        err = _until(
            browser,
            "(() => { const t = document.getElementById('error').textContent;"
            " return {done: t.length > 0, t}; })()",
        )
        assert "Sign-in failed" in err["t"]
        browser.evaluate(
            f"document.getElementById('key').value = {_js(keys['alice'])};"
            "document.getElementById('device').value = 'alice-web';"
            "document.getElementById('login').requestSubmit()"
        )
        _until(
            browser,
            "(() => { const li = [...document.querySelectorAll('#convs li')];"
            " return {done: li.some((l) => l.textContent.includes('Weekend plans'))"
            " && document.getElementById('status').textContent.includes('alice')}; })()",
        )
        browser.evaluate(f"document.querySelector('#convs li[data-conv={_js(conv)}]').click()")
        texts = "[...document.querySelectorAll('#messages .msg .text')].map((e) => e.textContent)"
        _until(browser, f"(() => ({{done: {texts}.includes('from history')}}))()")

        async def live() -> ChatClient:
            bob = ChatClient(server.ws_url, keys["bob"], "bob-phone")
            async with running(bob):
                await bob.wait_for(lambda: bob.connected, 20)
                await bob.send(conv, {"text": "are you coming?"}, client_id="b-live")
                await asyncio.to_thread(
                    _until, browser, f"(() => ({{done: {texts}.includes('are you coming?')}}))()"
                )
                browser.evaluate(
                    "document.getElementById('text').value = 'yes, at 8';"
                    "document.getElementById('compose').requestSubmit()"
                )
                await bob.wait_for(
                    lambda: any(
                        r.body and r.body.get("text") == "yes, at 8" for r in bob.log.applied
                    ),
                    20,
                )
                mine = (
                    "(() => { const m = [...document.querySelectorAll('#messages .msg.mine')]"
                    ".find((e) => e.textContent.includes('yes, at 8'));"
                    " return {done: !!m && m.dataset.state === STATE,"
                    " state: m && m.dataset.state}; })()"
                )
                await asyncio.to_thread(  # bob's device acknowledged it (acks are automatic)
                    _until, browser, mine.replace("STATE", "'delivered'"), 20
                )
                seq = next(r.seq for r in bob.log.applied if r.body.get("text") == "yes, at 8")
                await bob.frame({"type": "read", "conv": conv, "seq": seq})
                await asyncio.to_thread(_until, browser, mine.replace("STATE", "'read'"), 20)
            return bob

        bob = asyncio.run(live())
        assert bob.log.duplicates == 0 and bob.log.reorders == 0
        state = browser.evaluate(
            "(() => { const S = window.__chat; return {pending: S.pending.size,"
            " cursor: S.cursors[" + _js(conv) + "]}; })()"
        )
        assert state["pending"] == 0 and state["cursor"] >= 5
    finally:
        browser.close()
