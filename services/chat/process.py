"""Run the API as a real server process on loopback: what the fault tests, the benchmark
and the workload use to kill a server with SIGKILL mid-stream and start it again on the
same data directory and port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``blueprint serve`` in a child process with its own data directory."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        only: tuple[str, ...] = ("chat",),
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.only = only
        self.env = {
            **os.environ,
            "BLUEPRINT_DATA_DIR": str(self.data_dir),
            "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "10000000",
            "BLUEPRINT_MAX_CONNECTIONS": "20000",
            **(env or {}),
        }
        self.log_path = log_path or self.data_dir / "server.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/chat/ws"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pipelines.cli", "serve", "--port", str(self.port)]
        for name in self.only:
            cmd += ["--only", name]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}); see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1, trust_env=False).status_code == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"server did not start in {timeout} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def admin_key(self) -> str:
        if self.env.get("BLUEPRINT_ADMIN_API_KEY"):
            return self.env["BLUEPRINT_ADMIN_API_KEY"]
        return (self.data_dir / "secrets" / "admin_api_key").read_text(encoding="utf-8").strip()

    def api_key(self, user_id: str) -> str:
        resp = httpx.post(
            f"{self.url}/auth/keys",
            json={"user_id": user_id, "roles": ["user"]},
            headers={"X-API-Key": self.admin_key()},
            timeout=30,
            trust_env=False,
        )
        resp.raise_for_status()
        return resp.json()["api_key"]

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
