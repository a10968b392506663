#!/usr/bin/env bash
# `make airflow`: the Jet sandbox and this project's Airflow, each component logging to
# .local/logs/. The work is in scripts/airflow.py (port, executor, catalog, banner).
set -euo pipefail
: "${AIRFLOW_HOME:?run through scripts/run (make airflow)}"
exec python "$(dirname "$0")/airflow.py" "$@"
