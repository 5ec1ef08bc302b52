from __future__ import annotations

from pathlib import Path

import pytest

from media.screen import Scene, chromium_exe, record
from media.shots import count_frames, detect_shots

pytestmark = pytest.mark.skipif(
    chromium_exe() is None, reason="chromium not installed (make tools)"
)


def test_recording_scrolls_types_and_changes_scene(tmp_path: Path) -> None:
    light = tmp_path / "light.html"
    light.write_text(
        "<body style='background:#fff'>"
        + "".join(f"<p>line {i} of a long page</p>" for i in range(200))
        + "<input name=q></body>"
    )
    dark = tmp_path / "dark.html"
    dark.write_text("<body style='background:#123;color:#fc0'><h1>Another page</h1></body>")
    out = record(
        [
            Scene(light.as_uri(), 12, scroll_px=40),
            Scene(dark.as_uri(), 12),
        ],
        tmp_path / "rec.mp4",
        width=320,
        height=240,
    )
    frames = count_frames(out)
    assert frames == 24
    # the page change is a cut the shot splitter finds; the scroll is not
    shots = detect_shots(out, frames, 25.0, min_shot_s=0.2)
    assert [s.start for s in shots] == [0, 12]
