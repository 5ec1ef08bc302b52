"""Appending a tus PATCH body to an upload's part file, durably."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable
from pathlib import Path

from services.errors import TooLarge
from services.tus.protocol import tus_error


async def write_at(part: Path, offset: int, length: int, chunks: AsyncIterable[bytes]) -> int:
    """Write ``chunks`` into ``part`` from ``offset`` and fsync; 413 (keeping none of this
    request's bytes) past ``length``. Bytes of a body that ended early are kept (the client
    resumes from them). Returns how many bytes were written."""
    written = 0
    with part.open("r+b") as fh:
        fh.seek(offset)
        fh.truncate()
        async for chunk in chunks:
            if offset + written + len(chunk) > length:
                fh.truncate(offset)
                raise tus_error(TooLarge, f"chunk goes past Upload-Length {length}")
            fh.write(chunk)
            written += len(chunk)
        fh.flush()
        await asyncio.to_thread(os.fsync, fh.fileno())
    return written
