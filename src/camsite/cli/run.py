"""``camsite run``: run a scenario and write its output folder."""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from camsite.cli._common import handle_errors, interrupted, main
from camsite.cli.robustness import attach_robustness, check_workers, executor_options, robustness_line
from camsite.vocab import SOLVER_NAMES

if TYPE_CHECKING:
    from camsite.config import Scenario
    from camsite.result import RunResult


def _progress_bar(enabled: bool, lang: str) -> tuple[Callable[[str, int], None], Callable[[], None]]:
    """A (callback, closer) pair drawing the run's steps on stderr, or doing nothing."""
    if not enabled:
        return (lambda name, i: None), (lambda: None)
    from tqdm import tqdm

    from camsite.i18n import tr
    from camsite.pipeline import STEPS

    bar = tqdm(total=len(STEPS) + 1, desc="camsite", unit="steg" if lang == "sv" else "step", leave=False,
               mininterval=0.2, bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} [{elapsed}]")

    def callback(name: str, index: int) -> None:
        bar.set_description_str(tr(f"step_{name}", lang))
        bar.update(index + 1 - bar.n)

    return callback, bar.close


def _check_target(target: float | None) -> float | None:
    """``--target``: a finite share in (0, 1], else a usage error naming the option."""
    if target is not None and not (math.isfinite(target) and 0 < target <= 1):
        raise click.BadParameter(f"{target:g} is not a share in (0, 1] (e.g. 0.5 for half the incidents)",
                                 param_hint="'--target'")
    return target


def _overrides(scen: Scenario, *, budget: float | None, solver: str | None, time_limit: float | None,
               lang: str | None, include_incidents: bool, no_curve: bool, target: float | None = None) -> Scenario:
    """The scenario with the command-line options applied to its sections, validated in full."""
    from camsite import config

    opt, out = scen.optimization, scen.output
    if budget is not None:
        opt = replace(opt, budget_sek=budget)
    if _check_target(target) is not None:
        opt = replace(opt, objective="min_cost", target_incident_share=target)
    if solver is not None:
        opt = replace(opt, solver=solver)
    if time_limit is not None:
        opt = replace(opt, time_limit_s=time_limit)
    if no_curve:
        opt = replace(opt, budget_sweep=None, stages=())
    if lang is not None:
        out = replace(out, lang=lang)
    if include_incidents:
        out = replace(out, include_incidents=True)
    if opt is scen.optimization and out is scen.output:
        return scen
    return config.override(scen, optimization=opt, output=out)


def _kind_pcts(summary: Any, ui: str) -> dict[str, str]:
    """Coverage per demand kind, formatted: ``inc_``/``ff_``/``st_`` + ``before``/``after`` ("–" when absent)."""
    from camsite.i18n import fmt_pct

    rows = {r.name: r for r in summary.coverage_by_kind}
    out = {}
    for short, kind in (("inc", "incident"), ("ff", "footfall"), ("st", "street")):
        for when in ("before", "after"):
            row = rows.get(kind)
            value = None if row is None else getattr(row, f"{when}_pct")
            out[f"{short}_{when}"] = "–" if value is None else fmt_pct(value, ui)
    return out


def _proof_note(result: RunResult, lang: str) -> str:
    """How many budget-curve and stage points were proven optimal (empty without a curve or stages)."""
    from camsite.i18n import tr

    curve, staged = (len(t) if t is not None else 0 for t in (result.budget_curve, result.stages))
    total = curve + staged
    if total == 0:
        return ""
    what = tr("points_both" if curve and staged else "points_curve" if curve else "points_stages", lang)
    n = result.summary.curve_not_proven + result.summary.stages_not_proven
    return tr("run_not_proven", lang, n=n, total=total, what=what) if n else \
        tr("run_all_proven", lang, total=total, what=what)


def _done_line(s: Any, ui: str, pct: dict[str, str], out_dir: Path) -> str:
    """The final line's first sentence: the question answered, the plan, incidents seen, the proof."""
    from camsite.i18n import fmt_num, fmt_pct, tr
    from camsite.report.question import question_line

    graded = tr("graded_note", ui) if getattr(s, "coverage_model", "binary") == "graded" else ""
    common = {"inc_before": pct["inc_before"], "inc_after": pct["inc_after"] + graded, "status": s.status,
              "gap": fmt_pct(100 * s.gap, ui, 2), "folder": out_dir}
    if (s.question or {}).get("objective") == "min_cost":
        return tr("run_done_min_cost", ui, question=question_line(s, ui).replace("\u00a0", " "), **common)
    return tr("run_done", ui, n=s.n_new_sites, spent=fmt_num(s.spent_sek, 0, ui).replace("\u00a0", " "),
              budget=fmt_num(s.budget_sek, 0, ui).replace("\u00a0", " "), **common)


def _executor(workers: int | None, scheduler: str | None) -> Any:
    """The executor of ``--robustness`` (a context manager; imported only when asked for)."""
    from camsite.robustness import executor

    return executor(workers=workers, scheduler=scheduler)


@main.command("run")
@click.argument("scenario", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: [output] dir in the scenario, else out/<scenario name>). "
                   "An earlier run there is replaced only when the new run is complete.")
@click.option("--budget", type=float, default=None, metavar="SEK",
              help="Budget in SEK for new cameras (overrides optimization.budget_sek).")
@click.option("--solver", type=click.Choice(SOLVER_NAMES), default=None,
              help="MIP solver: highs (default) or cbc.")
@click.option("--time-limit", type=float, default=None, metavar="S",
              help="Solver time limit in seconds; the best solution so far is written with its gap.")
@click.option("--incidents", type=click.Path(path_type=Path), default=None,
              help="Incident file (CSV, GeoJSON, GeoPackage) replacing the scenario's incident layers.")
@click.option("--cameras", type=click.Path(path_type=Path), default=None,
              help="Existing-camera file replacing the scenario's layer (e.g. the police's real inventory).")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
              help="Language of the report and the spreadsheet (default: sv).")
@click.option("--include-incidents", is_flag=True, default=False,
              help="Put raw incident points in the report, maps and GeoPackage (internal use only). "
                   "By default incidents are aggregated per street segment and counts under 3 suppressed.")
@click.option("--no-curve", is_flag=True, default=False,
              help="Skip the budget curve and staged plan (a quicker run: one exact solve).")
@click.option("--target", type=float, default=None, metavar="SHARE",
              help="Find the cheapest plan that sees at least this share (0-1] of the incidents, e.g. 0.5 "
                   "(sets optimization.objective = \"min_cost\" and target_incident_share).")
@click.option("--robustness", "rob_samples", type=int, default=None, metavar="N",
              help="Also solve N perturbed versions of the data (robustness.csv, samples.csv; see "
                   "`camsite robustness --help`).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --robustness.")
@executor_options
@click.option("--no-progress", is_flag=True, default=False, help="Do not draw a progress bar.")
@handle_errors
def run_cmd(scenario: Path, out: Path | None, budget: float | None, solver: str | None, time_limit: float | None,
            incidents: Path | None, cameras: Path | None, lang: str | None, include_incidents: bool,
            no_curve: bool, target: float | None, rob_samples: int | None, seed: int, workers: int | None,
            scheduler: str | None, no_progress: bool) -> None:
    """Run SCENARIO (a TOML file) and write the proposed sites to an output folder.

    Writes sites.csv (ranked sites), sites.geojson, summary.json and, where the
    scenario asks for them, budget_curve.csv and stages.csv, plus
    inventory.xlsx, camsite.gpkg, map.png, budget_curve.png and report.html.

    Exit codes: 0 done (also when the solver hit its time limit: see the
    warning and the gap), 2 bad input, 3 infeasible model or solver failure.
    """
    from camsite import config, outputs, pipeline, runfolder
    from camsite.i18n import fmt_pct, layer_label, tr

    if rob_samples is not None:  # bad --robustness options fail before minutes of work
        from camsite.robustness import check_options

        check_options(rob_samples, seed, option="--robustness")
        check_workers(workers)
    if out is not None:
        runfolder.recover(out)  # an earlier run killed mid-swap: put it back even if this run fails early
    scen = _overrides(config.load(scenario), budget=budget, solver=solver, time_limit=time_limit, lang=lang,
                      include_incidents=include_incidents, no_curve=no_curve, target=target)
    out_dir = out or scen.output_dir()
    runfolder.check_run_folder(out_dir)  # fail before minutes of work, not after
    show = not no_progress and sys.stderr.isatty()  # click.get_text_stream is deprecated (click 9)
    ui = scen.output.lang
    callback, close = _progress_bar(show, ui)
    with contextlib.ExitStack() as stack:
        # --robustness N: the executor first, so an unreachable cluster fails before minutes of work
        ex = None if rob_samples is None else stack.enter_context(_executor(workers, scheduler))
        stack.callback(close)
        result = pipeline.run(scen, incidents=incidents, cameras=cameras, progress=callback)
        if ex is not None:
            result = attach_robustness(result, ex, samples=rob_samples or 0, seed=seed, show=show)
        callback("write", len(pipeline.STEPS))
        outputs.write_run(result, out_dir, lang=ui, include_incidents=scen.output.include_incidents,
                          cancelled=interrupted)
    s = result.summary
    pct = _kind_pcts(s, ui)
    click.echo(_done_line(s, ui, pct, out_dir)
               + tr("run_kinds", ui, **pct, before=fmt_pct(s.coverage_before_pct, ui),
                    after=fmt_pct(s.coverage_after_pct, ui))
               + _proof_note(result, ui))
    if result.robustness is not None:
        click.echo(robustness_line(result, ui))
    for layer in s.illustrative_layers:
        click.echo(tr("run_illustrative", ui, layer=layer_label(layer, ui)), err=True)
