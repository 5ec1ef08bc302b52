import asyncio
import uuid

import pytest

from tests.conftest import server_reachable
from warehouse.emitter import Emitter
from warehouse.lake import Lake

pytestmark = pytest.mark.servers

HOST, PORT = "127.0.0.1", 4222
URL = f"nats://{HOST}:{PORT}"


@pytest.fixture
def stream():
    if not server_reachable(HOST, PORT):
        pytest.skip(f"no NATS server at {HOST}:{PORT} (start nats-server -js to run this)")
    name = f"T{uuid.uuid4().hex[:10].upper()}"
    yield name, f"test.{name.lower()}"

    async def drop():
        import nats

        nc = await nats.connect(URL)
        try:
            await nc.jetstream().delete_stream(name)
        finally:
            await nc.close()

    asyncio.run(drop())


def _stream_count(name: str) -> int:
    async def count():
        import nats

        nc = await nats.connect(URL)
        try:
            return (await nc.jetstream().stream_info(name)).state.messages
        finally:
            await nc.close()

    return asyncio.run(count())


def test_append_is_acknowledged_and_republishing_the_same_msg_id_is_deduplicated(stream):
    from warehouse.nats_transport import NatsTransport

    name, prefix = stream
    t = NatsTransport(URL, "t", stream=name, prefix=prefix)
    try:
        ids = t.append([{"_table": "logs", "message": f"m{i}"} for i in range(50)])
        assert [s for _, s in ids] == list(range(1, 51)) and len({src for src, _ in ids}) == 1
        assert _stream_count(name) == 50
        # A retry after a lost ack re-sends the same ids: JetStream drops the copies.
        source = ids[0][0]
        msgs = [(f"{prefix}.logs", b'{"x": 1}', f"{source}:{i}") for i in range(1, 11)]
        t._loop.run(t._publish_all(msgs))
        assert _stream_count(name) == 50
        t.flush()
    finally:
        t.close()


def test_consumer_lands_the_stream_in_the_lake_once_even_when_run_twice(stream, settings):
    from warehouse.nats_transport import NatsTransport, consume_to_lake

    name, prefix = stream
    em = Emitter(NatsTransport(URL, "svc", stream=name, prefix=prefix))
    for i in range(30):
        em.emit("shop", "order_placed", actor=f"u{i}", attrs={"i": i})
    rows = [
        {
            "ts": "2024-05-01T10:00:00+00:00",
            "service": "web",
            "level": "info",
            "message": f"hello {i}",
        }
        for i in range(20)
    ]
    em.append_rows("logs", rows)
    em.close()
    kw = {"stream": name, "prefix": prefix, "durable": "lake", "batch": 16, "fetch_timeout": 0.5}
    report = consume_to_lake(URL, settings.spool_dir, settings.lake_dir, **kw)
    assert report.rows == 50
    again = consume_to_lake(URL, settings.spool_dir, settings.lake_dir, **kw)
    assert again.rows == 0
    lake = Lake(settings.lake_dir)
    counts = lake.row_counts()
    assert counts["events"] == 30 and counts["logs"] == 20
    assert lake.query("SELECT count(DISTINCT seq) AS n FROM events")["n"][0] == 30
    assert (settings.lake_dir / "logs" / "service=web").exists()
