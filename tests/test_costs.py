"""Costs over time (camsite.costs), the staged plan by year and the budget annex, with figures worked by hand.

The CLI examples run on a 200 m circle around Fridhemsplan (tests/factory.py):
two camera types, a fixed camera (capex 60 000, opex 12 000 a year) and a PTZ
dome (capex 90 000, opex 15 000 a year), a four-year horizon from 2027.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from camsite import costs, stages
from camsite.config import Stage
from camsite.errors import ConfigError
from camsite.result import SITES_COLUMNS
from factory import fridhemsplan_data, invoke, scenario, write_scenario

pytestmark = pytest.mark.usefixtures("shipped_network_once")


# -- camsite.costs by hand ---------------------------------------------------------------------------------------


def test_two_year_cash_flows_with_a_replacement_and_a_discount_rate() -> None:
    # Site A: capex 100 000, opex 10 000 a year, lifetime 1 year, installed in year 0 -> bought in 2027 and again
    # in 2028 (its life ends after one year, inside the two-year horizon), operated both years.
    # Site B: capex 50 000, opex 5 000, lasts longer than the horizon, installed in year 1 (2028).
    # Investment: 2027 100 000; 2028 100 000 + 50 000 = 150 000.  Operation: 2027 10 000; 2028 15 000.
    # Totals: 110 000 and 165 000; over the horizon 275 000.
    # Present value at 3 %: 110 000 + 165 000 / 1.03 = 110 000 + 160 194.17 = 270 194.17.
    flows = costs.cash_flows([100_000, 50_000], [10_000, 5_000], [1.0, np.nan], [0, 1], horizon_years=2)
    assert flows.investment.tolist() == [100_000, 150_000]
    assert flows.operation.tolist() == [10_000, 15_000]
    assert flows.total.tolist() == [110_000, 165_000]
    assert flows.installed.tolist() == [1, 1] and flows.in_operation.tolist() == [1, 2]
    assert float(costs.present_value(flows.total, 0.03)) == pytest.approx(270_194.17, abs=0.01)
    assert float(costs.present_value(flows.total, 0.0)) == 275_000


def test_partial_years_and_lifetimes_that_do_not_divide_the_horizon() -> None:
    # horizon 2.5 years: three plan years, the last counts half its opex; lifetime 1.5: bought at 0 and at 1.5
    # (in year 1); the next replacement (3.0) is after the horizon.
    flows = costs.cash_flows([10.0], [2.0], [1.5], [0], horizon_years=2.5)
    assert flows.investment.tolist() == [10.0, 10.0, 0.0]
    assert flows.operation.tolist() == [2.0, 2.0, 1.0]
    # a site installed at or after the horizon costs nothing
    assert costs.cash_flows([10.0], [2.0], None, [3], horizon_years=2).total.tolist() == [0.0, 0.0]


def test_budget_cost_per_rule_by_hand() -> None:
    # fixed camera: capex 60 000, opex 12 000, lifetime 3 years, horizon 4 years
    # total: bought in years 0 and 3 (2 × 60 000) + 4 × 12 000 = 168 000; investment: 60 000;
    # yearly: the first year's 60 000 + 12 000 = 72 000 (the dearest year of a plan installed at once)
    got = {r: costs.budget_cost([60_000], [12_000], [3.0], horizon_years=4, applies_to=r)[0]
           for r in costs.BUDGET_RULES}
    assert got == {"total": 168_000, "investment": 60_000, "yearly": 72_000}
    # without a lifetime the total is today's capex + horizon × opex
    assert costs.budget_cost([60_000], [12_000], None, horizon_years=4)[0] == 108_000
    with pytest.raises(ValueError, match="applies_to"):
        costs.budget_cost([1.0], [1.0], None, horizon_years=1, applies_to="monthly")


# -- stages in the scenario -------------------------------------------------------------------------------------


def test_stages_by_year_and_as_plain_budgets() -> None:
    new = scenario(optimization={"budget_sek": 5, "start_year": 2027, "stages": [
        {"year": 2027, "budget_sek": 3}, {"year": 2029, "budget_sek": 4}]})
    assert new.optimization.stage_plan() == (Stage(2027, 3.0), Stage(2029, 4.0))
    old = scenario(optimization={"budget_sek": 5, "start_year": 2030, "stages": [3, 4]})
    assert old.optimization.stage_plan() == (Stage(2030, 3.0), Stage(2031, 4.0))


@pytest.mark.parametrize(("stages", "message"), [
    ([{"year": 2028, "budget_sek": 3}, {"year": 2027, "budget_sek": 4}], "increasing years"),
    ([{"year": 2026, "budget_sek": 3}], "before start_year"),
    ([{"year": 2031, "budget_sek": 3}], "after the planning horizon"),
])
def test_stage_years_are_checked(stages: list[dict[str, float]], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        scenario(optimization={"budget_sek": 5, "start_year": 2027, "horizon_years": 4, "stages": stages})


# -- the command line ---------------------------------------------------------------------------------------------


def _run(tmp_path: Path, **optimization: object) -> Path:
    opt = {"budget_sek": 500_000, "start_year": 2027, **optimization}
    scen = write_scenario(tmp_path, fridhemsplan_data(200, optimization=opt))
    out = tmp_path / "out"
    res = invoke("run", scen, "--out", out, "--no-progress")
    assert res.exit_code == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def staged_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("staged"), discount_rate=0.03, stages=[
        {"year": 2027, "budget_sek": 250_000}, {"year": 2028, "budget_sek": 250_000}])


def test_two_year_staged_plan_by_hand(staged_out: Path) -> None:
    sites = pd.read_csv(staged_out / "sites.csv", dtype={"site_id": str})
    staged = pd.read_csv(staged_out / "stages.csv", dtype={"new_sites": str})
    # 2027: 250 000 buys one PTZ dome (150 000 over four years; two would be 300 000);
    # 2028: 500 000 in all buys two more domes (3 × 150 000 = 450 000).
    assert staged["year"].tolist() == [2027, 2028]
    assert staged["n_new_sites"].tolist() == [1, 2] and staged["spent_sek"].tolist() == [150_000, 450_000]
    assert set(sites["camera_type"]) == {"ptz_dome"}
    ids = [s for v in staged["new_sites"] for s in v.split(";")]
    assert set(ids) == set(sites["site_id"])  # site ids, not candidate indices; here the same plan as sites.csv
    assert dict(zip(sites["site_id"], sites["install_year"])) == {
        **dict.fromkeys(staged["new_sites"][0].split(";"), 2027), **dict.fromkeys(staged["new_sites"][1].split(";"),
                                                                                  2028)}
    # Cash flows of the staged plan: 2027 one dome, 90 000 + 15 000; 2028 two domes, 180 000, and three running,
    # 45 000; 2029 and 2030 45 000 each. Total 420 000 (less than sites.csv's 450 000: two domes run three
    # years, not four). Present value at 3 %: 105 000 + 225 000 / 1.03 + 45 000 / 1.03² + 45 000 / 1.03³
    # = 105 000 + 218 446.60 + 42 416.82 + 41 181.38 = 407 044.80 (407 044.79 unrounded).
    assert staged["investment_sek"].tolist() == [90_000, 180_000]
    assert staged["operation_sek"].tolist() == [15_000, 45_000]
    cost = json.loads((staged_out / "summary.json").read_text(encoding="utf-8"))["costs"]
    block = cost["staged"]
    assert [(y["year"], y["investment_sek"], y["operation_sek"], y["cameras_in_operation"]) for y in block["years"]] \
        == [(2027, 90_000, 15_000, 1), (2028, 180_000, 45_000, 3), (2029, 0, 45_000, 3), (2030, 0, 45_000, 3)]
    assert block["total_sek"] == 420_000 and block["present_value_sek"] == pytest.approx(407_044.79, abs=0.02)
    assert block["final_differs_from_sites"] is False
    # coverage reached by the end of each year: stage 1's in 2027, the whole plan's (= sites.csv's) from 2028 on
    summary = json.loads((staged_out / "summary.json").read_text(encoding="utf-8"))
    reached = [y["incident_pct"] for y in block["coverage_by_year"]]
    assert reached[0] == pytest.approx(staged["incident_coverage_pct"][0], abs=1e-3)
    assert reached[1:] == [pytest.approx(summary["incident_coverage_after_pct"], abs=1e-3)] * 3
    # the one-shot plan: 270 000 in 2027 and 45 000 a year; PV 315 000 + 45 000 (1/1.03 + 1/1.03² + 1/1.03³)
    # = 315 000 + 127 287.51 = 442 287.51
    assert cost["total_sek"] == 450_000 and cost["present_value_sek"] == pytest.approx(442_287.51, abs=0.02)
    assert (cost["budget_applies_to"], cost["start_year"], cost["discount_rate"]) == ("total", 2027, 0.03)


def test_annex_totals_equal_sites_csv(staged_out: Path) -> None:
    sites = pd.read_csv(staged_out / "sites.csv")
    wb = openpyxl.load_workbook(staged_out / "inventory.xlsx")
    assert {"Etappplan", "Budgetbilaga"} <= set(wb.sheetnames)
    rows = list(wb["Budgetbilaga"].iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "Summa")  # the first table: sites.csv's plan
    assert isinstance(total[3], (int, float)) and total[3] * 1000 == pytest.approx(sites["cost_sek"].sum())
    assert (total[1] + total[2]) * 1000 == pytest.approx(sites["cost_sek"].sum())
    cell = next(c for row in wb["Budgetbilaga"].iter_rows() for c in row if c.value == total[3])
    assert cell.number_format == "#,##0"
    shares = [c for row in wb["Budgetbilaga"].iter_rows() for c in row if c.number_format == "0.0 %"]
    assert shares and all(isinstance(c.value, (int, float)) and 0 <= c.value <= 1 for c in shares)  # numbers
    stage_rows = list(wb["Etappplan"].iter_rows(min_row=3, max_row=4, values_only=True))  # title, header, stages
    assert [r[:2] for r in stage_rows] == [(1, 2027), (2, 2028)]


def test_budget_applies_to_investment_changes_the_plan(tmp_path: Path, no_deliverables: None) -> None:
    # 160 000 kr over four years ("total") buys one camera: a dome costs 150 000, a fixed camera 108 000, and any
    # two at least 216 000. Counted as first-year investment, the same 160 000 buys two (capex 60 000 + 90 000
    # or 2 × 60 000) but not three (at least 180 000).
    total = pd.read_csv(_run(tmp_path / "t", budget_sek=160_000) / "sites.csv")
    inv_out = _run(tmp_path / "i", budget_sek=160_000, budget_applies_to="investment")
    invest = pd.read_csv(inv_out / "sites.csv")
    assert len(total) == 1 and len(invest) == 2
    capex = {"fixed_1080p": 60_000, "ptz_dome": 90_000}
    assert invest["cost_sek"].tolist() == [capex[t] for t in invest["camera_type"]]  # the budget counts capex
    cost = json.loads((inv_out / "summary.json").read_text(encoding="utf-8"))["costs"]
    assert cost["years"][0]["investment_sek"] == invest["cost_sek"].sum() <= 160_000
    assert "install_year" not in invest.columns  # only with stages


def test_stages_in_the_report_and_the_geopackage(staged_out: Path) -> None:
    import pyogrio

    page = (staged_out / "report.html").read_text(encoding="utf-8")
    assert 'id="stages"' in page and "samma platser som sites.csv" in page
    for year in (2027, 2028, 2029, 2030):  # the timeline: one row per plan year
        assert f'data-year="{year}"' in page
    assert page.count('class="stage-map"') == 2
    staged = pd.read_csv(staged_out / "stages.csv", dtype={"new_sites": str})
    layer = pyogrio.read_dataframe(staged_out / "camsite.gpkg", layer="stages")
    want = {s: y for y, v in zip(staged["year"], staged["new_sites"]) for s in v.split(";")}
    assert dict(zip(layer["site_id"], layer["install_year"])) == want


def test_no_stages_no_install_year_column_and_no_stage_sheet(tmp_path: Path) -> None:
    out = _run(tmp_path)
    assert pd.read_csv(out / "sites.csv").columns[-1] == SITES_COLUMNS[-1]
    wb = openpyxl.load_workbook(out / "inventory.xlsx")
    assert "Etappplan" not in wb.sheetnames and "Budgetbilaga" in wb.sheetnames
    assert 'id="stages"' not in (out / "report.html").read_text(encoding="utf-8")


def test_staged_outputs_are_byte_identical_on_a_rerun(staged_out: Path, tmp_path: Path) -> None:
    again = _run(tmp_path, discount_rate=0.03, stages=[
        {"year": 2027, "budget_sek": 250_000}, {"year": 2028, "budget_sek": 250_000}])
    for name in ("stages.csv", "sites.csv", "sites.geojson", "inventory.xlsx"):
        assert (again / name).read_bytes() == (staged_out / name).read_bytes(), name
    costs_of = [json.loads((p / "summary.json").read_text(encoding="utf-8"))["costs"] for p in (staged_out, again)]
    assert costs_of[0] == costs_of[1]


def test_a_staged_plan_ending_elsewhere_is_said_never_silently(caplog: pytest.LogCaptureFixture) -> None:
    sites = pd.DataFrame({"site_id": ["a", "b"]})
    staged = pd.DataFrame({"year": [2027, 2028], "new_sites": ["a", "c"]})
    block = {"staged": {"final_differs_from_sites": True, "sites_only_in_staged_plan": ["c"],
                        "sites_only_in_one_shot_plan": ["b"]}}
    with caplog.at_level("WARNING", logger="camsite"):
        out = stages.with_install_years(sites, staged, block)
    assert out["install_year"].tolist() == [2027, None]  # b is not in the staged plan: no install year
    assert "only in the staged plan c; only in sites.csv b" in caplog.text
