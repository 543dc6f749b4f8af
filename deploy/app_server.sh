#!/bin/sh
# The app behind nginx (deploy/nginx.conf.template): granian serving Django's WSGI
# application. The image, docker-compose.yml and scripts/serve_production.sh run it.
#
#   sh deploy/app_server.sh
#
# granian reads its settings from GRANIAN_* variables; these are the defaults
# here, and any of them set in the environment wins:
#   GRANIAN_HOST, GRANIAN_PORT   the address nginx alone reaches (127.0.0.1:8001)
#   GRANIAN_WORKERS              worker processes (3)
#   GRANIAN_BLOCKING_THREADS     Django threads per worker (2)
# granian parses HTTP and talks to clients in Rust; a Python thread is taken
# only while Django works, so a few per worker keep the cores busy while
# others wait on the database. More threads per worker only queue on the GIL.
# No limit of its own is tighter than nginx's (large_client_header_buffers,
# client_max_body_size), so refusals are nginx's JSON answers. It waits up to
# 60 s for a request's headers on a kept-alive connection; nginx drops an idle
# upstream connection after 30 s (keepalive_timeout), so it never sends a
# request on one granian is closing.
set -eu
export GRANIAN_HOST="${GRANIAN_HOST:-127.0.0.1}"
export GRANIAN_PORT="${GRANIAN_PORT:-8001}"
export GRANIAN_WORKERS="${GRANIAN_WORKERS:-3}"
export GRANIAN_BLOCKING_THREADS="${GRANIAN_BLOCKING_THREADS:-2}"
# A worker that has not stopped 30 s after SIGTERM is killed, so a stop never hangs.
exec granian --interface wsgi --http 1 --no-ws --http1-header-read-timeout 60000 \
  --workers-kill-timeout 30 --access-log omnitron.wsgi:application
