#!/usr/bin/env bash
# `make airflow`: the Jet sandbox and this project's Airflow, each component logging to
# .local/logs/. The work is in scripts/start_airflow.py (port, executor, catalog, banner).
# (Not "airflow.py": on sys.path next to demo.py that name would shadow the airflow package.)
set -euo pipefail
: "${AIRFLOW_HOME:?run through scripts/run (make airflow)}"
exec python "$(dirname "$0")/start_airflow.py" "$@"
