#!/usr/bin/env bash
# Install, migrate, create a demo channel and user (printing its token), and
# serve the API on http://127.0.0.1:8000/, or where BIND says (runserver's
# `port` or `address:port`); SQLite unless DATABASE_URL is set. DEBUG stays
# off unless DJANGO_DEBUG=1.
set -euo pipefail
cd "$(dirname "$0")/.."

BIND="${BIND:-127.0.0.1:8000}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py setup_demo --bind "$BIND"
exec .venv/bin/python manage.py runserver "$BIND"
