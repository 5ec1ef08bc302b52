"""Driving the tus endpoints with plain HTTP, and reading spooled events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.tus.protocol import encode_metadata
from warehouse.spool import read_records, sealed_segments

TUS = {"Tus-Resumable": "1.0.0"}


def create(client, key: str, length: int, meta: dict[str, str] | None = None):
    headers = {**TUS, "X-API-Key": key, "Upload-Length": str(length)}
    if meta:
        headers["Upload-Metadata"] = encode_metadata(meta)
    return client.post("/videos/uploads", headers=headers)


def patch(client, key: str, url: str, offset: int, body: bytes):
    return client.patch(
        url,
        content=body,
        headers={
            **TUS,
            "X-API-Key": key,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
    )


def upload(client, key: str, path: Path, meta: dict[str, str], chunk: int = 64 * 1024):
    """Upload a file in chunks; returns (upload id, last response)."""
    data = path.read_bytes()
    created = create(client, key, len(data), meta)
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    offset, resp = 0, created
    while offset < len(data):
        resp = patch(client, key, url, offset, data[offset : offset + chunk])
        if resp.status_code != 204:
            break
        offset = int(resp.headers["Upload-Offset"])
    return url.rsplit("/", 1)[1], resp


def spooled_events(settings, emitter, system: str = "video") -> list[dict[str, Any]]:
    emitter.flush()
    records = []
    for seg in sealed_segments(settings.spool_dir):
        records += [r for r in read_records(seg.path) if r.get("system") == system]
    return records
