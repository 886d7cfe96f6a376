"""Benchmark: every row of the speed table at once (graded model, default run, workbench, --target, tests).

Runs the other benchmark scripts, each in its own process, and prints one
JSON line per row as it is measured, then the table in Markdown (what, now,
target, met). Rows:

``graded``
    graded coverage + solve against binary on the default scenario,
    ``benchmarks/coverage.py --cases fridhemsplan``, best of ``--repeat``;
    target ratio <= 1.5.
``inner_city``
    the same on the whole inner city (only with ``--inner-city``: about a
    minute and 2 GB per model); targets ratio <= 1.5, < 25 s, < 2 GB.
``run``
    ``camsite run`` with the curve and its target points against
    ``--no-curve`` (``benchmarks/run.py``, best of ``--repeat``); targets
    ratio <= 1.5 and < 6 s.
``serve``
    the workbench rows of ``benchmarks/serve.py``: 10 budget moves 1 s apart
    (p95 < 1 s), the same under load (p95 < 1 s), moves back to back (p95 <
    1.5 s), a category weight change (< 2 s).
``target``
    the real command ``camsite run SCENARIO --target 0.5`` (wall time, and
    whether the plan is proven optimal); target proven and < 20 s.
``tests``
    the README's test command's pytest part (``benchmarks/tests.py``);
    target < 3 minutes on 2 cores.

Times are wall times on a machine others may share: the load average is
printed with each row; ratios are what count.

Usage::

    python benchmarks/speed.py                          # every row but the inner city
    python benchmarks/speed.py --inner-city             # and the inner city
    python benchmarks/speed.py --only serve target      # some rows
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
GROUPS = ("graded", "inner_city", "run", "serve", "target", "tests")


def _lines(script: str, *args: str) -> list[dict[str, Any]]:
    """The JSON lines a benchmark script prints (it runs from the repository root in a fresh process)."""
    done = subprocess.run([sys.executable, str(HERE / script), *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"error: benchmarks/{script} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _row(what: str, now: str, target: str, met: bool, **figures: Any) -> dict[str, Any]:
    row = {"what": what, "now": now, "target": target, "met": met, "load_avg": round(os.getloadavg()[0], 2),
           **figures}
    print(json.dumps(row), flush=True)
    return row


def graded(case: str, repeat: int) -> dict[str, Any]:
    """Graded against binary coverage + solve on ``case``, best of ``repeat`` per model."""
    best: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        for line in _lines("coverage.py", "--cases", case):
            total = float(line["seconds"]) + float(line.get("solve_seconds", 0.0))
            if line["model"] not in best or total < best[line["model"]]["total_s"]:
                best[line["model"]] = {**line, "total_s": round(total, 2)}
    g, b = best["graded"], best["binary"]
    ratio = g["total_s"] / b["total_s"]
    if case == "inner_city":
        return _row("graded vs binary, inner city", f"{ratio:.1f}x, {g['total_s']:.0f} s, {g['peak_mb'] / 1024:.1f} GB",
                    "<= 1.5x, < 25 s, < 2 GB", ratio <= 1.5 and g["total_s"] < 25 and g["peak_mb"] < 2048,
                    graded_s=g["total_s"], binary_s=b["total_s"], peak_mb=g["peak_mb"], repeat=repeat)
    return _row("graded vs binary, default scenario", f"{ratio:.1f}x ({g['total_s']} s vs {b['total_s']} s)",
                "<= 1.5x", ratio <= 1.5, graded_s=g["total_s"], binary_s=b["total_s"], repeat=repeat)


def run(repeat: int) -> dict[str, Any]:
    """``camsite run`` with and without the curve (benchmarks/run.py's CLI line)."""
    cli = next(line for line in _lines("run.py", "--repeat", str(repeat)) if line["what"] == "cli")
    return _row("default run with curve vs --no-curve",
                f"{cli['ratio']:.2f}x ({cli['with_curve_s']} s with, {cli['no_curve_s']} s without)",
                "<= 1.5x; < 6 s", cli["ratio"] <= 1.5 and cli["with_curve_s"] < 6,
                **{k: v for k, v in cli.items() if k != "what"})


def serve() -> list[dict[str, Any]]:
    """The workbench rows of benchmarks/serve.py."""
    labels = {"slider": "workbench: 10 budget moves 1 s apart", "slider_load": "same, under load",
              "back_to_back": "workbench: moves back to back", "weights": "workbench: a category weight change"}
    out = []
    for line in _lines("serve.py"):
        if line.get("what") != "row":
            continue
        on = line["target_on"]
        now = (f"max {line['max_s']} s (p50 {line['p50_s']} s)" if on == "max"
               else f"p50 {line['p50_s']} s, p95 {line['p95_s']} s (exact plan: p95 {line['exact_p95_s']} s)")
        out.append(_row(labels[line["row"]], now, f"{on} < {line['target_s']:g} s", line["target_met"],
                        **{k: line[k] for k in ("p50_s", "p95_s", "max_s", "exact_p95_s", "busy_processes",
                                                "answered_without_solving")}))
    return out


def target() -> dict[str, Any]:
    """The real command ``camsite run --target 0.5``: wall time and whether its answer is proven.

    Proven means a plan with status optimal, or (exit code 3 with the "no plan sees" error line) a share out of
    reach: the error's "at most" is the LP bound of the highest reachable share, which no plan exceeds.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "camsite", "run", str(SCENARIO), "--target", "0.5", "--out",
                               str(out), "--no-progress", "--no-proofs"], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        summary = json.loads((out / "summary.json").read_text()) if done.returncode == 0 else {}
    unreachable = done.returncode == 3 and "no plan sees" in done.stderr
    proven = summary.get("status") == "optimal" or unreachable
    answer = "proven unreachable" if unreachable else "proven" if proven else "not proven"
    return _row("camsite run --target 0.5", f"{wall:.1f} s, {answer}", "proven, < 20 s", proven and wall < 20,
                wall_s=round(wall, 1), exit_code=done.returncode, status=summary.get("status") or
                ("unreachable" if unreachable else None), gap=summary.get("gap"))


def tests() -> dict[str, Any]:
    """The README's test command (benchmarks/tests.py)."""
    line = _lines("tests.py")[0]
    return _row("the README's test command", f"{line['wall_s']:.0f} s of pytest ({line.get('passed', 0)} passed)",
                "< 3 min on 2 cores", bool(line["target_met"]), **{k: v for k, v in line.items() if k != "what"})


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen rows, then print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", choices=GROUPS, default=None, help="these rows only")
    ap.add_argument("--inner-city", action="store_true", help="also the inner city (about 2 GB per model)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the coverage and run benchmarks (best kept)")
    args = ap.parse_args(argv)
    groups = args.only or [g for g in GROUPS if g != "inner_city" or args.inner_city]
    rows: list[dict[str, Any]] = []
    for group in groups:
        if group in ("graded", "inner_city"):
            rows.append(graded("fridhemsplan" if group == "graded" else "inner_city", args.repeat))
        elif group == "run":
            rows.append(run(args.repeat))
        elif group == "serve":
            rows.extend(serve())
        elif group == "target":
            rows.append(target())
        else:
            rows.append(tests())
    print("\n| what | now | target | met | load |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['what']} | {r['now']} | {r['target']} | {'yes' if r['met'] else 'no'} | {r['load_avg']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
