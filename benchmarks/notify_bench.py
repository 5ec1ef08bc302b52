"""Notification chaos: 2,000 notifications while providers fail at random and workers die.

Two worker processes deliver to two loopback providers (SMS and push) that honour
``Idempotency-Key``, refuse some requests (503), lose some answers after accepting (500) and
answer late. Each worker is killed with SIGKILL at least once mid-run and restarted. At the
end every (notification, channel) must have reached its provider exactly once:
``notify_lost`` counts those that never arrived, ``notify_dupes`` the extra arrivals.
``prevented_dupes`` counts repeats the idempotency keys absorbed: what a provider without
key support would have delivered twice.

Everything goes through the notification system's composition root: the API process is the
app (``create_app`` builds the service), and each worker process is ``python -m
services.notify.worker``, which builds its own service the same way.

Run: ``python -m benchmarks.notify_bench``; ``measure()`` is what ``bench_edge`` imports.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """A worker process: ``services.notify.worker`` builds the service by its composition root."""
    out = open(log, "ab")  # noqa: SIM115 - handed to the child process
    return subprocess.Popen(
        [sys.executable, "-m", "services.notify.worker", "--max-seconds", "170"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def measure(n: int = 2000, seed: int = 7, deadline_s: float = 150.0, log=print) -> dict[str, Any]:
    """Run the chaos scenario and return lost and duplicated deliveries (targets 0 and 0)."""
    from fastapi.testclient import TestClient

    from services.app import create_app
    from services.notify.fakes import FakeProvider
    from warehouse.emitter import Emitter, SpoolTransport
    from warehouse.settings import Settings

    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="notify-bench-"))
    settings = Settings(data_dir=tmp / "data", rate_limit_per_minute=10_000_000)
    sms = FakeProvider("sms", seed=seed)
    push = FakeProvider("push", seed=seed + 1)
    sms.control(fail_rate=0.2, fail_after_accept_rate=0.1)
    push.control(fail_rate=0.1, fail_after_accept_rate=0.15, delay_s=0.02)
    env = {
        **os.environ,
        "BLUEPRINT_DATA_DIR": str(settings.data_dir),
        "BLUEPRINT_NOTIFY_SMS_URL": sms.send_url,
        "BLUEPRINT_NOTIFY_PUSH_URL": push.send_url,
        "BLUEPRINT_NOTIFY_MAX_ATTEMPTS": "40",
        "BLUEPRINT_NOTIFY_BACKOFF_BASE_S": "0.05",
        "BLUEPRINT_NOTIFY_BACKOFF_CAP_S": "0.5",
        "BLUEPRINT_NOTIFY_LEASE_S": "2",
        "BLUEPRINT_NOTIFY_PROVIDER_TIMEOUT_S": "1",
        "BLUEPRINT_NOTIFY_USER_HOURLY_LIMIT": "1000000",
        "BLUEPRINT_NOTIFY_CONCURRENCY": "8",
        "BLUEPRINT_NOTIFY_BATCH_SIZE": "32",
    }
    saved = {k: os.environ.get(k) for k in env if k.startswith("BLUEPRINT_NOTIFY_")}
    os.environ.update({k: v for k, v in env.items() if k.startswith("BLUEPRINT_NOTIFY_")})
    emitter = Emitter(SpoolTransport(settings, "notify-bench"))
    workers: list[subprocess.Popen] = []
    kills = 0
    started = time.perf_counter()
    try:
        expected: set[str] = set()
        with TestClient(create_app(settings, emitter, only=["notify"])) as client:
            notify = client.app.state.services["notify"]
            admin = {"X-API-Key": settings.admin_api_key}
            key = client.post(
                "/auth/keys", json={"user_id": "bench", "roles": ["service"]}, headers=admin
            )
            svc = {"X-API-Key": key.json()["api_key"]}
            users = [f"bu{i:03d}" for i in range(200)]
            for i, user in enumerate(users):
                client.put(
                    f"/notifications/users/{user}",
                    headers=svc,
                    json={"phone": f"+4479{i:08d}", "push_token": f"token-{user}-x"},
                ).raise_for_status()
            workers = [_start_worker(env, tmp / f"worker{i}.log") for i in range(2)]
            planned = n * 4 // 3  # one or two channels per notification, on average 4/3
            kill_at = [0.25, 0.6]  # fractions of planned deliveries arrived at a provider

            def maybe_kill() -> None:
                nonlocal kills
                done = len(sms.delivered) + len(push.delivered)
                if kill_at and done >= kill_at[0] * planned:
                    victim = kills % len(workers)
                    workers[victim].send_signal(signal.SIGKILL)
                    workers[victim].wait(timeout=10)
                    kills += 1
                    log(f"  SIGKILL worker {victim} at {done} deliveries; restarting it")
                    workers[victim] = _start_worker(env, tmp / f"worker{victim}.log")
                    kill_at.pop(0)

            for i in range(n):
                channels = rng.choice([["sms"], ["push"], ["sms", "push"]])
                r = client.post(
                    "/notifications",
                    headers=svc,
                    json={
                        "user_id": rng.choice(users),
                        "template": "welcome",
                        "data": {"name": f"n{i}"},
                        "channels": channels,
                    },
                )
                r.raise_for_status()
                expected.update(f"{r.json()['id']}/{ch}" for ch in channels)
                if i % 20 == 0:
                    maybe_kill()
            log(
                f"  sent {n} notifications ({len(expected)} deliveries) "
                f"in {time.perf_counter() - started:.1f}s"
            )
            while time.perf_counter() - started < deadline_s:
                maybe_kill()
                if not kill_at and notify.outstanding() == 0:
                    break
                time.sleep(0.1)
            counts = notify.stats()
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=15)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait(timeout=5)
        emitter.close()
        sms.close()
        push.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(tmp, ignore_errors=True)
    arrived: dict[str, int] = {}
    for name, provider in (("sms", sms), ("push", push)):
        for logical, count in provider.logical_ids().items():
            arrived[f"{logical}/{name}"] = count
    lost = len(expected - set(arrived))
    dupes = sum(c - 1 for c in arrived.values() if c > 1) + len(set(arrived) - expected)
    elapsed = time.perf_counter() - started
    return {
        "notify_lost": lost,
        "notify_dupes": dupes,
        "notifications": n,
        "deliveries": len(expected),
        "worker_kills": kills,
        "provider_requests": len(sms.requests) + len(push.requests),
        "provider_failures": sms.failures + push.failures,
        "prevented_dupes": sms.replays + push.replays,
        "final_status": counts,
        "missing_sample": sorted(expected - set(arrived))[:5],
        "unexpected_sample": sorted(set(arrived) - expected)[:5],
        "elapsed_s": round(elapsed, 1),
        "deliveries_per_s": round(len(expected) / elapsed, 1),
    }


def main() -> None:
    print("notification chaos: 2,000 notifications, random provider faults, SIGKILLed workers")
    result = measure()
    for k, v in result.items():
        print(f"  {k}: {v}")
    print(f"RESULT notify_lost={result['notify_lost']} notify_dupes={result['notify_dupes']}")


if __name__ == "__main__":
    main()
