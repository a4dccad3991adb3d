# Comptoir: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FLASK_APP := app:create_app

.PHONY: run test test-dates test-date lint format bench venv dev-venv migrate-check clean seed translations translations-update

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

## make translations: compile the French catalogue (translations/fr/LC_MESSAGES/messages.po)
translations: $(VENV)/.installed
	$(BIN)/python -m core.catalogs

## make translations-update: the sources' new strings into the catalogue (then translate them)
translations-update: $(VENV)/.installed
	$(BIN)/python scripts/i18n.py update

## make run: install, migrate the SQLite database, load the demo data once, serve on 127.0.0.1:$(PORT)
## with the scheduled jobs in the background (`flask demo jobs`; e-mails readable at /dev/outbox)
## (a local development instance: its secret key is generated once into instance/secret_key)
run: export COMPTOIR_ENV = development
run: export BASE_URL = http://127.0.0.1:$(PORT)
run: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	$(BIN)/flask demo accounts
	@echo "E-mails sent by this instance: $(BASE_URL)/dev/outbox (and printed below)"
	@# the scheduled jobs (outbox, operations tick, statements) run beside the server and stop with it
	$(BIN)/flask demo jobs & jobs=$$!; trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile - 'app:create_app()'

## make test: install the dev extras, lint, then run the whole suite
test: dev-venv translations lint
	$(BIN)/python -m pytest

## make test-dates: the non-browser suite with every process's clock shifted (libfaketime,
## Debian package `faketime`) to three Paris moments: the eve of the spring DST change, a leap
## day, a summer Saturday evening. `make test-date MOMENT=2027-03-27T23:30` runs one.
DATE_MOMENTS := 2027-03-27T23:30 2028-02-29T12:00 2027-07-03T19:30
MOMENT ?= 2027-03-27T23:30

test-dates: dev-venv translations
	@failed=""; for moment in $(DATE_MOMENTS); do \
	  $(MAKE) --no-print-directory test-date MOMENT=$$moment || failed="$$failed $$moment"; done; \
	if [ -n "$$failed" ]; then echo "make test-dates: failed at$$failed"; exit 1; fi

test-date: dev-venv translations
	$(BIN)/python -m tests.support.shifted_clock $(MOMENT) -- -m "not e2e" -q

## make lint: style (ruff), layers (import-linter, contracts in .importlinter), types (mypy)
lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/i18n.py check
	$(BIN)/lint-imports
	$(BIN)/mypy

format: dev-venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: build the large dataset on an embedded PostgreSQL and print the figures
bench: dev-venv translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
