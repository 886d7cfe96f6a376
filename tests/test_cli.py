"""The command line as a user meets it: help, a real run, and every error path.

The default scenario's full run is the session's ``default_out`` (written once
by ``camsite run`` in this process). One run of a small scenario starts a real
process (``--no-curve --lang en``); the rest run the command in-process on
small scenarios (``factory.invoke``), the shipped network read once per study
area (``factory.network_cache``).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from factory import (
    DEFAULT_SCENARIO,
    default_data,
    fridhemsplan_data,
    invoke,
    network_cache,
    one_error_line,
    run_process,
    scenario_data,
    write_scenario,
)


def assert_one_line_error(result, code: int, *fragments: str) -> str:
    return one_error_line(result.stderr, result.exit_code, code, *fragments)


def test_help_explains_every_option() -> None:
    top = invoke("--help")
    assert top.exit_code == 0 and "run" in top.stdout
    run = invoke("run", "--help")
    for opt in ("--out", "--budget", "--solver", "--time-limit", "--incidents", "--cameras", "--lang",
                "--include-incidents", "--no-curve", "--no-progress"):
        assert opt in run.stdout


@pytest.fixture(scope="module", autouse=True)
def _network_read_once() -> Iterator[None]:
    with network_cache():
        yield


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A 300 m circle around Fridhemsplan on the shipped data (a run of a few seconds)."""
    return write_scenario(tmp_path, fridhemsplan_data(name="small"))


# -- the default run ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_run_prints_a_swedish_summary_line(default_cli, default_out: Path) -> None:
    s = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    spent = f"{s['spent_sek']:,.0f}".replace(",", " ")
    def sv(value: float) -> str:
        return f"{value:.1f}".replace(".", ",")

    kinds = {r["kind"]: r for r in s["coverage_by_kind"]}
    # the headline is the incidents; the other kinds and the objective's blend follow
    assert default_cli.stdout.startswith(
        f"{s['n_new_sites']} nya platser för {spent} av 1 500 000 kr; händelser sedda "
        f"{sv(s['incident_coverage_before_pct'])} % -> {sv(s['incident_coverage_after_pct'])} % "
        "(viktat efter bildkvalitet, EN 62676-4) (status optimal, gap 0,00 %).")
    assert s["coverage_model"] == "graded"
    assert (f"Resandes ytor {sv(kinds['footfall']['before_pct'])} % -> {sv(kinds['footfall']['after_pct'])} %; "
            f"gatumeter {sv(kinds['street']['before_pct'])} % -> {sv(kinds['street']['after_pct'])} %; "
            f"målfunktionen (viktad blandning) {sv(s['coverage_before_pct'])} % -> "
            f"{sv(s['coverage_after_pct'])} %.") in default_cli.stdout
    assert str(default_out) in default_cli.stdout
    n_points = len(pd.read_csv(default_out / "budget_curve.csv"))
    assert default_cli.stdout.rstrip().endswith(f"Alla {n_points} punkter i budgetkurvan är bevisat optimala.")
    assert "illustrativt" in default_cli.stderr  # the illustrative camera layer is flagged


@pytest.mark.slow
def test_run_writes_the_three_files(default_out: Path) -> None:
    for name in ("sites.csv", "sites.geojson", "summary.json"):
        assert (default_out / name).is_file()
    summary = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    for key in ("scenario", "budget_sek", "spent_sek", "n_new_sites", "coverage_before_pct", "coverage_after_pct",
                "objective", "bound", "gap", "status", "solver", "runtime_s", "n_demand", "n_candidates",
                "data_sources"):
        assert key in summary
    assert summary["status"] == "optimal"
    with open(default_out / "sites.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == summary["n_new_sites"]
    assert sum(float(r["cost_sek"]) for r in rows) == pytest.approx(summary["spent_sek"])
    geo = json.loads((default_out / "sites.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(rows)
    assert geo["features"][0]["geometry"]["coordinates"] == [float(rows[0]["lon"]), float(rows[0]["lat"])]
    assert not list(default_out.parent.glob(".fridhemsplan.*"))  # no temporary folder left


def test_real_process_in_english(small: Path, tmp_path: Path) -> None:
    """A real process, as a user starts it: English summary line, no curve, the files written, exit 0.

    (That a rerun gives the same bytes is pinned by test_golden.py and test_determinism.py.)
    """
    out = tmp_path / "en"
    proc = run_process("run", small, "--out", out, "--no-progress", "--no-curve", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "budget_curve.csv").exists() and not (out / "budget_curve.png").exists()
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["budget_curve_knee"] is None and s["status"] == "optimal"
    assert {r["category"]: r["label"] for r in s["coverage_by_category"]}["narkotika"] == "Drug offences"
    spent = f"{s['spent_sek']:,.0f}"
    assert proc.stdout.startswith(f"{s['n_new_sites']} new sites for {spent} of 500,000 SEK; incidents seen "
                                  f"{s['incident_coverage_before_pct']:.1f} % -> "
                                  f"{s['incident_coverage_after_pct']:.1f} % (status optimal, gap 0.00 %).")
    assert f"objective (weighted blend) {s['coverage_before_pct']:.1f} % -> " in proc.stdout
    assert "note: the layer existing cameras is illustrative" in proc.stderr and "Traceback" not in proc.stderr
    with open(out / "sites.csv", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == s["n_new_sites"] > 0


def test_budget_override_and_cbc(small: Path, tmp_path: Path, no_deliverables: None) -> None:
    out = tmp_path / "cbc"
    res = invoke("run", small, "--out", out, "--budget", "300000", "--solver", "cbc", "--no-progress", "--no-curve")
    assert res.exit_code == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["budget_sek"] == 300_000 and 0 < summary["spent_sek"] <= 300_000
    assert summary["solver"] == "cbc" and summary["status"] == "optimal"
    assert not (out / "budget_curve.csv").exists()  # --no-curve skips the sweep


def test_unproven_points_are_marked_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CBC with a 0.01 s limit per solve cannot prove the small budgets: every output says which points and how many.

    The counts in the terminal line, the warning, summary.json, the report's chart and the workbook are all
    compared with the status column of the CSV files, and the curve's ``sites`` are the sites' variant ids.
    The budget's count rows and the improved starts let CBC prove these small budgets at once; they are
    switched off here (the sweep's forked workers inherit that), so that some point stays unproven.
    """
    import camsite.optimize._maxcov as maxcov

    monkeypatch.setattr(maxcov, "count_cuts", lambda costs, budget: [])
    monkeypatch.setattr(maxcov, "MAX_IMPROVE_SITES", -1)
    scen = write_scenario(tmp_path, fridhemsplan_data(radius_m=400, name="proof", optimization={
        "budget_sek": 500000, "budget_sweep": {"start": 250000, "stop": 1000000, "step": 250000},
        "stages": [250000, 250000]}))
    out = tmp_path / "out"
    res = invoke("run", scen, "--out", out, "--solver", "cbc", "--time-limit", "0.01", "--no-progress")
    assert res.exit_code == 0, res.stderr
    curve = pd.read_csv(out / "budget_curve.csv")
    staged = pd.read_csv(out / "stages.csv")
    for table in (curve, staged):
        assert table["proven_optimal"].tolist() == (table["status"] == "optimal").tolist()
    n_curve, n_stages = int((~curve["proven_optimal"]).sum()), int((~staged["proven_optimal"]).sum())
    assert n_curve >= 1  # 250 000 kr cannot be proven in 0.01 s
    total = len(curve) + len(staged)
    assert (f"OBS: {n_curve + n_stages} av {total} punkter i budgetkurvan och etapper är inte bevisat optimala"
            in res.stdout)
    assert f"{n_curve} of {len(curve)} budget-curve points not proven optimal" in res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["curve_not_proven"], summary["stages_not_proven"]) == (n_curve, n_stages)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('class="not-proven"') == n_curve and 'id="curve-not-proven"' in page
    sheet = openpyxl.load_workbook(out / "inventory.xlsx")["Budgetkurva"]
    header = [c.value for c in sheet[1]]
    proven = [r[header.index("Bevisat optimal")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert proven.count("nej") == n_curve and proven.count("ja") == len(curve) - n_curve
    sites = pd.read_csv(out / "sites.csv")
    variants = curve.loc[curve["budget_sek"] == 500000, "sites"].item().split(";")
    assert all(re.fullmatch(r"\d+_\d+:[a-z0-9_]+(:\d+)?", v) for v in variants)
    assert sorted(v.split(":")[0] for v in variants) == sorted(sites["site_id"])


def _published_counts(out: Path) -> dict[str, list[float | None]]:
    """Every incident count a run folder publishes: per site, per category and sub-area, per existing camera."""
    sites = pd.read_csv(out / "sites.csv")
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = s["coverage_by_category"] + s["coverage_by_subarea"]
    book = openpyxl.load_workbook(out / "inventory.xlsx")

    def column(sheet: str, title: str) -> list[float | None]:
        header = [c.value for c in book[sheet][1]]
        return [None if r[header.index(title)] == "färre än 3" else r[header.index(title)]
                for r in book[sheet].iter_rows(min_row=2, values_only=True)]

    return {"sites.csv": [None if pd.isna(v) else float(v) for v in sites["gain_incidents"]],
            "summary.json": [r[k] for r in rows for k in ("incidents_total", "incidents_before", "incidents_after")],
            "inventory.xlsx sites": column("Föreslagna platser", "Tillskott täckta händelser"),
            "inventory.xlsx cameras": column("Befintliga kameror", "Täckta händelser")}


def test_one_privacy_rule_for_every_shareable_output(small: Path, tmp_path: Path) -> None:
    """Counts of one or two incidents are not published (blank / "färre än 3"), unless asked for.

    The same run with --include-incidents gives the true counts: every value in (0, 3) is suppressed and
    every value shown is the true one (a group's other counts are hidden with its small one, and one more
    group when the total minus those shown would give the hidden ones back: docs/assumptions.md).
    """
    shared, internal = tmp_path / "shared", tmp_path / "internal"
    assert invoke("run", small, "--out", shared, "--no-progress", "--no-curve").exit_code == 0
    assert invoke("run", small, "--out", internal, "--no-progress", "--no-curve", "--include-incidents").exit_code == 0
    published, true = _published_counts(shared), _published_counts(internal)
    # the ranked sites count distinct events (docs/permit.md, "Integritet"): a site's count shows only when
    # its gain rests on 3 events or more, whatever its expected count
    events = pd.read_csv(internal / "sites.csv")["gain_events"].to_numpy(float)
    n_suppressed = 0
    for name, values in published.items():
        assert len(values) == len(true[name]) and None not in true[name], name
        for k, (shown, real) in enumerate(zip(values, true[name], strict=True)):
            per_site = name in ("sites.csv", "inventory.xlsx sites")
            if shown is None:
                n_suppressed += (events[k] < 3) if per_site else (0 < real < 3)
            else:
                assert shown == real and (events[k] >= 3 if per_site else not 0 < shown < 3), (name, shown)
    assert n_suppressed >= 3  # the small area has sites and categories with one or two incidents
    page = (shared / "report.html").read_text(encoding="utf-8")
    assert "färre än 3" in page


# -- errors -------------------------------------------------------------------------------------------------------


def test_error_missing_scenario(tmp_path: Path) -> None:
    assert_one_line_error(invoke("run", tmp_path / "nope.toml"), 2, "nope.toml", "does not exist")


def test_error_directory_as_scenario(tmp_path: Path) -> None:
    assert_one_line_error(invoke("run", tmp_path), 2, "is a directory")


def test_error_unknown_key(tmp_path: Path) -> None:
    p = write_scenario(tmp_path, fridhemsplan_data(optimization={"budgett": 2}), name="variant.toml")
    assert_one_line_error(invoke("run", p, "--out", tmp_path / "o"), 2, "variant.toml", "optimization.budgett",
                          "unknown key")


def test_error_negative_budget_option(small: Path, tmp_path: Path) -> None:
    assert_one_line_error(invoke("run", small, "--budget", "-5", "--out", tmp_path / "o"), 2,
                          "optimization.budget_sek", "must be > 0")


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_error_non_finite_budget_option(small: Path, tmp_path: Path, value: str) -> None:
    assert_one_line_error(invoke("run", small, "--budget", value, "--out", tmp_path / "o"), 2,
                          "optimization.budget_sek", "expected a finite number")


def test_error_budget_below_cheapest_camera(small: Path, tmp_path: Path) -> None:
    # the cheapest camera costs 60,000 + 4 × 12,000 = 108,000 SEK over the horizon
    assert_one_line_error(invoke("run", small, "--budget", "1000", "--out", tmp_path / "o"), 2,
                          "optimization.budget_sek", "below the cheapest candidate (108,000 SEK)")
    assert not (tmp_path / "o").exists()


def test_error_unknown_camera_type(tmp_path: Path) -> None:
    p = write_scenario(tmp_path, fridhemsplan_data(existing_cameras={"default_type": "laser"}))
    assert_one_line_error(invoke("run", p, "--out", tmp_path / "o"), 2, "existing_cameras.default_type",
                          "unknown camera type 'laser'")


def test_error_corrupt_network(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><graph edgedefault=", encoding="utf-8")
    p = write_scenario(tmp_path, fridhemsplan_data(network={"path": str(bad)}))
    assert_one_line_error(invoke("run", p, "--out", tmp_path / "o"), 2, "bad.graphml", "cannot read street network")


@pytest.mark.slow
def test_error_missing_incident_file_keeps_earlier_run(default_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "keep"
    shutil.copytree(default_out, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert_one_line_error(invoke("run", DEFAULT_SCENARIO, "--out", out, "--incidents", tmp_path / "missing.csv"), 2,
                          "missing.csv")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".keep.*"))


def test_error_output_is_a_file(small: Path, tmp_path: Path) -> None:
    f = tmp_path / "taken"
    f.write_text("x")
    assert_one_line_error(invoke("run", small, "--out", f), 2, "taken", "not a folder")


@pytest.mark.slow
def test_infeasible_forced_sites_exit_3(default_out: Path, tmp_path: Path) -> None:
    with open(default_out / "sites.csv", encoding="utf-8") as fh:
        ids = [r["site_id"] for r in csv.DictReader(fh)][:3]
    # three forced sites cost at least 3 × 108,000 SEK: more than a budget of 200,000
    data = scenario_data(default_data(), optimization={"budget_sek": 200000, "forced_sites": ids})
    p = write_scenario(tmp_path, data, name="variant.toml")
    assert_one_line_error(invoke("run", p, "--out", tmp_path / "o", "--no-curve"), 3, "variant.toml", "infeasible")
    assert not (tmp_path / "o").exists()
