"""``camsite run``: run a scenario and write its output folder."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import click
from tqdm import tqdm

from camsite import config, pipeline, robustness, runfolder
from camsite.cli._common import handle_errors, interrupted
from camsite.cli.options import (
    apply_overrides,
    attach_robustness,
    check_workers,
    executor_options,
    money,
    no_progress_option,
    robustness_line,
    show_progress,
    tls_files,
)
from camsite.config import Scenario
from camsite.executors import executor
from camsite.i18n import fmt_pct, layer_label, tr
from camsite.report import write_run
from camsite.report.daynight import day_night_line
from camsite.report.question import question_line
from camsite.result import RunResult
from camsite.stages import ProofStore, Summary, default_proof_dir
from camsite.vocab import SOLVER_NAMES


def _progress_bar(enabled: bool, lang: str) -> tuple[Callable[[str, int], None], Callable[[], None]]:
    """A (callback, closer) pair drawing the run's steps on stderr, or doing nothing."""
    if not enabled:
        return (lambda name, i: None), (lambda: None)
    bar = tqdm(total=len(pipeline.STEPS) + 1, desc="camsite", unit="steg" if lang == "sv" else "step", leave=False,
               mininterval=0.2, bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} [{elapsed}]")

    def callback(name: str, index: int) -> None:
        bar.set_description_str(tr(f"step_{name}", lang))
        bar.update(index + 1 - bar.n)

    return callback, bar.close


def _kind_pcts(summary: Summary, ui: str) -> dict[str, str]:
    """Coverage per demand kind, formatted: ``inc_``/``ff_``/``st_`` + ``before``/``after`` ("–" when absent)."""
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
    curve, staged = (len(t) if t is not None else 0 for t in (result.budget_curve, result.stages))
    total = curve + staged
    if total == 0:
        return ""
    what = tr("points_both" if curve and staged else "points_curve" if curve else "points_stages", lang)
    n = result.summary.curve_not_proven + result.summary.stages_not_proven
    return tr("run_not_proven", lang, n=n, total=total, what=what) if n else \
        tr("run_all_proven", lang, total=total, what=what)


def _done_line(s: Summary, ui: str, pct: dict[str, str], out_dir: Path) -> str:
    """The final line's first sentence: the question answered, the plan, incidents seen, the proof."""
    graded = tr("graded_note", ui) if getattr(s, "coverage_model", "binary") == "graded" else ""
    common = {"inc_before": pct["inc_before"], "inc_after": pct["inc_after"] + graded, "status": s.status,
              "gap": fmt_pct(100 * s.gap, ui, 2), "folder": out_dir}
    if (s.question or {}).get("objective") == "min_cost":
        return tr("run_done_min_cost", ui, question=question_line(s, ui).replace("\u00a0", " "), **common)
    return tr("run_done", ui, n=s.n_new_sites, spent=money(s.spent_sek, ui), budget=money(s.budget_sek, ui), **common)


def _echo_done(result: RunResult, out_dir: Path, ui: str) -> None:
    """The terminal's closing lines: the plan and its coverage, the robustness, the illustrative layers."""
    s = result.summary
    pct = _kind_pcts(s, ui)
    click.echo(_done_line(s, ui, pct, out_dir)
               + tr("run_kinds", ui, **pct, before=fmt_pct(s.coverage_before_pct, ui),
                    after=fmt_pct(s.coverage_after_pct, ui))
               + (" " + day_night_line(s, ui) if s.coverage_by_period else "")
               + _proof_note(result, ui))  # the proof stays last: the terminal's last line
    if result.robustness is not None:
        click.echo(robustness_line(result, ui))
    for layer in s.illustrative_layers:
        click.echo(tr("run_illustrative", ui, layer=layer_label(layer, ui)), err=True)


def _run_and_write(scen: Scenario, out_dir: Path, *, incidents: Path | None, cameras: Path | None,
                   rob_samples: int | None, seed: int, workers: int | None, scheduler: str | None,
                   show: bool, proofs: ProofStore | None) -> RunResult:
    """Run ``scen`` (and its robustness analysis with ``--robustness N``) and write ``out_dir``.

    ``--scheduler``: the budget curve's budgets and the districts' marginal-gain solves are the cluster's tasks
    (the main plan is solved here); without it they run on the local pool, as do the robustness samples.
    """
    ui = scen.output.lang
    callback, close = _progress_bar(show, ui)
    with contextlib.ExitStack() as stack:
        stack.callback(close)
        # the executor first, so an unreachable cluster fails before minutes of work (and nothing is written);
        # closed before the files are written: the writers fork a child for the pictures, which must not inherit
        # a Dask client's threads
        with contextlib.ExitStack() as solving:
            ex = None if rob_samples is None and scheduler is None else solving.enter_context(
                executor(workers=workers, scheduler=scheduler, tls=tls_files()))
            result = pipeline.run(scen, incidents=incidents, cameras=cameras, progress=callback,
                                  executor=ex if scheduler is not None else None, proofs=proofs)
            if ex is not None and rob_samples is not None:
                result = attach_robustness(result, ex, samples=rob_samples or 0, seed=seed, show=show)
        callback("write", len(pipeline.STEPS))
        write_run(result, out_dir, lang=ui, include_incidents=scen.output.include_incidents, cancelled=interrupted)
    return result


@click.command("run")
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
@click.option("--prove", is_flag=True, default=False,
              help="Prove the budget curve's target points and the highest reachable share: each gets the "
                   "scenario's time limit (minutes on a large model). Later runs on the same data reuse the proofs.")
@click.option("--proofs", "proofs_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Where proven target points are kept between runs (default: "
                                  "$XDG_CACHE_HOME/camsite/proofs, else ~/.cache/camsite/proofs).")
@click.option("--no-proofs", is_flag=True, default=False, help="Neither reuse nor keep proven target points.")
@executor_options
@no_progress_option
@handle_errors
def run_cmd(scenario: Path, out: Path | None, budget: float | None, solver: str | None, time_limit: float | None,
            incidents: Path | None, cameras: Path | None, lang: str | None, include_incidents: bool,
            no_curve: bool, target: float | None, rob_samples: int | None, seed: int, prove: bool,
            proofs_dir: Path | None, no_proofs: bool, workers: int | None, scheduler: str | None,
            no_progress: bool) -> None:
    """Run SCENARIO (a TOML file) and write the proposed sites to an output folder.

    Writes sites.csv (ranked sites), sites.geojson, summary.json and, where the
    scenario asks for them, budget_curve.csv and stages.csv, plus
    inventory.xlsx, camsite.gpkg, map.png, budget_curve.png and report.html.

    Exit codes: 0 done (also when the solver hit its time limit: see the
    warning and the gap), 2 bad input, 3 infeasible model or solver failure.
    """
    if rob_samples is not None:  # bad --robustness options fail before minutes of work
        robustness.check_options(rob_samples, seed, option="--robustness")
        check_workers(workers)
    if out is not None:
        runfolder.recover(out)  # an earlier run killed mid-swap: put it back even if this run fails early
    scen = apply_overrides(config.load(scenario), budget=budget, solver=solver, time_limit=time_limit, lang=lang,
                           include_incidents=include_incidents, no_curve=no_curve, target=target, prove=prove)
    proofs = None if no_proofs else ProofStore(proofs_dir or default_proof_dir())
    out_dir = out or scen.output_dir()
    with runfolder.claim(out_dir):  # one run at a time on this folder, from the check to the swap
        runfolder.check_run_folder(out_dir)  # fail before minutes of work, not after
        result = _run_and_write(scen, out_dir, incidents=incidents, cameras=cameras, rob_samples=rob_samples,
                                seed=seed, workers=workers, scheduler=scheduler, show=show_progress(no_progress),
                                proofs=proofs)
    _echo_done(result, out_dir, scen.output.lang)
