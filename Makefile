# The two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export TECHMARKET_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test setup deps assets browser migrate seed serve serve-production deploy-smoke lint test-postgres clean eval calibrate bench bench-scale bench-import bench-pages loadtest fonts

run: setup migrate seed serve

setup: deps assets fonts

deps: $(BIN)/.installed
$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser) and poppler-utils
# (pdftotext) for the certificate test.
browser:
	@{ command -v chromium && command -v pdftotext; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "chromium or pdftotext missing: sudo apt-get install chromium poppler-utils (their tests will be skipped)"; fi; }

# The certificate PDF embeds a Chinese TrueType font (a subset): AR PL UMing from Debian's fonts-arphic-uming.
fonts:
	@test -f /usr/share/fonts/truetype/arphic/uming.ttc || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends fonts-arphic-uming >/dev/null; \
	  else echo "fonts-arphic-uming missing: sudo apt-get install fonts-arphic-uming (certificates would not embed their font)"; fi; }

migrate: deps assets
	$(BIN)/techmarket migrate --noinput -v0
	$(BIN)/techmarket collectstatic --noinput -v0

seed: migrate
	$(BIN)/techmarket import
	$(BIN)/techmarket search_index

serve:
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(BIN)/waitress-serve --listen=$(HOST):$(PORT) --threads=8 techmarket.wsgi:application

# Production: gunicorn, a worker process per core (deploy/gunicorn.conf.py; README, "Production").
serve-production: deps
	BIND=$(HOST):$(PORT) $(BIN)/gunicorn --config deploy/gunicorn.conf.py

# One worker more than there are cores: the suite waits on servers, browsers and subprocesses a good part of the
# time; workers steal the tests left to others at the end, where the few long ones would otherwise run alone.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: deps assets browser fonts
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

# The same suite against PostgreSQL; DATABASE_URL must name a database the user may create test databases beside.
test-postgres: deps assets browser fonts
	test -n "$$DATABASE_URL"
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

# Search and matching quality on the seed against the judged sets of bench/eval/, 5-fold cross-validated
# (own database in var/bench-eval). `make calibrate` refits data/matching/relevance.yaml on all of them.
eval: deps
	$(BIN)/python bench/eval.py

calibrate: deps
	$(BIN)/python bench/eval.py --calibrate

# Search at 10k and 100k synthetic listings, each figure beside the raw library's or the server's ceiling measured in
# the same run (own databases in var/bench, kept between runs; raw figures in var/bench/results.json).
# Then every user page on the seed (bench-pages).
bench: deps assets bench-import
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/pages.py

# Scaling at 10k, 100k and 1M listings: memory, latency and the vector scan's recall (the first 1M build takes ~25 min
# and 5 GB).
bench-scale: deps
	$(BIN)/python bench/bench.py --sizes 10000,100000,1000000 --scaling

# Import speed: a generated 20,000-row workbook into a new database in var/bench/import (target ≥ 500 rows/s).
bench-import: deps
	$(BIN)/python bench/import_bench.py

# Every user page on the seed, as the user it is for: p50/p95 of 30 requests by 4 concurrent clients beside the
# server's ceiling (a static file), pages over 300 ms p95 flagged (own database in var/bench/pages; raw figures in
# var/bench/pages.json; docs/page-benchmarks.md).
bench-pages: deps assets
	$(BIN)/python bench/pages.py

# Mixed read/write load against a served process at 1, 8 and 32 clients: requests/s, p50/p95, errors, beside
# the server's ceiling (own database in var/loadtest; LOADTEST_DATABASE_URL=postgres://… for PostgreSQL).
loadtest: deps assets
	$(BIN)/python bench/loadtest.py $(if $(LOADTEST_DATABASE_URL),--database-url $(LOADTEST_DATABASE_URL))

# The production layout of deploy/Procfile on loopback (PostgreSQL, Redis, gunicorn, the rq worker, the scheduler,
# nginx as non-root) and a smoke test through the proxy (docs/operations.md).
deploy-smoke: deps assets
	scripts/deploy-smoke.sh

lint: deps
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) node_modules var
