"""File-sharing benchmark: chunking speed, deduplication on real releases, delta-sync bytes
and upload speed, each against a baseline measured in the same run.

- Chunking: FastCDC boundaries plus SHA-256 per chunk over a 512 MiB buffer, as a ratio to
  plain SHA-256 over the same bytes (one thread; and pipelined over two threads).
- Dedup: seven consecutive releases of one real project (source distributions from the
  package registry, unpacked to plain tar so compression does not hide what they share; when
  the registry is unreachable, seven consecutive commits of this repository via
  ``git archive``) stored through the file service at an average chunk size of 4 KiB. Stored
  bytes / raw bytes, the same for fixed 4 KiB blocks, and the ratio of their savings. The
  service chunks with the ``fastcdc`` package itself, so "within 5% of fastcdc" holds by
  construction; the direct ``fastcdc`` figure is printed beside it.
- Delta sync: every byte a client sends (plan request, missing chunks, commit request) to
  sync a 1-byte insertion in the middle of a 100 MiB file, against the target: two average
  chunks plus the chunk list.
- Upload: a 1 GiB PUT through the API (``blueprint serve`` in a subprocess, as the platform
  is served by default, on loopback, with encryption at rest on), as a ratio to writing and
  fsyncing the same bytes to a file in the same run.
  The client streams the body from its buffer as ``curl -T`` does (no copy per slice), since
  it shares the machine's cores with the server.

Last line: ``RESULT files_chunk_ratio=<x> files_dedup_ratio=<x> files_dedup_vs_fixed=<x>
files_delta_bytes=<n> files_upload_ratio=<x>``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

from services.files import chunking

RELEASES_PROJECT = "click"
RELEASES = ["8.1.1", "8.1.2", "8.1.3", "8.1.4", "8.1.5", "8.1.6", "8.1.7"]
MiB = 1024 * 1024


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_chunking(mib: int) -> tuple[float, float]:
    data = os.urandom(mib * MiB)
    sha = best_of(2, lambda: hashlib.sha256(data).digest())
    single = best_of(2, lambda: chunking.chunk_bytes(data))
    piped = best_of(2, lambda: chunking.chunk_pipelined(data))
    print(
        f"chunking {mib} MiB: sha256 {mib / sha:.0f} MiB/s, chunk+sha256 {mib / single:.0f} "
        f"MiB/s (ratio {sha / single:.3f}), pipelined {mib / piped:.0f} MiB/s "
        f"(ratio {sha / piped:.3f})"
    )
    return sha / single, sha / piped


def releases(cache: Path) -> tuple[str, list[bytes]]:
    """Plain tar bytes of seven consecutive releases (see the module docstring)."""
    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for version in RELEASES:
        found = list(cache.glob(f"{RELEASES_PROJECT}-{version}.tar.gz"))
        if not found:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    "-d",
                    str(cache),
                    f"{RELEASES_PROJECT}=={version}",
                ],
                check=False,
                timeout=300,
                capture_output=True,
            )
            found = list(cache.glob(f"{RELEASES_PROJECT}-{version}.tar.gz"))
        if not found:
            break
        out.append(gzip.decompress(found[0].read_bytes()))
    if len(out) == len(RELEASES):
        return f"{RELEASES_PROJECT} {RELEASES[0]}..{RELEASES[-1]} sdists", out
    root = Path(__file__).resolve().parents[1]
    out = []
    for back in range(6, -1, -1):
        tar = subprocess.run(
            ["git", "archive", "--format=tar", f"HEAD~{back}"],
            cwd=root,
            check=True,
            timeout=120,
            capture_output=True,
        ).stdout
        out.append(tar)
    return "this repository, HEAD~6..HEAD (git archive)", out


def bench_dedup(cache: Path, work: Path) -> tuple[float, float, float]:
    from services.files.settings import FilesSettings
    from services.files.system import build
    from warehouse.emitter import Emitter, SpoolTransport
    from warehouse.settings import Settings

    label, blobs = releases(cache)
    raw = sum(len(b) for b in blobs)
    settings = Settings(data_dir=work / "dedup")
    emitter = Emitter(SpoolTransport(settings, name="bench-dedup"))
    svc = build(settings, emitter, conf=FilesSettings(avg_chunk_bytes=4096))
    try:
        for i, blob in enumerate(blobs):
            svc.put_file("bench", "release.tar", blob, device=f"r{i}")
        rows = svc.store.chunk_rows()
        with svc.store.engine.connect() as conn:
            from sqlalchemy import func, select

            from services.files.tables import chunks

            stored = int(conn.execute(select(func.sum(chunks.c.size))).scalar_one())
        assert len(rows) > 0
    finally:
        svc.close()
        emitter.close()
    direct = {}
    for blob in blobs:
        for c in chunking.chunk_bytes(blob, 4096):
            direct[c.hash] = c.size
    fixed = {}
    for blob in blobs:
        for c in chunking.fixed_chunks(blob, 4096):
            fixed[c.hash] = c.size
    cdc_ratio, fastcdc_ratio = stored / raw, sum(direct.values()) / raw
    fixed_ratio = sum(fixed.values()) / raw
    vs_fixed = (1 - cdc_ratio) / (1 - fixed_ratio) if fixed_ratio < 1 else float("inf")
    print(
        f"dedup over {label}: raw {raw} bytes; stored/raw: service CDC (avg 4 KiB) "
        f"{cdc_ratio:.3f}, fastcdc directly {fastcdc_ratio:.3f}, fixed 4 KiB blocks "
        f"{fixed_ratio:.3f}; CDC saves {vs_fixed:.2f}x what fixed blocks save"
    )
    return cdc_ratio, vs_fixed, fastcdc_ratio


def _tree_cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _tree_cpu_s(int(child))
    except FileNotFoundError:  # the process (or a thread) ended meanwhile
        return 0.0
    return total


class Server:
    """The API as it is served by default: ``blueprint serve --only files`` (uvicorn with the
    platform's HTTP protocol and limits, see :mod:`services.server`), in a subprocess."""

    def __init__(self, data_dir: Path) -> None:
        from tests.conftest import free_port

        self.port = free_port()
        env = {
            **os.environ,
            "BLUEPRINT_DATA_DIR": str(data_dir),
            "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "100000000",
            "BLUEPRINT_FILES_DEFAULT_QUOTA_BYTES": str(64 * 1024**3),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipelines.cli",
                "serve",
                "--only",
                "files",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        admin = (data_dir / "secrets" / "admin_api_key").read_text(encoding="utf-8").strip()
        resp = httpx.post(
            f"{self.base}/auth/keys",
            json={"user_id": "bench", "roles": ["user"]},
            headers={"X-API-Key": admin},
        )
        self.key = resp.json()["api_key"]

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the server process and its live child processes (the
        chunker of large uploads) have used so far (Linux)."""
        return _tree_cpu_s(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def put_stream(http: httpx.Client, path: str, data: bytes) -> httpx.Response:
    view = memoryview(data)

    def body():
        for i in range(0, len(view), 4 * MiB):
            yield bytes(view[i : i + 4 * MiB])

    return http.put(
        f"/files/content/{path}", content=body(), headers={"Content-Length": str(len(data))}
    )


def put_raw(server: Server, path: str, data: bytes) -> int:
    """PUT ``data`` the way a streaming client (``curl -T``, rclone) does: the body goes from
    the client's buffer to the socket in 4 MiB slices, with no copy in between. Returns the
    status."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    try:
        conn.putrequest("PUT", f"/files/content/{path}")
        conn.putheader("X-API-Key", server.key)
        conn.putheader("Content-Length", str(len(data)))
        conn.endheaders()
        view = memoryview(data)
        for i in range(0, len(view), 4 * MiB):
            conn.sock.sendall(view[i : i + 4 * MiB])
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def bench_delta(http: httpx.Client, mib: int) -> tuple[int, int]:
    data = os.urandom(mib * MiB)
    put_stream(http, "delta.bin", data).raise_for_status()
    etag = http.get("/files/meta/delta.bin").json()["etag"]
    mid = len(data) // 2
    edited = data[:mid] + b"!" + data[mid:]
    avg = chunking.DEFAULT_AVG
    chunks = chunking.chunk_pipelined(edited, avg)
    plan_body = orjson.dumps(
        {"path": "delta.bin", "chunks": [[c.hash, c.size] for c in chunks], "if_match": etag}
    )
    plan = http.post(
        "/files/sync/plan", content=plan_body, headers={"Content-Type": "application/json"}
    )
    plan.raise_for_status()
    sent = len(plan_body)
    by_hash = {c.hash: c for c in chunks}
    for h in plan.json()["missing"]:
        c = by_hash[h]
        body = edited[c.offset : c.offset + c.size]
        http.put(f"/files/chunks/{h}", content=body).raise_for_status()
        sent += len(body)
    commit_body = orjson.dumps(
        {"path": "delta.bin", "plan_id": plan.json()["plan_id"], "if_match": etag}
    )
    http.post(
        "/files/sync/commit", content=commit_body, headers={"Content-Type": "application/json"}
    ).raise_for_status()
    sent += len(commit_body)
    got = hashlib.sha256(http.get("/files/content/delta.bin").content).digest()
    assert got == hashlib.sha256(edited).digest(), "the synced file differs"
    target = 2 * avg + len(plan_body)
    print(
        f"delta sync of a 1-byte insertion in {mib} MiB: {sent} bytes sent "
        f"({len(plan.json()['missing'])} chunks, "
        f"chunk list {len(plan_body)} bytes); target <= {target} (2 average chunks + the list)"
    )
    return sent, target


def bench_upload(http: httpx.Client, work: Path, mib: int, server: Server) -> float:
    data = os.urandom(mib * MiB)
    cpu: dict[str, float] = {}

    def baseline() -> None:
        path = work / "baseline.bin"
        with path.open("wb") as fh:
            view = memoryview(data)
            for i in range(0, len(view), 4 * MiB):
                fh.write(view[i : i + 4 * MiB])
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()

    c0 = time.process_time()
    base = best_of(2, baseline)
    cpu["base"] = (time.process_time() - c0) / 2

    def upload() -> None:
        status = put_raw(server, "upload.bin", data)
        assert status in (200, 201), f"the upload answered {status}"

    s0, c0 = server.cpu_s(), time.process_time()
    api = best_of(1, upload)
    cpu["api"], cpu["client"] = server.cpu_s() - s0, time.process_time() - c0
    print(
        f"upload {mib} MiB: write+fsync {mib / base:.0f} MiB/s, through the API "
        f"{mib / api:.0f} MiB/s (ratio {base / api:.3f}); CPU seconds: write+fsync "
        f"{cpu['base']:.2f}, server {cpu['api']:.2f} (ratio {cpu['base'] / cpu['api']:.3f}), "
        f"client {cpu['client']:.2f}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return base / api


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk-mib", type=int, default=512)
    parser.add_argument("--delta-mib", type=int, default=100)
    parser.add_argument("--upload-mib", type=int, default=1024)
    parser.add_argument(
        "--only", choices=["upload"], help="run only this part (a quick check, no RESULT line)"
    )
    args = parser.parse_args()
    from warehouse.settings import get_settings

    cache = get_settings().data_dir / "bench-files" / "releases"
    work = Path(tempfile.mkdtemp(prefix="bench-files-"))
    if args.only == "upload":
        server = Server(work / "server")
        try:
            with httpx.Client(
                base_url=server.base, headers={"X-API-Key": server.key}, timeout=600
            ) as http:
                bench_upload(http, work, args.upload_mib, server)
        finally:
            server.stop()
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        chunk_ratio, piped_ratio = bench_chunking(args.chunk_mib)
        dedup_ratio, vs_fixed, _ = bench_dedup(cache, work)
        server = Server(work / "server")
        try:
            with httpx.Client(
                base_url=server.base, headers={"X-API-Key": server.key}, timeout=600
            ) as http:
                delta_bytes, _target = bench_delta(http, args.delta_mib)
                upload_ratio = bench_upload(http, work, args.upload_mib, server)
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"chunking pipelined over two threads: ratio {piped_ratio:.3f}")
    print(
        f"RESULT files_chunk_ratio={chunk_ratio:.3f} files_dedup_ratio={dedup_ratio:.3f} "
        f"files_dedup_vs_fixed={vs_fixed:.2f} files_delta_bytes={delta_bytes} "
        f"files_upload_ratio={upload_ratio:.3f}"
    )


if __name__ == "__main__":
    main()
