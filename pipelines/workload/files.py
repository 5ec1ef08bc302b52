"""File-sharing traffic: a real tree (part of the Python documentation when installed, else
this project's own source) synced up by the reference sync client, a few files edited and
synced again by chunk delta, the same tree uploaded by a second user (deduplication across
users), a conflicting edit from a second device, a share link read through a CDN edge, and a
garbage collection. The summary prints the dedup ratio and the bytes sent per byte changed."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import httpx

from pipelines.workload import WorkloadContext
from services.files.client import SyncClient

DOCS = Path("/usr/share/doc/python3/html/library")
SOURCE = Path(__file__).resolve().parents[2] / "services"


def pick_tree(limit_bytes: int, limit_files: int) -> tuple[Path, list[Path]]:
    """The files to upload: the docs' library pages, else our own Python source, largest
    first (so the edited files span several chunks and delta sync has something to skip),
    none above an eighth of ``limit_bytes``, up to ``limit_bytes`` and ``limit_files`` (the
    API's rate limit is per key)."""
    root, pattern = (DOCS, "*.html") if DOCS.is_dir() else (SOURCE, "*.py")
    picked, total = [], 0
    for path in sorted(root.rglob(pattern), key=lambda p: (-p.stat().st_size, p.as_posix())):
        size = path.stat().st_size
        if size > limit_bytes // 8 or total + size > limit_bytes or len(picked) >= limit_files:
            continue
        picked.append(path)
        total += size
    return root, picked


def edit_middle(path: Path, insert: bytes) -> int:
    """Insert ``insert`` in the middle of ``path``; returns the bytes changed."""
    data = path.read_bytes()
    mid = len(data) // 2
    path.write_bytes(data[:mid] + insert + data[mid:])
    return len(insert)


class Keyed:
    """The workload's client, with one user's API key on every request."""

    def __init__(self, client: httpx.Client, key: str) -> None:
        self.client = client
        self.key = key

    def request(self, method: str, url: str, **kw) -> httpx.Response:
        """One request; a 429 from the platform's per-key limit is waited out (≤ 60 s)."""
        headers = {**(kw.pop("headers", None) or {}), "X-API-Key": self.key}
        waited = 0.0
        while True:
            resp = self.client.request(method, url, headers=headers, **kw)
            if resp.status_code != 429 or waited >= 60:
                return resp
            pause = min(float(resp.headers.get("Retry-After", "1")), 5.0)
            time.sleep(pause)
            waited += pause

    def get(self, url: str, **kw) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw) -> httpx.Response:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw) -> httpx.Response:
        return self.request("PUT", url, **kw)

    def delete(self, url: str, **kw) -> httpx.Response:
        return self.request("DELETE", url, **kw)


class FilesWorkload:
    name = "files"
    order = 45

    def run(self, ctx: WorkloadContext) -> None:
        limit = max(2, int(16 * ctx.scale)) * 1024 * 1024
        root, files = pick_tree(limit, max(20, int(120 * ctx.scale)))
        facts: dict = {"source": str(root), "files": len(files)}
        work = Path(tempfile.mkdtemp(prefix="files-workload-"))
        try:
            local = work / "laptop"
            for f in files:
                dst = local / f.relative_to(root)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dst)
            facts["bytes"] = sum(f.stat().st_size for f in files)
            alice = self._http(ctx, "files-alice")
            remote = f"docs-{time.strftime('%Y%m%d-%H%M%S')}"  # a fresh folder each run
            facts["remote"] = remote
            laptop = SyncClient(alice, local, remote, device="laptop")
            first = laptop.sync()
            facts["first_sync"] = first.public()
            ctx.log(f"files: synced {len(first.uploaded)} files, {first.bytes_sent} bytes sent")

            # the synced files, not the client's own state file beside them
            mine = (local / f.relative_to(root) for f in files)
            edited = sorted(mine, key=lambda p: -p.stat().st_size)[:5]
            mark = f"<!-- edited by the workload in {remote} -->".encode()  # new bytes each run
            changed = sum(edit_middle(p, mark) for p in edited)
            second = SyncClient(alice, local, remote, device="laptop").sync()
            facts["edit_sync"] = {**second.public(), "edit_bytes": changed}
            ctx.log(
                f"files: {len(edited)} edits ({changed} bytes) synced with "
                f"{second.bytes_sent} bytes sent"
            )

            phone = work / "phone"
            phone.mkdir()
            SyncClient(alice, phone, remote, device="phone").sync()
            target = edited[0].relative_to(local)
            edit_middle(phone / target, b"phone edit ")
            SyncClient(alice, phone, remote, device="phone").sync()
            edit_middle(local / target, b"laptop edit ")
            conflict = SyncClient(alice, local, remote, device="laptop").sync()
            facts["conflicts"] = conflict.conflicts

            bob = self._http(ctx, "files-bob")
            for f in files[: max(1, len(files) // 2)]:
                rel = f.relative_to(root).as_posix()
                bob.put(f"/files/content/{remote}/{rel}", content=f.read_bytes())
            facts["bob_files"] = max(1, len(files) // 2)

            link = alice.post(
                "/files/shares", json={"path": f"{remote}/{target.as_posix()}", "rights": "read"}
            ).json()
            facts["share"] = self._through_cdn(ctx, link["token"])
            gc = ctx.client.post("/files/gc", headers=ctx.admin_headers)
            facts["gc"] = gc.json() if gc.status_code == 200 else gc.text
        finally:
            shutil.rmtree(work, ignore_errors=True)
        ctx.facts["files"] = facts

    def _http(self, ctx: WorkloadContext, user: str) -> Keyed:
        return Keyed(ctx.client, ctx.api_key(user))

    def _through_cdn(self, ctx: WorkloadContext, token: str) -> str:
        """Serve the app on loopback (the same app object, so the same services), put a CDN
        edge in front of it, and read the share link through the edge twice."""
        import uvicorn

        from services.cdn.process import free_port, start_edge

        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                ctx.client.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        seen = []
        try:
            with (
                start_edge(
                    f"http://127.0.0.1:{port}", settings=ctx.settings, ready_timeout=90
                ) as edge,
                httpx.Client(timeout=30, trust_env=False) as http,
            ):
                for _ in range(2):
                    resp = http.get(f"{edge.url}/files/s/{token}/content")
                    cache = resp.headers.get("x-cache", "?").split(" ")[0]
                    seen.append(f"{resp.status_code} {cache} {len(resp.content)}B")
        except Exception as exc:  # noqa: BLE001 - the summary says what failed
            seen.append(f"edge failed: {exc}")
        finally:
            server.should_exit = True
            thread.join(timeout=10)
        return ", ".join(seen)

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        facts = ctx.facts.get("files")
        if not facts:
            return ["no file traffic"]
        dedup = ctx.client.app.state.services["files"]
        from services.files.analytics import dedup_table

        table = dedup_table(dedup)
        overall = table.filter(table["user"] == "*").row(0, named=True)
        edit = facts["edit_sync"]
        per_byte = edit["bytes_sent"] / max(edit["edit_bytes"], 1)
        lines = [
            f"tree: {facts['files']} files, {facts['bytes']} bytes from {facts['source']}; "
            f"first sync sent {facts['first_sync']['bytes_sent']} bytes",
            f"edit sync: {edit['edit_bytes']} bytes changed in {edit['uploaded']} files, "
            f"{edit['bytes_sent']} bytes sent ({per_byte:.0f} bytes sent per byte changed; "
            f"{edit['bytes_sent'] / max(edit['bytes_total'], 1):.4f} of the files' bytes)",
            f"dedup ratio {overall['dedup_ratio']:.2f} (logical {overall['logical_bytes']} / "
            f"stored {overall['stored_bytes']} bytes, a second user mirrored "
            f"{facts['bob_files']} files)",
            f"conflict copies: {', '.join(facts['conflicts']) or 'none'}",
            f"share link through the CDN: {facts['share']}",
            f"gc: {facts['gc']}",
        ]
        return lines


WORKLOAD = FilesWorkload()
