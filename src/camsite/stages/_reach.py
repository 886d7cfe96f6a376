"""The highest share of a requirement's weight any plan can see under the side constraints, and its cost.

A demand row some allowed candidate sees is *seeable*, but a plan cannot use
every candidate: one camera (one type and heading) per site, the spacing rules
and ``max_per_type`` leave some views out. On the default scenario 50.4 % of
the incident value is seeable, yet no plan sees more than about 43 %
(docs/objectives.md). :func:`highest_reach` answers "how much, at most, and at
what cost" when a target share cannot be met, from the max-coverage model on
the requirement's weight alone with no budget limit. Proving its optimum takes
more than a minute on the default scenario (a large packing problem), so the
figures are the ones that do not depend on the machine's speed: the share the
greedy plan sees (``found_pct``, :func:`camsite.optimize.max_coverage`'s greedy
start, which keeps every side constraint) and the LP relaxation's bound
(``bound_pct``: no plan sees more, solved without a time limit so that it does
not depend on the machine's load); when the MIP proves its optimum within
:data:`REACH_TIME_S` seconds, that optimum is both. The MIP is tried when the
reduced model has at most :data:`REACH_MIP_SITES` sites or the greedy plan is
within :data:`REACH_MIP_GAP` of the bound. A large model far from its bound
never proved within its second (default scenario: 5,372 sites, greedy
41.4 %, bound 44.3 %: 1 s of CPU for nothing, before the curve's workers
start); its figures then do not depend on the machine's load at all. The plan is then pruned of
every site that adds nothing to the requirement (most expensive first), and
its cost is the cost of reaching ``found_pct``: a plan, not proven the
cheapest. ``camsite run --prove`` gives the MIP the scenario's time limit on
every model (the default scenario: 43.03 %, 1,027 sites, proven optimal in
about 90 s) and keeps the proof for later runs (:mod:`camsite.stages._proofs`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from camsite import optimize
from camsite.optimize import Constraints, SolverOptions
from camsite.stages._proofs import ProofStore, checked_plan, fingerprint, instance_parts
from camsite.stages.instance import Instance
from camsite.stages.solve import for_instance

logger = logging.getLogger(__name__)

__all__ = ["REACH_MIP_GAP", "REACH_MIP_SITES", "REACH_TIME_S", "Reach", "highest_reach", "prune"]

#: Seconds the highest-reach MIP may take to prove its optimum (or the scenario's time limit, when shorter).
REACH_TIME_S = 1.0
#: The MIP is tried on a reduced model of at most this many sites, or ... (module docs).
REACH_MIP_SITES = 1000
#: ... when the greedy plan sees less than the LP bound by at most this share.
REACH_MIP_GAP = 0.01


@dataclass(frozen=True)
class Reach:
    """The highest reachable share (percent) of a requirement: the best plan found, its cost and the bound."""

    found_pct: float
    bound_pct: float
    cost_sek: float
    n_sites: int
    proven: bool
    #: The date a stored proof was made (:mod:`camsite.stages._proofs`); None: found in this run.
    proven_at: str | None = None

    def text(self) -> str:
        """One clause for messages: the bound, and the plan found with its size and cost."""
        best = (f"at most {self.bound_pct:.1f} %" if not self.proven else f"at most {self.found_pct:.1f} %")
        return (f"{best} under the side constraints (a plan of {self.n_sites} sites for {self.cost_sek:,.0f} kr "
                f"sees {self.found_pct:.1f} %)")


def prune(matrix: sp.csc_matrix, weights: NDArray[np.float64], existing: NDArray[np.bool_],
          selected: NDArray[np.int64], costs: NDArray[np.float64]) -> NDArray[np.int64]:
    """``selected`` without the sites whose every weighted row another chosen site (or camera) also sees.

    Sites are tried most expensive first; the covered weight does not change.

    >>> m = sp.csc_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool))
    >>> prune(m, np.array([1.0, 1.0, 0.0]), np.zeros(3, bool), np.array([0, 1, 2]), np.array([2.0, 1.0, 1.0]))
    array([1])
    """
    counts = np.asarray(matrix[:, selected].sum(axis=1)).ravel() + existing.astype(np.int64)
    keep = np.ones(len(selected), dtype=bool)
    for k in np.argsort(-costs[selected], kind="stable"):
        j = selected[k]
        rows = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        rows = rows[weights[rows] > 0]
        if (counts[rows] >= 2).all():
            counts[rows] -= 1
            keep[k] = False
    return np.sort(selected[keep]).astype(np.int64)


def highest_reach(instance: Instance, mask: NDArray[np.bool_], constraints: Constraints,
                  solver: SolverOptions, *, prove: bool = False, proofs: ProofStore | None = None) -> Reach:
    """The highest share of the weight of the rows in ``mask`` (over :attr:`Instance.rows`) a plan sees (module
    docs): the LP bound without a time limit, the MIP within :data:`REACH_TIME_S` seconds.

    ``prove``: the MIP is tried on every model, with ``solver``'s whole time
    limit (``camsite run --prove``). ``proofs``: a reach proven earlier on the
    same data is taken from the store, and a new proof is kept in it
    (:mod:`camsite.stages._proofs`).
    """
    rows = instance.rows
    w = np.where(mask, rows.weights, 0.0)
    total = float(w.sum())
    key = "" if proofs is None else fingerprint("reach", *instance_parts(instance, constraints, solver), mask)
    stored = None if proofs is None else _stored(proofs.get(key), instance, constraints, w, total)
    if stored is not None:
        return stored
    costs = np.asarray(instance.costs, dtype=np.float64)
    limit = solver.time_limit_s if prove else \
        REACH_TIME_S if solver.time_limit_s is None else min(REACH_TIME_S, solver.time_limit_s)
    # no reduced-cost fixing in the MIP: it would solve the LP below a second time for a start that rarely fixes
    opts = replace(for_instance(instance, solver), time_limit_s=limit, greedy=True, lp_bound=False, fixing=False)
    everything = float(costs.sum()) + 1.0
    model = optimize.make_model(rows.matrix, w, costs, existing=rows.existing, constraints=constraints)
    lp = model.lp_bound(everything, solver=opts)  # the bound, whatever the machine's load
    greedy = model.greedy(everything)
    if total <= 0 or lp is None or greedy is None:
        return Reach(0.0, 0.0, 0.0, 0, True)
    sol = None
    if prove or len(model.red.sites) <= REACH_MIP_SITES or \
            model.evaluate(greedy)[0] >= (1.0 - REACH_MIP_GAP) * lp:
        sol = model.solve(everything, solver=opts, start=greedy)
    proven = sol is not None and sol.status == "optimal"
    chosen = sol.selected if sol is not None and proven else greedy
    if not constraints.forced.any():  # forced sites stay whatever they add
        chosen = prune(sp.csc_matrix(rows.matrix), w, rows.existing, chosen, costs)
    found = 100.0 * float(w[rows.covered(chosen)].sum()) / total
    upper = sol.objective if sol is not None and proven else lp
    bound = max(found, 100.0 * float(upper) / total) if np.isfinite(upper) else 100.0
    logger.info("highest reachable share: %.2f %% found (%d sites), at most %.2f %% (%s)", found, len(chosen),
                bound, "no MIP: greedy far from the bound" if sol is None else sol.status)
    if proven and proofs is not None:
        proofs.put(key, {"kind": "reach", "selected": np.asarray(chosen).tolist(),
                         "cost_sek": float(costs[chosen].sum()), "found_pct": found})
    return Reach(found_pct=found, bound_pct=min(100.0, bound), cost_sek=float(costs[chosen].sum()),
                 n_sites=len(chosen), proven=proven)


def _stored(record: dict[str, Any] | None, instance: Instance, constraints: Constraints, w: NDArray[np.float64],
            total: float) -> Reach | None:
    """A highest reach proven earlier, when its plan passes :func:`checked_plan` and still sees what it saw."""
    plan = checked_plan(record, instance, constraints)
    if plan is None or record is None or total <= 0:
        return None
    selected, cost = plan
    found = 100.0 * float(w[instance.rows.covered(selected)].sum()) / total
    if abs(found - float(record.get("found_pct", -1.0))) > 1e-6:
        logger.warning("proof store: a stored highest reach no longer sees what it saw: ignored")
        return None
    logger.info("proof store: the highest reachable share, proven on %s: %.2f %%", record.get("proven_at"), found)
    return Reach(found_pct=found, bound_pct=found, cost_sek=cost, n_sites=len(selected), proven=True,
                 proven_at=str(record.get("proven_at")))
