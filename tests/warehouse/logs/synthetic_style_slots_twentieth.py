"""Slot helpers (value generators) of the twentieth set of invented log styles, drawn by its
event tables and headers. The set, with its record and ``TWENTIETH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_twentieth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day
from tests.warehouse.logs.synthetic_styles import Slot

_WORDS = s.USERS  # coined words with no digits


def shape(r: random.Random) -> str:
    """A tensor's shape: one to four dimensions, ``[32,224,224,3]``."""
    dims = [r.choice((1, 3, 8, 16, 32, 64, 128, 224, 256, 512, 768, r.randint(2, 4096)))]
    dims += [r.choice((3, 7, 28, 64, 224, 256, 1024)) for _ in range(r.randint(0, 3))]
    return "[" + ",".join(map(str, dims)) + "]"


def tf_device(r: random.Random) -> str:
    job = r.choice(("worker", "worker", "ps", "chief", "localhost"))
    kind = r.choice(("GPU", "GPU", "CPU"))
    return f"/job:{job}/replica:0/task:{r.randint(0, 7)}/device:{kind}:{r.randint(0, 7)}"


def mib(r: random.Random) -> str:
    return f"{r.randint(100, 81000)} MB"


def ip(r: random.Random) -> str:
    return f"10.{r.randint(0, 3)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def run_id(r: random.Random) -> str:
    return f"{r.getrandbits(128):032x}"


def trial(r: random.Random) -> str:
    """A tuning trial's name: ``TorchTrainer_3f2a1_00012``."""
    kind = r.choice(("TorchTrainer", "train_fn", "objective"))
    return f"{kind}_{s.hexn(5)(r)}_{r.randint(0, 99):05d}"


def loss(r: random.Random) -> str:
    return f"{r.uniform(0.001, 4.0):.4f}"


def py_path(r: random.Random) -> str:
    parts = [r.choice(_WORDS) for _ in range(r.randint(1, 3))]
    return "/opt/airflow/dags/" + "/".join(parts) + ".py"


def task_id(r: random.Random) -> str:
    return r.choice(
        (
            f"extract_{r.choice(_WORDS)}",
            f"load_{r.choice(_WORDS[:10])}_to_{r.choice(_WORDS[10:20])}",
            f"{r.choice(_WORDS[:8])}_group.transform_{r.randint(1, 9)}",
            "sensor_wait",
        )
    )


def dag_id(r: random.Random) -> str:
    return f"{r.choice(_WORDS[:12])}_{r.choice(('daily', 'hourly', 'etl', 'sync'))}"


def run_ts(r: random.Random) -> str:
    return f"scheduled__{iso_day(r)}T{hms(r)}+00:00"


def tcp(r: random.Random) -> str:
    return f"tcp://{ip(r)}:{r.randint(30000, 60000)}"


def dask_key(r: random.Random) -> str:
    """A task key: ``('read-parquet-3f2a...', 17)`` or ``'sum-aggregate-8c1d...'``."""
    name = f"{r.choice(('read-parquet', 'getitem', 'sum-chunk', 'rechunk-merge', 'from-delayed'))}"
    key = f"{name}-{s.hexn(32)(r)}"
    return r.choice((f"('{key}', {r.randint(0, 999)})", f"'{key}'"))


def pad(slot: Slot, width: int) -> Slot:
    """A value right-aligned to ``width`` as ``printf`` writes it."""
    return lambda r: f"{slot(r):>{width}}"


def action_ref(r: random.Random) -> str:
    return (
        f"{r.choice(('actions', _WORDS[3], 'docker'))}/{r.choice(_WORDS[:14])}@v{r.randint(1, 5)}"
    )


def target(r: random.Random) -> str:
    """A build target: ``//src/core:lib``, ``//tools/kata/lozel:tests``."""
    parts = "/".join(r.choice(_WORDS) for _ in range(r.randint(1, 3)))
    return f"//{r.choice(('src', 'tools', 'lib'))}/{parts}:{r.choice(_WORDS[:12])}"


def thousands(lo: int, hi: int) -> Slot:
    return lambda r: f"{r.randint(lo, hi):,}"


def cc_file(r: random.Random) -> str:
    parts = "/".join(r.choice(_WORDS) for _ in range(r.randint(1, 3)))
    return f"src/{parts}/{r.choice(_WORDS).title()}.{r.choice(('cc', 'cpp', 'h'))}"


def model(r: random.Random) -> str:
    return (
        f"{r.choice(('analytics', 'staging', 'marts'))}.{r.choice(_WORDS)}_{r.choice(_WORDS[:6])}"
    )


def dotted(name: Slot, width: int = 56) -> Slot:
    """A name padded with dots to a fixed width, as the run log aligns its status column."""

    def draw(r: random.Random) -> str:
        value = name(r)
        return f"{value} " + "." * max(3, width - len(value))

    return draw
