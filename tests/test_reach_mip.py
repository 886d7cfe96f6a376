"""The highest reach's MIP is tried only where it may prove something: a small model, or a greedy plan near the LP
bound (stages._reach.REACH_MIP_SITES, REACH_MIP_GAP)."""

from __future__ import annotations

import pytest

from camsite.optimize import SolverOptions
from camsite.stages import Reach, _reach
from camsite.stages.objectives import incident_rows
from test_targets_pool import GAP, _inst

# test_targets_pool's GAP: s3 forbidden, s1 and s2 not both. The optimum is s2 + s4 (rows 5 and 0-2: 8 of 10 for
# 3 + 2.5), which the LP bound (8) proves. The greedy plan sees 5 of 10: its ratio run takes s0 and s1 (ratio 2
# each, 4 of 10; s2 then conflicts, s4 adds only row 2's weight... already seen), its best single site is s2 (5).


def _reach_of() -> Reach:
    inst = _inst()
    return _reach.highest_reach(inst, incident_rows(inst), GAP, SolverOptions())


def test_a_small_model_gets_the_mip_and_its_proof() -> None:
    assert _reach_of() == Reach(80.0, 80.0, 5.5, 2, True)


def test_a_large_model_far_from_its_bound_reports_the_greedy_plan_and_the_lp_bound(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_reach, "REACH_MIP_SITES", 0)  # as if the model were large
    reach = _reach_of()
    assert (reach.found_pct, reach.cost_sek, reach.n_sites, reach.proven) == (50.0, 3.0, 1, False)  # s2 alone
    assert reach.bound_pct == pytest.approx(80.0, abs=1e-6)  # the LP bound, not the greedy plan's 50 %
    monkeypatch.setattr(_reach, "REACH_MIP_GAP", 0.5)  # 5 >= (1 - 0.5) x 8: near enough, the MIP proves 80 %
    assert _reach_of() == Reach(80.0, 80.0, 5.5, 2, True)
