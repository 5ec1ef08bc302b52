"""VMAF with the bundled ffmpeg's libvmaf, the distorted side scaled up to the source size.

:func:`vmaf_many` scores several encodes in one ffmpeg process: the reference is decoded
once and split to one libvmaf instance per encode.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from media.ffmpeg import run


def vmaf_many(
    distorted: list[Path],
    reference: Path,
    width: int,
    height: int,
    *,
    subsample: int = 1,
    threads: int = 2,
    timeout: float = 900,
) -> list[float]:
    """Mean VMAF (0-100) of each of ``distorted`` against ``reference`` at ``width``x``height``."""
    if not distorted:
        return []
    n = len(distorted)
    with tempfile.TemporaryDirectory(prefix="vmaf-") as tmp:
        fmt = f"scale={width}:{height}:flags=bicubic,format=yuv420p,setpts=PTS-STARTPTS"
        parts = [f"[0:v]{fmt},split={n}" + "".join(f"[r{i}]" for i in range(n))]
        for i in range(n):
            parts.append(f"[{i + 1}:v]{fmt}[d{i}]")
            parts.append(
                f"[d{i}][r{i}]libvmaf=n_threads={threads}:n_subsample={subsample}"
                f":log_fmt=json:log_path=v{i}.json[o{i}]"
            )
        args = ["-protocol_whitelist", "file", "-i", f"file:{reference.resolve()}"]
        for path in distorted:
            args += ["-i", f"file:{path.resolve()}"]
        args += ["-filter_complex", ";".join(parts)]
        for i in range(n):
            args += ["-map", f"[o{i}]", "-f", "null", "-"]
        run(args, timeout=timeout, cwd=Path(tmp))
        scores = []
        for i in range(n):
            data = json.loads((Path(tmp) / f"v{i}.json").read_text(encoding="utf-8"))
            scores.append(round(float(data["pooled_metrics"]["vmaf"]["mean"]), 3))
    return scores


def vmaf(distorted: Path, reference: Path, width: int, height: int, **kwargs) -> float:
    """Mean VMAF of one encode against the reference."""
    return vmaf_many([distorted], reference, width, height, **kwargs)[0]
