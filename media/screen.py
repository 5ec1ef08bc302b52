"""Screen content recorded from headless Chromium: scrolling and typing in real pages.

Screen content (text, flat colour, sharp edges, long still stretches and fast scrolls) is a
class of its own for an encoder, and a catalogue of tutorials and screencasts is full of it.
Chromium runs headless and is driven over the DevTools protocol (a WebSocket, through the
``websockets`` client already in the stack): each frame is an action (scroll a few pixels,
type a character) followed by a lossless PNG screenshot, so the frame rate is exact and the
recording does not depend on how fast this machine is. A script is a list of scenes, each a
page and what happens on it; navigating to the next page is a real scene change.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from media.ffmpeg import run

_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


@dataclass(frozen=True)
class Scene:
    """``url`` shown for ``frames`` frames: scrolled ``scroll_px`` per frame, and ``typed``
    typed into the first element matching ``selector``, one character every ``type_every``."""

    url: str
    frames: int
    scroll_px: int = 0
    selector: str | None = None
    typed: str = ""
    type_every: int = 3


def chromium_exe() -> str | None:
    """The system Chromium (Debian's ``chromium``), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _Cdp:
    """A minimal DevTools client: numbered commands on one page session."""

    def __init__(self, ws, session: str) -> None:
        self.ws, self.session, self.next_id = ws, session, 0

    async def send(self, method: str, **params: object) -> dict:
        self.next_id += 1
        msg_id = self.next_id
        await self.ws.send(
            json.dumps(
                {"id": msg_id, "method": method, "params": params, "sessionId": self.session}
            )
        )
        while True:
            reply = json.loads(await self.ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})


async def _record(ws_url: str, scenes: list[Scene], frames_dir: Path, timeout: float) -> int:
    from websockets.asyncio.client import connect

    async with connect(ws_url, max_size=None, open_timeout=timeout) as ws:
        await ws.send(
            json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}})
        )
        target = None
        while target is None:
            reply = json.loads(await ws.recv())
            if reply.get("id") == 1:
                target = reply["result"]["targetId"]
        await ws.send(
            json.dumps(
                {
                    "id": 2,
                    "method": "Target.attachToTarget",
                    "params": {"targetId": target, "flatten": True},
                }
            )
        )
        session = None
        while session is None:
            reply = json.loads(await ws.recv())
            if reply.get("id") == 2:
                session = reply["result"]["sessionId"]
        cdp = _Cdp(ws, session)
        cdp.next_id = 10
        await cdp.send("Page.enable")
        await cdp.send("Emulation.setFocusEmulationEnabled", enabled=True)
        n = 0
        for scene in scenes:
            await cdp.send("Page.navigate", url=scene.url)
            await _wait_loaded(cdp, timeout)
            if scene.selector:
                sel = json.dumps(scene.selector)
                visible = f"[...document.querySelectorAll({sel})].find(e => e.offsetParent)"
                await cdp.send("Runtime.evaluate", expression=f"{visible}.focus()")
            for i in range(scene.frames):
                if scene.scroll_px:
                    await cdp.send(
                        "Runtime.evaluate", expression=f"window.scrollBy(0, {scene.scroll_px})"
                    )
                k, r = divmod(i, max(1, scene.type_every))
                if scene.typed and r == 0 and k < len(scene.typed):
                    await cdp.send("Input.insertText", text=scene.typed[k])
                shot = await cdp.send("Page.captureScreenshot", format="png")
                (frames_dir / f"f{n:05d}.png").write_bytes(base64.b64decode(shot["data"]))
                n += 1
        return n


async def _wait_loaded(cdp: _Cdp, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        res = await cdp.send("Runtime.evaluate", expression="document.readyState")
        if res.get("result", {}).get("value") == "complete":
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("page did not load")


def record(
    scenes: list[Scene],
    dest: Path,
    *,
    width: int = 1280,
    height: int = 720,
    fps: int = 25,
    timeout: float = 300,
) -> Path:
    """Record ``scenes`` in headless Chromium at ``width`` x ``height`` into ``dest``
    (H.264 at CRF 10, a near-lossless mezzanine). Raises RuntimeError without Chromium."""
    exe = chromium_exe()
    if exe is None:
        raise RuntimeError("chromium is not installed (make tools)")
    with tempfile.TemporaryDirectory(prefix="screen-") as tmp:
        work = Path(tmp)
        frames = work / "frames"
        frames.mkdir()
        cmd = [
            exe,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--no-first-run",
            "--allow-file-access-from-files",
            f"--user-data-dir={work / 'profile'}",
            f"--window-size={width},{height}",
            "--remote-debugging-port=0",
            "about:blank",
        ]
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            ws_url = _devtools_url(proc, timeout=60)
            count = asyncio.run(asyncio.wait_for(_record(ws_url, scenes, frames, 30), timeout))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if count == 0:
            raise RuntimeError("no frames recorded")
        dest.parent.mkdir(parents=True, exist_ok=True)
        run(
            [
                "-framerate",
                str(fps),
                "-i",
                str(frames / "f%05d.png"),
                "-vf",
                f"scale={width}:{height}:flags=bicubic,format=yuv420p",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "10",
                "-movflags",
                "+faststart",
                str(dest),
            ],
            timeout=timeout,
        )
    return dest


def _devtools_url(proc: subprocess.Popen, timeout: float) -> str:
    """Read Chromium's stderr until it names its DevTools WebSocket (or give up)."""
    assert proc.stderr is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    buf = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        chunk = proc.stderr.read1(4096)
        if not chunk:
            break
        buf += chunk
        m = _LISTENING.search(buf.decode("utf-8", "replace"))
        if m:
            _drain(proc)
            return m.group(1)
    raise RuntimeError(f"chromium did not start: {buf.decode('utf-8', 'replace')[-500:]}")


def _drain(proc: subprocess.Popen) -> None:
    """Keep reading Chromium's stderr in the background so it never blocks on a full pipe."""

    def drain() -> None:
        assert proc.stderr is not None
        for _ in iter(lambda: proc.stderr.read1(65536), b""):
            pass

    threading.Thread(target=drain, daemon=True).start()
