"""A scripted origin for the RFC 9111 conformance tests: each case is a fresh path that answers
its requests in order from a list of ``Answer``s and records what reached it.

Date-valued fields may be given as an int: seconds from the moment of answering, written as
an IMF-fixdate (so ``("Date", 0)`` is now and ``("Expires", 3600)`` an hour ahead).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate

import uvicorn

from tests.services.cdn.helpers import serve_in_thread

DATE_FIELDS = frozenset({"date", "expires", "last-modified"})


@dataclass
class Answer:
    """One scripted response. ``body`` defaults to the case's path; ``delay`` (seconds) holds
    the answer back, to overlap it with other requests."""

    status: int = 200
    headers: list[tuple[str, str | int]] = field(default_factory=list)
    body: bytes | None = None
    delay: float = 0.0


@dataclass
class Seen:
    """One request as the origin received it."""

    method: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Case:
    path: str
    answers: list[Answer]
    seen: list[Seen] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.seen)

    @property
    def last(self) -> Seen:
        return self.seen[-1]


class ConformanceOrigin:
    """ASGI origin served on a loopback port from a thread of the test process."""

    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None
        self.port = 0

    def case(self, *answers: Answer, query: str = "") -> Case:
        """A new path answering with ``answers`` in order (the last one repeats)."""
        with self._lock:
            path = f"/rfc/{next(self._ids)}" + (f"?{query}" if query else "")
        self.cases[path] = Case(path, list(answers) or [Answer()])
        return self.cases[path]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        qs = scope["query_string"].decode("latin-1")
        path = scope["path"] + (f"?{qs}" if qs else "")
        if scope["path"] == "/healthz":
            await _send(send, 200, [(b"content-type", b"text/plain")], b"ok")
            return
        case = self.cases.get(path)
        if case is None:
            await _send(send, 404, [(b"cache-control", b"no-store")], b"no such case")
            return
        headers: dict[str, str] = {}
        for k, v in scope["headers"]:
            name = k.decode("latin-1").lower()
            value = v.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        case.seen.append(Seen(scope["method"], headers, body))
        answer = case.answers[min(len(case.seen), len(case.answers)) - 1]
        if answer.delay:
            await asyncio.sleep(answer.delay)
        now = time.time()
        out = []
        for name, value in answer.headers:
            if isinstance(value, int) and name.lower() in DATE_FIELDS:
                value = formatdate(now + value, usegmt=True)
            out.append((name.lower().encode("latin-1"), str(value).encode("latin-1")))
        if not any(k == b"content-type" for k, _ in out):
            out.append((b"content-type", b"text/plain"))
        payload = case.path.encode() if answer.body is None else answer.body
        if answer.status in (204, 304) or scope["method"] == "HEAD":
            payload = b""
        await _send(send, answer.status, out, payload)

    def start(self) -> ConformanceOrigin:
        # the origin's own Date values are the test's: uvicorn adds none
        self.server, self.thread, self.port = serve_in_thread(
            self, lifespan="off", date_header=False, server_header=False
        )
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


async def _send(send, status: int, headers: list, body: bytes) -> None:
    if status not in (204, 304) and not 100 <= status < 200:
        headers = headers + [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
