#!/usr/bin/env bash
# Production without containers: nginx (Debian's package) in front of the app (granian).
#
#   DATABASE_URL=postgres://... DJANGO_SECRET_KEY=... DJANGO_ALLOWED_HOSTS=api.example.com \
#       bash scripts/serve_production.sh
#
# Installs nginx if it is missing, migrates, collects the static files, then
# runs the app on 127.0.0.1:$APP_PORT (deploy/app_server.sh) and an
# nginx of its own on $NGINX_LISTEN (deploy/nginx.conf.template), its pid,
# logs and temporary files in $RUN_DIR, not the system's nginx service. Runs
# in the foreground; Ctrl-C or SIGTERM stops both, and so does either one
# exiting.
#
# NGINX_LISTEN   what nginx listens on: a port or address:port (default 8080)
# APP_PORT       the app's port on 127.0.0.1, reached by nginx alone (default 8001)
# RUN_DIR        the rendered configuration and the logs (default: a new temporary folder)
# Plus the settings of the README (DJANGO_ENV is production here): DATABASE_URL,
# DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, ...; GRANIAN_WORKERS, GRANIAN_BLOCKING_THREADS.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL}"
NGINX_LISTEN="${NGINX_LISTEN:-8080}"
APP_PORT="${APP_PORT:-8001}"
RUN_DIR="${RUN_DIR:-$(mktemp -d -t omnitron-run.XXXXXX)}"
export DJANGO_ENV=production
# The app is bound to loopback, so every request comes through nginx.
export DJANGO_BEHIND_PROXY=1
export GRANIAN_HOST=127.0.0.1 GRANIAN_PORT="$APP_PORT"

nginx_binary() {
  command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }
}
if ! nginx_binary >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx >/dev/null
fi
NGINX="$(nginx_binary)"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v 0

mkdir -p "$RUN_DIR"
# nginx's workers (nobody, when started as root) write their temporary files here.
chmod 755 "$RUN_DIR"
render() {
  sed -e "s|\${OMNITRON_LISTEN}|$NGINX_LISTEN|g" \
      -e "s|\${OMNITRON_APP}|127.0.0.1:$APP_PORT|g" \
      -e "s|\${OMNITRON_RUN_DIR}|$RUN_DIR|g" "$1"
}
render deploy/nginx.conf.template >"$RUN_DIR/omnitron.conf"
render deploy/nginx-standalone.conf.template >"$RUN_DIR/nginx.conf"
nginx_command=("$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log")
"${nginx_command[@]}" -t -q

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  wait || true
}
trap stop EXIT INT TERM

# In a session of its own: a signal to this script's process group (Ctrl-C, a
# supervisor's SIGTERM) reaches granian once, from stop(), not twice. A second
# signal during its shutdown can leave granian's main process waiting forever.
PATH="$PWD/.venv/bin:$PATH" setsid sh deploy/app_server.sh &
pids+=($!)
for _ in $(seq 100); do
  (: </dev/tcp/127.0.0.1/"$APP_PORT") 2>/dev/null && break
  sleep 0.2
done
"${nginx_command[@]}" -g "daemon off;" &
pids+=($!)
echo "Serving on $NGINX_LISTEN (nginx) -> 127.0.0.1:$APP_PORT (granian); logs in $RUN_DIR"
# Until either stops; the trap then stops the other.
wait -n "${pids[@]}"
