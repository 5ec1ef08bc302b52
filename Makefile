# System Blueprints. `make run` and `make test` set themselves up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BP := $(VENV)/bin/blueprint
STAMP := $(VENV)/.installed
export OPENBLAS_NUM_THREADS ?= 1

PLAYERS_DIR ?= $(or $(BLUEPRINT_DATA_DIR),.data)/player-libs

.PHONY: setup tools players run test test-fast lint ui serve bench bench-logs bench-crawl bench-media \
        bench-feed bench-social bench-edge bench-files bench-chat bench-booking bench-ingest bench-kv bench-shop \
        bench-rides bench-video-live fuzz clean media-corpus

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	@touch $(STAMP)

# The key-value store's hot modules compiled by mypyc (services/kv/native.py); a no-op when
# current, the sources serve when there is no C compiler.
setup: $(STAMP)
	@$(PY) -m scripts.build_kv_native

# Optional system tools some tests use (they skip with a reason when a tool is missing).
tools:
	@bash scripts/install-tools.sh || echo "some optional tools could not be installed; their tests will skip"

# The web players of the watch page (hls.js, dash.js) from npm, served by the API itself.
players:
	@bash scripts/install-players.sh "$(PLAYERS_DIR)" >/dev/null || echo "npm unavailable: the watch page will ask for make players"

run: setup
	$(BP) run

test: setup tools
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow and not browser"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

ui: setup players
	$(BP) ui

serve: setup players
	$(BP) serve

bench: bench-logs bench-crawl bench-media bench-feed bench-social bench-edge bench-files bench-chat bench-booking bench-kv bench-shop bench-rides

bench-logs: setup
	$(PY) -m benchmarks.bench_logs

bench-crawl: setup tools
	$(PY) -m benchmarks.bench_crawl

bench-media: setup tools
	$(PY) -m benchmarks.bench_media

media-corpus: setup tools
	$(PY) -m benchmarks.media_corpus

bench-video-live: setup tools players
	$(PY) -m benchmarks.video_live

bench-feed: setup
	$(PY) -m benchmarks.bench_feed

bench-social: setup
	$(PY) -m benchmarks.bench_social

bench-edge: setup tools
	$(PY) -m benchmarks.bench_edge

bench-files: setup
	$(PY) -m benchmarks.bench_files

bench-chat: setup
	$(PY) -m benchmarks.bench_chat

bench-ingest: setup
	$(PY) -m benchmarks.bench_ingest_latency

.PHONY: bench-encryption
bench-encryption: setup
	$(PY) -m benchmarks.lake_encryption

bench-kv: setup tools
	$(PY) -m benchmarks.bench_kv

# The OpenAPI fuzzer's long run (CI runs a short one in tests/services/test_fuzz_openapi.py).
fuzz: setup
	$(PY) -m benchmarks.fuzz_openapi

clean:
	rm -rf .data

bench-booking: setup
	$(PY) -m benchmarks.bench_booking

bench-shop: setup
	$(PY) -m benchmarks.bench_shop

bench-rides: setup
	$(PY) -m benchmarks.bench_rides
