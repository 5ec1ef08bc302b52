"""The cost of encryption at rest (``warehouse.at_rest``): encrypted over plaintext, same run.

The same generated log rows go through the three stages twice per round, once plaintext and
once encrypted (the order alternates between rounds), each on a fresh data directory:

- spool: ``SpoolWriter.append`` in batches (AES-GCM per frame when encrypted), fsync included;
- ingest: ``ingest_spool`` of the sealed segments into Parquet (decrypting the frames and
  writing Parquet modular encryption when encrypted);
- query: three log queries through ``Lake`` (DuckDB, decrypting the pages when encrypted).

Each figure is CPU time (``time.process_time``: the machine is shared, so wall time is noisy),
wall time printed beside it. The ratio is encrypted over plaintext: 1.00 = free, 1.20 = 20 %
more CPU. Medians over the rounds are printed: each mode's seconds, and the per-round ratios.
Lake bytes are printed too, with the plaintext lake rewritten in the encrypted files' layout
(pyarrow, one page per column chunk: ``parquet_io.ONE_PAGE_PER_CHUNK``) but not encrypted, to
separate what the layout costs from what encryption costs.

    python -m benchmarks.lake_encryption [--lines 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_logs import make_rows
from warehouse.at_rest import AtRestKey
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.table import LOGS_TABLE
from warehouse.parquet_io import ONE_PAGE_PER_CHUNK, mark_lake
from warehouse.spool import SpoolWriter

QUERIES = {
    "count by service, level": "SELECT service, level, count(*) FROM logs GROUP BY ALL",
    "search a term": "SELECT ts, message FROM logs WHERE message ILIKE '%refused%' "
    "ORDER BY ts DESC LIMIT 50",
    "p99 latency by service": "SELECT service, quantile_cont(CAST(json_extract(attrs, "
    "'$.latency_ms') AS INT), 0.99) FROM logs GROUP BY service",
}
STAGES = ("spool", "ingest", "query")


def _timed(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def one_pass(rows: list[dict], work: Path, key: AtRestKey | None, batch: int) -> dict:
    """CPU and wall seconds of each stage for one mode on a fresh directory."""
    shutil.rmtree(work, ignore_errors=True)
    spool, lake_dir = work / "spool", work / "lake"
    tagged = [{**r, "_table": LOGS_TABLE} for r in rows]

    def spool_rows() -> None:
        writer = SpoolWriter(
            spool, "bench", segment_bytes=64 * 1024 * 1024, max_bytes=1 << 40, key=key
        )
        for i in range(0, len(tagged), batch):
            writer.append(tagged[i : i + batch])
        writer.close()

    report = {}

    def ingest() -> None:
        report["ingest"] = ingest_spool(spool, lake_dir, key=key)

    if key is not None:
        mark_lake(lake_dir, key)
    out = {"spool": _timed(spool_rows), "ingest": _timed(ingest)}
    if report["ingest"].rows != len(rows):
        raise SystemExit(f"ingest stored {report['ingest'].rows} of {len(rows)} rows")
    lake = Lake(lake_dir, key=key)

    def query() -> None:
        with lake.connect() as con:
            for sql in QUERIES.values():
                con.sql(sql).fetchall()

    out["query"] = _timed(query)
    out["bytes"] = sum(p.stat().st_size for p in lake_dir.rglob("*.parquet*"))
    return out


def layout_only_bytes(lake_dir: Path) -> int:
    """The plaintext lake's files rewritten as the encrypted ones are laid out, unencrypted."""
    import polars as pl
    import pyarrow.parquet as pq

    total = 0
    for path in lake_dir.rglob("*.parquet"):
        out = path.with_name(path.name + ".layout")
        pq.write_table(
            pl.read_parquet(path).to_arrow(), out, compression="zstd", **ONE_PAGE_PER_CHUNK
        )
        total += out.stat().st_size
        out.unlink()
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    rows = make_rows(args.lines)
    key = AtRestKey(os.urandom(32))
    ratios: dict[str, list[float]] = {s: [] for s in STAGES}
    runs: dict[str, list[dict]] = {"plain": [], "encrypted": []}
    last: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-enc-") as tmp:
        for r in range(args.rounds):
            modes = [("plain", None), ("encrypted", key)]
            if r % 2:
                modes.reverse()
            for name, k in modes:
                last[name] = one_pass(rows, Path(tmp) / name, k, args.batch)
                runs[name].append(last[name])
            for stage in STAGES:
                ratios[stage].append(last["encrypted"][stage][0] / last["plain"][stage][0])
        layout = layout_only_bytes(Path(tmp) / "plain" / "lake")
    print(f"encryption at rest: {args.lines} log lines, {args.rounds} rounds, CPU time")
    print(
        f"{'stage':<8} {'plain cpu s':>12} {'enc cpu s':>10} {'plain wall s':>13} "
        f"{'enc wall s':>11} {'ratio (cpu)':>12}"
    )

    def med(mode: str, stage: str, i: int) -> float:
        return statistics.median(run[stage][i] for run in runs[mode])

    for stage in STAGES:
        pc, pw = med("plain", stage, 0), med("plain", stage, 1)
        ec, ew = med("encrypted", stage, 0), med("encrypted", stage, 1)
        ratio = statistics.median(ratios[stage])
        print(f"{stage:<8} {pc:>12.3f} {ec:>10.3f} {pw:>13.3f} {ew:>11.3f} {ratio:>11.2f}x")
    for stage in ("spool", "ingest"):
        pc, ec = med("plain", stage, 0), med("encrypted", stage, 0)
        print(
            f"{stage} throughput: plain {args.lines / pc:,.0f} lines/cpu-s, encrypted "
            f"{args.lines / ec:,.0f} lines/cpu-s"
        )
    plain, enc = last["plain"]["bytes"], last["encrypted"]["bytes"]
    print(
        f"lake bytes: plain {plain:,}, encrypted {enc:,} ({enc / plain:.3f}x); the same "
        f"layout unencrypted {layout:,} ({layout / plain:.3f}x), so encryption itself "
        f"{enc / layout:.3f}x"
    )
    print(
        "RESULT encryption at rest (encrypted/plain CPU): "
        + ", ".join(f"{s} {statistics.median(ratios[s]):.2f}x" for s in STAGES)
        + f"; lake bytes {enc / plain:.2f}x"
    )


if __name__ == "__main__":
    main()
