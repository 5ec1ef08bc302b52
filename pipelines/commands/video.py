"""``blueprint video``: admit, transcode and analyse a media file from the command line."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click


@click.group("video")
def cli() -> None:
    """Video streaming (system 3): safe probing, one-pass ABR ladders, per-title analysis."""


def _admit(path: Path, job: Path):
    from media.probe import Rejected, probe

    try:
        return probe(path, job)
    except Rejected as exc:
        click.echo(f"rejected: {exc.reason}", err=True)
        sys.exit(2)


@cli.command("probe")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def probe_cmd(file: Path) -> None:
    """Run the sandboxed admission checks on FILE and print its facts as JSON."""
    with tempfile.TemporaryDirectory(prefix="probe-") as job:
        info = _admit(file, Path(job))
    click.echo(json.dumps(info.to_dict(), indent=1))


@cli.command("ladder")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--preset", default="veryfast", show_default=True, help="libx264 preset.")
def ladder_cmd(file: Path, out_dir: Path, preset: str) -> None:
    """Encode FILE's Apple ladder in one ffmpeg process into OUT_DIR (HLS + DASH, CMAF)."""
    from media.ladder import build_ladder

    with tempfile.TemporaryDirectory(prefix="probe-") as job:
        info = _admit(file, Path(job))
    shown = {"step": -1}

    def progress(fraction: float, block: dict[str, str]) -> None:
        if int(fraction * 10) > shown["step"]:
            shown["step"] = int(fraction * 10)
            click.echo(f"  {fraction:4.0%}  speed {block.get('speed', '?').strip()}")

    result = build_ladder(file, info, out_dir, preset=preset, on_progress=progress)
    for r in result.rungs:
        click.echo(f"{r.width}x{r.height} @ {r.kbps} kbps")
    click.echo(
        f"{result.seconds:.1f}s, {result.realtime_multiple:.2f}x real time; "
        f"play {out_dir / 'master.m3u8'} or {out_dir / 'manifest.mpd'}"
    )


@cli.command("pertitle")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--crfs", default="22,28,34", show_default=True, help="CRF values of the grid.")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the bitrate-VMAF plot (PNG) here.",
)
def pertitle_cmd(file: Path, crfs: str, plot_path: Path | None) -> None:
    """Measure a resolution x CRF grid with VMAF and print the per-title ladder and saving."""
    from media.pertitle import analyse, plot

    with tempfile.TemporaryDirectory(prefix="pertitle-") as work:
        info = _admit(file, Path(work) / "job")
        result = analyse(
            file, info, Path(work) / "grid", crfs=tuple(int(c) for c in crfs.split(","))
        )
    for p in result.chosen:
        click.echo(f"{p.label:>14}  {p.kbps:8.0f} kbps  VMAF {p.vmaf:5.1f}")
    for label, s in result.savings_by_rung.items():
        click.echo(f"saving vs {label}: {s:.1%}")
    click.echo(f"mean saving at equal VMAF: {result.saving}")
    if plot_path is not None:
        click.echo(f"plot: {plot(result, plot_path, file.name)}")
