"""Running ffmpeg safely: no stdin, a timeout, stderr drained to a file, no network.

Every call goes through :func:`run`, which wraps the command in ``unshare -n`` (a private,
empty network namespace) when the kernel lets us, and restricts protocols to ``file``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg


class FFmpegError(RuntimeError):
    """ffmpeg failed or timed out; ``stderr`` holds the tail of its log."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The bundled ffmpeg binary (ffmpeg 9 with libx264, libvmaf, the DASH and HLS muxers)."""
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.lru_cache(maxsize=1)
def network_isolation() -> str | None:
    """``"unshare -n"`` when a private network namespace can be created here, else None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    try:
        subprocess.run([unshare, "-n", "true"], check=True, timeout=10, capture_output=True)
    except (subprocess.SubprocessError, OSError):
        return None
    return "unshare -n"


def _prefix() -> list[str]:
    return ["unshare", "-n", "--"] if network_isolation() else []


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(
    args: Sequence[str],
    *,
    timeout: float,
    cwd: Path | None = None,
    check: bool = True,
    on_progress: Callable[[dict[str, str]], None] | None = None,
) -> Result:
    """Run ``ffmpeg <args>`` isolated; raise :class:`FFmpegError` on failure when ``check``.

    With ``on_progress``, ``-progress pipe:1`` blocks are parsed and passed as dicts
    (``out_time_us``, ``speed``, ``progress``...). stderr always goes to a temporary file,
    so a chatty ffmpeg can never block on a full pipe.
    """
    cmd = [*_prefix(), ffmpeg_exe(), "-nostdin", "-hide_banner", "-y"]
    if on_progress is not None:
        cmd += ["-progress", "pipe:1", "-nostats"]
    cmd += list(args)
    with tempfile.TemporaryFile(mode="w+b") as err:
        try:
            if on_progress is None:
                proc = subprocess.run(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    cwd=cwd,
                    timeout=timeout,
                    check=False,
                )
                stdout = proc.stdout.decode("utf-8", "replace")
                code = proc.returncode
            else:
                code, stdout = _run_with_progress(cmd, err, cwd, timeout, on_progress)
        except subprocess.TimeoutExpired as exc:
            err.seek(0)
            raise FFmpegError(f"ffmpeg timed out after {timeout:.0f}s", _tail(err.read())) from exc
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if check and code != 0:
        raise FFmpegError(f"ffmpeg exited with {code}: {_last_line(stderr)}", _tail(stderr))
    return Result(code, stdout, stderr)


def _run_with_progress(cmd, err, cwd, timeout, on_progress) -> tuple[int, str]:
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, cwd=cwd
    )
    expired = threading.Event()

    def _kill() -> None:
        expired.set()
        proc.kill()

    watchdog = threading.Timer(timeout, _kill)
    watchdog.start()
    block: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            key, _, value = raw.decode("utf-8", "replace").strip().partition("=")
            block[key] = value
            if key == "progress":
                on_progress(block)
                block = {}
        code = proc.wait(timeout=timeout)
    except BaseException:
        proc.kill()
        proc.wait(timeout=10)
        raise
    finally:
        watchdog.cancel()
    if expired.is_set():
        raise subprocess.TimeoutExpired(cmd, timeout)
    return code, ""


def _tail(data: bytes | str, n: int = 4000) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[-n:]


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no output"
