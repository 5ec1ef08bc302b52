"""Template-mining accuracy and speed on the Loghub-2k samples, against drain3 in the same run.

Ours reads the raw ``.log`` lines (headers included) through :func:`mine_lines`, the code path of
``blueprint logs mine``; drain3 (default settings) gets only the ``Content`` column, as the
reference. Grouping accuracy is scored against the ground-truth ``EventTemplate`` grouping.
Speed is lines per second of CPU time on one core (process time, so other load on a shared
machine does not count), best of a few repeats.

Run: ``python -m benchmarks.logs_mining [DATA_DIR]``.
"""

from __future__ import annotations

import csv
import logging
import os
import sys
import time
from pathlib import Path

from warehouse.logs.mining import (
    SIM_THRESHOLD,
    SPLIT_MAX_VALUES,
    TemplateMiner,
    grouping_accuracy,
    mine_lines,
    read_lines,
)

DATASETS = ("HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "Apache", "OpenSSH", "Linux")
REPEATS = 3
# Leave-one-dataset-out grid: the miner's two tunable settings around the shipped defaults.
LOO_GRID = tuple((sim, split) for sim in (0.4, 0.5, 0.6, 0.7) for split in (2, 3, 4, 6, 8))


def default_data_dir() -> Path:
    """``$BLUEPRINT_SHARED_DATA/loghub2k`` or ``../shared/data/loghub2k`` from the project root."""
    shared = os.environ.get("BLUEPRINT_SHARED_DATA")
    base = Path(shared) if shared else Path(__file__).resolve().parents[2] / "shared" / "data"
    return base / "loghub2k"


def load_dataset(data_dir: Path, name: str) -> tuple[list[str], list[str], list[str]]:
    """Raw lines, ground-truth templates and ``Content`` messages of one dataset."""
    raw = list(read_lines(data_dir / f"{name}_2k.log"))
    with (data_dir / f"{name}_2k.log_structured_corrected.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        rows = list(csv.DictReader(fh))
    if len(rows) != len(raw):
        raise ValueError(f"{name}: {len(raw)} log lines but {len(rows)} ground-truth rows")
    return raw, [r["EventTemplate"] for r in rows], [r["Content"] for r in rows]


def _ours(raw: list[str]) -> tuple[list[int], float]:
    best = float("inf")
    pred: list[int] = []
    for _ in range(REPEATS):
        t0 = time.process_time()
        pred = [tid for _, tid, _ in mine_lines(raw)]
        best = min(best, time.process_time() - t0)
    return pred, best


def _drain3_once(contents: list[str]) -> list[int]:
    from drain3.template_miner import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    logging.getLogger("drain3").setLevel(logging.ERROR)
    # the same defaults TemplateMiner() uses when no drain3.ini is around
    miner = TemplateMiner(config=TemplateMinerConfig())
    return [miner.add_log_message(c)["cluster_id"] for c in contents]


def _drain3(contents: list[str]) -> tuple[list[int], float]:
    best = float("inf")
    pred: list[int] = []
    for _ in range(REPEATS):
        t0 = time.process_time()
        pred = _drain3_once(contents)
        best = min(best, time.process_time() - t0)
    return pred, best


def measure(data_dir: Path) -> dict:
    """GA per dataset for ours (raw lines) and drain3 (Content), plus lines/s for both."""
    data_dir = Path(data_dir)
    per: dict[str, dict[str, float]] = {}
    n_lines = 0
    t_ours = t_drain = 0.0
    for name in DATASETS:
        raw, truth, contents = load_dataset(data_dir, name)
        pred, dt = _ours(raw)
        dpred, ddt = _drain3(contents)
        n_lines += len(raw)
        t_ours += dt
        t_drain += ddt
        per[name] = {
            "ga": grouping_accuracy(pred, truth),
            "drain3_ga": grouping_accuracy(dpred, truth),
            "templates": len(set(pred)),
            "true_templates": len(set(truth)),
            "lines": len(raw),
        }
    gas = [v["ga"] for v in per.values()]
    dgas = [v["drain3_ga"] for v in per.values()]
    return {
        "per_dataset": per,
        "ga_mean": sum(gas) / len(gas),
        "ga_min": min(gas),
        "lines_per_s": n_lines / t_ours,
        "drain3_ga_mean": sum(dgas) / len(dgas),
        "drain3_lines_per_s": n_lines / t_drain,
    }


def leave_one_out(data_dir: Path, grid: tuple[tuple[float, int], ...] = LOO_GRID) -> dict:
    """Held-out grouping accuracy of each dataset, with settings tuned on the other seven.

    For each held-out dataset the grid point with the best mean GA over the remaining seven is
    chosen (ties go to the shipped defaults, then to the earlier grid point) and scored on the
    held-out one. The held-out scores are what a new log can expect from tuning on ours.
    """
    data = {name: load_dataset(Path(data_dir), name)[:2] for name in DATASETS}
    ga: dict[tuple[float, int], dict[str, float]] = {}
    for sim, split in grid:
        ga[(sim, split)] = {
            name: grouping_accuracy(
                [
                    tid
                    for _, tid, _ in mine_lines(
                        raw, TemplateMiner(sim_threshold=sim, split_max_values=split)
                    )
                ],
                truth,
            )
            for name, (raw, truth) in data.items()
        }
    default = (SIM_THRESHOLD, SPLIT_MAX_VALUES)
    held: dict[str, dict] = {}
    for name in DATASETS:

        def train(point: tuple[float, int], name: str = name) -> tuple[float, bool]:
            rest = [v for k, v in ga[point].items() if k != name]
            return sum(rest) / len(rest), point == default

        best = max(grid, key=train)
        held[name] = {"ga": ga[best][name], "setting": best, "train_ga": train(best)[0]}
    scores = [v["ga"] for v in held.values()]
    return {"per_dataset": held, "mean": sum(scores) / len(scores), "min": min(scores)}


def families(seeds: tuple[int, ...] = (0, 1, 2), n: int = 2000) -> dict:
    """Grouping accuracy on the invented message families, ours (raw lines) and drain3.

    The families (``tests/warehouse/logs/synthetic_messages.py``) stand for styles of logs we
    hold no sample of; each score is the mean over ``seeds`` generated logs of ``n`` lines.
    """
    from tests.warehouse.logs.synthetic_messages import FAMILIES, generate_family

    return _score_generated(FAMILIES, generate_family, seeds, n)


def styles(seeds: tuple[int, ...] = (0, 1, 2), n: int = 2000) -> dict:
    """Grouping accuracy on the invented log styles, ours (raw lines) and drain3.

    The styles (every set of ``tests/warehouse/logs/style_sets.py``) are header layouts
    written from the formats' documented shapes with invented messages, each set held out
    from the fixes before it.
    """
    from tests.warehouse.logs.style_sets import ALL_STYLES as every
    from tests.warehouse.logs.synthetic_styles import generate_style

    return _score_generated(
        every, lambda name, n, seed: generate_style(name, n, seed, every), seeds, n
    )


def long_styles(seed: int = 1, n: int = 20_000) -> dict:
    """Grouping accuracy of ours on every invented style at ``n`` lines (one seed).

    Ten times the lines of :func:`styles` bring the rare shapes a sample of 2,000 seldom shows
    (an 8-digit hex id with no digit, a boot clock still short, a rare event opening a shared
    leaf), each of which can split a frequent event and cost all of its lines.
    """
    from tests.warehouse.logs.style_sets import ALL_STYLES as every
    from tests.warehouse.logs.synthetic_styles import generate_style

    per = {}
    for name in every:
        raw, truth, _ = generate_style(name, n, seed, every)
        per[name] = grouping_accuracy([tid for _, tid, _ in mine_lines(raw)], truth)
    worst = min(per, key=per.get)
    print(
        f"long logs ({n} lines, seed {seed}): mean {sum(per.values()) / len(per):.4f}, "
        f"min {per[worst]:.4f} ({worst})"
    )
    return {"per_style": per, "mean": sum(per.values()) / len(per), "min": per[worst]}


def common_formats(seed: int = 1, n: int = 2000) -> dict:
    """Grouping accuracy of ours on the headers of widely used loggers and daemons, one set of
    invented events under each (``tests/warehouse/logs/common_formats.py``)."""
    from tests.warehouse.logs.common_formats import FORMATS, generate_common

    per = {}
    for name in FORMATS:
        lines, truth = generate_common(name, n, seed)
        per[name] = grouping_accuracy([tid for _, tid, _ in mine_lines(lines)], truth)
    worst = min(per, key=per.get)
    print(
        f"common formats ({len(per)}): mean {sum(per.values()) / len(per):.4f}, "
        f"min {per[worst]:.4f} ({worst})"
    )
    return {"per_format": per, "mean": sum(per.values()) / len(per), "min": per[worst]}


def _score_generated(names, generate, seeds: tuple[int, ...], n: int) -> dict:
    """Mean grouping accuracy per generated log (``generate(name, n, seed)`` gives raw lines,
    truth and messages), ours on the raw lines and drain3 on the messages."""
    per: dict[str, dict[str, float]] = {}
    for name in names:
        ours, ref = [], []
        for seed in seeds:
            raw, truth, messages = generate(name, n, seed)
            ours.append(grouping_accuracy([tid for _, tid, _ in mine_lines(raw)], truth))
            ref.append(grouping_accuracy(_drain3_once(messages), truth))
        per[name] = {"ga": sum(ours) / len(ours), "drain3_ga": sum(ref) / len(ref)}
    gas = [v["ga"] for v in per.values()]
    return {
        "per_family": per,
        "mean": sum(gas) / len(gas),
        "min": min(gas),
        "drain3_mean": sum(v["drain3_ga"] for v in per.values()) / len(per),
    }


def print_families(r: dict, label: str = "family") -> None:
    """One line per invented family (or style): ours and drain3."""
    print(f"{label:<16} {'ours GA':>8} {'drain3 GA':>10}")
    for name, v in r["per_family"].items():
        print(f"{name:<16} {v['ga']:>8.3f} {v['drain3_ga']:>10.3f}")
    print(f"{'mean':<16} {r['mean']:>8.3f} {r['drain3_mean']:>10.3f}")


def print_loo(r: dict) -> None:
    """One line per held-out dataset: its score and the setting the other seven chose."""
    print(f"{'held out':<10} {'GA':>6} {'sim':>5} {'split':>5} {'train GA':>9}")
    for name, v in r["per_dataset"].items():
        sim, split = v["setting"]
        print(f"{name:<10} {v['ga']:>6.3f} {sim:>5.2f} {split:>5d} {v['train_ga']:>9.3f}")
    print(f"leave-one-out: mean {r['mean']:.3f} min {r['min']:.3f}")


def print_report(r: dict) -> None:
    """Per-dataset grouping accuracy for both parsers, and lines/s for both."""
    print(f"{'dataset':<10} {'ours GA':>8} {'drain3 GA':>10} {'templates':>10} {'true':>5}")
    for name, v in r["per_dataset"].items():
        print(
            f"{name:<10} {v['ga']:>8.3f} {v['drain3_ga']:>10.3f} "
            f"{v['templates']:>10d} {v['true_templates']:>5d}"
        )
    print(f"{'mean':<10} {r['ga_mean']:>8.3f} {r['drain3_ga_mean']:>10.3f}")
    print(
        f"lines/s: ours {r['lines_per_s']:,.0f} (raw lines), "
        f"drain3 {r['drain3_lines_per_s']:,.0f} (Content)"
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else default_data_dir()
    if not data_dir.is_dir():
        print(f"loghub2k data not found at {data_dir}; pass its path as the first argument")
        return 2
    r = measure(data_dir)
    print_report(r)
    loo = leave_one_out(data_dir)
    print_loo(loo)
    fam = families()
    print_families(fam)
    sty = styles()
    print_families(sty, "style")
    long = long_styles()
    common = common_formats()
    print(
        f"RESULT logs_ga_mean={r['ga_mean']:.4f} logs_ga_min={r['ga_min']:.4f} "
        f"logs_lines_per_s={r['lines_per_s']:.0f} drain3_ga_mean={r['drain3_ga_mean']:.4f} "
        f"logs_loo_ga_mean={loo['mean']:.4f} logs_loo_ga_min={loo['min']:.4f} "
        f"logs_synth_ga_mean={fam['mean']:.4f} logs_synth_ga_min={fam['min']:.4f} "
        f"logs_styles_ga_mean={sty['mean']:.4f} logs_styles_ga_min={sty['min']:.4f} "
        f"logs_styles_long_ga_mean={long['mean']:.4f} logs_styles_long_ga_min={long['min']:.4f} "
        f"logs_common_formats_ga_min={common['min']:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
