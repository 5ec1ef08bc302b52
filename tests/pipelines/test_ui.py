"""`blueprint ui` draws the lineage of every built system's asset group in a browser that can
reach nothing but this machine, with no pop-up over it (a screenshot is left in
``BLUEPRINT_SCREENSHOT_DIR`` when set). Then it stops with everything it started on SIGTERM,
also when the shell that started it in the background left SIGINT ignored (``make ui &``)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.services.video.browser import Chromium
from warehouse.systems import built

pytestmark = pytest.mark.slow
OFFLINE = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)
LINEAGE = (
    "(() => { const text = document.body.innerText;"
    " return {done: GROUPS.every((g) => text.includes(g)),"
    " missing: GROUPS.filter((g) => !text.includes(g)),"
    " popup: text.includes('Join the Dagster community')}; })()"
)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_until_served(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            url = f"http://127.0.0.1:{port}/server_info"
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, "the UI exited before it served"
        assert time.monotonic() < deadline, "the UI did not start within 180 s"
        time.sleep(1)


def _lineage(port: int) -> dict | None:
    """What the global lineage page shows, or None without a browser."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        return None
    groups = "const GROUPS = " + repr(sorted({"lake", *(s.id for s in built())})) + ";"
    browser = Chromium(binary, OFFLINE)
    try:
        browser.send("Page.enable")
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            width=1600,
            height=1000,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.navigate(f"http://127.0.0.1:{port}/asset-groups")
        state = browser.wait_for(LINEAGE.replace("{ const", "{ " + groups + " const"), 120)
        shots = os.environ.get("BLUEPRINT_SCREENSHOT_DIR")
        if shots:
            browser.screenshot(Path(shots) / "asset-lineage.png")
        return state
    finally:
        browser.close()


def test_ui_draws_every_group_then_stops_with_its_children_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    blueprint = str(Path(sys.executable).parent / "blueprint")
    proc = subprocess.Popen(
        [blueprint, "ui", "--port", str(port)],
        env={**os.environ, "BLUEPRINT_DATA_DIR": str(tmp_path / "data")},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        _wait_until_served(proc, port)
        lineage = _lineage(port)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        deadline = time.monotonic() + 30
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _group_alive(proc.pid), "a child of the UI outlived it"
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    if lineage is not None:
        assert lineage["done"], f"groups missing from the lineage: {lineage['missing']}"
        assert not lineage["popup"]
