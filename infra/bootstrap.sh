#!/usr/bin/env bash
# Create .venv if missing and install exactly what requirements.lock pins, then Haven
# itself (editable, so the `haven` command runs this checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
UV_VERSION=$(sed -n 's/^uv==\([0-9.]*\).*/\1/p' requirements.lock)

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Haven needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "venv: creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/uv --version 2>/dev/null | grep -q " $UV_VERSION"; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
echo "venv: installing requirements.lock"
# Compiled once here: where PYTHONDONTWRITEBYTECODE is set (container images often set it),
# nothing would ever be cached, and every process (each `haven` command, Spark's Python
# workers, Airflow's services) would compile Airflow, Great Expectations, Spark and spaCy
# from source again, seconds each time.
.venv/bin/uv pip sync --quiet --compile-bytecode --python .venv/bin/python requirements.lock
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
touch .venv/.installed
echo "venv: ready ($(.venv/bin/python --version))"
