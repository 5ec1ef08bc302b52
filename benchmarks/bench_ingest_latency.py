"""How long a newcomer waits: seconds from ``POST /logs`` on ``blueprint serve`` (default
settings, a fresh data directory) until ``blueprint logs search`` finds the line, with no
other traffic and no manual ``blueprint ingest``.

Also measured: seconds until the line answers SQL in this process (polled every 0.1 s: the
pipeline alone, seal plus ingest). Baseline, in the same run: the time one ``blueprint logs
search`` takes for a line already in the lake (mostly the CLI starting), so the ratio says how
much of the wait is the pipeline rather than the search itself. Repeated ``--runs`` times.

Last line: ``RESULT post_to_sql_s=<median> post_to_search_s=<median> search_alone_s=<median>
ratio=<x> target_s=10``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "blueprint"
KEY = "bench-admin-key-" + "k" * 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def found(env: dict[str, str], token: str) -> bool:
    out = subprocess.run(
        [str(BIN), "logs", "search", token, "--format", "csv"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return token in out.stdout


def in_lake(lake_dir: Path, token: str) -> bool:
    from warehouse.lake import Lake

    lake = Lake(lake_dir)
    if "logs" not in lake.tables():
        return False
    sql = f"SELECT count(*) FROM logs WHERE message LIKE '%{token}%'"
    return bool(lake.query(sql)[0, 0])


def one_run(data_dir: Path) -> tuple[float, float, float]:
    env = {**os.environ, "BLUEPRINT_DATA_DIR": str(data_dir), "BLUEPRINT_ADMIN_API_KEY": KEY}
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("blueprint serve did not start")
            time.sleep(0.2)
        token = uuid.uuid4().hex
        start = time.monotonic()
        httpx.post(
            base + "/logs?service=bench",
            content=f'{{"level": "error", "message": "checkout {token} failed"}}\n',
            headers={"X-API-Key": KEY, "Content-Type": "application/x-ndjson"},
            trust_env=False,
            timeout=10,
        ).raise_for_status()
        while not in_lake(data_dir / "lake", token):
            if time.monotonic() - start > 60:
                raise SystemExit("the line never reached the lake")
            time.sleep(0.1)
        to_sql = time.monotonic() - start
        while not found(env, token):
            if time.monotonic() - start > 60:
                raise SystemExit("the line never became searchable")
        waited = time.monotonic() - start
        t0 = time.monotonic()
        assert found(env, token)
        return to_sql, waited, time.monotonic() - t0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sqls, waits, searches = [], [], []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            to_sql, waited, search = one_run(Path(tmp))
        print(
            f"run {i + 1}: in SQL after {to_sql:.2f} s, found by `blueprint logs search` "
            f"after {waited:.2f} s (one search alone {search:.2f} s)"
        )
        sqls.append(to_sql)
        waits.append(waited)
        searches.append(search)
    to_sql = statistics.median(sqls)
    wait, search = statistics.median(waits), statistics.median(searches)
    print(
        f"RESULT post_to_sql_s={to_sql:.2f} post_to_search_s={wait:.2f} "
        f"search_alone_s={search:.2f} ratio={wait / search:.2f} target_s=10"
    )


if __name__ == "__main__":
    main()
