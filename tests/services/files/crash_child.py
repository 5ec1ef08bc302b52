"""A writer for the kill -9 tests: writes, deletes, purges and collects garbage in a loop until
killed, counting committed versions in ``<data_dir>/progress``. Run as
``python -m tests.services.files.crash_child``; with the argument ``stream``, it streams
uploads of new bytes instead (so a kill lands mid-pack)."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from services.files.settings import FilesSettings
from services.files.system import build
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.settings import Settings


def main() -> None:
    settings = Settings()
    emitter = Emitter(SpoolTransport(settings, name=f"crash{os.getpid()}"))
    stream = sys.argv[1:] == ["stream"]
    conf = FilesSettings(avg_chunk_bytes=1024, gc_grace_s=0.001)
    if stream:  # default chunk size, few versions: each upload is new bytes into a new pack
        conf = FilesSettings(max_versions=2, gc_grace_s=0.001)
    svc = build(settings, emitter, conf=conf)
    rng = random.Random(os.getpid())
    progress = Path(settings.data_dir) / "progress"
    base = rng.randbytes(40_000)
    n = 0
    if stream:
        while True:
            body = rng.randbytes(3_000_000)
            pieces = (body[i : i + 65536] for i in range(0, len(body), 65536))
            svc.put_stream("u", f"s{n % 3}", pieces, size=len(body))
            n += 1
            _count(progress, n)
    while True:
        name = f"f{rng.randrange(4)}"
        cut = rng.randrange(len(base))
        data = base[:cut] + rng.randbytes(rng.randrange(1, 3000)) + base[cut:]
        svc.put_file("u", name, data)
        n += 1
        _count(progress, n)
        if rng.random() < 0.3:
            try:
                svc.delete("u", f"f{rng.randrange(4)}")
                svc.purge_trash("u")
            except Exception:  # noqa: BLE001 - a file that is not there: nothing to delete
                pass
        if rng.random() < 0.3:
            svc.collect_garbage()


def _count(progress: Path, n: int) -> None:
    tmp = progress.with_suffix(".tmp")
    tmp.write_text(str(n))
    os.replace(tmp, progress)


if __name__ == "__main__":
    main()
