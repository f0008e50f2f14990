# Shared by scripts/demo and scripts/test: make .venv and install famgraph into it.
# Usage: source scripts/_venv.sh [dev]   ("dev" installs the test tools and every extra too)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "famgraph: creating $ROOT/.venv" >&2
  "$PY" -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip >&2
fi
spec="$ROOT"
# dev: the test tools plus every extra, so the whole suite (service, Spark) runs
[ "${1:-}" = "dev" ] && spec="$ROOT[dev,serve,spark]"
echo "famgraph: installing $spec into .venv" >&2
"$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec" >&2
export PATH="$ROOT/.venv/bin:$PATH"
