"""Logs encrypted at rest, beside the main data directory (``<data_dir>/at_rest``).

The main run stays plaintext (the default); this short pass ships log lines through the same
processor, spool, ingestion and search with ``encrypt_at_rest`` on, then checks that a marker
string in every line is nowhere on disk in the clear, and that search still finds the lines.
"""

from __future__ import annotations

import shutil
import time

NAME = "logs_at_rest"
LINES = 2_000
MARKER = "at-rest-marker-7c1f"


class _Workload:
    name = NAME
    order = 91  # after the logs workload

    def run(self, ctx) -> None:  # noqa: ANN001
        from warehouse.at_rest import write_key
        from warehouse.emitter import Emitter, SpoolTransport
        from warehouse.ingest import ingest_spool
        from warehouse.lake import Lake
        from warehouse.logs.process import LogProcessor, ship
        from warehouse.logs.search import SearchQuery, search

        root = ctx.settings.data_dir / "at_rest"
        shutil.rmtree(root / "spool", ignore_errors=True)
        shutil.rmtree(root / "lake", ignore_errors=True)
        settings = ctx.settings.model_copy(update={"data_dir": root, "encrypt_at_rest": True})
        key = write_key(root, settings)
        started = time.perf_counter()
        rows = [
            {
                "level": "error" if i % 10 == 0 else "info",
                "msg": f"{MARKER} card ending {1000 + i % 9000} charged",
                "service": "billing",
            }
            for i in range(int(LINES * max(ctx.scale, 0.1)))
        ]
        em = Emitter(SpoolTransport(settings, "workload"))
        ship(em, LogProcessor().process_records(rows))
        em.close()
        spool_clear = _count_marker(root / "spool")
        report = ingest_spool(settings.spool_dir, settings.lake_dir, key=key)
        lake = Lake(settings.lake_dir, key=key)
        found = len(search(lake, SearchQuery(q=MARKER, limit=len(rows))))
        files = list(settings.lake_dir.rglob("*.parquet.enc"))
        ctx.facts[NAME] = {
            "lines": len(rows),
            "ingested": report.rows,
            "found": found,
            "files": len(files),
            "clear_on_disk": spool_clear + _count_marker(settings.lake_dir),
            "key_id": key.key_id,
            "seconds": time.perf_counter() - started,
        }
        if found != len(rows) or ctx.facts[NAME]["clear_on_disk"]:
            raise RuntimeError(f"encryption at rest check failed: {ctx.facts[NAME]}")

    def summarize(self, ctx) -> list[str]:  # noqa: ANN001
        f = ctx.facts.get(NAME)
        if not f:
            return ["not run"]
        return [
            f"{f['lines']} log lines spooled and stored encrypted (key id {f['key_id']}, "
            f"{f['files']} Parquet files), search found {f['found']}, marker in the clear on "
            f"disk: {f['clear_on_disk']} files ({f['seconds']:.1f}s)"
        ]


def _count_marker(folder) -> int:  # noqa: ANN001
    needle = MARKER.encode()
    return sum(1 for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes())


WORKLOAD = _Workload()
