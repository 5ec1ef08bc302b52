"""The quality of a published ladder, measured on the files as served.

Every rendition is assembled from its init segment and media segments, decoded end to end,
its keyframe times compared with the other rungs', its segment durations checked against the
2-second target and its VMAF measured against the source. The findings are written beside
the ladder (``ladder.json``, which the playback API shows) and become the ladder asset's
checks.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media.ladder import SEGMENT_SECONDS
from media.playlists import (
    assemble,
    decodes_cleanly,
    keyframe_times,
    rendition_names,
    segment_duration_problems,
    video_renditions,
)
from media.probe import ProbeInfo
from media.vmaf import vmaf_many
from services.video.renditions import vmaf_floor, write_json


@dataclass
class LadderReport:
    """What was found, per rendition name (``360p``, or ``432p-730k`` when heights repeat)."""

    renditions: int
    decode_errors: dict[str, str] = field(default_factory=dict)
    duration_problems: dict[str, list[Any]] = field(default_factory=dict)
    keyframes: int = 0
    misaligned_rungs: list[str] = field(default_factory=list)
    segments_without_keyframe: list[float] = field(default_factory=list)
    rungs: list[dict[str, Any]] = field(default_factory=list)
    below_floor: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def decodes(self) -> bool:
        return not self.decode_errors

    @property
    def durations_ok(self) -> bool:
        return not self.duration_problems

    @property
    def keyframes_aligned(self) -> bool:
        return not self.misaligned_rungs and not self.segments_without_keyframe

    @property
    def above_floors(self) -> bool:
        return not self.below_floor

    @property
    def vmaf(self) -> dict[str, float]:
        return {r["name"]: r["vmaf"] for r in self.rungs}


def measure_ladder(out: Path, source: Path, info: ProbeInfo, subsample: int = 5) -> LadderReport:
    """Check the ladder published in ``out`` and write its ``ladder.json``."""
    renditions = video_renditions(out)
    names = rendition_names(renditions)
    report = LadderReport(renditions=len(renditions))
    keyframes: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="ladder-check-") as tmp:
        files = []
        for name, r in zip(names, renditions, strict=True):
            f = assemble(out, r, Path(tmp) / f"{name}.mp4")
            files.append(f)
            ok, err = decodes_cleanly(f)
            if not ok:
                report.decode_errors[name] = err[:300]
            bad = segment_duration_problems(r, SEGMENT_SECONDS)
            if bad:
                report.duration_problems[name] = bad[:5]
            keyframes[name] = keyframe_times(f)
        scores = (
            vmaf_many(files, source, info.width, info.height, subsample=subsample) if files else []
        )
    reference = next(iter(keyframes.values()), [])
    starts = {
        round(sum(r.durations[:i]), 3) for r in renditions[:1] for i in range(len(r.segments))
    }
    report.keyframes = len(reference)
    report.misaligned_rungs = [n for n, k in keyframes.items() if k != reference]
    report.segments_without_keyframe = sorted(
        t for t in starts if not any(abs(t - k) < 0.05 for k in reference)
    )
    for name, r, score in zip(names, renditions, scores, strict=True):
        floor = vmaf_floor(r.height)
        report.rungs.append(
            {
                "name": name,
                "width": r.width,
                "height": r.height,
                "kbps": r.bandwidth // 1000,
                "vmaf": score,
                "vmaf_floor": floor,
                "segments": len(r.segments),
            }
        )
        if score < floor:
            report.below_floor[name] = {"vmaf": score, "floor": floor}
    write_json(out / "ladder.json", {"rungs": report.rungs, "segment_seconds": SEGMENT_SECONDS})
    return report
