"""The service loads nothing of the benchmark: its baseline lives under bench.settings."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

LOADED_BENCH_MODULES = """
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import sys
print(sorted(name for name in sys.modules if name == "bench" or name.startswith("bench.")))
"""


def test_the_service_loads_no_benchmark_code_whatever_the_environment():
    # OMNITRON_BENCH_BASELINE once mounted the baseline in the service's own URLs.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnitron.settings",
        "OMNITRON_BENCH_BASELINE": "1",
    }

    result = subprocess.run(
        [sys.executable, "-c", LOADED_BENCH_MODULES],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
