"""Side constraints on the chosen sites, normalised to arrays over site indices.

* ``groups``: at most one site per group id (the variants of one physical site);
  ``-1`` means "no group".
* ``conflicts``: pairs of sites that may not both be chosen; or ``xy`` plus
  ``min_spacing_m``: every two sites closer than that (and not in the same group)
  conflict.
* ``forced`` / ``forbidden``: boolean masks; a forced site is always chosen, a
  forbidden one never.
* ``require_any``: index arrays; at least one site of each is chosen (a forced
  physical site with several variants).
* ``site_type`` plus ``max_per_type``: at most ``cap`` chosen sites of a type.

>>> c = build_constraints(3, xy=np.array([[0, 0], [5, 0], [30, 0]]), min_spacing_m=10)
>>> c.conflicts.tolist()
[[0, 1]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from camsite.errors import ConfigError

__all__ = ["Constraints", "build_constraints", "side_constraints"]


@dataclass(frozen=True, eq=False)
class Constraints:
    """Side constraints over ``n`` sites (see module docs)."""

    n: int
    groups: np.ndarray
    conflicts: np.ndarray
    forced: np.ndarray
    forbidden: np.ndarray
    require_any: tuple[np.ndarray, ...] = ()
    type_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    type_caps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))

    @property
    def any_conflicts(self) -> bool:
        """True when some pair of sites conflicts."""
        return len(self.conflicts) > 0

    def conflict_matrix(self) -> sp.csr_matrix:
        """Symmetric boolean ``n x n`` matrix of conflicting pairs."""
        a, b = self.conflicts[:, 0], self.conflicts[:, 1]
        data = np.ones(2 * len(a), dtype=bool)
        return sp.csr_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(self.n, self.n))

    def capped(self) -> np.ndarray:
        """Boolean mask of sites whose type has a cap."""
        if self.type_codes.size == 0:
            return np.zeros(self.n, dtype=bool)
        return np.isfinite(self.type_caps[self.type_codes])

    def group_sizes(self) -> np.ndarray:
        """For each site, how many sites share its group (1 when ungrouped)."""
        sizes = np.ones(self.n, dtype=np.int64)
        has = self.groups >= 0
        if has.any():
            _, inv, counts = np.unique(self.groups[has], return_inverse=True, return_counts=True)
            sizes[has] = counts[inv]
        return sizes


def _mask(values: object | None, n: int, name: str) -> np.ndarray:
    if values is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(values)
    if arr.dtype != bool:  # index list
        mask = np.zeros(n, dtype=bool)
        mask[arr.astype(np.int64)] = True
        return mask
    if arr.shape != (n,):
        raise ValueError(f"{name} has length {arr.size}, expected {n}")
    return arr.copy()


def _spacing_pairs(xy: np.ndarray, min_spacing_m: float, groups: np.ndarray) -> np.ndarray:
    xy = np.asarray(xy, dtype=np.float64)
    pairs = cKDTree(xy).query_pairs(r=float(min_spacing_m), output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    d = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    same = (groups[pairs[:, 0]] == groups[pairs[:, 1]]) & (groups[pairs[:, 0]] >= 0)
    return pairs[(d < min_spacing_m) & ~same]


def _pairs(conflicts: object | None, n: int) -> np.ndarray:
    if conflicts is None:
        return np.zeros((0, 2), dtype=np.int64)
    arr = np.asarray(conflicts, dtype=np.int64).reshape(-1, 2)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError("conflicts: site index out of range")
    return arr[arr[:, 0] != arr[:, 1]]


def build_constraints(
    n: int, *, groups: object | None = None, conflicts: object | None = None, xy: object | None = None,
    min_spacing_m: float = 0.0, forced: object | None = None, forbidden: object | None = None,
    require_any: Iterable[object] = (), site_type: object | None = None,
    max_per_type: Mapping[object, int] | None = None,
) -> Constraints:
    """Normalise the side-constraint keywords of the public functions into :class:`Constraints`."""
    grp = np.full(n, -1, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64).ravel()
    if grp.shape != (n,):
        raise ValueError(f"groups has length {grp.size}, expected {n}")
    pairs = _pairs(conflicts, n)
    if xy is not None and min_spacing_m > 0:
        pairs = np.vstack([pairs, _spacing_pairs(np.asarray(xy).reshape(n, 2), min_spacing_m, grp)])
    if len(pairs):
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    codes, caps = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    if site_type is not None and max_per_type:
        labels, uniq = pd.factorize(pd.Series(np.asarray(site_type, dtype=object).ravel()), sort=True)
        if labels.shape != (n,):
            raise ValueError(f"site_type has length {labels.size}, expected {n}")
        codes = labels.astype(np.int64)
        caps = np.array([float(max_per_type.get(t, np.inf)) for t in uniq], dtype=np.float64)
    req = tuple(np.unique(np.asarray(r, dtype=np.int64)) for r in require_any)
    return Constraints(n=n, groups=grp, conflicts=pairs, forced=_mask(forced, n, "forced"),
                       forbidden=_mask(forbidden, n, "forbidden"), require_any=req, type_codes=codes,
                       type_caps=caps)


def _lookup(ids: Sequence[str], site_ids: np.ndarray, variants: np.ndarray | None, key: str) -> list[np.ndarray]:
    out = []
    for sid in ids:
        hit = np.flatnonzero(site_ids == sid)
        if hit.size == 0 and variants is not None:
            hit = np.flatnonzero(variants == sid)
        if hit.size == 0:
            raise ConfigError(f"unknown site id {sid!r} (not among the candidate sites)", where=key)
        out.append(hit)
    return out


def side_constraints(
    *, site_ids: Sequence[str] | np.ndarray, camera_types: Sequence[str] | np.ndarray | None = None,
    xy: np.ndarray | None = None, min_spacing_m: float = 0.0, forced: Sequence[str] = (),
    forbidden: Sequence[str] = (), max_per_type: Mapping[str, int] | None = None,
    variants: Sequence[str] | np.ndarray | None = None,
) -> dict[str, object]:
    """Keyword arguments for :func:`max_coverage` & co. from candidate-table columns.

    ``site_ids`` names the physical site of each variant (column): variants of one
    site form a group (at most one is chosen). ``forced`` and ``forbidden`` list
    site ids (or variant names when ``variants`` is given): a forced physical site
    gets at least one of its variants; every variant of a forbidden site is
    excluded. Raises :class:`~camsite.errors.ConfigError` for an unknown id.

    >>> kw = side_constraints(site_ids=["a", "a", "b"], forced=["b"], forbidden=["a"])
    >>> kw["groups"].tolist(), kw["forbidden"].tolist(), [r.tolist() for r in kw["require_any"]]
    ([0, 0, 1], [True, True, False], [[2]])
    """
    sids = np.asarray(site_ids, dtype=object)
    var = None if variants is None else np.asarray(variants, dtype=object)
    n = len(sids)
    groups = pd.factorize(pd.Series(sids), sort=True)[0].astype(np.int64)
    forbid = np.zeros(n, dtype=bool)
    for hit in _lookup(forbidden, sids, var, "optimization.forbidden_sites"):
        forbid[hit] = True
    kwargs: dict[str, object] = {
        "groups": groups, "forbidden": forbid,
        "require_any": _lookup(forced, sids, var, "optimization.forced_sites"),
    }
    if xy is not None and min_spacing_m > 0:
        kwargs.update(xy=np.asarray(xy, dtype=np.float64), min_spacing_m=float(min_spacing_m))
    if max_per_type and camera_types is not None:
        kwargs.update(site_type=np.asarray(camera_types, dtype=object), max_per_type=dict(max_per_type))
    return kwargs
