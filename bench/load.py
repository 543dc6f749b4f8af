"""Driving a server with wrk (Debian's `wrk` package) and reading its report.

    apt-get install -y wrk

A fixed URL is given to wrk as it is. Requests that vary (a random customer
of a sample, a PATCH with a new value each time) are written by a Lua script
made for the run (`random_ids_script`).
"""

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(\w+),", re.MULTILINE)
PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


class WrkMissing(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class LoadResult:
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int = 0
    socket_errors: int = 0

    @property
    def failed(self) -> int:
        return self.non_2xx + self.socket_errors


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing("wrk is not installed: apt-get install -y wrk")
    return path


def run_wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int,
    headers: dict[str, str],
    script: Path | None = None,
    timeout_seconds: int = 30,
) -> LoadResult:
    """Load `url` for `duration` seconds over `connections` keep-alive connections."""
    command = [
        wrk_path(),
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        f"--timeout={timeout_seconds}s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    if script is not None:
        command += ["--script", str(script)]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> LoadResult:
    """The figures of a `wrk --latency` report."""
    percentiles = {
        int(p): float(value) * UNITS_MS[unit] for p, value, unit in PERCENTILE.findall(output)
    }
    rate = REQUESTS_PER_SECOND.search(output)
    total = TOTAL.search(output)
    if rate is None or total is None or 50 not in percentiles or 99 not in percentiles:
        raise ValueError(f"Not a wrk --latency report:\n{output}")
    non_2xx = NON_2XX.search(output)
    socket_errors = SOCKET_ERRORS.search(output)
    return LoadResult(
        requests=int(total[1]),
        requests_per_second=float(rate[1]),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
    )


def random_ids_script(
    path: Path, path_template: str, ids: list[int], *, method: str = "GET", body: str = ""
) -> Path:
    """A wrk script requesting `path_template % id` for ids drawn from `ids`.

    With a `body`, each request sends it with `%s` replaced by a value unique
    to the request (thread and counter), so every PATCH is a real change.
    """
    lua = f"""
local ids = {{{",".join(map(str, ids))}}}
local template = {json.dumps(path_template)}
local body = {json.dumps(body)}
local counter = 0
local next_thread = 1
wrk.method = {json.dumps(method)}
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  math.randomseed(os.time() * 100 + thread_number)
end

function request()
  counter = counter + 1
  local target = string.format(template, ids[math.random(#ids)])
  if body == "" then
    return wrk.format(nil, target)
  end
  local value = string.format("%d-%d-%d", os.time(), thread_number, counter)
  return wrk.format(nil, target, nil, string.format(body, value))
end
"""
    path.write_text(lua, encoding="utf-8")
    return path
