"""kill -9 of the API process in the middle of a tus upload: after a restart the upload's
offset covers only bytes that reached the disk, and the client resumes and completes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from services.tus.protocol import encode_metadata
from tests.conftest import free_port

TUS = {"Tus-Resumable": "1.0.0"}


def start(data_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "BLUEPRINT_DATA_DIR": str(data_dir),
        "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "100000",
    }
    proc = subprocess.Popen(
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
            str(port),
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_upload_resumes_after_kill_9(tmp_path):
    data_dir, port = tmp_path / "data", free_port()
    data = os.urandom(24 * 1024 * 1024)
    proc = start(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    admin = (data_dir / "secrets" / "admin_api_key").read_text(encoding="utf-8").strip()
    key = httpx.post(
        f"{base}/auth/keys", json={"user_id": "u", "roles": ["user"]}, headers={"X-API-Key": admin}
    ).json()["api_key"]
    auth = {**TUS, "X-API-Key": key}
    created = httpx.post(
        f"{base}/files/uploads",
        headers={
            **auth,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": encode_metadata({"path": "big.bin"}),
        },
    )
    assert created.status_code == 201
    path = httpx.URL(created.headers["Location"]).path
    patch = {**auth, "Content-Type": "application/offset+octet-stream"}
    assert (
        httpx.patch(
            f"{base}{path}",
            content=data[: 4 * 1024 * 1024],
            headers={**patch, "Upload-Offset": "0"},
        ).status_code
        == 204
    )

    def slow_body():
        for i in range(4 * 1024 * 1024, len(data), 256 * 1024):
            yield data[i : i + 256 * 1024]
            time.sleep(0.01)

    def send() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.patch(
                f"{base}{path}",
                content=slow_body(),
                headers={**patch, "Upload-Offset": str(4 * 1024 * 1024)},
                timeout=60,
            )

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    sender.join(timeout=60)

    proc = start(data_dir, port)
    try:
        head = httpx.head(f"{base}{path}", headers=auth)
        assert head.status_code == 200
        offset = int(head.headers["Upload-Offset"])
        assert 4 * 1024 * 1024 <= offset < len(data)
        done = httpx.patch(
            f"{base}{path}",
            content=data[offset:],
            headers={**patch, "Upload-Offset": str(offset)},
            timeout=120,
        )
        assert done.status_code == 204, done.text
        got = httpx.get(f"{base}/files/content/big.bin", headers={"X-API-Key": key}, timeout=60)
        assert hashlib.sha256(got.content).digest() == hashlib.sha256(data).digest()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
