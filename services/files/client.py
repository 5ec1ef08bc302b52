"""The reference sync client: keeps a local folder and a remote folder in step, both ways,
through the delta-sync API (``blueprint files sync LOCAL_DIR --remote PATH``).

State lives in ``LOCAL_DIR/.blueprint-sync.json``: for every synced file, the ETag and the
size and mtime it had when last synced. One pass:

1. **push** local changes: a new or changed file is chunked locally (FastCDC, as the server
   does), the server is asked which chunks it lacks (``/files/sync/plan``), only those are
   sent, then the version is committed with ``If-Match`` the last synced ETag. If someone
   else changed the file since, the server keeps theirs and stores ours as a conflict copy
   (never a silent overwrite). A file deleted locally is deleted remotely (``If-Match``
   again, so a remote edit is not lost). A rename is a delete plus a create whose chunks the
   server already holds, so no content bytes are sent again.
2. **pull** remote changes: files whose remote ETag moved (and conflict copies) are
   downloaded; files deleted remotely are deleted locally if unchanged locally.

Requests the platform's rate limit answers with 429 are retried after ``Retry-After``.
Counters say what moved: ``bytes_sent`` (chunk bytes uploaded) and ``bytes_changed`` (the
size of the edits, measured as the bytes of new chunks against the previous version) are
reported to the server with each commit, which logs them as ``sync`` events.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from services.files import chunking
from services.files.delta import chunk_records

STATE_FILE = ".blueprint-sync.json"
#: Missing chunks are sent several to a request (one pack on the server) up to about this
#: many bytes, under the server's per-request limit (its largest chunk size, 8 MiB).
CHUNK_BATCH_BYTES = 4 * 1024 * 1024


@dataclass
class SyncReport:
    uploaded: list[str] = field(default_factory=list)
    downloaded: list[str] = field(default_factory=list)
    deleted_remote: list[str] = field(default_factory=list)
    deleted_local: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    bytes_sent: int = 0
    chunks_sent: int = 0
    bytes_changed: int = 0
    bytes_total: int = 0

    def public(self) -> dict[str, Any]:
        return {k: (len(v) if isinstance(v, list) else v) for k, v in self.__dict__.items()}


class SyncError(RuntimeError):
    pass


def _check(resp: httpx.Response, *ok: int) -> httpx.Response:
    if resp.status_code not in ok:
        raise SyncError(
            f"{resp.request.method} {resp.request.url.path}: {resp.status_code} {resp.text[:300]}"
        )
    return resp


class _Polite:
    """An HTTP client that waits out 429 answers (``Retry-After``), up to ``patience_s``."""

    def __init__(self, http: httpx.Client, patience_s: float = 120.0) -> None:
        self.http = http
        self.patience_s = patience_s

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        waited = 0.0
        while True:
            resp = self.http.request(method, url, **kw)
            if resp.status_code != 429 or waited >= self.patience_s:
                return resp
            try:
                pause = min(float(resp.headers.get("Retry-After", "1")), 10.0)
            except ValueError:
                pause = 1.0
            time.sleep(pause)
            waited += pause

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", url, **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", url, **kw)


class SyncClient:
    """Sync one local folder with one remote folder over ``http`` (an authenticated client
    whose base URL is the API)."""

    def __init__(
        self,
        http: httpx.Client,
        local: Path,
        remote: str,
        *,
        device: str = "cli",
        avg_chunk: int = chunking.DEFAULT_AVG,
    ) -> None:
        self.http = _Polite(http)
        self.local = Path(local)
        self.remote = remote.strip("/")
        self.device = device
        self.avg = avg_chunk
        self.state_path = self.local / STATE_FILE
        self.state: dict[str, dict[str, Any]] = {}
        if self.state_path.exists():
            self.state = json.loads(self.state_path.read_text(encoding="utf-8"))["files"]
        self._chunks: dict[str, list[str]] = {}

    # ---- helpers ------------------------------------------------------------------------
    def _remote(self, rel: str) -> str:
        return f"{self.remote}/{rel}" if self.remote else rel

    def _save(self) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"files": self.state}, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.state_path)

    def local_files(self) -> dict[str, os.stat_result]:
        out = {}
        for path in sorted(self.local.rglob("*")):
            if path.is_file() and not path.name.startswith(STATE_FILE):
                out[path.relative_to(self.local).as_posix()] = path.stat()
        return out

    def remote_files(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        stack = [self.remote]
        while stack:
            folder = stack.pop()
            resp = self.http.get("/files/list", params={"path": folder})
            if resp.status_code == 404 and folder == self.remote:
                return {}
            for e in _check(resp, 200).json():
                if e["kind"] == "dir":
                    stack.append(e["path"])
                else:
                    rel = e["path"][len(self.remote) + 1 :] if self.remote else e["path"]
                    out[rel] = e
        return out

    def _changed(self, rel: str, st: os.stat_result) -> bool:
        known = self.state.get(rel)
        return known is None or known["size"] != st.st_size or known["mtime"] != st.st_mtime_ns

    # ---- push ---------------------------------------------------------------------------
    def push_file(self, rel: str, report: SyncReport) -> None:
        path = self.local / rel
        data = path.read_bytes()
        st = path.stat()
        chunks = chunking.chunk_bytes(data, self.avg)
        pairs = [[c.hash, c.size] for c in chunks]
        known = self.state.get(rel)
        before = set(known.get("chunks", [])) if known else set()
        body: dict[str, Any] = {"path": self._remote(rel), "chunks": pairs}
        if known:
            body["if_match"] = known["etag"]
        plan = self.http.post("/files/sync/plan", json=body)
        if plan.status_code == 412:  # changed remotely since: commit will make a copy
            plan = self.http.post("/files/sync/plan", json={**body, "if_match": None})
        planned = _check(plan, 200).json()
        missing = set(planned["missing"])
        by_hash = {c.hash: c for c in chunks}
        batch: list[bytes] = []
        for h in sorted(missing):
            c = by_hash[h]
            batch.append(data[c.offset : c.offset + c.size])
            report.bytes_sent += c.size
            report.chunks_sent += 1
            if sum(len(b) for b in batch) >= CHUNK_BATCH_BYTES:
                _check(self.http.post("/files/chunks", content=chunk_records(batch)), 200)
                batch = []
        if batch:
            _check(self.http.post("/files/chunks", content=chunk_records(batch)), 200)
        changed = sum(c.size for c in {c.hash: c for c in chunks if c.hash not in before}.values())
        commit = {
            "path": body["path"],
            "plan_id": planned["plan_id"],
            "if_match": body.get("if_match"),
            "if_none_match": known is None,
            "device": self.device,
            "on_conflict": "copy",
            "bytes_changed": changed,
        }
        resp = self.http.post("/files/sync/commit", json=commit)
        out = _check(resp, 200).json()
        report.bytes_changed += changed
        report.bytes_total += len(data)
        if out["conflict_copy"]:
            report.conflicts.append(out["path"])
            return  # ours went to a copy; pull brings theirs and the copy
        self.state[rel] = {
            "etag": out["etag"],
            "size": st.st_size,
            "mtime": st.st_mtime_ns,
            "chunks": sorted({c.hash for c in chunks}),
        }
        report.uploaded.append(rel)

    # ---- one pass -----------------------------------------------------------------------
    def sync(self) -> SyncReport:
        report = SyncReport()
        local = self.local_files()
        for rel, st in local.items():
            if self._changed(rel, st):
                self.push_file(rel, report)
        for rel in sorted(set(self.state) - set(local)):
            resp = self.http.delete(
                f"/files/content/{self._remote(rel)}",
                headers={"If-Match": f'"{self.state[rel]["etag"]}"'},
            )
            if resp.status_code in (204, 404):
                report.deleted_remote.append(rel)
                del self.state[rel]
            elif resp.status_code != 412:  # 412: edited remotely: pull brings it back
                _check(resp, 204)
        self._save()
        remote = self.remote_files()
        for rel, entry in remote.items():
            known = self.state.get(rel)
            if known and known["etag"] == entry["etag"]:
                continue
            target = self.local / rel
            resp = _check(self.http.get(f"/files/content/{entry['path']}"), 200)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(resp.content)
            st = target.stat()
            self.state[rel] = {
                "etag": entry["etag"],
                "size": st.st_size,
                "mtime": st.st_mtime_ns,
                "chunks": [c.hash for c in chunking.chunk_bytes(resp.content, self.avg)],
            }
            report.downloaded.append(rel)
        for rel in sorted(set(self.state) - set(remote)):
            target = self.local / rel
            if target.exists() and not self._changed(rel, target.stat()):
                target.unlink()
                report.deleted_local.append(rel)
            del self.state[rel]
        self._save()
        return report
