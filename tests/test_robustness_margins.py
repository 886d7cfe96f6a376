"""The swap margin: how far each plan site is ahead of its best replacement at another place."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from camsite.optimize import Constraints
from camsite.robustness.margins import swap_margins
from camsite.stages import value_rows

#: Points p0 (weight 5), p1 (3), p2 (2.5). Site a covers p0, b p1, c p2, e p0 at value 0.6 (10 m from a),
#: d covers p0 at 0.5 and p2 (cost 2, the others 1).
VALUES = np.array([[1.0, 0.0, 0.0, 0.5, 0.6],
                   [0.0, 1.0, 0.0, 0.0, 0.0],
                   [0.0, 0.0, 1.0, 1.0, 0.0]])
IDS = ["a", "b", "c", "d", "e"]
WHERE = pd.DataFrame({"easting": [0.0, 100.0, 200.0, 300.0, 10.0], "northing": [0.0] * 5})
COSTS = np.array([1.0, 1.0, 1.0, 2.0, 1.0])


def _margins(**kw: Any) -> pd.DataFrame:
    rows = value_rows(sp.csr_matrix(VALUES), [5.0, 3.0, 2.5])
    return swap_margins(rows, COSTS, IDS, WHERE, [0, 1], radius_m=25.0, **{"budget_sek": 2.0, **kw})


def test_margin_by_hand() -> None:
    """Plan {a, b} covers 5 + 3 = 8. Without a, the best other place is c (+2.5; e is a's own place, d does not
    fit the budget): (5 - 2.5) / 8 = 31.25 %. Without b, c adds 2.5 and e nothing (a covers p0 already):
    (3 - 2.5) / 8 = 6.25 %."""
    m = _margins()
    assert m.loc["a", "best_swap"] == "c" and np.isclose(m.loc["a", "swap_margin_pct"], 31.25)
    assert np.isclose(m.loc["a", "best_swap_m"], 200.0)
    assert m.loc["b", "best_swap"] == "c" and np.isclose(m.loc["b", "swap_margin_pct"], 6.25)
    assert np.isclose(m.loc["b", "best_swap_m"], 100.0)


def test_margin_respects_budget_and_conflicts() -> None:
    """With 1 more in the budget, d fits in a's stead and adds 0.5 * 5 + 2.5 = 5, as much as a: margin 0. A
    conflict b-c takes c from a's replacements (b stays) but not from b's own (b leaves); a forbidden c is nobody's."""
    m = _margins(budget_sek=3.0)
    assert m.loc["a", "best_swap"] == "d" and np.isclose(m.loc["a", "swap_margin_pct"], 0.0)
    cons = Constraints.build(5, conflicts=[[1, 2]])
    m = _margins(constraints=cons)
    assert m.loc["a", "best_swap"] == "" and np.isnan(m.loc["a", "swap_margin_pct"])  # only e (same place) is left
    assert m.loc["b", "best_swap"] == "c" and np.isclose(m.loc["b", "swap_margin_pct"], 6.25)
    m = _margins(constraints=Constraints.build(5, forbidden=[2]))  # c forbidden: b's best stand-in is e, adding 0
    assert m.loc["b", "best_swap"] == "e" and np.isclose(m.loc["b", "swap_margin_pct"], 37.5)
    assert np.isclose(m.loc["b", "best_swap_m"], 90.0)
