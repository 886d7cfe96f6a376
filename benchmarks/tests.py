"""Benchmark: the README's test command, timed (its pytest part: ``python -m pytest``).

Runs ``python -m pytest -p no:cacheprovider -q --durations=N`` from the
repository root in a fresh process (pyproject's options apply: every core
with pytest-xdist, the doctests) and prints one JSON line: ``wall_s`` (the
command's wall time, start-up and collection included), ``pytest_s`` (the
time pytest reports), the counts (passed, failed, skipped, errors),
``durations_sum_s`` (the sum of every test phase pytest timed: the work the
workers shared), ``load_before`` and ``load_after`` (the one-minute load
average: the machine may be shared), the target (3 minutes on a 2-core
machine) and whether it was met. With ``--slowest N`` the N slowest test
phases follow, one JSON line each.

Usage::

    python benchmarks/tests.py                     # the whole suite, as the README runs it
    python benchmarks/tests.py --slowest 30        # and the 30 slowest test phases
    python benchmarks/tests.py -- -m "not slow"    # extra pytest arguments after --
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The issue's target for the whole suite on a 2-core machine (seconds).
TARGET_S = 180.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s (setup|call|teardown)\s+(\S.*)$")
_FINAL = re.compile(r"in (\d+(?:\.\d+)?)s")
_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)")


def parse(output: str) -> tuple[dict[str, float], list[dict[str, object]]]:
    """The counts and pytest's own time from pytest's last line, and every timed test phase (slowest first).

    >>> counts, rows = parse("  3.50s call     tests/test_a.py::test_x\\n== 2 passed, 1 skipped in 9.12s ==")
    >>> counts["passed"], counts["pytest_s"], rows[0]["test"]
    (2.0, 9.12, 'tests/test_a.py::test_x')
    """
    rows = [{"seconds": float(m[1]), "phase": m[2], "test": m[3].strip()}
            for line in output.splitlines() if (m := _DURATION.match(line))]
    rows.sort(key=lambda r: -float(str(r["seconds"])))
    counts: dict[str, float] = {}
    last = next((line for line in reversed(output.splitlines()) if _FINAL.search(line)), "")
    for n, what in _COUNT.findall(last):
        counts[what.rstrip("s") if what.startswith(("error", "warning")) else what] = float(n)
    if (m := _FINAL.search(last)) is not None:
        counts["pytest_s"] = float(m[1])
    return counts, rows


def main(argv: list[str] | None = None) -> int:
    """Run the suite once and print its figures as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--slowest", type=int, default=0, metavar="N", help="also print the N slowest test phases")
    ap.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = ap.parse_args(argv)
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--durations=0", "--durations-min=0",
           *args.pytest_args]
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    counts, rows = parse(done.stdout)
    failures = [line.split(" ", 2)[1] for line in done.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    print(json.dumps({"what": "tests", "command": "python -m pytest", "wall_s": round(wall, 1),
                      **{k: (round(v, 1) if k == "pytest_s" else int(v)) for k, v in counts.items()},
                      "durations_sum_s": round(sum(float(str(r["seconds"])) for r in rows), 1),
                      "exit_code": done.returncode, "failures": failures, "cores": os.cpu_count(), "load_before": round(load_before, 2),
                      "load_after": round(os.getloadavg()[0], 2), "target_s": TARGET_S,
                      "target_met": done.returncode == 0 and wall < TARGET_S}), flush=True)
    for row in rows[:args.slowest]:
        print(json.dumps({"what": "slow", **row}), flush=True)
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
