"""The budget annex: itemised cost lines, exact target points with a warm start, the contribution files."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from openpyxl import load_workbook

import camsite
from camsite import cost_lines, optimize
from camsite.cost_lines import CostLine, cost_annex
from camsite.errors import InputError
from camsite.optimize import SolverOptions
from camsite.report.contribution import CONTRIBUTION_COLUMNS
from camsite.result import RunResult
from camsite.stages._incident_curve import curve_incident_shares
from factory import fridhemsplan_data, scenario, write_scenario

TABLE = """camera_type,line,kind,amount_sek,price_year,vat,assumption,source,note
cam,hardware,investment,100,2026,excluded,true,antagande,
cam,installation,investment,50,2026,excluded,true,antagande,
cam,maintenance,operation,20,2026,excluded,false,offert,
"""
CAM = {"name": "cam", "range_m": 30, "capex_sek": 150, "opex_sek_per_year": 20, "lifetime_years": 8}


# -- cost lines ---------------------------------------------------------------------------------------------------
def test_one_camera_over_ten_years_with_replacement_and_vat(tmp_path: Path) -> None:
    """By hand: 150 investment (100 + 50) in year 0 and again at the end of its 8-year life (year 8), 20 a year
    operation; VAT 25 % included multiplies every figure by 1.25."""
    s = scenario(folder=tmp_path, files={"costs.csv": TABLE}, camera_types=[CAM],
                 optimization={"budget_sek": 1000, "horizon_years": 10, "start_year": 2030},
                 costs={"table": "costs.csv", "vat": "included"})
    a = cost_lines.scenario_annex(s, ["cam"], [0])
    years = a["years"]
    assert [y["year"] for y in years] == list(range(2030, 2040))
    assert [y["investment_sek"] for y in years] == [187.5] + [0.0] * 7 + [187.5, 0.0]
    assert [y["operation_sek"] for y in years] == [25.0] * 10
    assert years[0]["lines"] == {"hardware": 125.0, "installation": 62.5, "maintenance": 25.0, "replacement": 0.0}
    assert years[8]["lines"]["replacement"] == 187.5 and years[8]["lines"]["hardware"] == 0.0
    assert a["total_sek"] == 1.25 * (2 * 150 + 10 * 20) == 625.0
    assert a["present_value_sek"] == 625.0  # no discounting by default
    assert a["steady_yearly_sek"] == pytest.approx(1.25 * (20 + 150 / 8), abs=0.005)  # operation + capex / life
    assert [ln["assumption"] for ln in a["cost_table"]] == [True, True, False]
    assert a["vat"] == "included"


def test_present_value_and_annuity_by_hand() -> None:
    lines = (CostLine("c", "hw", "investment", 100.0), CostLine("c", "op", "operation", 10.0))
    a = cost_annex(lines, ["c"], [0], {"c": 2.0}, horizon_years=3, first_year=2027, rate=0.1)
    # 110 + 10/1.1 + 110/1.21 = 210; annuity of 100 over 2 years at 10 %: 100 * 0.1 / (1 - 1.1**-2) = 57.619...
    assert a["present_value_sek"] == pytest.approx(210.0)
    assert a["steady_yearly_sek"] == pytest.approx(10 + 100 * 0.1 / (1 - 1.1 ** -2), abs=0.01)


def test_lines_must_add_up_to_the_camera_type(tmp_path: Path) -> None:
    s = scenario(folder=tmp_path, files={"costs.csv": TABLE}, camera_types=[{**CAM, "capex_sek": 160}],
                 costs={"table": "costs.csv"})
    with pytest.raises(InputError, match=r"investment lines of 'cam' add up to 150 SEK.*capex_sek is 160"):
        cost_lines.scenario_lines(s)


@pytest.mark.parametrize(("bad", "where"), [("cam,x,yearly,1,2026,excluded,true,,", "row 5, column kind"),
                                            ("cam,x,operation,-3,2026,excluded,true,,", "row 5, column amount_sek"),
                                            ("cam,x,operation,3,20x6,excluded,true,,", "row 5, column price_year"),
                                            ("cam,hardware,operation,0,2026,excluded,true,,", "row 5")])
def test_bad_cost_table_rows_name_the_row(tmp_path: Path, bad: str, where: str) -> None:
    (tmp_path / "c.csv").write_text(TABLE + bad + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        cost_lines.read_cost_table(tmp_path / "c.csv")
    assert f"c.csv: {where}:" in str(exc.value)


def test_shipped_cost_table_adds_up_to_the_default_scenario() -> None:
    from camsite import config

    s = config.load(Path(__file__).parents[1] / "scenarios" / "fridhemsplan.toml")
    lines = cost_lines.scenario_lines(s)
    assert {ln.camera_type for ln in lines} == {"fixed_1080p", "ptz_dome"}
    assert all(ln.assumption and ln.price_year == 2026 and ln.source for ln in lines)
    storage = {ln.camera_type: ln.amount_sek for ln in lines if ln.line == "storage"}
    # bitrate (Mbit/s) x 86,400 s x 14 days / 8 bits -> TB, at 250 SEK per TB-month for 12 months
    assert storage == {"fixed_1080p": 5e6 / 8 * 86400 * 14 / 1e12 * 250 * 12,
                       "ptz_dome": 10e6 / 8 * 86400 * 14 / 1e12 * 250 * 12}


# -- exact target points ------------------------------------------------------------------------------------------
def _brute(cov: np.ndarray, w: np.ndarray, c: np.ndarray, need: float) -> float:
    best = np.inf
    for k in range(cov.shape[1] + 1):
        for pick in itertools.combinations(range(cov.shape[1]), k):
            seen = cov[:, list(pick)].any(axis=1)
            if w[seen].sum() >= need - 1e-9:
                best = min(best, c[list(pick)].sum())
    return float(best)


@pytest.mark.parametrize("seed", range(12))
def test_min_cost_matches_brute_force_with_and_without_a_start(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cov = rng.random((14, 8)) < 0.25
    w, c = rng.integers(1, 6, 14).astype(float), rng.integers(2, 9, 8).astype(float)
    seen = cov.any(axis=1)
    need = 0.6 * float(w[seen].sum())
    mask = np.ones(14, bool)
    plain = optimize.min_cost_cover(sp.csr_matrix(cov), c, weights=w, target=None, covers=[(mask, need)],
                                    solver=SolverOptions(greedy=False))
    assert plain.status == "optimal" and plain.objective == pytest.approx(_brute(cov, w, c, need))
    every = np.flatnonzero(cov.any(axis=0))  # a poor but feasible start: every site that sees something
    started = optimize.min_cost_cover(sp.csr_matrix(cov), c, weights=w, target=None, covers=[(mask, need)],
                                      solver=SolverOptions(greedy=False), start=every)
    assert started.status == "optimal" and started.objective == pytest.approx(plain.objective)
    assert started.objective <= c[every].sum() + 1e-9


# -- the run's files ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def annex_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    folder = tmp_path_factory.mktemp("annex")
    sweep = {"start": 100000, "stop": 600000, "step": 100000}
    # target points get a minute (the default 3 s keeps the default run quick; here the proofs are the subject).
    # 350 m: the 50 % point is proven in about 0.1 s (6 s at 300 m); the 600,000 kr curve plan sees 33.8 % of the
    # incidents, so the 25 % point (300,000 kr) is compared with a curve plan, and 75 % is out of reach (58.2 %)
    path = write_scenario(folder, fridhemsplan_data(350, optimization={"budget_sek": 500000, "budget_sweep": sweep,
                                                                  "target_time_limit_s": 60}))
    result = camsite.run(camsite.load_scenario(path))
    camsite.write_run(result, folder / "o")
    return result, folder / "o"


@pytest.fixture(scope="module")
def run_dir(annex_run: tuple[RunResult, Path]) -> Path:
    return annex_run[1]


@pytest.mark.slow
def test_target_points_are_solved_and_never_dearer_than_a_curve_plan_reaching_them(
        annex_run: tuple[RunResult, Path]) -> None:
    result = annex_run[0]
    points = result.summary.target_points
    shares = curve_incident_shares(result.instance, result.budget_curve)
    assert shares is not None and len(points) == 3
    assert all(p["status"] in ("optimal", "unreachable") for p in points)
    # every share is solved, also beyond the swept budgets; one out of reach gives the highest reachable share
    for p in points:
        if p["status"] == "unreachable":
            # the plan found does not reach the share, and no curve plan sees more than the proven bound
            assert p["max_incident_pct"] < 100 * p["target_incident_share"]
            assert p["max_incident_pct"] <= p["max_incident_bound_pct"] and p["max_plan_cost_sek"] > 0
            assert (shares["incident_pct"] <= p["max_incident_bound_pct"] + 1e-6).all()
    reaching = 0
    for p in points:
        if p["status"] != "optimal":
            continue
        assert p["incident_pct"] >= 100 * p["target_incident_share"] - 1e-6
        # every curve plan seeing the share is a candidate plan: the cheapest one costs no more
        for rec in shares[shares["incident_pct"] >= 100 * p["target_incident_share"]].itertuples():
            assert p["cost_sek"] <= rec.spent_sek + 1e-6
            reaching += 1
    assert reaching > 0  # the comparison ran on at least one curve plan


@pytest.mark.slow
def test_underlag_page_figures_equal_summary_json(run_dir: Path) -> None:
    s = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    page = (run_dir / "underlag.html").read_text(encoding="utf-8")
    cells = dict(re.findall(r'data-key="([^"]+)" data-value="([^"]*)"', page))
    assert float(cells["spent_sek"]) == s["spent_sek"] and float(cells["n_new_sites"]) == s["n_new_sites"]
    assert float(cells["plan.incident_pct"]) == s["incident_coverage_after_pct"]
    for i, y in enumerate(s["costs"]["years"]):
        assert float(cells[f"costs.years[{i}].investment_sek"]) == y["investment_sek"]
        assert float(cells[f"costs.years[{i}].operation_sek"]) == y["operation_sek"]
    for i, p in enumerate(s["target_points"]):
        if p.get("cost_sek") is not None:
            assert float(cells[f"target_points[{i}].cost_sek"]) == p["cost_sek"]
            assert float(cells[f"target_points[{i}].n_sites"]) == p["n_sites"]
    assert "Underlag till budgetanalys" in page and "2018:1200" in page and "inte ett beslut" in page


@pytest.mark.slow
def test_contribution_csv_follows_the_format_and_the_privacy_rule(run_dir: Path) -> None:
    table = pd.read_csv(run_dir / "contribution.csv", keep_default_na=False)
    sites = pd.read_csv(run_dir / "sites.csv")
    assert tuple(table.columns) == CONTRIBUTION_COLUMNS
    assert set(table["format"]) == {"camsite-contribution"} and set(table["format_version"]) == {1}
    assert table["site_id"].astype(str).tolist() == sites["site_id"].astype(str).tolist()
    seen = pd.to_numeric(table["incidents_seen"], errors="coerce")
    # no figure resting on one or two events leaves the district: a site's count shows only with its events
    events = pd.to_numeric(sites["gain_events"], errors="coerce")
    assert seen.notna().tolist() == (events >= 3).tolist()
    assert seen.fillna(0).tolist() == sites["gain_incidents"].fillna(0).round(3).tolist()
    assert (table["incidents_suppressed"].astype(str) == "True").tolist() == seen.isna().tolist()
    merged = pd.concat([table, table.assign(district="other")])  # two districts' files stack row by row
    assert not merged.duplicated(["district", "site_id"]).any()


@pytest.mark.slow
def test_xlsx_cost_lines_per_year_equal_summary_json(run_dir: Path) -> None:
    s = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    ws = load_workbook(run_dir / "inventory.xlsx")["Kostnadsrader"]
    rows = {r[0]: list(r[1:]) for r in ws.iter_rows(values_only=True) if r and r[0]}
    years = s["costs"]["lines"]["years"]
    assert rows["Summa (kr)"][:len(years)] == [y["total_sek"] for y in years]
    first = next(iter(years[0]["lines"]))  # "capex" without a cost table
    assert rows[first][:len(years)] == [y["lines"][first] for y in years]
    assert sum(rows["Summa (kr)"][:len(years)]) == pytest.approx(s["costs"]["total_sek"])
    assert "Underlag" in load_workbook(run_dir / "inventory.xlsx").sheetnames
