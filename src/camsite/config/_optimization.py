"""The ``[optimization]`` and ``[robustness]`` sections: budget, question, costs over time, solver, stages."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from camsite._schema import fail
from camsite.config._common import MAX_SWEEP_POINTS, MAX_YEARS, check
from camsite.vocab import SOLVER_NAMES

__all__ = ["FramesConfig", "OptimizationConfig", "RobustnessConfig", "Stage", "SweepConfig", "plan_years"]


@dataclass(frozen=True)
class SweepConfig:
    """Budgets for the coverage-budget curve: a list, or start/stop/step."""

    budgets: tuple[float, ...] = ()
    start: float | None = None
    stop: float | None = None
    step: float | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        start, stop, step = self.start, self.stop, self.step
        if start is not None or stop is not None or step is not None:
            if start is None or stop is None or step is None:
                fail("give start, stop and step together", file=file, key=key)
            check(step > 0 and stop >= start >= 0, "need 0 <= start <= stop and step > 0", file=file, key=key)
        else:
            check(len(self.budgets) > 0, "give budgets or start/stop/step", file=file, key=key)
        for i, b in enumerate(self.budgets):
            check(b >= 0, "must be >= 0", file=file, key=f"{key}.budgets[{i}]")
        n = len(self.values())
        check(n <= MAX_SWEEP_POINTS, f"gives {n:,} budgets; at most {MAX_SWEEP_POINTS} (each is an exact solve: "
               "use a larger step)", file=file, key=key)

    def values(self) -> tuple[float, ...]:
        """The budgets, sorted ascending and without repeats."""
        vals = list(self.budgets)
        if self.start is not None and self.stop is not None and self.step is not None:
            n = math.floor((self.stop - self.start) / self.step + 1e-9)
            vals += [self.start + i * self.step for i in range(n + 1)]
        return tuple(sorted({float(v) for v in vals}))


@dataclass(frozen=True)
class Stage:
    """One year of a staged rollout: the money for the sites added that year (counted as ``budget_sek`` is)."""

    year: int
    budget_sek: float

    def validate(self, *, file: str | None, key: str) -> None:
        check(1900 <= self.year <= 2200, "must be a year", file=file, key=f"{key}.year")
        check(self.budget_sek > 0, "must be > 0", file=file, key=f"{key}.budget_sek")


def plan_years(horizon_years: float) -> int:
    """Plan years of a horizon: rounded up, at least one (as :func:`camsite.costs.n_years` counts them).

    >>> plan_years(4), plan_years(2.5), plan_years(0)
    (4, 3, 1)
    """
    return max(1, math.ceil(horizon_years - 1e-9))


@dataclass(frozen=True)
class FramesConfig:
    """``[optimization.frames]``: the city's yearly frames, investment and operation bound separately.

    Each is a number (the same limit every plan year) or a list with one value
    per plan year from ``start_year``; a frame left out does not bind.
    Replacements count as investment in the year they are bought.
    """

    #: Most money for purchases (new cameras and replacements) in one year, SEK.
    investment_sek_per_year: float | tuple[float, ...] | None = None
    #: Most money for running the cameras installed so far in one year, SEK.
    operation_sek_per_year: float | tuple[float, ...] | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.investment_sek_per_year is not None or self.operation_sek_per_year is not None,
              "give investment_sek_per_year and/or operation_sek_per_year", file=file, key=key)
        for name in ("investment_sek_per_year", "operation_sek_per_year"):
            value = getattr(self, name)
            values = value if isinstance(value, tuple) else () if value is None else (value,)
            check(len(values) > 0 or value is None, "give at least one year's frame", file=file, key=f"{key}.{name}")
            for i, v in enumerate(values):
                where = f"{key}.{name}" + (f"[{i}]" if isinstance(value, tuple) else "")
                check(v >= 0, "must be >= 0 (SEK per year)", file=file, key=where)

    def check_years(self, n_years: int, *, file: str | None, key: str) -> None:
        """A list of frames needs one value per plan year (``n_years``), else a ConfigError naming the key."""
        for name in ("investment_sek_per_year", "operation_sek_per_year"):
            value = getattr(self, name)
            if isinstance(value, tuple):
                check(len(value) == n_years, f"has {len(value)} values; give one per plan year ({n_years}, from "
                      "start_year over horizon_years) or a single number for every year", file=file,
                      key=f"{key}.{name}")

    def limits(self, n_years: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(investment, operation) limits per plan year; ``inf`` where a frame is not given.

        >>> FramesConfig(investment_sek_per_year=150.0).limits(2)
        ((150.0, 150.0), (inf, inf))
        """
        def one(value: float | tuple[float, ...] | None) -> tuple[float, ...]:
            if value is None:
                return (math.inf,) * n_years
            return tuple(float(v) for v in value) if isinstance(value, tuple) else (float(value),) * n_years

        return one(self.investment_sek_per_year), one(self.operation_sek_per_year)


@dataclass(frozen=True)
class OptimizationConfig:
    """The budget, the model's side constraints and the solver."""

    budget_sek: float
    horizon_years: float = 4.0
    solver: str = "highs"
    time_limit_s: float | None = 300.0
    #: Limit (s) of each budget-curve target point (min_budgets.csv), or ``time_limit_s`` when that is shorter.
    target_time_limit_s: float = 3.0
    #: Prove the curve's target points and the highest reachable share: each gets ``time_limit_s`` instead of
    #: ``target_time_limit_s`` (``camsite run --prove``; minutes on a large model). Proofs are kept for later
    #: runs on the same data (camsite.stages._proofs).
    prove_targets: bool = False
    backup_weight: float = 0.0
    min_spacing_m: float = 0.0
    #: No two new cameras closer than this that look the same way (fixed headings within ``same_heading_deg``,
    #: or two all-round domes); 0 allows them.
    min_spacing_same_heading_m: float = 25.0
    same_heading_deg: float = 45.0
    forced_sites: tuple[str, ...] = ()
    forbidden_sites: tuple[str, ...] = ()
    max_per_type: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    budget_sweep: SweepConfig | None = None
    #: A staged rollout: ``[{ year = 2027, budget_sek = ... }, ...]``, or budgets alone (years ``start_year``,
    #: ``start_year + 1``, ...); see :meth:`stage_plan`.
    stages: tuple[Stage | float, ...] = ()
    #: The city's yearly investment and operation frames (``[optimization.frames]``); None: no yearly limits.
    frames: FramesConfig | None = None
    greedy: bool = True
    lp_bound: bool = True
    # -- which question: most coverage within the budget, or the cheapest plan reaching a target ------------
    #: ``"max_coverage"`` (most coverage within ``budget_sek``) or ``"min_cost"`` (cheapest plan reaching a target).
    objective: str = "max_coverage"
    #: min_cost: the share (0-1) of the incident weight to cover.
    target_incident_share: float | None = None
    #: min_cost: a share (0-1) per incident category that must be covered.
    target_category_shares: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: min_cost: places that must be covered too: ``"none"``, ``"subareas"`` (each sub-area to the target)
    #: or ``"clusters"`` (incident clusters).
    hotspots: str = "none"
    # -- costs over time: start year, discounting and what the budget limits --------------------------------
    #: First year of the plan (None: the current year).
    start_year: int | None = None
    #: Yearly discount rate for the present value (0: none, the municipal convention when unsure).
    discount_rate: float = 0.0
    #: What ``budget_sek`` limits: ``"total"`` (capex + opex over the horizon, the default),
    #: ``"investment"`` (capex in the first year) or ``"yearly"`` (each year's capex + opex).
    budget_applies_to: str = "total"

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.budget_sek > 0, "must be > 0", file=file, key=f"{key}.budget_sek")
        check(self.objective in ("max_coverage", "min_cost"), 'must be "max_coverage" or "min_cost"', file=file,
               key=f"{key}.objective")
        if self.target_incident_share is not None:
            check(0 < self.target_incident_share <= 1, "must be in (0, 1] (a share, e.g. 0.5)", file=file,
                   key=f"{key}.target_incident_share")
        for k, v in self.target_category_shares.items():
            check(0 <= v <= 1, "must be in [0, 1] (a share)", file=file, key=f"{key}.target_category_shares.{k}")
        check(self.hotspots in ("none", "subareas", "clusters"), 'must be "none", "subareas" or "clusters"',
               file=file, key=f"{key}.hotspots")
        if self.objective == "min_cost":
            check(self.target_incident_share is not None or bool(self.target_category_shares)
                   or self.hotspots != "none", "min_cost needs a target: target_incident_share, "
                   "target_category_shares or hotspots", file=file, key=f"{key}.objective")
        if self.start_year is not None:
            check(1900 <= self.start_year <= 2200, "must be a year", file=file, key=f"{key}.start_year")
        check(0 <= self.discount_rate < 1, "must be in [0, 1) (e.g. 0.03 for 3 %)", file=file,
               key=f"{key}.discount_rate")
        check(self.budget_applies_to in ("total", "investment", "yearly"),
               'must be "total", "investment" or "yearly"', file=file, key=f"{key}.budget_applies_to")
        check(0 <= self.horizon_years <= MAX_YEARS, f"must be in [0, {MAX_YEARS:g}] years", file=file,
               key=f"{key}.horizon_years")
        check(self.solver in SOLVER_NAMES, "must be " + " or ".join(f'"{n}"' for n in SOLVER_NAMES), file=file,
               key=f"{key}.solver")
        if self.time_limit_s is not None:
            check(self.time_limit_s > 0, "must be > 0", file=file, key=f"{key}.time_limit_s")
        check(self.target_time_limit_s > 0, "must be > 0", file=file, key=f"{key}.target_time_limit_s")
        check(self.backup_weight >= 0, "must be >= 0", file=file, key=f"{key}.backup_weight")
        check(self.min_spacing_m >= 0, "must be >= 0", file=file, key=f"{key}.min_spacing_m")
        check(self.min_spacing_same_heading_m >= 0, "must be >= 0", file=file,
              key=f"{key}.min_spacing_same_heading_m")
        check(0 <= self.same_heading_deg <= 180, "must be in [0, 180]", file=file, key=f"{key}.same_heading_deg")
        for k, v in self.max_per_type.items():
            check(v >= 0, "must be >= 0", file=file, key=f"{key}.max_per_type.{k}")
        for i, b in enumerate(self.stages):
            if not isinstance(b, Stage):
                check(b > 0, "must be > 0", file=file, key=f"{key}.stages[{i}]")
        check(len(self.stages) <= MAX_SWEEP_POINTS, f"at most {MAX_SWEEP_POINTS} stages", file=file,
               key=f"{key}.stages")
        if self.frames is not None:
            self.frames.check_years(plan_years(self.horizon_years), file=file, key=f"{key}.frames")
        plan = self.stage_plan()
        for i in range(1, len(plan)):
            check(plan[i].year > plan[i - 1].year, "stages need increasing years (one stage per year)", file=file,
                   key=f"{key}.stages[{i}]")
        if plan:
            check(plan[0].year >= self.first_year(), f"is before start_year {self.first_year()}", file=file,
                   key=f"{key}.stages[0]")
            check(plan[-1].year < self.first_year() + max(1, math.ceil(self.horizon_years)),
                   "is after the planning horizon (start_year + horizon_years)", file=file,
                   key=f"{key}.stages[{len(plan) - 1}]")

    def unused_targets(self) -> tuple[str, ...]:
        """The min_cost target keys set under ``objective = "max_coverage"``, which ignores them.

        >>> OptimizationConfig(budget_sek=1, target_incident_share=0.5).unused_targets()
        ('optimization.target_incident_share',)
        """
        if self.objective == "min_cost":
            return ()
        given = {"target_incident_share": self.target_incident_share is not None,
                 "target_category_shares": bool(self.target_category_shares), "hotspots": self.hotspots != "none"}
        return tuple(f"optimization.{k}" for k, v in given.items() if v)

    def first_year(self) -> int:
        """``start_year``, or the current year when it is not given."""
        return self.start_year if self.start_year is not None else dt.date.today().year

    def stage_plan(self) -> tuple[Stage, ...]:
        """The stages with their years: plain budgets get ``start_year``, ``start_year + 1``, ...

        >>> OptimizationConfig(budget_sek=1, start_year=2027, stages=(5.0, 7.0)).stage_plan()
        (Stage(year=2027, budget_sek=5.0), Stage(year=2028, budget_sek=7.0))
        """
        first = self.first_year()
        return tuple(s if isinstance(s, Stage) else Stage(first + i, float(s)) for i, s in enumerate(self.stages))


@dataclass(frozen=True)
class RobustnessConfig:
    """``[robustness]``: how ``camsite robustness`` perturbs the scenario (docs/robustness.md)."""

    bootstrap: bool = True
    jitter: bool = True
    #: The category and street-space weights are the planner's judgements, not data: a sample leaves them
    #: (the sensitivity table varies each one); true: each sample also scales them (as before December 2026).
    weights: bool = False
    ranges: bool = True
    weight_low: float = 0.5
    weight_high: float = 2.0
    range_pct: float = 20.0
    cost_pct: float = 20.0
    #: Radius an incident moves within; None: each incident's recorded ``uncertainty_m`` (or its class's default).
    jitter_m: float | None = None
    #: Which recorded positions the jitter moves: ``"all"`` (default: every recorded position, each within its
    #: own recorded uncertainty) or ``"measured"`` (only measured coordinates, precision ``point``: a
    #: text-located record stays where its text puts it, the demand already spreading it; docs/robustness.md).
    jitter_positions: str = "all"
    stable_share: float = 0.8

    def validate(self, *, file: str | None, key: str) -> None:
        check(0 < self.weight_low <= 1, "must be in (0, 1]", file=file, key=f"{key}.weight_low")
        check(1 <= self.weight_high <= 100, "must be in [1, 100]", file=file, key=f"{key}.weight_high")
        for name in ("range_pct", "cost_pct"):
            check(0 <= getattr(self, name) < 100, "must be in [0, 100)", file=file, key=f"{key}.{name}")
        if self.jitter_m is not None:
            check(0 <= self.jitter_m <= 1000, "must be in [0, 1000] metres", file=file, key=f"{key}.jitter_m")
        check(self.jitter_positions in ("measured", "all"), 'must be "measured" or "all"', file=file,
              key=f"{key}.jitter_positions")
        check(0 < self.stable_share <= 1, "must be a share in (0, 1]", file=file, key=f"{key}.stable_share")
