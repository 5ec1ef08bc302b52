"""What the edge relays without storing: unsafe methods, forwarded upstream with the
stored URIs they change invalidated (RFC 9111 §4.4), and bodies too large to cache, streamed
through. A mixin of ``services.cdn.edge.Edge``."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from services.cdn.edgefill import EdgeFill
from services.cdn.respond import REGENERATED, Reply, connection_listed, field_lines
from services.cdn.upstream import Fetched, UpstreamError
from services.cdn.wire import end_to_end, text_reply

#: Largest request body an unsafe method may carry through the edge.
MAX_REQUEST_BODY = 16 * 1024 * 1024


class EdgeRelay(EdgeFill):
    """Pass-through of unsafe methods and streaming of uncacheable-size bodies."""

    async def pass_through(
        self, method: str, url: str, headers: dict[str, str], receive
    ) -> tuple[str, Reply | None, Fetched | None]:
        """Forward an unsafe (or unknown) method to the upstream and relay its answer; on a
        non-error status invalidate the target URI and the same-origin ``Location`` and
        ``Content-Location`` URIs (RFC 9111 §4.4)."""
        assert self.upstream is not None
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_REQUEST_BODY:
                return "BYPASS", text_reply(413, "request body too large for the edge"), None
            if not message.get("more_body"):
                break
        up = self._upstream_headers(headers, fill=False)
        try:
            fetched = await self.upstream.fetch(
                url, up, method=method, content=bytes(body) if body or method != "GET" else None
            )
        except UpstreamError as exc:
            return "ERROR", text_reply(exc.status, exc.reason), None
        if fetched.status < 400:
            self._invalidate(url, headers, fetched.headers)
        if fetched.response is not None:
            return "BYPASS", None, fetched
        relay = end_to_end(fetched.raw_headers, received_at=fetched.response_time)
        relay["via"] = self._via(relay.get("via"))
        out = [
            line
            for k, v in relay.items()
            if k not in REGENERATED
            for line in field_lines(k.encode("latin-1"), v.encode("latin-1"))
        ]
        payload = fetched.body or b""
        if fetched.status not in (204, 304) and fetched.status >= 200:
            out.append((b"content-length", str(len(payload)).encode()))
        out.append((b"x-cache", f"BYPASS from {self.config.name}".encode()))
        no_body = method == "HEAD" or fetched.status in (204, 304)
        return "BYPASS", Reply(fetched.status, out, b"" if no_body else payload), None

    def _invalidate(self, url: str, request: dict[str, str], response: dict[str, str]) -> None:
        """Drop every stored variant of ``url`` and of the response's Location and
        Content-Location when they point at this same authority."""
        self._purge_url(url)
        host = request.get("host", "").lower()
        for name in ("location", "content-location"):
            value = response.get(name)
            if not value:
                continue
            target = urlsplit(urljoin(url, value.strip()))
            if target.netloc and target.netloc.lower() != host:
                continue
            path = target.path or "/"
            self._purge_url(path + (f"?{target.query}" if target.query else ""))

    def _purge_url(self, url: str) -> int:
        """Drop every stored variant of ``url``; a fill of it in flight will not be stored."""
        self.purges.purged(url)
        return self.store.purge_url(url)

    async def _send_stream(self, send, fetched: Fetched, head: bool) -> int:
        """Stream an uncacheable-size body through. If the upstream breaks mid-body the
        exception propagates, so the server aborts the connection rather than end the
        response as if it were complete."""
        assert fetched.response is not None
        drop = connection_listed(fetched.headers) | (REGENERATED - {"content-length"})
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in fetched.raw_headers
            if k.lower() not in drop
        ]
        headers = [h for h in headers if h[0] != b"via"]
        headers.append((b"via", self._via(fetched.headers.get("via")).encode("latin-1")))
        headers.append((b"x-cache", f"BYPASS from {self.config.name}".encode()))
        await send({"type": "http.response.start", "status": fetched.status, "headers": headers})
        sent = 0
        try:
            if not head:
                for chunk in fetched.prefix:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    sent += len(chunk)
                async for chunk in fetched.response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    sent += len(chunk)
        finally:
            await fetched.aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return sent
