"""gunicorn behind nginx (deploy/nginx.conf.template): the image's and the scripts' settings.

    gunicorn -c deploy/gunicorn.conf.py omnitron.wsgi:application

GUNICORN_BIND (default 127.0.0.1:8001), GUNICORN_WORKERS (3) and
GUNICORN_THREADS (4) override the defaults. Only nginx should reach the bound
address: it is what shields the threads from slow clients.
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")]
# Threaded workers: a streamed CSV/Excel export (oms list-simple) can outlast
# the worker timeout; a gthread worker keeps its heartbeat while a thread streams.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Longer than nginx keeps an idle upstream connection (60 s), so gunicorn
# never closes one that nginx is about to reuse.
keepalive = 75
# nginx bounds the request line and headers (large_client_header_buffers) and
# answers in JSON; gunicorn's tighter defaults would answer HTML 400s first.
limit_request_line = 0
limit_request_field_size = 0
limit_request_fields = 32768
accesslog = "-"
# No `gunicornc` control socket: its default path is shared by every gunicorn
# of the user, and the service is stopped and started by signals.
control_socket_disable = True
