"""bench/results.md: one section per benchmark, each replaced by that benchmark's next run.

A section starts at its `## ` heading and runs to the next one. Earlier runs
are in the file's history.
"""

import shlex
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


def command_line() -> str:
    """How this process was started, to be written above its figures."""
    return shlex.join([Path(sys.executable).name, *sys.argv])


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    heading = f"## {title}"
    section = f"{heading}\n\n    {command_line()}\n\n{body.strip()}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        path.write_text(text.rstrip() + "\n\n" + section, encoding="utf-8")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    after = "".join(lines[end:])
    path.write_text(
        "".join(lines[:start]) + section + ("\n" + after if after else ""), encoding="utf-8"
    )
