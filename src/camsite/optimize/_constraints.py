"""Side constraints on the chosen sites: :class:`Constraints`, and :func:`side_constraints` from table columns.

* ``groups``: at most one site per group id (the variants of one physical site);
  ``-1`` means "no group".
* ``conflicts``: pairs of sites that may not both be chosen; or ``xy`` plus
  ``min_spacing_m``: every two sites closer than that (and not in the same group)
  conflict; or ``xy`` and ``heading_deg`` plus ``same_heading_spacing_m``: two
  sites closer than that which look the same way conflict: fixed cameras whose
  headings differ by less than ``same_heading_deg``, or two all-round cameras
  (NaN heading). A fixed camera and an all-round one never conflict this way.
  Each conflict is one pair row ``x_a + x_b <= 1``: the model stays exact.
* ``forced`` / ``forbidden``: boolean masks; a forced site is always chosen, a
  forbidden one never.
* ``require_any``: index arrays; at least one site of each is chosen (a forced
  physical site with several variants).
* ``site_type`` plus ``max_per_type``: at most ``cap`` chosen sites of a type.
* ``spend_group`` plus ``spend_cost``, ``spend_lower`` and ``spend_upper``: a
  spending group per site (a district sharing the city's budget; ``-1``: none)
  and, per group, ``lower <= sum_{j in g} cost_j x_j <= upper`` (one row each).

>>> c = Constraints.build(3, xy=np.array([[0, 0], [5, 0], [30, 0]]), min_spacing_m=10)
>>> c.conflicts.tolist()
[[0, 1]]
>>> nan = float("nan")
>>> c = Constraints.build(4, xy=[[0, 0], [20, 0], [0, 10], [20, 10]], heading_deg=[90, 120, nan, nan],
...                       same_heading_spacing_m=25)
>>> c.conflicts.tolist()  # headings 30° apart; two domes; never a dome with a fixed camera
[[0, 1], [2, 3]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from camsite.errors import ConfigError

__all__ = ["Constraints", "Spend", "side_constraints"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def _empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _empty_float() -> FloatArray:
    return np.zeros(0, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Spend:
    """Spending groups (districts sharing one budget) and their limits, before :meth:`Constraints.build` checks them.

    Attributes
    ----------
    group
        Group code per site (``0 .. k-1``; ``-1``: in no group).
    cost
        The cost each site counts in its group (SEK, as the budget counts it).
    lower, upper
        Per group: the least and the most its chosen sites may cost (``0`` and ``inf``: no limit).
    """

    group: npt.ArrayLike
    cost: npt.ArrayLike
    lower: npt.ArrayLike
    upper: npt.ArrayLike

    def arrays(self, n: int) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
        """Group, cost, lower and upper as checked arrays over ``n`` sites (lengths, codes, ``0 <= lower <= upper``)."""
        grp = np.asarray(self.group, dtype=np.int64).ravel()
        cost = np.asarray(self.cost, dtype=np.float64).ravel()
        lo = np.asarray(self.lower, dtype=np.float64).ravel()
        hi = np.asarray(self.upper, dtype=np.float64).ravel()
        if grp.shape != (n,) or cost.shape != (n,):
            raise ValueError(f"spend: group and cost need one value per site ({n})")
        if lo.shape != hi.shape or (grp.size and grp.max() >= len(lo)) or (grp < -1).any():
            raise ValueError("spend: a group code without limits")
        if (lo < 0).any() or (lo > hi).any() or np.isnan(lo).any() or np.isnan(hi).any():
            raise ValueError("spend: limits must satisfy 0 <= lower <= upper")
        return grp, cost, lo, hi


@dataclass(frozen=True, eq=False)
class Constraints:
    """Side constraints over ``n_sites`` candidate sites, as arrays (module docs).

    Build it with :meth:`build` (or :func:`side_constraints` from candidate-table
    columns); the fields are normalised arrays.

    Attributes
    ----------
    n_sites
        Number of sites (columns of the coverage matrix).
    groups
        ``int64`` group id per site, ``-1`` = none; at most one site per group.
    conflicts
        ``(k, 2)`` ``int64`` array of site pairs (``a < b``, unique) that may not
        both be chosen.
    forced, forbidden
        Boolean masks of sites that must / must not be chosen.
    require_any
        Sorted index arrays; at least one site of each is chosen.
    type_codes, type_caps
        A type code per site (empty when no type has a cap) and the cap per code
        (``inf`` = uncapped).
    spend_group, spend_cost, spend_lower, spend_upper
        A spending group per site (``-1``: none; empty when no group has limits),
        the cost each site counts in its group, and per group the least and most
        it may spend (``0`` and ``inf``: no limit).
    """

    n_sites: int
    groups: IntArray
    conflicts: IntArray
    forced: BoolArray
    forbidden: BoolArray
    require_any: tuple[IntArray, ...] = ()
    type_codes: IntArray = field(default_factory=_empty_int)
    type_caps: FloatArray = field(default_factory=_empty_float)
    spend_group: IntArray = field(default_factory=_empty_int)
    spend_cost: FloatArray = field(default_factory=_empty_float)
    spend_lower: FloatArray = field(default_factory=_empty_float)
    spend_upper: FloatArray = field(default_factory=_empty_float)

    @classmethod
    def build(
        cls, n_sites: int, *, groups: npt.ArrayLike | None = None, conflicts: npt.ArrayLike | None = None,
        xy: npt.ArrayLike | None = None, min_spacing_m: float = 0.0, forced: npt.ArrayLike | None = None,
        forbidden: npt.ArrayLike | None = None, require_any: Iterable[npt.ArrayLike] = (),
        site_type: npt.ArrayLike | None = None, max_per_type: Mapping[str, int] | None = None,
        heading_deg: npt.ArrayLike | None = None, same_heading_spacing_m: float = 0.0, same_heading_deg: float = 45.0,
        spend: Spend | None = None,
    ) -> Constraints:
        """Normalise side constraints over ``n_sites`` sites into arrays.

        Parameters
        ----------
        n_sites
            Number of candidate sites.
        groups
            Group id per site (``-1`` = none); at most one site per group (variants
            of one physical site).
        conflicts
            Pairs of site indices that may not both be chosen.
        xy, min_spacing_m
            Site coordinates (metres) and a minimum spacing between chosen sites of
            different groups (pairs closer than that become conflicts).
        forced, forbidden
            Boolean masks (or index lists) of sites that must / must not be chosen.
        require_any
            Index arrays; at least one site of each is chosen.
        site_type, max_per_type
            A type label per site and a cap of chosen sites per type.
        heading_deg, same_heading_spacing_m, same_heading_deg
            A compass heading per site (NaN: all round) and the spacing below which
            two sites of different groups that look the same way conflict (module docs).
        spend
            Spending groups and their limits (:class:`Spend`; module docs).

        Examples
        --------
        >>> c = Constraints.build(4, groups=[0, 0, -1, -1], forced=[3], site_type=["a", "a", "b", "b"],
        ...                       max_per_type={"a": 1})
        >>> c.forced.tolist(), c.type_caps.tolist()
        ([False, False, False, True], [1.0, inf])
        """
        n = int(n_sites)
        grp = np.full(n, -1, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64).ravel()
        if grp.shape != (n,):
            raise ValueError(f"groups has length {grp.size}, expected {n}")
        pairs = _pairs(conflicts, n)
        if xy is not None and min_spacing_m > 0:
            pairs = np.vstack([pairs, _spacing_pairs(np.asarray(xy, dtype=np.float64).reshape(n, 2),
                                                     float(min_spacing_m), grp)])
        if xy is not None and heading_deg is not None and same_heading_spacing_m > 0:
            head = np.asarray(heading_deg, dtype=np.float64).ravel()
            if head.shape != (n,):
                raise ValueError(f"heading_deg has length {head.size}, expected {n}")
            pairs = np.vstack([pairs, _same_heading_pairs(np.asarray(xy, dtype=np.float64).reshape(n, 2), head,
                                                          float(same_heading_spacing_m), float(same_heading_deg),
                                                          grp)])
        if len(pairs):
            pairs = np.unique(np.sort(pairs, axis=1), axis=0)
        codes, caps = _empty_int(), _empty_float()
        if site_type is not None and max_per_type:
            labels, uniq = pd.factorize(pd.Series(np.asarray(site_type, dtype=object).ravel()), sort=True)
            if labels.shape != (n,):
                raise ValueError(f"site_type has length {labels.size}, expected {n}")
            codes = labels.astype(np.int64)
            caps = np.array([float(max_per_type.get(t, np.inf)) for t in uniq], dtype=np.float64)
        req = tuple(np.unique(np.asarray(r, dtype=np.int64)) for r in require_any)
        for r in req:
            if r.size and (r.min() < 0 or r.max() >= n):
                raise ValueError("require_any: site index out of range")
        out = cls(n_sites=n, groups=grp, conflicts=pairs.astype(np.int64), forced=_mask(forced, n, "forced"),
                  forbidden=_mask(forbidden, n, "forbidden"), require_any=req, type_codes=codes, type_caps=caps)
        return out if spend is None else out.with_spend(spend)

    def with_sites(self, *, forced: npt.ArrayLike | None = None, forbidden: npt.ArrayLike | None = None
                   ) -> Constraints:
        """A copy with other ``forced`` and/or ``forbidden`` sites (masks or index lists; None: unchanged).

        >>> c = Constraints.build(3).with_sites(forbidden=[1])
        >>> c.forbidden.tolist(), c.forced.tolist()
        ([False, True, False], [False, False, False])
        """
        return replace(self, forced=self.forced if forced is None else _mask(forced, self.n_sites, "forced"),
                       forbidden=self.forbidden if forbidden is None else
                       _mask(forbidden, self.n_sites, "forbidden"))

    def with_spend(self, spend: Spend, *, forbidden: npt.ArrayLike | None = None) -> Constraints:
        """A copy with these spending groups and limits (and other ``forbidden`` sites; None: unchanged)."""
        grp, cost, lo, hi = spend.arrays(self.n_sites)
        base = self if forbidden is None else self.with_sites(forbidden=forbidden)
        return replace(base, spend_group=grp, spend_cost=cost, spend_lower=lo, spend_upper=hi)

    @property
    def any_conflicts(self) -> bool:
        """True when some pair of sites conflicts."""
        return len(self.conflicts) > 0

    def conflict_matrix(self) -> sp.csr_matrix:
        """Symmetric boolean ``n_sites x n_sites`` matrix of conflicting pairs (built once; do not modify it).

        The greedy and the swap search ask for it once per state they build (tens of times per solve).
        """
        return self._conflicts_csr

    @cached_property
    def _conflicts_csr(self) -> sp.csr_matrix:
        a, b = self.conflicts[:, 0], self.conflicts[:, 1]
        data = np.ones(2 * len(a), dtype=bool)
        return sp.csr_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(self.n_sites, self.n_sites))

    def capped(self) -> BoolArray:
        """Boolean mask of sites whose type has a cap."""
        if self.type_codes.size == 0:
            return np.zeros(self.n_sites, dtype=bool)
        return np.asarray(np.isfinite(self.type_caps[self.type_codes]), dtype=bool)

    def group_sizes(self) -> IntArray:
        """For each site, how many sites share its group (1 when ungrouped)."""
        sizes = np.ones(self.n_sites, dtype=np.int64)
        has = self.groups >= 0
        if has.any():
            _, inv, counts = np.unique(self.groups[has], return_inverse=True, return_counts=True)
            sizes[has] = counts[inv]
        return sizes

    @property
    def has_spend(self) -> bool:
        """True when some spending group has a limit (rows ``lower <= spend <= upper``)."""
        return self.spend_group.size > 0

    def spend_of(self, sites: npt.ArrayLike) -> FloatArray:
        """What the chosen ``sites`` (indices) spend in each spending group."""
        idx = np.asarray(sites, dtype=np.int64).ravel()
        g = self.spend_group[idx]
        inside = g >= 0
        return np.bincount(g[inside], weights=self.spend_cost[idx][inside],
                           minlength=len(self.spend_lower)).astype(np.float64)

    def spend_ok(self, sites: npt.ArrayLike) -> bool:
        """Whether the chosen ``sites`` (indices) keep every spending group within its limits.

        >>> c = Constraints.build(3, spend=Spend(group=[0, 0, 1], cost=[5, 5, 7], lower=[0, 7], upper=[5, 7]))
        >>> c.spend_ok([0, 2]), c.spend_ok([0, 1, 2]), c.spend_ok([0])
        (True, False, False)
        """
        if not self.has_spend:
            return True
        spent = self.spend_of(sites)
        tol = 1e-9 * np.maximum(1.0, np.abs(spent))
        return bool(((spent >= self.spend_lower - tol) & (spent <= self.spend_upper + tol)).all())

    def spend_additions(self, sites: npt.ArrayLike) -> BoolArray:
        """Mask of the sites whose addition to the chosen ``sites`` (indices) leaves every spending group within
        its limits: the most of the site's group, and the least of every group (at most one may be short, and
        only a site of that group can make it up).

        >>> c = Constraints.build(3, spend=Spend(group=[0, 0, 1], cost=[5, 5, 7], lower=[0, 7], upper=[5, 7]))
        >>> c.spend_additions([]).tolist(), c.spend_additions([2]).tolist()
        ([False, False, True], [True, True, False])
        """
        if not self.has_spend:
            return np.ones(self.n_sites, dtype=bool)
        spent = self.spend_of(sites)
        g = np.maximum(self.spend_group, 0)
        after = spent[g] + self.spend_cost
        tol = 1e-9 * np.maximum(1.0, np.abs(after))
        ok = (self.spend_group < 0) | (after <= self.spend_upper[g] + tol)
        short = np.flatnonzero(spent < self.spend_lower - 1e-9 * np.maximum(1.0, self.spend_lower))
        if len(short) > 1:
            return np.zeros(self.n_sites, dtype=bool)
        if len(short) == 1:
            ok &= (self.spend_group == short[0]) & (after >= self.spend_lower[short[0]] - tol)
        return np.asarray(ok, dtype=bool)

    def spend_minimum(self) -> BoolArray:
        """Boolean mask of sites in a spending group with a minimum above 0 (a reduction must keep them)."""
        if not self.has_spend:
            return np.zeros(self.n_sites, dtype=bool)
        g = self.spend_group
        return np.asarray((g >= 0) & (self.spend_lower[np.maximum(g, 0)] > 0), dtype=bool)

    def plan_ok(self, sites: npt.ArrayLike, costs: FloatArray, budget: float) -> bool:
        """Whether the chosen ``sites`` (indices) cost at most ``budget`` and keep every side constraint.

        >>> c = Constraints.build(3, groups=[0, 0, -1], forced=[False, False, True])
        >>> c.plan_ok([0, 2], np.ones(3), 2.0), c.plan_ok([0, 1, 2], np.ones(3), 3.0), c.plan_ok([0], np.ones(3), 2.0)
        (True, False, False)
        """
        sites = np.asarray(sites, dtype=np.int64).ravel()
        if costs[sites].sum() > budget + 1e-9 * max(1.0, budget) or self.forced[sites].sum() < self.forced.sum():
            return False
        g = self.groups[sites]
        g = g[g >= 0]
        if len(np.unique(g)) < len(g) or not all(np.isin(r, sites).any() for r in self.require_any):
            return False
        if self.any_conflicts and (np.isin(self.conflicts, sites).all(axis=1)).any():
            return False
        if self.type_codes.size:
            counts = np.bincount(self.type_codes[sites], minlength=len(self.type_caps))
            if (counts > self.type_caps).any():
                return False
        return self.spend_ok(sites)

    def required(self) -> BoolArray:
        """Boolean mask of sites in some ``require_any`` set."""
        req = np.zeros(self.n_sites, dtype=bool)
        for r in self.require_any:
            req[r] = True
        return req


def _mask(values: npt.ArrayLike | None, n: int, name: str) -> BoolArray:
    if values is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(values)
    if arr.dtype != bool:  # index list
        idx = arr.astype(np.int64).ravel()
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ValueError(f"{name}: site index out of range")
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        return mask
    if arr.shape != (n,):
        raise ValueError(f"{name} has length {arr.size}, expected {n}")
    return arr.astype(bool, copy=True)


def _spacing_pairs(xy: FloatArray, min_spacing_m: float, groups: IntArray) -> IntArray:
    pairs = np.asarray(cKDTree(xy).query_pairs(r=min_spacing_m, output_type="ndarray"), dtype=np.int64)
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    d = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    same = (groups[pairs[:, 0]] == groups[pairs[:, 1]]) & (groups[pairs[:, 0]] >= 0)
    out: IntArray = pairs[(d < min_spacing_m) & ~same]
    return out


def _same_heading_pairs(xy: FloatArray, heading: FloatArray, spacing_m: float, max_deg: float,
                        groups: IntArray) -> IntArray:
    """Pairs closer than ``spacing_m`` (different groups) that look the same way (module docs)."""
    pairs = _spacing_pairs(xy, spacing_m, groups)
    if len(pairs) == 0:
        return pairs
    ha, hb = heading[pairs[:, 0]], heading[pairs[:, 1]]
    off = np.abs(np.mod(ha - hb + 180.0, 360.0) - 180.0)
    same = (np.isnan(ha) & np.isnan(hb)) | (off < max_deg)  # NaN compares False: a dome and a fixed camera never
    out: IntArray = pairs[same]
    return out


def _pairs(conflicts: npt.ArrayLike | None, n: int) -> IntArray:
    if conflicts is None:
        return np.zeros((0, 2), dtype=np.int64)
    arr = np.asarray(conflicts, dtype=np.int64).reshape(-1, 2)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError("conflicts: site index out of range")
    out: IntArray = arr[arr[:, 0] != arr[:, 1]]
    return out


def _lookup(ids: Sequence[str], site_ids: npt.NDArray[np.object_], variants: npt.NDArray[np.object_] | None,
            key: str) -> list[IntArray]:
    out = []
    for sid in ids:
        hit = np.flatnonzero(site_ids == sid)
        if hit.size == 0 and variants is not None:
            hit = np.flatnonzero(variants == sid)
        if hit.size == 0:
            raise ConfigError(f"unknown site id {sid!r} (not among the candidate sites)", where=key)
        out.append(hit.astype(np.int64))
    return out


def side_constraints(
    *, site_ids: Sequence[str] | npt.NDArray[np.str_] | npt.NDArray[np.object_],
    camera_types: Sequence[str] | npt.NDArray[np.str_] | npt.NDArray[np.object_] | None = None,
    xy: npt.ArrayLike | None = None, min_spacing_m: float = 0.0, forced: Sequence[str] = (),
    forbidden: Sequence[str] = (), max_per_type: Mapping[str, int] | None = None,
    variants: Sequence[str] | npt.NDArray[np.str_] | npt.NDArray[np.object_] | None = None,
    heading_deg: npt.ArrayLike | None = None, same_heading_spacing_m: float = 0.0, same_heading_deg: float = 45.0,
    spend: Spend | None = None,
) -> Constraints:
    """:class:`Constraints` from candidate-table columns.

    ``site_ids`` names the physical site of each variant (column): variants of one
    site form a group (at most one is chosen). ``forced`` and ``forbidden`` list
    site ids (or variant names when ``variants`` is given): a forced physical site
    gets at least one of its variants; every variant of a forbidden site is
    excluded. ``xy`` with ``min_spacing_m > 0`` adds spacing conflicts, and with
    ``heading_deg`` and ``same_heading_spacing_m > 0`` same-heading conflicts;
    ``camera_types`` with ``max_per_type`` caps the chosen sites per type. Raises
    :class:`~camsite.errors.ConfigError` for an unknown id. ``spend`` adds
    spending groups with their limits (:class:`Spend`).

    >>> c = side_constraints(site_ids=["a", "a", "b"], forced=["b"], forbidden=["a"])
    >>> c.groups.tolist(), c.forbidden.tolist(), [r.tolist() for r in c.require_any]
    ([0, 0, 1], [True, True, False], [[2]])
    """
    sids = np.asarray(site_ids, dtype=object)
    var = None if variants is None else np.asarray(variants, dtype=object)
    n = len(sids)
    groups = pd.factorize(pd.Series(sids), sort=True)[0].astype(np.int64)
    forbid = np.zeros(n, dtype=bool)
    for hit in _lookup(forbidden, sids, var, "optimization.forbidden_sites"):
        forbid[hit] = True
    require = _lookup(forced, sids, var, "optimization.forced_sites")
    spaced = xy is not None and min_spacing_m > 0
    headed = xy is not None and heading_deg is not None and same_heading_spacing_m > 0
    typed = bool(max_per_type) and camera_types is not None
    return Constraints.build(
        n, groups=groups, forbidden=forbid, require_any=require, xy=xy if spaced or headed else None,
        min_spacing_m=float(min_spacing_m) if spaced else 0.0,
        site_type=np.asarray(camera_types, dtype=object) if typed else None,
        max_per_type=dict(max_per_type) if typed and max_per_type else None,
        heading_deg=heading_deg if headed else None, same_heading_spacing_m=float(same_heading_spacing_m),
        same_heading_deg=float(same_heading_deg), spend=spend)
