"""``/docs`` renders in a browser that can reach nothing but this machine: Swagger UI draws every
operation and the Authorize button from local assets. With ``BLUEPRINT_SCREENSHOT_DIR`` set, it
leaves a screenshot there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from services.app import create_app
from tests.services.cdn.helpers import serve_in_thread
from tests.services.video.browser import Chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Every name but loopback fails to resolve: a page that needs a CDN shows it.
OFFLINE = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)
STATE = (
    "(() => ({done: document.querySelectorAll('.opblock').length > 0 && "
    "!!document.querySelector('.btn.authorize'), "
    "operations: document.querySelectorAll('.opblock').length, "
    "authorize: !!document.querySelector('.btn.authorize'), "
    "failed: performance.getEntriesByType('resource')"
    ".filter((r) => !r.name.startsWith(location.origin)).map((r) => r.name)}))()"
)


def test_swagger_ui_draws_every_operation_and_authorize_offline(settings, emitter) -> None:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (make tools installs it when root)")
    app = create_app(settings, emitter)
    operations = sum(len(ops) for ops in app.openapi()["paths"].values())
    server, thread, port = serve_in_thread(app, lifespan="on")
    browser = Chromium(binary, OFFLINE)
    try:
        browser.send("Page.enable")
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            width=1200,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.navigate(f"http://127.0.0.1:{port}/docs")
        state = browser.wait_for(STATE, timeout=60)
        shots = os.environ.get("BLUEPRINT_SCREENSHOT_DIR")
        if shots:
            browser.screenshot(Path(shots) / "docs-offline.png")
    finally:
        browser.close()
        server.should_exit = True
        thread.join(timeout=10)
    assert state and state["done"], state
    assert state["operations"] == operations
    assert state["failed"] == []  # nothing was fetched from another origin
