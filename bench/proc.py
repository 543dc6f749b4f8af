"""CPU time of processes on this machine, read from Linux's /proc: the benchmarks' own measure."""

import os
from collections.abc import Iterator
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_ids() -> Iterator[int]:
    return (int(name) for name in os.listdir("/proc") if name.isdigit())


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (the state first); None once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(fields: list[str]) -> float:
    """User and system CPU time from a process's stat_fields."""
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND
