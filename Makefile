# The two commands: `make demo` (SQLite demo on http://127.0.0.1:8000/) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

# Tests and the demo never need a real secret; production must set its own.
export DJANGO_SECRET_KEY ?= insecure-key-for-tests-and-demo-only

CHROMIUM ?= /usr/bin/chromium
# make demo PORT=8001 serves the demo on another port.
PORT ?= 8000

.PHONY: demo test install lint fuzz clean screenshots loadbench

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 is required, found " + sys.version.split()[0]) if sys.version_info[:2] != (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(INSTALLED)

install: $(INSTALLED)

# The browser tests drive Debian's Chromium; install it when we can (root with apt).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium"; \
	fi

demo: export DJANGO_DEBUG = 1
demo: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py demo_accounts
	$(PY) manage.py populate_history --auto
	@echo "Demo on http://127.0.0.1:$(PORT)/ — admin at /admin/ (reviewer/reviewer, editor/editor, admin/admin)"
	@# The background worker runs beside the server and stops with it (Ctrl-C or exit).
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The test server speaks plain HTTP; tests/test_deploy.py checks the HTTPS settings.
test: export DJANGO_HTTPS = 0
test: install | $(CHROMIUM)
	$(PY) -m pytest $(PYTEST_ARGS)

# The long fuzz run against a live server (the suite's own run is shorter): see the README.
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_URL=$(FUZZ_URL) bash scripts/fuzz_live.sh

# Throughput under load against gunicorn on loopback (scripts/load_benchmark.py), bounded:
# about a minute per worker configuration. DATABASE_URL names a generate_claims database.
WRK ?= /usr/bin/wrk
$(WRK):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "The load benchmark needs wrk at $(WRK): sudo apt-get install wrk"; \
	fi

loadbench: install | $(WRK)
	$(PY) scripts/load_benchmark.py $(LOADBENCH_ARGS)

# Screenshots of the desk's main screens (docs/screenshots/), taken by the browser story test.
screenshots: export DJANGO_HTTPS = 0
screenshots: install | $(CHROMIUM)
	SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/browser/test_desk_pages.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
