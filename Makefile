# Two commands: `make run` (set up, import the seed article, serve) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run serve test test-postgres lint bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# The CPU build of torch first: argostranslate needs it through stanza, and
	# an unpinned torch would pull a multi-gigabyte CUDA build.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

setup: $(VENV)/.installed node_modules/.package-lock.json

run: setup
	$(FLASK) seed
	@echo "Serving the workbench on http://$(HOST):$(PORT)/ (Ctrl+C stops it)."
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: setup
	$(VENV)/bin/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) wsgi:app

# Debian's Chromium for the browser tests; never a test tool's own browser download.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	else echo "Install Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi

test: setup /usr/bin/chromium
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check webapp tests bench

bench: setup
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules instance test-artifacts .pytest_cache
