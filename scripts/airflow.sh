#!/usr/bin/env bash
# `make airflow`: the Jet sandbox plus `airflow standalone` on :8080 with this
# project's DAGs. Ctrl-C stops both (each runs in its own process group).
set -euo pipefail
: "${AIRFLOW_HOME:?run through scripts/run (make airflow)}"
cores=$(nproc 2>/dev/null || echo 2)
export AIRFLOW__CORE__PARALLELISM=$((cores * 2))          # the default of 32 workers swamps a laptop
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG=$((cores * 2))
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=10
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/passwords.json"
export AIRFLOW__API__PORT=8080
password=${AIRFLOW_ADMIN_PASSWORD:-}
if [ -z "$password" ]; then
  password=$(python -c 'import secrets; print(secrets.token_urlsafe(12))')
fi
mkdir -p "$AIRFLOW_HOME"
printf '{"admin": "%s"}\n' "$password" > "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
chmod 600 "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping airflow and the sandbox..."
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped."
}
trap 'stop; exit 0' INT TERM  # Ctrl-C is how you stop it: a clean stop, not a failure
trap stop EXIT

mkdir -p "$AIRFLOW_HOME/logs"
if curl -sf "http://127.0.0.1:${JET_SANDBOX_PORT}/_sandbox/health" >/dev/null 2>&1; then
  echo "Jet sandbox already running on :${JET_SANDBOX_PORT}"
else
  setsid python -m jet_sandbox serve --port "$JET_SANDBOX_PORT" --clock real \
    >"$AIRFLOW_HOME/logs/sandbox.log" 2>&1 &
  pids+=($!)
  echo "Jet sandbox starting on :${JET_SANDBOX_PORT} (log: $AIRFLOW_HOME/logs/sandbox.log)"
fi
setsid airflow standalone &
pids+=($!)
cat <<MSG

  Airflow UI  http://localhost:8080   (user admin, password ${password})
  Jet sandbox http://127.0.0.1:${JET_SANDBOX_PORT}/docs
  DAGs from   ${AIRFLOW__CORE__DAGS_FOLDER}; examples off; new DAGs start unpaused.
  Ctrl-C stops everything.

MSG
wait "${pids[-1]}"
