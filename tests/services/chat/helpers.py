"""Helpers of the WebSocket tests: users with keys, conversations over HTTP, clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from services.chat.client import ChatClient
from services.chat.process import ServerProcess

# The page's script has run (it sets ``window.__chat`` and attaches its handlers in one go):
# its form elements exist earlier, while the parser is still short of the script, and a form
# submitted then would take the browser's default action.
PAGE_READY = "({done: !!window.__chat})"


def create(srv: ServerProcess, key: str, members: list[str], **extra) -> dict:
    resp = httpx.post(
        f"{srv.url}/chat/conversations",
        json={"members": members, **extra},
        headers={"X-API-Key": key},
        trust_env=False,
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()


def history(srv: ServerProcess, key: str, conv: str, after: int = 0) -> list[dict]:
    rows: list[dict] = []
    while True:
        page = httpx.get(
            f"{srv.url}/chat/conversations/{conv}/messages",
            params={"after": after, "limit": 1000},
            headers={"X-API-Key": key},
            trust_env=False,
            timeout=30,
        ).json()
        rows += page["messages"]
        if page["next_after"] >= page["last_seq"] or page["next_after"] == after:
            return rows
        after = page["next_after"]


@contextlib.asynccontextmanager
async def running(*clients: ChatClient) -> AsyncIterator[asyncio.Event]:
    """Keep ``clients`` connected (reconnecting after drops) until the block ends."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run_forever(stop)) for c in clients]
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 15)
