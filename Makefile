# Two commands: `make run` (set up, import the seed article, serve) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run serve test test-sqlite test-postgres lint bench clean debian-dictionaries \
	messages catalogues

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

setup: debian-dictionaries $(VENV)/.installed node_modules/.package-lock.json catalogues

# The interface's catalogues (webapp/core/i18n.py). `make messages` extracts every string
# of the Python, templates and JS into messages.pot and merges it into each language's .po
# (which we write and commit); set-up compiles the .po files into the .mo the app reads.
LOCALE_DIR := webapp/locale
PYBABEL := $(VENV)/bin/pybabel
BABEL_KEYWORDS := -k _l -k _ln:1,2 -k N_ -k t -k nt:1,2
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE_DIR)/*/LC_MESSAGES/messages.po))

catalogues: $(CATALOGUES)

$(LOCALE_DIR)/%/LC_MESSAGES/messages.mo: $(LOCALE_DIR)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(PYBABEL) compile -d $(LOCALE_DIR) -l $* -i $< -o $@ 2>&1 | grep -v '^compiling'; test -s $@

messages: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg $(BABEL_KEYWORDS) --no-wrap --sort-by-file \
	  --project=webapp --copyright-holder="the webapp authors" -o $(LOCALE_DIR)/messages.pot .
	$(PYBABEL) update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) --no-wrap \
	  --no-fuzzy-matching --ignore-obsolete

run: setup
	$(FLASK) seed
	@echo "Serving the workbench on http://$(HOST):$(PORT)/ (Ctrl+C stops it)."
	$(FLASK) run --host $(HOST) --port $(PORT)

# A team's server: production mode (a real SECRET_KEY is required), schema migrated first.
serve: setup
	WEBAPP_ENV=production $(FLASK) init-db
	WEBAPP_ENV=production $(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

# Debian's Chromium for the browser tests; never a test tool's own browser download.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	else echo "Install Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi

# Debian's dictionaries: Hunspell German and English for the spelling QA (through Enchant),
# and FreeDict German-English. Installed when one is missing, as root; else said how.
DICTIONARY_PACKAGES := hunspell-de-de hunspell-en-us libenchant-2-2 dict-freedict-deu-eng
debian-dictionaries:
	@missing=$$(for p in $(DICTIONARY_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	else echo "Install Debian's dictionaries: sudo apt-get install $$missing" >&2; exit 1; fi

# The whole suite twice: on SQLite, then on PostgreSQL (127.0.0.1:5432, a fresh database
# per run, dropped afterwards). PYTEST_ARGS passes options to both, e.g. PYTEST_ARGS=-x.
PG_SERVER ?= postgresql+psycopg://postgres@127.0.0.1:5432
PSQL := psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qX
PYTEST_ARGS ?=

test: lint test-sqlite test-postgres

test-sqlite: setup /usr/bin/chromium
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: setup /usr/bin/chromium
	@$(PSQL) -c 'SELECT 1' >/dev/null || { echo "PostgreSQL is not answering on \
	127.0.0.1:5432 (trust auth, user postgres): start it, or run make test-sqlite." >&2; exit 1; }
	db=webapp_test_$$$$; \
	$(PSQL) -c "CREATE DATABASE $$db" && \
	TEST_DATABASE_URL=$(PG_SERVER)/$$db $(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	$(PSQL) -c "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; exit $$status

lint: setup
	$(VENV)/bin/ruff check webapp tests bench
	$(VENV)/bin/lint-imports

bench: setup
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules instance test-artifacts .pytest_cache
