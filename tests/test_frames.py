"""Yearly investment and operation frames: hand-solved plans, brute force, and the scenario keys."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp
from openpyxl import Workbook

import camsite
from camsite import optimize
from camsite.config import FramesConfig
from camsite.errors import ConfigError
from camsite.report._budget_xlsx import add_budget_sheets
from camsite.stages._frames import frame_years, yearly_arrays
from factory import fridhemsplan_data, scenario

INF = math.inf


def _plan(cov, w, capex, opex, life, install, horizon, inv_cap, ope_cap, budgets=()):
    inv, ope = yearly_arrays(np.asarray(capex, float), np.asarray(opex, float), np.asarray(life, float), install,
                             horizon)
    cost = np.asarray(capex, float) + horizon * np.asarray(opex, float)
    return optimize.framed_plan(sp.csr_matrix(cov), w, cost, inv, ope, investment_limits=inv_cap,
                                operation_limits=ope_cap, budgets=budgets)


def test_two_years_hand_solved() -> None:
    # Three sites seeing one place each (weights 5, 4, 3), 100 to buy each, running 30, 20, 10 a year.
    # Investment frame 150 a year: one camera a year. Operation frame in year 2: 35, so {0, 1} (50) and
    # {0, 2} (40) do not fit; {1, 2} (30) does: coverage 4 + 3 = 7 beats site 0 alone (5).
    plan = _plan(np.eye(3, dtype=bool), [5.0, 4.0, 3.0], [100] * 3, [30, 20, 10], [INF] * 3, [0, 1], 2,
                 [150.0, 150.0], [INF, 35.0])
    assert plan.solution.status == "optimal"
    assert plan.solution.selected.tolist() == [1, 2]
    assert plan.solution.covered_weight == pytest.approx(7.0)
    assert sorted(plan.install_year.tolist()) == [0, 1]  # one a year: 200 in one year would break 150
    assert plan.investment.tolist() == [100.0, 100.0]
    assert plan.operation[1] == pytest.approx(30.0)
    # Without the operation frame the two best sites fit, one a year.
    free = _plan(np.eye(3, dtype=bool), [5.0, 4.0, 3.0], [100] * 3, [30, 20, 10], [INF] * 3, [0, 1], 2,
                 [150.0, 150.0], [INF, INF])
    assert free.solution.selected.tolist() == [0, 1]
    assert free.operation[1] == pytest.approx(50.0)  # both running in year 2: 30 + 20


def test_replacement_counts_as_investment_and_installs_come_early() -> None:
    # Lifetime 1 year: a camera bought in year 0 is bought again in year 1 (100 of the 150 frame), so no second
    # camera fits in year 1 and a camera bought in year 1 would already fill it: only one site in all.
    plan = _plan(np.eye(2, dtype=bool), [2.0, 1.0], [100, 100], [0, 0], [1.0, 1.0], [0, 1], 2, [150.0, 150.0],
                 [INF, INF])
    assert plan.solution.selected.tolist() == [0]
    assert plan.investment.tolist() == [100.0, 100.0]
    # Among the plans covering as much, the earliest: the one site goes in year 0, not year 1.
    assert plan.install_year.tolist() == [0]


def _brute(cov, w, capex, opex, life, install, horizon, inv_cap, ope_cap, budgets):
    inv, ope = yearly_arrays(np.asarray(capex, float), np.asarray(opex, float), np.asarray(life, float), install,
                             horizon)
    cost = np.asarray(capex, float) + horizon * np.asarray(opex, float)
    best = 0.0
    n = cov.shape[1]
    for choice in itertools.product(range(-1, len(install)), repeat=n):
        sel = [i for i in range(n) if choice[i] >= 0]
        when = [choice[i] for i in sel]
        i_year = inv[sel, when].sum(axis=0) if sel else np.zeros(inv.shape[2])
        o_year = ope[sel, when].sum(axis=0) if sel else np.zeros(inv.shape[2])
        if (i_year > np.asarray(inv_cap) + 1e-9).any() or (o_year > np.asarray(ope_cap) + 1e-9).any():
            continue
        if any(sum(cost[i] for i in sel if choice[i] <= last) > lim + 1e-9 for last, lim in budgets):
            continue
        covered = cov[:, sel].any(axis=1) if sel else np.zeros(cov.shape[0], bool)
        best = max(best, float(np.asarray(w)[covered].sum()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_dem, n_sites = 7, 5
    cov = rng.random((n_dem, n_sites)) < 0.35
    w = rng.integers(1, 9, n_dem).astype(float)
    capex = rng.integers(50, 150, n_sites).astype(float)
    opex = rng.integers(5, 40, n_sites).astype(float)
    life = rng.choice([1.0, 2.0, INF], n_sites)
    install = [0, 1, 2]
    inv_cap = rng.integers(100, 300, 3).astype(float)
    ope_cap = rng.integers(30, 90, 3).astype(float)
    budgets = [(0, 400.0), (2, 900.0)]
    plan = _plan(cov, w, capex, opex, life, install, 3, inv_cap, ope_cap, budgets)
    assert plan.solution.status == "optimal"
    assert plan.solution.covered_weight == pytest.approx(_brute(cov, w, capex, opex, life, install, 3, inv_cap,
                                                                ope_cap, budgets))
    assert (plan.investment <= inv_cap + 1e-9).all() and (plan.operation <= ope_cap + 1e-9).all()


def test_frame_years_left() -> None:
    years = [{"year": 2027, "investment_sek": 100.0, "operation_sek": 0.0},
             {"year": 2028, "investment_sek": 100.0, "operation_sek": 30.0}]
    rows = frame_years(years, ([150.0, 150.0], [INF, 35.0]))
    assert [r["investment_left_sek"] for r in rows] == [50.0, 50.0]
    assert [r["operation_left_sek"] for r in rows] == [None, 5.0]
    assert rows[1]["operation_frame_sek"] == 35.0


def _opt(**frames: object) -> dict[str, object]:
    return {"budget_sek": 1000, "horizon_years": 2, "start_year": 2027, "frames": frames}


def test_frames_keys_are_read_and_checked() -> None:
    scen = scenario(optimization=_opt(investment_sek_per_year=150, operation_sek_per_year=[100, 35]))
    assert scen.optimization.frames == FramesConfig(investment_sek_per_year=150.0, operation_sek_per_year=(100.0, 35.0))
    assert scen.optimization.frames.limits(2) == ((150.0, 150.0), (100.0, 35.0))
    with pytest.raises(ConfigError, match=r"s\.toml: optimization\.frames\.operation_sek_per_year: has 3 values"):
        scenario(optimization=_opt(operation_sek_per_year=[1, 2, 3]))
    with pytest.raises(ConfigError, match=r"optimization\.frames\.investment_sek_per_year: must be >= 0"):
        scenario(optimization=_opt(investment_sek_per_year=-5))
    with pytest.raises(ConfigError, match=r"optimization\.frames\.operation_sek_per_year\[1\]: must be >= 0"):
        scenario(optimization=_opt(operation_sek_per_year=[5, -1]))
    with pytest.raises(ConfigError, match=r"optimization\.frames: give investment_sek_per_year"):
        scenario(optimization=_opt())


def test_run_with_frames_respects_them_in_stages_summary_and_sheet() -> None:
    # 250 m around Fridhemsplan, no stages: a plan over the 4 horizon years. Frames of 150 kSEK investment and
    # 60 kSEK operation a year; every year's figures stay within them and the sheet shows what is left. (The plan
    # is the same as at 300 m: a dome a year, 90 kSEK investment each year, operation 15 -> 60 kSEK: at its frame.)
    opt = {"budget_sek": 600000, "start_year": 2027, "horizon_years": 4,
           "frames": {"investment_sek_per_year": 150000, "operation_sek_per_year": [60000, 60000, 60000, 60000]}}
    result = camsite.run(scenario(fridhemsplan_data(250, optimization=opt)))
    staged = result.stages
    assert staged is not None and staged["year"].tolist() == [2027, 2028, 2029, 2030]
    frames = result.summary.costs["frames"]
    years = result.summary.costs["staged"]["years"]
    assert [f["investment_sek"] for f in frames] == [y["investment_sek"] for y in years]
    for f in frames:
        assert f["investment_sek"] <= 150000 and f["operation_sek"] <= 60000
        assert f["investment_left_sek"] == pytest.approx(150000 - f["investment_sek"])
        assert f["operation_left_sek"] == pytest.approx(60000 - f["operation_sek"])
    assert staged["spent_sek"].iloc[-1] <= 600000
    assert staged["n_sites"].is_monotonic_increasing
    wb = Workbook()
    add_budget_sheets(wb, result, lang="sv")
    ws = wb["Etappplan"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    title = next(i for i, r in enumerate(cells) if r[0] and str(r[0]).startswith("Budgetramar per år"))
    assert cells[title + 1][:7] == ["År", "Investering (kr)", "Investeringsram (kr)", "Kvar av investeringsramen (kr)",
                                    "Drift (kr)", "Driftram (kr)", "Kvar av driftramen (kr)"]
    assert [r[3] for r in cells[title + 2:title + 6]] == [f["investment_left_sek"] for f in frames]
