"""CLI start-up benchmark: how long ``greenroom`` takes for the commands people type most.

    .venv/bin/python bench/cli_bench.py              # 21 runs of each command
    .venv/bin/python bench/cli_bench.py --runs 5     # a quick look

Each run is a fresh ``greenroom`` process (the installed script, from a scratch folder), timed
wall-clock from start to exit (and its CPU time: on a busy machine the wall clock also
waits for other processes); the catalog query runs on the example company, synced first
into a database of its own. Prints median, min and max per command, the median CPU time,
and exits 1 when a median misses its target (issue 17: ``--version`` and ``--help``
<= 0.2 s, ``catalog owner X --json`` <= 0.6 s, medians on a quiet machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
GREENROOM = Path(sys.executable).with_name("greenroom")

#: (what people type, its arguments, the target median in seconds, runs on the example company)
COMMANDS = [
    ("greenroom --version", ["--version"], 0.2, False),
    ("greenroom --help", ["--help"], 0.2, False),
    (
        "greenroom catalog owner payments-api --json",
        ["catalog", "owner", "payments-api", "--json"],
        0.6,
        True,
    ),
]


def _time(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run. On a busy machine the wall
    clock waits for other processes; the CPU time is what the command itself costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    missed = 0
    # Bytecode as an installed wheel has it (pip compiles at install): without it, an
    # environment with PYTHONDONTWRITEBYTECODE=1 recompiles every module of ours on every run.
    packages = ["bot", "catalog", "commands", "integrations", "jobs", "runtime", "slackkit"]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *(str(REPO / p) for p in packages)],
        check=True,
    )
    with tempfile.TemporaryDirectory(prefix="cli-bench-") as scratch:
        folder = Path(scratch)
        options = ["--config", str(EXAMPLES / "greenroom.yaml")]
        options += ["--database-url", f"sqlite:///{folder / 'globex.db'}"]
        subprocess.run(
            [str(GREENROOM), *options, "sync", "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=folder,
        )
        print(f"{'command':<46} {'median':>7} {'min':>7} {'max':>7} {'cpu':>7} {'target':>7}")
        for label, rest, target, needs_catalog in COMMANDS:
            command = [str(GREENROOM), *(options if needs_catalog else []), *rest]
            _time(command, folder)  # warm the file cache once
            runs = [_time(command, folder) for _ in range(args.runs)]
            times = [wall for wall, _ in runs]
            median = statistics.median(times)
            cpu = statistics.median(c for _, c in runs)
            verdict = "ok" if median <= target else "MISSED"
            missed += median > target
            print(
                f"{label:<46} {median:7.3f} {min(times):7.3f} {max(times):7.3f} {cpu:7.3f} "
                f"{target:6.1f}s {verdict}"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
