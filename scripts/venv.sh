#!/usr/bin/env bash
# Create .venv from the committed lock. Needs only Python 3.11 and make.
# uv is used when present; otherwise it is installed with pip into the venv first
# (uv is itself pinned in the lock, so `uv pip sync` keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

py=""
for cand in "${PYTHON:-}" python3.11 python3; do
  [ -n "$cand" ] && command -v "$cand" >/dev/null 2>&1 || continue
  if "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then py=$cand; break; fi
done
if [ -z "$py" ]; then
  echo "error: Python 3.11 is required (the lock is compiled for it) and none was found." >&2
  echo "       Install it (Debian/Ubuntu: apt-get install python3.11 python3.11-venv; macOS: brew install python@3.11)" >&2
  echo "       or point PYTHON=/path/to/python3.11 at one." >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  if command -v uv >/dev/null 2>&1; then
    uv venv -q --python "$py" .venv
  else
    "$py" -m venv .venv
  fi
fi
if [ ! -x .venv/bin/uv ] && ! command -v uv >/dev/null 2>&1; then
  echo "uv not found: installing it into .venv with pip"
  .venv/bin/python -m ensurepip -q >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q "$(grep -E '^uv==' requirements.txt)"
fi
uv_bin=$(command -v uv 2>/dev/null || echo .venv/bin/uv)
# Trust the operating system's certificates, as pip does: behind a TLS-inspecting proxy
# uv's bundled roots would refuse the registry.
export UV_NATIVE_TLS=${UV_NATIVE_TLS:-1}
"$uv_bin" pip sync -q --python .venv/bin/python --compile-bytecode requirements.txt
touch .venv/.synced
echo "virtualenv .venv is in sync with requirements.txt"
