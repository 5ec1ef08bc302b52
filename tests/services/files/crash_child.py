"""A writer for the kill -9 test: writes, deletes, purges and collects garbage in a loop until
killed, counting committed versions in ``<data_dir>/progress``. Run as
``python -m tests.services.files.crash_child``."""

from __future__ import annotations

import os
import random
from pathlib import Path

from services.files.settings import FilesSettings
from services.files.system import build
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.settings import Settings


def main() -> None:
    settings = Settings()
    emitter = Emitter(SpoolTransport(settings, name=f"crash{os.getpid()}"))
    svc = build(settings, emitter, conf=FilesSettings(avg_chunk_bytes=1024, gc_grace_s=0.001))
    rng = random.Random(os.getpid())
    progress = Path(settings.data_dir) / "progress"
    base = rng.randbytes(40_000)
    n = 0
    while True:
        name = f"f{rng.randrange(4)}"
        cut = rng.randrange(len(base))
        data = base[:cut] + rng.randbytes(rng.randrange(1, 3000)) + base[cut:]
        svc.put_file("u", name, data)
        n += 1
        tmp = progress.with_suffix(".tmp")
        tmp.write_text(str(n))
        os.replace(tmp, progress)
        if rng.random() < 0.3:
            try:
                svc.delete("u", f"f{rng.randrange(4)}")
                svc.purge_trash("u")
            except Exception:  # noqa: BLE001 - a file that is not there: nothing to delete
                pass
        if rng.random() < 0.3:
            svc.collect_garbage()


if __name__ == "__main__":
    main()
