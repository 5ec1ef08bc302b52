"""The file-tail agent: follows a log file, ships new lines, and checkpoints where it is.

The checkpoint is ``(device, inode, offset, head hash)``, written atomically (temp file, fsync,
rename) only after the lines before ``offset`` are durable in the spool, so a crash re-reads at
most one batch (delivery is at least once). It survives:

- rotation by rename + new file: when the path's inode changes, the old file (still open, or
  found again by inode next to the path after a restart) is drained to its end first;
- truncation (``copytruncate``): the file shrank below the offset, or its first bytes changed,
  so reading restarts at 0.

Each poll reads at most ``max_bytes``; a partial last line waits for its newline, and a line
longer than ``max_line_bytes`` is quarantined rather than buffered without bound.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson

from warehouse.emitter import Emitter
from warehouse.logs.process import LogProcessor, ProcessResult, quarantine_row, ship

HEAD_BYTES = 256


@dataclass
class Checkpoint:
    dev: int = 0
    inode: int = 0
    offset: int = 0
    head: str = ""

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            return cls(**orjson.loads(path.read_bytes()))
        except (FileNotFoundError, orjson.JSONDecodeError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(orjson.dumps(self.__dict__))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _head(fh, offset: int) -> str:
    """Hash of the file's first bytes (up to what was already read): a truncation witness."""
    n = min(offset, HEAD_BYTES)
    return hashlib.blake2b(os.pread(fh.fileno(), n, 0), digest_size=8).hexdigest()


def default_checkpoint_path(data_dir: Path, log_path: Path) -> Path:
    key = hashlib.blake2b(str(log_path.resolve()).encode(), digest_size=8).hexdigest()
    return data_dir / "logs" / "tail" / f"{log_path.name}-{key}.json"


@dataclass
class TailStats:
    lines: int = 0
    quarantined: int = 0
    rotations: int = 0
    truncations: int = 0


class FileTailer:
    """Tails one path. Call ``poll()`` repeatedly (or ``run()``); ``close()`` when done."""

    def __init__(
        self,
        path: Path,
        emitter: Emitter,
        checkpoint_path: Path,
        *,
        processor: LogProcessor | None = None,
        max_bytes: int = 4 * 1024 * 1024,
        max_line_bytes: int = 65_536,
    ) -> None:
        self.path = Path(path)
        self.emitter = emitter
        self.checkpoint_path = Path(checkpoint_path)
        self.processor = processor or LogProcessor(service=self.path.stem)
        self.max_bytes = max(max_bytes, max_line_bytes + 1)  # room for one whole line
        self.max_line_bytes = max_line_bytes
        self.stats = TailStats()
        self.cp = Checkpoint.load(self.checkpoint_path)
        self._fh = None
        self._skipping = False  # inside an over-long line, discarding up to its newline
        self._resume()

    # -- opening and identity ------------------------------------------------------------------
    def _resume(self) -> None:
        """Reopen what the checkpoint points at, even if it was rotated away meanwhile."""
        if not self.cp.inode:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            st = None
        if st is not None and (st.st_dev, st.st_ino) == (self.cp.dev, self.cp.inode):
            self._fh = open(self.path, "rb")  # noqa: SIM115 - kept open across polls
            return
        for sibling in sorted(self.path.parent.glob(self.path.name + "*")):
            s = sibling.stat()
            if (s.st_dev, s.st_ino) == (self.cp.dev, self.cp.inode):
                self._fh = open(sibling, "rb")  # noqa: SIM115 - drained, then closed
                return
        self.cp = Checkpoint()  # the old file is gone: start on the current one

    def _open_current(self) -> bool:
        try:
            self._fh = open(self.path, "rb")  # noqa: SIM115 - kept open across polls
        except FileNotFoundError:
            return False
        st = os.fstat(self._fh.fileno())
        self.cp = Checkpoint(st.st_dev, st.st_ino, 0, "")
        return True

    def _rotated(self) -> bool:
        """The path now names another file than the one we hold open."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return False
        return (st.st_dev, st.st_ino) != (self.cp.dev, self.cp.inode)

    # -- reading ----------------------------------------------------------------------------------
    def poll(self) -> int:
        """Ship what is new; returns how many lines were shipped (or quarantined)."""
        shipped = 0
        for _ in range(4):  # bounded: old file to its end, then the new one
            if self._fh is None and not self._open_current():
                return shipped
            size = os.fstat(self._fh.fileno()).st_size
            if size < self.cp.offset or (
                self.cp.head and _head(self._fh, self.cp.offset) != self.cp.head
            ):
                self.stats.truncations += 1
                self.cp.offset, self.cp.head, self._skipping = 0, "", False
            shipped += self._read_available(size)
            if self._rotated() and 0 < size - self.cp.offset < self.max_line_bytes:
                # The rotated file ends in a line that will never get its newline.
                shipped += self._read_available(size, final=True)
            if self._rotated() and self.cp.offset >= os.fstat(self._fh.fileno()).st_size:
                self._fh.close()
                self._fh = None
                self.stats.rotations += 1
                continue
            break
        return shipped

    def _read_available(self, size: int, *, final: bool = False) -> int:
        if size <= self.cp.offset:
            return 0
        data = os.pread(
            self._fh.fileno(), min(self.max_bytes, size - self.cp.offset), self.cp.offset
        )
        if final and not data.endswith(b"\n"):
            data += b"\n"  # count the unterminated last line as a line
        end = data.rfind(b"\n") + 1
        result = ProcessResult()
        consumed = end
        if end == 0:
            if len(data) < self.max_line_bytes:
                return 0  # a partial line: wait for its newline
            consumed = len(data)  # no newline within the limit: quarantine a prefix, skip on
            if self._skipping:  # still inside the line already quarantined
                self.cp.offset += consumed
                self.cp.save(self.checkpoint_path)
                return 0
            result.quarantined.append(
                quarantine_row(
                    f"line longer than {self.max_line_bytes} bytes",
                    data[:4096].decode("utf-8", "replace"),
                )
            )
            self._skipping = True
        else:
            lines = data[:end].split(b"\n")[:-1]
            if self._skipping:
                lines = lines[1:]  # the tail of the over-long line
                self._skipping = False
            decoded = []
            for raw in lines:
                if len(raw) > self.max_line_bytes:
                    result.quarantined.append(
                        quarantine_row(
                            f"line longer than {self.max_line_bytes} bytes",
                            raw[:4096].decode("utf-8", "replace"),
                        )
                    )
                    continue
                try:
                    decoded.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    reason = "invalid UTF-8"
                    result.quarantined.append(
                        quarantine_row(reason, raw.decode("utf-8", "replace"))
                    )
            result.extend(self.processor.process_lines(decoded))
        ship(self.emitter, result)
        self.cp.offset += consumed
        self.cp.head = _head(self._fh, self.cp.offset)
        self.cp.save(self.checkpoint_path)
        self.stats.lines += len(result.rows)
        self.stats.quarantined += len(result.quarantined)
        return len(result.rows) + len(result.quarantined)

    def run(
        self, stop: threading.Event, interval_s: float = 0.5, max_polls: int | None = None
    ) -> None:
        """Poll until ``stop`` is set (or ``max_polls`` polls have run)."""
        polls = 0
        while not stop.is_set() and (max_polls is None or polls < max_polls):
            while self.poll():  # drain a backlog without sleeping
                pass
            polls += 1
            stop.wait(interval_s)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
