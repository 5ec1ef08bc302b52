"""Live streams: a stream key per broadcast, an RTMP listener per stream, VOD when it ends.

A user creates a stream and gets its key and RTMP URL; the desk starts one ffmpeg listener
(:func:`media.live.live_command`) on a free loopback port. While the broadcaster pushes, the
ladder's HLS playlists and segments appear in the video's rendition folder, which the CDN
origin already serves (``/videos/<id>/master.m3u8``, playlists with short TTLs); the API also
serves them at ``/videos/live/<id>/<file>``. When the broadcaster disconnects, drops, or the
owner ends the stream, the playlists are closed with ``#EXT-X-ENDLIST``, the copy of what was
pushed passes the same admission probe as an upload, and the video is registered: the
transcoding pipeline then builds its full ladder, thumbnails and DASH like any upload.

A push that cannot become a video (garbage on the port, a codec outside the allow-list, no
audio track, nothing before the end) leaves the stream ``failed`` with the reason, and its
files removed: nothing half-registered. A publish under another stream key is refused (the
connection is dropped) and the listener starts again for the real broadcaster.

Streams run in the process that created them: ending a stream must reach that process.
"""

from __future__ import annotations

import collections
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy import update as sql_update

from media.live import (
    DEFAULT_RUNGS,
    close_playlists,
    codec_problem,
    ingest_url,
    key_mismatch,
    live_command,
    segment_count,
)
from media.probe import Limits, Rejected, probe
from services.errors import Conflict, NotFound
from services.video.ingest import rendition_dir, source_path, video_root
from services.video.store import Video, VideoStore
from services.video.text import check_name
from warehouse.emitter import Emitter
from warehouse.settings import Settings

metadata = MetaData()
streams = Table(
    "video_live_streams",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(128), nullable=False, index=True),
    Column("title", String(300), nullable=False),
    Column("stream_key", String(64), nullable=False),
    Column("port", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # waiting | live | ended | failed
    Column("reason", Text),
    Column("refused_pushes", Integer, nullable=False, default=0),
    Column("created", Float, nullable=False),
    Column("ended", Float),
)
OPEN_STATES = ("waiting", "live")
LIVE_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}
#: Live playlists change every segment: a second at the edge, then revalidate.
PLAYLIST_CACHE = "public, max-age=1, stale-while-revalidate=2"
SEGMENT_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class LiveFile:
    path: Path
    media_type: str
    cache_control: str


@dataclass(frozen=True)
class LiveStream:
    id: str
    user_id: str
    title: str
    stream_key: str
    rtmp_url: str
    state: str
    reason: str | None
    refused_pushes: int
    created: float
    ended: float | None

    @property
    def video_id(self) -> str | None:
        """The VOD this stream became (same id), once ended."""
        return self.id if self.state == "ended" else None


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    """True once a socket listens on ``port`` (read from ``/proc/net/tcp*``: connecting to
    check would use up the listener's one connection)."""
    hex_port = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) > 3 and cols[1].endswith(hex_port) and cols[3] == "0A":
                return True
    return False


def wait_listening(port: int, proc: subprocess.Popen[str], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not listening(port) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


class _Runner:
    """One stream's ffmpeg listener, restarted after a publish under a wrong key."""

    def __init__(self, desk: LiveDesk, stream: LiveStream) -> None:
        self.desk = desk
        self.stream = stream
        self.proc: subprocess.Popen[str] | None = None
        self.stop_requested = threading.Event()
        self.done = threading.Event()
        self.listening = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"live-{stream.id}", daemon=True)

    def stop(self) -> None:
        """Ask ffmpeg to finish (SIGINT: it writes ENDLIST and closes its files)."""
        self.stop_requested.set()
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)

    def _spawn(self) -> subprocess.Popen[str]:
        d = self.desk
        out, src = d.out_dir(self.stream.id), d.live_source(self.stream.id)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        src.parent.mkdir(parents=True, exist_ok=True)
        cmd = live_command(
            host=d.host,
            port=d.port_of(self.stream.id),
            key=self.stream.stream_key,
            out_dir=out,
            source=src,
            rungs=d.rungs,
            wait_s=int(d.wait_s),
        )
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        wait_listening(d.port_of(self.stream.id), proc)
        self.listening.set()
        return proc

    def _run(self) -> None:
        try:
            reason = None
            refused_before = False
            while True:
                self.proc = proc = self._spawn()
                if refused_before:  # counted once the listener is back for the broadcaster
                    self.desk._refused(self.stream.id)
                if self.stop_requested.is_set():
                    proc.send_signal(signal.SIGINT)
                tail: collections.deque[str] = collections.deque(maxlen=30)
                refused = reason = None
                assert proc.stderr is not None
                for line in proc.stderr:
                    tail.append(line.rstrip())
                    if key_mismatch(line):
                        refused = line.strip()
                        proc.kill()
                    elif (problem := codec_problem(line)) is not None and reason is None:
                        reason = problem
                        proc.kill()
                    elif line.startswith("Input #0") and refused is None:
                        self.desk._set(self.stream.id, state="live")
                code = proc.wait()
                refused_before = refused is not None
                if refused_before and not self.stop_requested.is_set():
                    continue
                if (
                    reason is None
                    and code != 0
                    and segment_count(self.desk.out_dir(self.stream.id)) == 0
                ):
                    reason = _why(tail)
                break
            self.desk._finish(self.stream, reason)
        except Exception as exc:  # a stream must never stay open after its runner died
            self.desk._fail(self.stream.id, f"live transcoder failed: {exc}")
        finally:
            self.done.set()


def _why(tail: collections.deque[str]) -> str:
    text = "\n".join(tail)
    if "matches no streams" in text and "0:a:0" in text:
        return "the stream has no audio track: push H.264 video with AAC audio"
    if "Connection timed out" in text or "timeout" in text.lower():
        return "no broadcaster connected in time"
    lines = [ln for ln in tail if ln.strip() and not ln.startswith(" ")]
    last = lines[-1][:200] if lines else "no output"
    return f"the pushed stream could not be read as RTMP/FLV ({last})"


class LiveDesk:
    """Creates, runs and ends live streams of the video system."""

    def __init__(
        self,
        engine: Engine,
        store: VideoStore,
        emitter: Emitter,
        settings: Settings,
        *,
        limits: Limits,
        host: str = "127.0.0.1",
        wait_s: float = 120.0,
        max_open: int = 2,
        rungs=DEFAULT_RUNGS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.store = store
        self.emitter = emitter
        self.settings = settings
        self.limits = limits
        self.host = host
        self.wait_s = wait_s
        self.max_open = max_open
        self.rungs = rungs
        self.clock = clock
        self.runners: dict[str, _Runner] = {}
        self._lock = threading.Lock()
        metadata.create_all(engine)

    # -- where a stream's files live ----------------------------------------------------------
    def out_dir(self, stream_id: str) -> Path:
        """The live HLS ladder: the video's rendition folder, served by the CDN origin."""
        return rendition_dir(self.settings, stream_id)

    def live_source(self, stream_id: str) -> Path:
        return video_root(self.settings) / "live" / stream_id / "source.ts"

    def port_of(self, stream_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(streams.c.port).where(streams.c.id == stream_id)
            ).scalar_one()

    # -- the API ------------------------------------------------------------------------------
    def create(self, user_id: str, title: str) -> LiveStream:
        """A new stream with its key, listening for the broadcaster from now on (409 past
        ``max_open`` open streams of the user: each holds a port and a transcoder)."""
        with self.engine.connect() as conn:
            open_now = conn.execute(
                select(func.count())
                .select_from(streams)
                .where(streams.c.user_id == user_id, streams.c.state.in_(OPEN_STATES))
            ).scalar_one()
        if open_now >= self.max_open:
            raise Conflict(f"{open_now} live streams open: end one before starting another")
        sid = uuid.uuid4().hex[:16]
        row = {
            "id": sid,
            "user_id": user_id,
            "title": title,
            "stream_key": secrets.token_urlsafe(24),
            "port": free_port(self.host),
            "state": "waiting",
            "refused_pushes": 0,
            "created": self.clock(),
        }
        with self.engine.begin() as conn:
            conn.execute(insert(streams).values(**row))
        stream = self._load(sid)
        runner = _Runner(self, stream)
        with self._lock:
            self.runners[sid] = runner
        runner.thread.start()
        runner.listening.wait(10)  # the URL handed out accepts a broadcaster at once
        self.emitter.emit("video", "live_create", actor=user_id, entity=sid)
        return stream

    def get(self, stream_id: str, user_id: str, *, admin: bool = False) -> LiveStream:
        """The stream, for its owner (404 for anyone else, as for no stream)."""
        stream = self._find(check_name("stream id", stream_id))
        if stream is None or (stream.user_id != user_id and not admin):
            raise NotFound(f"no live stream {stream_id}")
        return stream

    def public(self, stream_id: str) -> LiveStream:
        """The stream as viewers may see it (404 when unknown)."""
        stream = self._find(check_name("stream id", stream_id))
        if stream is None:
            raise NotFound(f"no live stream {stream_id}")
        return stream

    def end(
        self, stream_id: str, user_id: str, *, admin: bool = False, wait_s: float = 30
    ) -> LiveStream:
        """Stop the stream (owner only); it becomes a VOD with what arrived. 409 when it is
        over already or runs in another process."""
        stream = self.get(stream_id, user_id, admin=admin)
        if stream.state not in OPEN_STATES:
            raise Conflict(f"live stream {stream_id} is {stream.state} already")
        runner = self.runners.get(stream_id)
        if runner is None:
            raise Conflict(f"live stream {stream_id} runs in another process of the service")
        runner.stop()
        runner.done.wait(wait_s)
        return self._load(stream_id)

    def file(self, stream_id: str, name: str) -> LiveFile:
        """A playlist or segment of the stream (404 for anything else, or a failed stream)."""
        stream = self.public(stream_id)
        check_name("file name", name)
        root = self.out_dir(stream.id).resolve()
        path = (root / name).resolve()
        if (
            stream.state == "failed"
            or path.suffix not in LIVE_TYPES
            or not path.is_relative_to(root)
            or not path.is_file()
        ):
            raise NotFound(f"no file {name} for live stream {stream_id}")
        cache = PLAYLIST_CACHE if path.suffix == ".m3u8" else SEGMENT_CACHE
        if stream.state == "ended" and path.suffix == ".m3u8":
            cache = "public, max-age=60"
        return LiveFile(path, LIVE_TYPES[path.suffix], cache)

    def wait(self, stream_id: str, timeout: float) -> LiveStream:
        """The stream once its runner is done (or as it is at ``timeout``)."""
        runner = self.runners.get(stream_id)
        if runner is not None:
            runner.done.wait(timeout)
        return self._load(stream_id)

    def close(self) -> None:
        """End every stream this process runs (each becomes a VOD with what arrived)."""
        for runner in list(self.runners.values()):
            runner.stop()
        for runner in list(self.runners.values()):
            runner.done.wait(30)

    # -- the runner's side --------------------------------------------------------------------
    def _finish(self, stream: LiveStream, reason: str | None) -> None:
        out = self.out_dir(stream.id)
        if reason is None and segment_count(out) == 0:
            reason = "the stream ended before any video arrived"
        info = None
        if reason is None:
            close_playlists(out)
            job = video_root(self.settings) / "jobs" / f"live-{stream.id}"
            try:
                info = probe(self.live_source(stream.id), job, self.limits)
            except Rejected as exc:
                reason = f"the recorded stream was not admitted: {exc.reason}"
            finally:
                shutil.rmtree(job, ignore_errors=True)
        if reason is not None or info is None:
            self._fail(stream.id, reason or "no video")
            return
        dest = source_path(self.settings, stream.id)
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.live_source(stream.id).replace(dest)
        shutil.rmtree(self.live_source(stream.id).parent, ignore_errors=True)
        now = self.clock()
        self.store.add_video(
            Video(
                id=stream.id,
                user_id=stream.user_id,
                title=stream.title,
                description="",
                tags=["live"],
                source=str(dest.resolve()),
                probe=info.to_dict(),
                created=now,
            )
        )
        self._set(stream.id, state="ended", ended=now)
        self.emitter.emit(
            "video",
            "live_end",
            actor=stream.user_id,
            entity=stream.id,
            attrs={"duration_s": info.duration_s, "segments": segment_count(out)},
        )

    def _fail(self, stream_id: str, reason: str) -> None:
        shutil.rmtree(self.out_dir(stream_id), ignore_errors=True)
        shutil.rmtree(self.live_source(stream_id).parent, ignore_errors=True)
        self._set(stream_id, state="failed", reason=reason, ended=self.clock())
        stream = self._load(stream_id)
        self.emitter.emit(
            "video", "live_fail", actor=stream.user_id, entity=stream_id, attrs={"reason": reason}
        )

    def _refused(self, stream_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sql_update(streams)
                .where(streams.c.id == stream_id)
                .values(refused_pushes=streams.c.refused_pushes + 1, state="waiting")
            )

    def _set(self, stream_id: str, **values: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(sql_update(streams).where(streams.c.id == stream_id).values(**values))

    def _find(self, stream_id: str) -> LiveStream | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(streams).where(streams.c.id == stream_id)).first()
        if row is None:
            return None
        return LiveStream(
            id=row.id,
            user_id=row.user_id,
            title=row.title,
            stream_key=row.stream_key,
            rtmp_url=ingest_url(self.host, row.port, row.stream_key),
            state=row.state,
            reason=row.reason,
            refused_pushes=row.refused_pushes,
            created=row.created,
            ended=row.ended,
        )

    def _load(self, stream_id: str) -> LiveStream:
        stream = self._find(stream_id)
        assert stream is not None
        return stream
