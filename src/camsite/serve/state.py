"""The workbench's state: the scenario loaded once, its solver models kept in memory.

A :class:`Workbench` holds the scenario's run (inputs, instance, the plan for
its own budget) and one :class:`~camsite.optimize.CoverageModel` per variant
(category weights, removed cameras, forced and forbidden sites), least
recently used first out. A new budget on a known variant only changes the
model's budget row; the solve starts from the last plan. Proven-optimal plans
are kept per variant: a budget between two of them whose coverage is equal is
answered at once, exactly (coverage never falls as the budget rises).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from camsite import config, optimize, pipeline, stages
from camsite.config import Scenario
from camsite.optimize import CoverageModel, Solution, SolverOptions
from camsite.result import RunResult
from camsite.serve import variants
from camsite.serve.interim import PROVISIONAL, interim_plan, reweighted_plan
from camsite.serve.layers import BUDGET_STEP_SEK, budget_range
from camsite.serve.plan import PlanView
from camsite.serve.prefetch import GRID_STEPS, Prefetcher
from camsite.serve.request import PlanRequest, RequestError, parse_request
from camsite.stages import Instance

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_TIME_LIMIT_S", "Session", "Solved", "Workbench", "load_scenario"]

#: Time limit of one interactive solve (seconds); the plan found is shown with its gap.
DEFAULT_TIME_LIMIT_S = 20.0
#: Solver models kept in memory (one per variant: weights, removed cameras, forced/forbidden sites).
MAX_MODELS = 16
#: Instances kept for sets of removed existing cameras (each is built again from the inputs read at start).
MAX_INSTANCES = 6
#: Pages (sessions) kept, least recently used first out; a page whose session was dropped starts a new one.
MAX_SESSIONS = 64
#: The session of API clients that send no session id.
DEFAULT_SESSION = "shared"
#: What a session id looks like (``secrets.token_urlsafe``; the shared one too).
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{6,64}")
#: Longest wait (s) beyond the time limit for another request's solve on the same model.
LOCK_MARGIN_S = 5.0


def load_scenario(path: str | Path) -> Scenario:
    """The scenario as the workbench uses it: one max-coverage solve, no budget curve or staged plan."""
    scen = config.load(path)
    opt = replace(scen.optimization, budget_sweep=None, stages=(), objective="max_coverage",
                  target_incident_share=None, target_category_shares={}, hotspots="none")
    return config.override(scen, optimization=opt)


@dataclass(eq=False)
class _Entry:
    """One variant: its rows, its model and the plans solved on it (by budget; the prefetcher adds some)."""

    instance: Instance
    model: CoverageModel
    plans: dict[float, Solution] = field(default_factory=dict)
    last_selected: np.ndarray | None = None
    _background: CoverageModel | None = None
    #: Held while the model solves (one solve per model at a time; known plans need no lock).
    solve_lock: threading.Lock = field(default_factory=threading.Lock)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _bodies: dict[int, tuple[Solution, dict[str, Any]]] = field(default_factory=dict)

    def body(self, solution: Solution, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The page's view of ``solution`` (made once per plan: ranking and paths are the slow part)."""
        kept = self._bodies.get(id(solution))
        if kept is None or kept[0] is not solution:
            kept = (solution, make())
            self._bodies[id(solution)] = kept
        return kept[1]

    @property
    def total_cost(self) -> float:
        """The cost of every candidate together: any larger budget asks the same question."""
        return float(self.instance.costs.sum())

    def indices(self, names: list[str]) -> np.ndarray:
        """Column indices of candidate variants by name (names this instance lacks are left out)."""
        cands = self.instance.candidates["variant"].astype(str)
        return np.flatnonzero(cands.isin(names).to_numpy()).astype(np.int64)

    def store(self, budget: float, solution: Solution) -> None:
        """Keep a plan solved for ``budget``."""
        with self._lock:
            self.plans[budget] = solution

    def background_model(self) -> CoverageModel:
        """A copy of the model with a solver of its own, for the prefetch thread."""
        if self._background is None:
            self._background = self.model.fork()
        return self._background

    def best_within(self, budget: float) -> Solution | None:
        """The best plan kept that fits ``budget`` (the most coverage, then the cheapest), or None."""
        with self._lock:
            fits = [s for s in self.plans.values() if s.status != "infeasible" and s.spent <= budget]
        return max(fits, key=lambda s: (s.objective, -s.spent)) if fits else None

    def known(self, budget: float) -> Solution | None:
        """A plan proven optimal for ``budget`` without solving, if the plans kept prove one."""
        with self._lock:
            plans = dict(self.plans)
        if budget in plans:
            return plans[budget]
        proven = [(b, s) for b, s in plans.items() if s.status == "optimal"]
        fits = [s for _, s in proven if s.spent <= budget]
        above = [s.objective for b, s in proven if b >= budget]
        if not fits or not above:
            return None
        best = max(fits, key=lambda s: (s.objective, -s.spent))
        return best if best.objective >= min(above) - self.model.tol else None


@dataclass(eq=False)
class Session:
    """One page's own state: the plan it shows and the plans it tried (models and solved plans are shared)."""

    session_id: str
    current: PlanRequest
    history: list[dict[str, Any]] = field(default_factory=list)
    #: The last plan's candidate variants (names: columns differ per instance), the next solve's start.
    last: list[str] | None = None

    def remember(self, req: PlanRequest, view: dict[str, Any]) -> int:
        """The history id of this plan: the earlier entry for the same request, else a new one."""
        asked = req.as_json()
        for entry in self.history:
            if entry["request"] == asked:
                return int(entry["plan_id"])
        entry = {"plan_id": len(self.history) + 1, "request": asked,
                 **{k: view[k] for k in ("status", "gap", "spent_sek", "coverage_before_pct", "coverage_after_pct",
                                         "incident_coverage_after_pct")},
                 "site_ids": [s["site_id"] for s in view["sites"]]}
        self.history.append(entry)
        return int(entry["plan_id"])


@dataclass(frozen=True)
class Solved:
    """A solved request: the plan as the API returns it, and the solution behind it."""

    request: PlanRequest
    solution: Solution
    view: dict[str, Any]


class Workbench:
    """A loaded scenario answering what-if requests (thread-safe: one solve at a time).

    Parameters
    ----------
    result
        The scenario's run (:func:`camsite.pipeline.run` on :func:`load_scenario`).
    time_limit_s
        Time limit of one solve.
    prefetch
        Solve the slider's neighbouring budgets in the background (:mod:`camsite.serve.prefetch`).
    grid_steps
        With ``prefetch``: slider steps each way of the grid solved in the background after loading.
    """

    def __init__(self, result: RunResult, *, time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
                 prefetch: bool = True, grid_steps: int = GRID_STEPS) -> None:
        self.result = result
        self.scenario = result.scenario
        self.instance = result.instance
        opt = self.scenario.optimization
        limit = opt.time_limit_s if time_limit_s is None else min(time_limit_s, opt.time_limit_s or time_limit_s)
        self.solver = SolverOptions(name=opt.solver, time_limit_s=limit, greedy=False, lp_bound=False,
                                    nested=self.instance.graded)
        self.site_ids = sorted(set(self.instance.site_ids.tolist()))
        self.camera_ids = [str(c) for c in self.instance.existing["camera_id"]]
        self.category_weights = dict(self.scenario.category_weights)
        cats = set(self.instance.demand["category"].astype(str))
        self.adjustable = [k for k, v in self.category_weights.items() if v > 0 and k in cats]
        self.view = PlanView(result)
        self._models: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._instances: OrderedDict[tuple[str, ...], Instance] = OrderedDict({(): self.instance})
        self._lock = threading.Lock()  # the shared structures (models, instances, sessions); never held to solve
        self._settling: dict[int, float] = {}  # per model: the newest budget asked provisionally
        self._threads: list[threading.Thread] = []  # the background solves started for provisional answers
        self._closed = False
        self.base = self.parse({})
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._entry(self.base).store(self.base.budget_sek, result.solution)
        self.prefetcher = Prefetcher(self.solver, BUDGET_STEP_SEK) if prefetch else None
        self.budget_range = budget_range(result)
        if self.prefetcher is not None and grid_steps > 0:
            self.prefetcher.grid(self._entry(self.base), self.base.budget_sek, low=self.budget_range["min_sek"],
                                 high=self.budget_range["max_sek"], steps=grid_steps)

    @classmethod
    def load(cls, path: str | Path, *, time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
             prefetch: bool = True, grid_steps: int = GRID_STEPS) -> Workbench:
        """Load a scenario file once (network, demand, candidates, coverage) and solve its own budget."""
        return cls(pipeline.run(load_scenario(path)), time_limit_s=time_limit_s, prefetch=prefetch,
                   grid_steps=grid_steps)

    def close(self) -> None:
        """Stop the background solves, waiting for those in progress (each ends within its time limit: a
        process must not end while a solver thread runs)."""
        wait = (self.solver.time_limit_s or DEFAULT_TIME_LIMIT_S) + LOCK_MARGIN_S
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if self.prefetcher is not None:
            self.prefetcher.close(wait_s=wait)
        for thread in threads:
            thread.join(wait)

    def parse(self, body: Any) -> PlanRequest:
        """A checked request (missing fields: the scenario's values); raises :class:`RequestError`."""
        opt = self.scenario.optimization
        return parse_request(body, budget_sek=opt.budget_sek, site_ids=self.site_ids, camera_ids=self.camera_ids,
                             category_weights=self.category_weights, adjustable=self.adjustable,
                             forced=opt.forced_sites, forbidden=opt.forbidden_sites)

    # -- sessions -------------------------------------------------------------------------------------------
    def session(self, session_id: str | None = None) -> Session:
        """The page's session ``session_id`` (made when new; None: the one shared by clients without an id).

        Raises :class:`RequestError` (400) for an id that is not one this server could have issued.
        """
        sid = DEFAULT_SESSION if session_id is None else session_id
        if not SESSION_ID.fullmatch(sid):
            raise RequestError("expected the session id /api/state gave (letters, digits, - and _)",
                               field="session", status=400)
        with self._lock:
            if sid not in self._sessions:
                self._sessions[sid] = Session(session_id=sid, current=self.base)
                while len(self._sessions) > MAX_SESSIONS:
                    self._sessions.popitem(last=False)
            self._sessions.move_to_end(sid)
            return self._sessions[sid]

    def new_session(self) -> Session:
        """A fresh session for a page just opened: the scenario's plan, no history."""
        return self.session(secrets.token_urlsafe(16))

    @property
    def current(self) -> PlanRequest:
        """The request last solved in the shared session (clients without a session id)."""
        return self.session().current

    @property
    def history(self) -> list[dict[str, Any]]:
        """The plans tried in the shared session."""
        return self.session().history

    # -- models ---------------------------------------------------------------------------------------------
    def _entry(self, req: PlanRequest) -> _Entry:
        with self._lock:
            return self._entry_locked(req)

    def _entry_locked(self, req: PlanRequest) -> _Entry:
        key = req.model_key()
        if key in self._models:
            self._models.move_to_end(key)
            return self._models[key]
        inst = self._instance(req.removed_existing)
        weights = variants.point_weights(inst, self.category_weights, req.weights)
        var = variants.variant_instance(inst, weights)  # the instance with the request's weights and rows
        opt = replace(self.scenario.optimization, forced_sites=req.forced, forbidden_sites=req.forbidden)
        cons = stages.plan_constraints(self.scenario, self.result.inputs, inst, opt=opt)  # as `camsite run`
        rows = var.rows
        model = optimize.make_model(rows.matrix, rows.weights, inst.costs, existing=rows.existing,
                                    constraints=cons, backup_weight=opt.backup_weight)
        entry = _Entry(instance=var, model=model)
        self._models[key] = entry
        while len(self._models) > MAX_MODELS:
            self._models.popitem(last=False)
        return entry

    def _instance(self, removed: tuple[str, ...]) -> Instance:
        """The instance without the existing cameras ``removed`` (built once per set, a few kept)."""
        if removed not in self._instances:
            self._instances[removed] = variants.instance_without(self.result, removed)
            for old in [k for k in self._instances if k not in ((), removed)][:-MAX_INSTANCES or None]:
                del self._instances[old]
        self._instances.move_to_end(removed)
        return self._instances[removed]

    # -- solving --------------------------------------------------------------------------------------------
    def solve(self, req: PlanRequest, session: Session | None = None) -> Solved:
        """Solve ``req`` exactly (or to the time limit, with its gap) for ``session`` (None: the shared one).

        Solves on one variant wait for each other, at most the time limit (then 503, "try again"); other
        variants and plans already solved are answered meanwhile. Raises :class:`RequestError` if infeasible.
        """
        t0 = time.perf_counter()
        sess = self.session() if session is None else session
        entry = self._entry(req)
        limit = self.solver.time_limit_s or DEFAULT_TIME_LIMIT_S
        if self.prefetcher is not None:
            self.prefetcher.wait(entry, req.budget_sek, limit)
        sol = entry.known(req.budget_sek)
        cached = sol is not None
        if sol is None:
            # the holder may be a background solve of a budget asked just before (itself within the limit)
            if not entry.solve_lock.acquire(timeout=2 * limit + LOCK_MARGIN_S):
                raise RequestError("busy: another request is solving this plan's model; try again in a moment",
                                   status=503)
            try:
                sol = entry.known(req.budget_sek)  # solved while this request waited
                cached = sol is not None
                if sol is None:
                    start = None if sess.last is None else entry.indices(sess.last)
                    sol = entry.model.solve(min(req.budget_sek, entry.total_cost), solver=self.solver, start=start)
                    if sol.status == "infeasible":
                        raise RequestError(self._infeasible_text(req), field="forced")
                    entry.store(req.budget_sek, sol)
            finally:
                entry.solve_lock.release()
        entry.last_selected = sol.selected
        if self.prefetcher is not None:
            down = req.budget_sek < sess.current.budget_sek
            self.prefetcher.after(entry, req.budget_sek, low=self.budget_range["min_sek"],
                                  high=self.budget_range["max_sek"], down=down)
        sess.current = req
        sess.last = entry.instance.candidates["variant"].astype(str).to_numpy()[sol.selected].tolist()
        view = {**entry.body(sol, lambda: self.view.plan(req.forced, sol, entry.instance)),
                "budget_sek": req.budget_sek, "request": req.as_json(), "session": sess.session_id}
        view.update(cached=cached, runtime_s=round(time.perf_counter() - t0, 4),
                    solve_s=0.0 if cached else round(float(sol.runtime_s), 4))
        view["plan_id"] = sess.remember(req, view)
        return Solved(request=req, solution=sol, view=view)

    def provisional(self, req: PlanRequest, session: Session | None = None) -> Solved | None:
        """At once, without solving: the best plan already solved on ``req``'s model that fits its budget (or one
        cut down to it, :func:`~camsite.serve.interim.interim_plan`), while the exact plan is solved in the
        background (a later :meth:`solve` of ``req`` waits for it). A change of category weights alone is
        answered with the session's plan valued under the new weights
        (:func:`~camsite.serve.interim.reweighted_plan`; ``"provisional_basis": "reweighted"``).

        None when the exact plan is known already (ask :meth:`solve`), when no plan can be shown, or without
        background solves. The answer is marked ``provisional`` (status too) and keeps no history entry.
        """
        if self.prefetcher is None:
            return None
        t0 = time.perf_counter()
        sess = self.session() if session is None else session
        entry = self._entry(req)
        if entry.known(req.budget_sek) is not None:
            return None
        start = self._reweighting(req, sess, entry)
        if start is not None:
            sol: Solution | None = reweighted_plan(entry.model, start, entry.instance.costs)
            basis = "reweighted"
        else:
            with entry._lock:
                plans = list(entry.plans.values())
            keep = np.flatnonzero(entry.instance.candidates["site_id"].isin(list(req.forced)).to_numpy())
            sol = interim_plan(entry.model, plans, req.budget_sek, costs=entry.instance.costs, keep=keep)
            basis = "solved"
        if sol is None:
            return None
        if not self.prefetcher.running(entry, req.budget_sek):  # else the exact solve waits for that one
            self._settle_soon(entry, req.budget_sek, start)
        shown = sol
        body = (self.view.plan(req.forced, shown, entry.instance) if shown.status == PROVISIONAL
                else entry.body(shown, lambda: self.view.plan(req.forced, shown, entry.instance)))
        view = {**body, "status": PROVISIONAL, "gap": None, "budget_sek": req.budget_sek, "request": req.as_json(),
                "session": sess.session_id, "cached": True, "provisional": True, "provisional_basis": basis,
                "runtime_s": round(time.perf_counter() - t0, 4), "solve_s": 0.0, "plan_id": None}
        return Solved(request=req, solution=sol, view=view)

    def _reweighting(self, req: PlanRequest, sess: Session, entry: _Entry) -> np.ndarray | None:
        """The session's plan as columns of ``entry`` when ``req`` changes only its category weights (and the plan
        still fits the budget), else None."""
        cur = sess.current
        if sess.last is None or req.category_weights == cur.category_weights:
            return None
        if (req.forced, req.forbidden, req.removed_existing) != (cur.forced, cur.forbidden, cur.removed_existing):
            return None
        chosen = entry.indices(sess.last)
        if len(chosen) != len(sess.last) or float(entry.instance.costs[chosen].sum()) > req.budget_sek + 1e-6:
            return None
        return chosen

    def _settle_soon(self, entry: _Entry, budget: float, start: np.ndarray | None = None) -> None:
        """Solve ``budget`` exactly on ``entry``'s own model in a thread, from the plan ``start`` (None: the best
        kept that fits); the newest budget asked wins (an older one still waiting for the model is dropped)."""
        thread = threading.Thread(target=self._settle, args=(entry, budget, start), name="camsite-settle",
                                  daemon=True)
        with self._lock:
            if self._closed:
                return
            self._settling[id(entry)] = budget
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _settle(self, entry: _Entry, budget: float, start: np.ndarray | None = None) -> None:
        limit = self.solver.time_limit_s or DEFAULT_TIME_LIMIT_S
        if not entry.solve_lock.acquire(timeout=limit + LOCK_MARGIN_S):
            return
        try:
            with self._lock:
                newest = self._settling.get(id(entry)) == budget and not self._closed
            if newest and entry.known(budget) is None:
                if start is None:
                    best = entry.best_within(budget)
                    start = None if best is None else best.selected
                sol = entry.model.solve(min(budget, entry.total_cost), solver=self.solver, start=start)
                if sol.status != "infeasible":
                    entry.store(budget, sol)
        except Exception:  # a failed background solve must never stop the server: the request then solves itself
            logger.exception("solving budget %.0f in the background failed", budget)
        finally:
            entry.solve_lock.release()

    def _infeasible_text(self, req: PlanRequest) -> str:
        cands = self.instance.candidates
        cheapest = cands.groupby("site_id")["cost_sek"].min()
        need = float(cheapest.loc[list(req.forced)].sum()) if req.forced else 0.0
        if need > req.budget_sek:
            return (f"infeasible: the forced sites cost at least {need:,.0f} SEK, more than the budget "
                    f"{req.budget_sek:,.0f} SEK")
        return "infeasible: the forced sites cannot all be chosen together (spacing or camera-type limits)"
