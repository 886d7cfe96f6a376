"""``camsite robustness``: how sure is the plan? Perturbed samples and sensitivity, locally or on Dask."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from camsite import config, pipeline, robustness, runfolder
from camsite.cli._common import handle_errors, interrupted
from camsite.cli.options import (
    apply_overrides,
    attach_robustness,
    check_workers,
    executor_options,
    no_progress_option,
    robustness_line,
    show_progress,
    tls_files,
)
from camsite.config import Scenario
from camsite.executors import executor
from camsite.report import write_run


def _perturbations(scen: Scenario, *, no_bootstrap: bool, no_jitter: bool, weights: bool | None,
                   no_ranges: bool) -> Scenario:
    """The scenario with the perturbations the ``--no-*`` flags switch off (``--weights``/``--no-weights``:
    on or off; not given: the scenario's ``[robustness] weights``)."""
    rob = scen.robustness
    new = replace(rob, bootstrap=rob.bootstrap and not no_bootstrap, jitter=rob.jitter and not no_jitter,
                  weights=rob.weights if weights is None else weights, ranges=rob.ranges and not no_ranges)
    return scen if new == rob else config.override(scen, robustness=new)


@click.command("robustness")
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
@click.option("--weights/--no-weights", "weights", default=None,
              help="Also vary the category and street-space weights, the planner's judgements (default: the "
                   "scenario's [robustness] weights, off; the sensitivity table varies them one at a time).")
@click.option("--no-ranges", is_flag=True, help="Do not vary the camera ranges.")
@click.option("--no-sensitivity", is_flag=True, help="Skip the one-at-a-time sensitivity table.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None, help="Language of the report (default: sv).")
@no_progress_option
@handle_errors
def robustness_cmd(scenario: Path, samples: int, seed: int, out: Path | None, workers: int | None,
                   scheduler: str | None, budget: float | None, no_bootstrap: bool, no_jitter: bool,
                   weights: bool | None, no_ranges: bool, no_sensitivity: bool, lang: str | None,
                   no_progress: bool) -> None:
    """How sure is the plan? Solve N perturbed versions of SCENARIO's data at its budget.

    Writes the run folder (as `camsite run --no-curve`) plus robustness.csv
    (how often each site is chosen), samples.csv (per sample: objective, the
    plan's value, regret, overlap), sensitivity.csv and tornado.png, and a
    robustness section in report.html, inventory.xlsx and camsite.gpkg.

    Exit codes: 0 done, 2 bad input or option, 3 solver failure.
    """
    robustness.check_options(samples, seed)
    check_workers(workers)
    if out is not None:
        runfolder.recover(out)
    scen = apply_overrides(config.load(scenario), budget=budget, solver=None, time_limit=None, lang=lang,
                           include_incidents=False, no_curve=True)
    scen = _perturbations(scen, no_bootstrap=no_bootstrap, no_jitter=no_jitter, weights=weights,
                          no_ranges=no_ranges)
    out_dir = out or scen.output_dir()
    ui = scen.output.lang
    show = show_progress(no_progress)
    with runfolder.claim(out_dir):  # one run at a time on this folder
        runfolder.check_run_folder(out_dir)
        with executor(workers=workers, scheduler=scheduler, tls=tls_files()) as ex:  # an unreachable cluster fails here
            result = attach_robustness(pipeline.run(scen), ex, samples=samples, seed=seed, show=show,
                                       sensitivity=not no_sensitivity)
        write_run(result, out_dir, lang=ui, include_incidents=False, cancelled=interrupted)
    click.echo(f"{robustness_line(result, ui)} {out_dir}")
