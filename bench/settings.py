"""Settings of the benchmark's processes: the service's own, plus the baseline's URLs.

The plain-DRF baseline (bench/baseline/) is reachable only under these
settings, so nothing of the benchmark is mounted where `omnitron.settings`
runs. bench/api.py and bench/server.py set DJANGO_SETTINGS_MODULE to this.
"""

from omnitron.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
