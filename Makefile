# LeadSync: `make run` starts the product, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install pwa lint bench clean prerequisites test-prerequisites

# What the two commands need on the machine: each missing piece is named, with how to get it.
prerequisites:
	@$(PYTHON) -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "LeadSync needs Python 3.11 or newer with venv and pip (Debian: apt-get install python3 python3-venv);"; \
	  echo "set PYTHON=/path/to/python3.11 if '$(PYTHON)' is an older one."; exit 1; }
	@command -v npm >/dev/null 2>&1 && node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null || { \
	  echo "LeadSync builds its app with Node.js 20.19 or newer and npm (Debian: apt-get install nodejs npm; or nodejs.org)."; exit 1; }

# The browser tests drive Debian's Chromium (E2E_CHROMIUM names another binary).
test-prerequisites:
	@test -x "$${E2E_CHROMIUM:-/usr/bin/chromium}" || { \
	  echo "The browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install chromium)."; exit 1; }

# The virtual environment is rebuilt only when the dependencies change.
$(VENV)/.installed: pyproject.toml | prerequisites
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# The offline app: npm packages from the lock file, then a production build in pwa/dist.
pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json | prerequisites
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

pwa/dist/index.html: pwa/node_modules/.installed $(shell find pwa/src pwa/public pwa/index.html pwa/vite.config.js -type f 2>/dev/null)
	cd pwa && npm run build

pwa: pwa/dist/index.html

# Migrate, load the demo organisation on first run, then serve the API + PWA and run the
# scheduler (SLA checks, reminders, purges) beside it; Ctrl-C stops both.
run: install pwa
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --if-empty
	$(BIN)/flask scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --worker-class gthread --threads 8 --access-logfile - wsgi:app

# Style (ruff), then architecture: app's layers and no import cycles (import-linter,
# contracts in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Lint, the PWA's unit tests (Vitest), then every Python test, browser tests included.
test: test-prerequisites lint pwa
	cd pwa && npm test --silent
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/sync_bench.py --db both
	$(BIN)/python bench/push_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache pwa/node_modules pwa/dist
