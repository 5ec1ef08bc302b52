"""Recommender benchmark on MovieLens 100K, plus serving latency over loopback.

MovieLens 100K comes from the ``recbole==1.2.1`` wheel at run time (its licence forbids
redistribution; it is cached under ``.data/bench_cache`` and never committed). Every rating
counts as one implicit interaction; 80/20 random split with a fixed seed. Popularity, implicit
ALS with default-like settings (64 factors, 15 iterations) and our tuned ALS (bounded search
on a validation split carved from the training part, never the test part) run in the same
process. Then the tuned model is registered and served by ``blueprint serve --only feed`` in a
subprocess, and ``GET /recommendations/{user}`` is timed with 1,000 users loaded.

    python -m benchmarks.bench_feed
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from models.bundle import RecBundle  # noqa: E402
from models.interactions import IdMap, Interactions, heldout_sets, random_split  # noqa: E402
from models.recommenders import ALSRecommender, PopularityRecommender  # noqa: E402
from models.registry import ModelRegistry  # noqa: E402
from models.search import bounded_search, evaluate_indices  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".data" / "bench_cache"
WHEEL = "recbole-1.2.1-py3-none-any.whl"
MEMBER = "recbole/dataset_example/ml-100k/ml-100k.inter"
SEED = 42
TUNE_GRID = {
    "factors": [16, 24, 32, 48],
    "regularization": [0.05, 0.5, 2.0],
    "weighting": ["bm25"],
    "bm25_b": [0.8, 0.9],
    "iterations": [30],
}
SERVE_USERS = 1000
REQUESTS = 2000

BENCH_ADMIN_KEY = "bench-admin-key"


def fetch_movielens() -> np.ndarray | None:
    """(user, item) pairs of MovieLens 100K, or None when the wheel cannot be fetched."""
    wheel = CACHE / WHEEL
    if not wheel.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "recbole==1.2.1",
            "-d",
            str(CACHE),
        ]
        try:
            subprocess.run(cmd, check=True, timeout=300, capture_output=True)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"SKIP: could not download recbole==1.2.1 for MovieLens 100K: {exc}")
            return None
    with zipfile.ZipFile(wheel) as z:
        text = z.read(MEMBER).decode("utf-8")
    rows = [line.split("\t")[:2] for line in text.splitlines()[1:] if line.strip()]
    return np.array(rows, dtype=np.int64)


def to_matrix(pairs: np.ndarray) -> tuple[sp.csr_matrix, IdMap, IdMap]:
    users = IdMap.from_ids(map(str, np.unique(pairs[:, 0])))
    items = IdMap.from_ids(map(str, np.unique(pairs[:, 1])))
    r = users.encode([str(u) for u in pairs[:, 0]])
    c = items.encode([str(i) for i in pairs[:, 1]])
    m = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(len(users), len(items)))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m, users, items


def timed_fit(model, X):
    started = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - started


def serve_latency(
    bundle_model, train: sp.csr_matrix, users: IdMap, items: IdMap
) -> tuple[float, float]:
    """p50 and p99 ms of GET /recommendations over loopback with SERVE_USERS users loaded."""
    import httpx

    rng = np.random.default_rng(SEED)
    extra = SERVE_USERS - train.shape[0]
    rows = [train]
    if extra > 0:  # pad MovieLens' 943 users to 1,000 with sampled users
        pop = np.asarray(train.sum(axis=0)).ravel()
        picks = [
            rng.choice(train.shape[1], 20, replace=False, p=pop / pop.sum()) for _ in range(extra)
        ]
        pad = sp.csr_matrix(
            (
                np.ones(20 * extra, np.float32),
                (np.repeat(np.arange(extra), 20), np.concatenate(picks)),
            ),
            shape=(extra, train.shape[1]),
        )
        rows.append(pad)
    X = sp.vstack(rows).tocsr()
    ids = IdMap(tuple(users.ids) + tuple(f"pad{i}" for i in range(max(0, extra))))
    data = Interactions(X, ids, IdMap(tuple(f"video:{i}" for i in items.ids)))
    model = ALSRecommender(**bundle_model.get_params()).fit(X)
    with tempfile.TemporaryDirectory() as tmp:
        reg = ModelRegistry(Path(tmp) / "models")
        version = reg.save(
            "recs",
            "model.npz",
            RecBundle.from_model(model, data).save,
            params=model.get_params(),
            metrics={},
            snapshot={},
        )
        reg.promote("recs", version)
        port = _free_port()
        env = {
            **os.environ,
            "BLUEPRINT_DATA_DIR": tmp,
            "BLUEPRINT_RATE_LIMIT_PER_MINUTE": "10000000",
            "BLUEPRINT_ADMIN_API_KEY": BENCH_ADMIN_KEY,  # recommendations need a key
        }
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "serve", "--only", "feed", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            admin = {"X-API-Key": BENCH_ADMIN_KEY}
            with httpx.Client(base_url=base, timeout=10, headers=admin) as client:
                _wait_ready(client, proc)
                user_ids = list(ids.ids)
                for i in range(200):
                    client.get(f"/recommendations/{user_ids[i % len(user_ids)]}", params={"k": 10})
                lat = []
                cpu0, server0 = time.process_time(), _proc_cpu_s(proc.pid)
                for _ in range(REQUESTS):
                    user = user_ids[int(rng.integers(len(user_ids)))]
                    t = time.perf_counter()
                    r = client.get(f"/recommendations/{user}", params={"k": 10, "kind": "video"})
                    lat.append((time.perf_counter() - t) * 1000)
                    if r.status_code != 200 or r.json()["model_version"] != version:
                        raise RuntimeError(f"bad response {r.status_code}: {r.text[:200]}")
                client_cpu = (time.process_time() - cpu0) * 1000 / REQUESTS
                server_cpu = (_proc_cpu_s(proc.pid) - server0) * 1000 / REQUESTS
                print(
                    f"CPU per request: server {server_cpu:.2f} ms, client {client_cpu:.2f} ms "
                    f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
                )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            log.close()
    return float(np.percentile(lat, 50)), float(np.percentile(lat, 99))


def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(client, proc, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the API server exited during start-up")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API server did not start in time")


def main() -> int:
    pairs = fetch_movielens()
    if pairs is None:
        return 0
    X, users, items = to_matrix(pairs)
    print(f"MovieLens 100K: {X.shape[0]} users x {X.shape[1]} items, {X.nnz} interactions")
    train, test = random_split(X, 0.2, random_state=SEED)
    held = heldout_sets(train, test)
    print(f"80/20 random split (seed {SEED}): train {train.nnz}, test {test.nnz}")

    pop = evaluate_indices(PopularityRecommender().fit(train), train, held)
    print(f"popularity          P@10={pop['precision@10']:.4f} nDCG@10={pop['ndcg@10']:.4f}")

    default, default_s = timed_fit(
        ALSRecommender(factors=64, iterations=15, random_state=SEED), train
    )
    dflt = evaluate_indices(default, train, held)
    print(
        f"implicit ALS 64f/15 P@10={dflt['precision@10']:.4f} nDCG@10={dflt['ndcg@10']:.4f} "
        f"fit={default_s:.2f}s"
    )

    started = time.perf_counter()
    search = bounded_search(
        ALSRecommender(random_state=SEED),
        train,
        TUNE_GRID,
        max_trials=12,
        time_budget_s=120,
        random_state=SEED,
    )
    print(
        f"search: {len(search.trials)} trials in {time.perf_counter() - started:.1f}s on a "
        f"validation split of train; best {search.best_params} "
        f"(validation nDCG@10={search.best_score:.4f})"
    )
    tuned, tuned_s = timed_fit(ALSRecommender(random_state=SEED, **search.best_params), train)
    ours = evaluate_indices(tuned, train, held)
    print(
        f"tuned ALS           P@10={ours['precision@10']:.4f} nDCG@10={ours['ndcg@10']:.4f} "
        f"fit={tuned_s:.2f}s coverage={ours['coverage']:.3f}"
    )

    p50, p99 = serve_latency(tuned, train, users, items)
    print(
        f"serving GET /recommendations ({SERVE_USERS} users, {REQUESTS} requests): "
        f"p50={p50:.2f}ms p99={p99:.2f}ms"
    )
    target = "met" if ours["ndcg@10"] >= 0.37 else "MISSED"
    print(
        f"target nDCG@10 >= 0.37: {target}; serving p99 <= 20 ms: "
        f"{'met' if p99 <= 20 else 'MISSED'}"
    )
    print(
        f"RESULT als_ndcg10={ours['ndcg@10']:.4f} implicit_default_ndcg10={dflt['ndcg@10']:.4f} "
        f"pop_ndcg10={pop['ndcg@10']:.4f} fit_time_ratio={tuned_s / default_s:.2f} "
        f"serve_p99_ms={p99:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
