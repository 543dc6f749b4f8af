#!/usr/bin/env bash
# Run the checks and the whole test suite on the database DATABASE_URL names
# (SQLite when unset), the benchmark's own checks first. Installs what it needs
# into .venv first. Arguments go to pytest and run those tests alone.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# The Celery tests start real workers: their tasks go to a queue of this run's
# own, so runs sharing one RabbitMQ never take each other's tasks.
export CELERY_TASK_DEFAULT_QUEUE="${CELERY_TASK_DEFAULT_QUEUE:-omnitron-tests-$$}"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run
# The benchmark's own checks (its baseline, data set and wrk reader) run under
# its settings, apart from tests/, which imports nothing of bench/.
if [ "$#" -eq 0 ]; then
  .venv/bin/python -m pytest -q --ds=bench.settings bench/tests
fi
.venv/bin/python -m pytest "$@"
