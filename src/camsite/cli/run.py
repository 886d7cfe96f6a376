"""``camsite run``: run a scenario and write its output folder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from camsite.cli._common import handle_errors, main


def _progress_bar(enabled: bool):  # noqa: ANN202 - returns a (callback, closer) pair
    if not enabled:
        return (lambda name, i: None), (lambda: None)
    from tqdm import tqdm

    from camsite.pipeline import STEPS

    labels = {
        "network": "gatunät", "incidents": "händelser", "cameras": "befintliga kameror", "demand": "efterfrågan",
        "candidates": "kandidatplatser", "coverage": "siktlinjer", "optimise": "optimering",
        "curve": "budgetkurva", "rank": "rangordning",
    }
    bar = tqdm(total=len(STEPS) + 1, desc="camsite", unit="steg", leave=False, mininterval=0.2,
               bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} [{elapsed}]")

    def callback(name: str, index: int) -> None:
        bar.set_description_str(labels.get(name, name))
        bar.update(index + 1 - bar.n)

    return callback, bar.close


def _sek(value: float) -> str:
    """Whole kronor with a space as thousands separator: ``1 500 000``."""
    return f"{value:,.0f}".replace(",", " ")


@main.command("run")
@click.argument("scenario", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: [output] dir in the scenario, else out/<scenario name>). "
                   "An earlier run there is replaced only when the new run is complete.")
@click.option("--budget", type=float, default=None, metavar="SEK",
              help="Budget in SEK for new cameras (overrides optimization.budget_sek).")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default=None,
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
@click.option("--no-progress", is_flag=True, default=False, help="Do not draw a progress bar.")
@handle_errors
def run_cmd(scenario: Path, out: Path | None, budget: float | None, solver: str | None, time_limit: float | None,
            incidents: Path | None, cameras: Path | None, lang: str | None, include_incidents: bool,
            no_curve: bool, no_progress: bool) -> None:
    """Run SCENARIO (a TOML file) and write the proposed sites to an output folder.

    Writes sites.csv (ranked sites), sites.geojson, summary.json and, where the
    scenario asks for them, budget_curve.csv and stages.csv, plus
    inventory.xlsx, camsite.gpkg, map.png, budget_curve.png and report.html.

    Exit codes: 0 done (also when the solver hit its time limit: see the
    warning and the gap), 2 bad input, 3 infeasible model or solver failure.
    """
    from camsite import config, outputs, pipeline

    scen = config.load(scenario)
    overrides: dict[str, object] = {}
    if budget is not None:
        overrides["optimization.budget_sek"] = budget
    if solver is not None:
        overrides["optimization.solver"] = solver
    if time_limit is not None:
        overrides["optimization.time_limit_s"] = time_limit
    if lang is not None:
        overrides["output.lang"] = lang
    if include_incidents:
        overrides["output.include_incidents"] = True
    if no_curve:
        overrides["optimization.budget_sweep"] = None
        overrides["optimization.stages"] = ()
    if overrides:
        scen = scen.with_overrides(**overrides)
    out_dir = out or scen.output_dir()
    outputs.check_output_dir(out_dir)  # fail before minutes of work, not after
    show = not no_progress and sys.stderr.isatty()  # click.get_text_stream is deprecated (click 9)
    callback, close = _progress_bar(show)
    try:
        result = pipeline.run(scen, incidents=incidents, cameras=cameras, progress=callback)
        callback("write", len(pipeline.STEPS))
        outputs.write_run(result, out_dir, lang=scen.output.lang, include_incidents=scen.output.include_incidents)
    finally:
        close()
    s = result.summary
    click.echo(
        f"{s['n_new_sites']} nya platser för {_sek(s['spent_sek'])} av {_sek(s['budget_sek'])} kr; "
        f"täckning {s['coverage_before_pct']:.1f} % -> {s['coverage_after_pct']:.1f} % "
        f"(status {s['status']}, gap {100 * s['gap']:.2f} %). Resultat i {out_dir}/"
    )
    for layer in s.get("illustrative_layers", []):
        click.echo(f"obs: lagret {layer} är illustrativt (påhittat), inte verkliga data.", err=True)
