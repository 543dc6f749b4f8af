"""Waiting for a server a test started in another process (granian) to answer."""

import time
import urllib.error
import urllib.request
from pathlib import Path


def status_of(url: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None):
    """The HTTP status `url` answers, or None when nothing answers."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError):
        return None


def wait_until_ready(process, url: str, headers: dict[str, str], log: Path, timeout=60) -> None:
    """Return once `url` answers 200; raise if the process exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        if status_of(url, headers) == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout} s; see {log}")
