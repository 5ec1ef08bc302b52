"""Headless Chromium driven over the Chrome DevTools Protocol, and the player page the tests
load through a CDN edge (hls.js or dash.js inlined, so one HTML file is the whole app)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]


def player_libs() -> Path | None:
    """Install hls.js and dash.js from npm (once) and return their node_modules, or None."""
    try:
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts" / "install-players.sh")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=400,
            stdin=subprocess.DEVNULL,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return (ROOT / proc.stdout.strip() / "node_modules").resolve()


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>player</title>
<script>__LIB__</script></head><body><video id="v" muted playsinline width="640"></video>
<script>
const R = {started: false, levels: [], errors: [], fatal: null, time: 0, switched: false,
           supported: MediaSource.isTypeSupported('video/mp4; codecs="avc1.640015"')};
window.__result = R;
const v = document.getElementById("v");
const q = new URLSearchParams(location.search);
const src = q.get("src");
v.addEventListener("playing", () => { R.started = true; });
v.addEventListener("timeupdate", () => { R.time = v.currentTime; });
function seen(level) { if (!R.levels.includes(level)) R.levels.push(level); }
if (q.get("mode") === "hls") {
  const hls = new Hls({startLevel: 0, capLevelToPlayerSize: false});
  hls.on(Hls.Events.FRAG_LOADED, (e, d) => {
    if (d.frag.type !== "main") return;
    seen(d.frag.level);
    if (!R.switched) { R.switched = true; hls.nextLevel = hls.levels.length - 1; }
  });
  hls.on(Hls.Events.ERROR, (e, d) => {
    R.errors.push(d.details); if (d.fatal) R.fatal = d.details;
  });
  hls.loadSource(src); hls.attachMedia(v);
  hls.on(Hls.Events.MANIFEST_PARSED, () => { R.renditions = hls.levels.length; v.play(); });
} else {
  const p = dashjs.MediaPlayer().create();
  p.updateSettings({streaming: {abr: {autoSwitchBitrate: {video: false},
                                      initialBitrate: {video: 1}}}});
  const ev = dashjs.MediaPlayer.events;
  p.on(ev.FRAGMENT_LOADING_COMPLETED, (e) => {
    if (!e.request || e.request.mediaType !== "video" || e.request.type !== "MediaSegment") return;
    seen(e.request.representationId);
    if (!R.switched) {
      R.switched = true;
      R.renditions = p.getBitrateInfoListFor("video").length;
      p.setQualityFor("video", R.renditions - 1, true);
    }
  });
  p.on(ev.ERROR, (e) => { const m = JSON.stringify(e.error || e).slice(0, 200);
                          R.errors.push(m); R.fatal = m; });
  p.on(ev.PLAYBACK_ERROR, (e) => { R.fatal = "playback error"; });
  p.initialize(v, src, true);
}
</script></body></html>"""


def player_page(libs: Path, mode: str) -> str:
    lib = (
        libs / ("hls.js/dist/hls.min.js" if mode == "hls" else "dashjs/dist/dash.all.min.js")
    ).read_text(encoding="utf-8")
    return PAGE.replace("__LIB__", lib.replace("</script", "<\\/script"))


class Chromium:
    """One headless browser with a fresh profile; ``evaluate`` runs JS in its first tab."""

    def __init__(self, binary: str, extra_flags: tuple[str, ...] = ()) -> None:
        # Chromium's helper processes may still be writing to the profile as the browser
        # exits; a leftover temp directory is not what the player tests are about.
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True)
        self.log = open(Path(self.profile.name) / "stderr.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [binary, *FLAGS, *extra_flags, f"--user-data-dir={self.profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,  # its own process group: close() ends its helpers too
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=5, trust_env=False).json()
        from websockets.sync.client import connect

        target = next(p for p in pages if p["type"] == "page")
        self.ws = connect(target["webSocketDebuggerUrl"], max_size=None, proxy=None)
        self._id = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return res.get("result", {}).get("value")

    def screenshot(self, path: Path) -> None:
        """The page as it looks now, as a PNG."""
        import base64

        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def wait_for(self, expression: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value and value.get("done"):
                return value
            time.sleep(0.25)
        return value

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # helpers left in the browser's group
        self.log.close()
        self.profile.cleanup()
