"""``camsite robustness``: how sure is the plan? Perturbed samples and sensitivity, locally or on Dask."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from camsite.cli._common import handle_errors, interrupted, main

if TYPE_CHECKING:
    from camsite.config import Scenario
    from camsite.result import RunResult
    from camsite.robustness.execute import Executor

__all__ = ["attach_robustness", "check_workers", "executor_options"]


def executor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers`` and ``--scheduler`` (shared by robustness, run and batch)."""
    func = click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="Run the tasks on this Dask cluster (pip install 'camsite[dask]'; see README).")(func)
    return click.option("--workers", type=int, default=None, metavar="K",
                        help="Local worker processes (default: one per core).")(func)


def check_workers(workers: int | None) -> None:
    """``--workers``: 1 or more."""
    if workers is not None and workers < 1:
        from camsite.errors import ConfigError

        raise ConfigError(f"must be 1 or more (got {workers})", where="--workers")


@contextmanager
def _bar(show: bool, lang: str) -> Iterator[Callable[[int, int], None] | None]:
    if not show:
        yield None
        return
    from tqdm import tqdm

    from camsite.i18n import tr

    bar = tqdm(total=0, desc=tr("rob_sheet", lang), unit="urval" if lang == "sv" else "sample", leave=False,
               mininterval=0.2)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


def attach_robustness(result: RunResult, ex: Executor, *, samples: int, seed: int, show: bool,
                      sensitivity: bool = True) -> RunResult:
    """``result`` with its robustness analysis on the executor ``ex`` (opened before the run, so an unreachable
    cluster fails before minutes of work)."""
    from camsite import robustness

    with _bar(show, result.scenario.output.lang) as cb:
        rob = robustness.analyse(result, samples=samples, seed=seed, executor=ex, sensitivity=sensitivity,
                                 progress=cb)
    return replace(result, robustness=rob)


def robustness_line(result: RunResult, lang: str) -> str:
    """One sentence for the terminal: samples, stable core, overlap and regret."""
    from camsite.i18n import fmt_num, fmt_pct, tr

    rob = result.robustness
    assert rob is not None
    s = rob.summary()
    main_sites = set(rob.sites.loc[rob.sites["in_main_plan"] == "yes", "site_id"])
    core = len(set(rob.stable_core) & main_sites)
    return tr("rob_done", lang, n=s["samples"], core=core, plan=len(main_sites),
              jaccard=fmt_num(s["mean_jaccard"], 2, lang), regret=fmt_pct(s["mean_regret_pct"], lang)).rstrip()


def _perturbations(scen: Scenario, *, no_bootstrap: bool, no_jitter: bool, no_weights: bool,
                   no_ranges: bool) -> Scenario:
    from camsite import config

    rob = scen.robustness
    new = replace(rob, bootstrap=rob.bootstrap and not no_bootstrap, jitter=rob.jitter and not no_jitter,
                  weights=rob.weights and not no_weights, ranges=rob.ranges and not no_ranges)
    return scen if new == rob else config.override(scen, robustness=new)


@main.command("robustness")
@click.argument("scenario", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--samples", type=int, default=100, show_default=True, metavar="N",
              help="Number of perturbed versions of the data to solve.")
@click.option("--seed", type=int, default=0, show_default=True, metavar="S",
              help="Seed; the same seed gives the same results on any number of workers or a cluster.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: [output] dir in the scenario, else out/<scenario name>).")
@executor_options
@click.option("--budget", type=float, default=None, metavar="SEK", help="Budget in SEK (overrides the scenario).")
@click.option("--no-bootstrap", is_flag=True, help="Do not resample the incidents.")
@click.option("--no-jitter", is_flag=True, help="Do not move incidents within their position precision.")
@click.option("--no-weights", is_flag=True, help="Do not vary the category and street-space weights.")
@click.option("--no-ranges", is_flag=True, help="Do not vary the camera ranges.")
@click.option("--no-sensitivity", is_flag=True, help="Skip the one-at-a-time sensitivity table.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None, help="Language of the report (default: sv).")
@click.option("--no-progress", is_flag=True, default=False, help="Do not draw a progress bar.")
@handle_errors
def robustness_cmd(scenario: Path, samples: int, seed: int, out: Path | None, workers: int | None,
                   scheduler: str | None, budget: float | None, no_bootstrap: bool, no_jitter: bool,
                   no_weights: bool, no_ranges: bool, no_sensitivity: bool, lang: str | None,
                   no_progress: bool) -> None:
    """How sure is the plan? Solve N perturbed versions of SCENARIO's data at its budget.

    Writes the run folder (as `camsite run --no-curve`) plus robustness.csv
    (how often each site is chosen), samples.csv (per sample: objective, the
    plan's value, regret, overlap), sensitivity.csv and tornado.png, and a
    robustness section in report.html, inventory.xlsx and camsite.gpkg.

    Exit codes: 0 done, 2 bad input or option, 3 solver failure.
    """
    from camsite import config, outputs, pipeline, robustness, runfolder
    from camsite.cli.run import _overrides

    robustness.check_options(samples, seed)
    check_workers(workers)
    if out is not None:
        runfolder.recover(out)
    scen = _overrides(config.load(scenario), budget=budget, solver=None, time_limit=None, lang=lang,
                      include_incidents=False, no_curve=True)
    scen = _perturbations(scen, no_bootstrap=no_bootstrap, no_jitter=no_jitter, no_weights=no_weights,
                          no_ranges=no_ranges)
    out_dir = out or scen.output_dir()
    runfolder.check_run_folder(out_dir)
    ui = scen.output.lang
    show = not no_progress and sys.stderr.isatty()
    with robustness.executor(workers=workers, scheduler=scheduler) as ex:  # an unreachable cluster fails here
        result = attach_robustness(pipeline.run(scen), ex, samples=samples, seed=seed, show=show,
                                   sensitivity=not no_sensitivity)
    outputs.write_run(result, out_dir, lang=ui, include_incidents=False, cancelled=interrupted)
    click.echo(f"{robustness_line(result, ui)} {out_dir}")
