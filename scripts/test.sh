#!/usr/bin/env bash
# Run the checks and the whole test suite on the database DATABASE_URL names
# (SQLite when unset). Installs what it needs into .venv first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run
.venv/bin/python -m pytest "$@"
