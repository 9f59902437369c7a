# Rezerva: `make run` starts the app on SQLite with demo data; `make test` runs lint and the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help venv run test lint fmt check audit migrate demo bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

venv: $(STAMP) ## create .venv with the pinned dependencies

run: $(STAMP) ## migrate SQLite, load demo data, run the site on http://127.0.0.1:8000
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

test: $(STAMP) ## ruff check, then the suite on SQLite and on PostgreSQL when reachable
	bash scripts/test.sh

lint: $(STAMP) ## ruff check + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP) ## migrations are up to date and ruff is clean
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .

audit: ## pip-audit requirements/*.lock (needs network; not run by CI; see scripts/audit.sh)
	PYTHON=$(PYTHON) bash scripts/audit.sh

bench: $(STAMP) ## benchmarks on PostgreSQL (127.0.0.1:5432): writes bench/results/<date>.json
	@$(BIN)/python scripts/pg_ready.py postgres://postgres@127.0.0.1:5432/postgres || \
		{ echo "make bench needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres)"; exit 1; }
	$(BIN)/python -m bench.run_all

clean: ## remove the venv and the local database
	rm -rf $(VENV) db.sqlite3 var
