"""The robustness tables: per site (robustness.csv), per sample (samples.csv), the stable core and alternatives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from camsite.result import Robustness
from camsite.robustness.margins import MARGIN_COLUMNS
from camsite.robustness.places import nearby_alternatives, place_frequency, place_jaccard, place_of
from camsite.robustness.sample import Outcome

__all__ = ["ALTERNATIVE_COLUMNS", "SAMPLE_COLUMNS", "SITE_COLUMNS", "jaccard", "robustness_tables"]

#: Columns of robustness.csv.
SITE_COLUMNS = ("site_id", "frequency", "n_chosen", "mean_rank", "in_main_plan", "stable", "place_id",
                "place_frequency", "place_stable", "nearby_alternatives", *MARGIN_COLUMNS, "easting", "northing", "lon",
                "lat")
#: Columns of samples.csv.
SAMPLE_COLUMNS = ("sample", "seed", "objective", "main_plan_value", "sample_optimum", "main_plan_coverage_pct",
                  "sample_coverage_pct", "regret_pct", "jaccard", "place_jaccard", "main_plan_incident_pct",
                  "sample_incident_pct", "status", "gap", "n_sites", "rebuilt", "sites")
#: Columns of the alternatives table (sites most often chosen instead of main-plan sites).
ALTERNATIVE_COLUMNS = ("site_id", "frequency", "replaces", "replaces_share", "distance_m")


def _pct(x: float, total: float) -> float:
    return 100.0 * x / total if total > 0 else 0.0


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    """|A ∩ B| / |A ∪ B| of two site sets (1 when both are empty)."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def sample_table(outcomes: Sequence[Outcome], main_sites: Sequence[str],
                 place: Mapping[str, str] | None = None) -> pd.DataFrame:
    """samples.csv: one row per sample (``place_jaccard``: on places, :mod:`camsite.robustness.places`)."""
    place = place or {}
    rows = [{"sample": o.index, "seed": o.seed, "objective": o.objective, "main_plan_value": o.main_value,
             "sample_optimum": o.optimum, "main_plan_coverage_pct": _pct(o.main_value, o.total),
             "sample_coverage_pct": _pct(o.optimum, o.total), "regret_pct": o.regret_pct,
             "jaccard": jaccard(o.sites, main_sites), "place_jaccard": place_jaccard(o.sites, main_sites, place),
             "main_plan_incident_pct": o.main_incident_pct, "sample_incident_pct": o.incident_pct,
             "status": o.status, "gap": o.gap, "n_sites": len(o.sites), "rebuilt": o.rebuilt,
             "sites": ";".join(o.sites)} for o in outcomes]
    return pd.DataFrame(rows, columns=list(SAMPLE_COLUMNS))


def site_table(outcomes: Sequence[Outcome], main_sites: Sequence[str], where: pd.DataFrame,
               stable_share: float, radius_m: float = 0.0, margins: pd.DataFrame | None = None) -> pd.DataFrame:
    """robustness.csv: selection frequency and mean rank when chosen, per site and per place.

    ``where`` has one row per site id (index) with ``easting``, ``northing``, ``lon``, ``lat``. Sites within
    ``radius_m`` are one place (:func:`~camsite.robustness.places.place_of`): ``place_frequency`` is the
    share of samples choosing any of its sites, ``place_stable`` whether that is at least ``stable_share``,
    ``nearby_alternatives`` the place's other sites most often chosen (with their counts). ``margins``
    (:func:`~camsite.robustness.margins.swap_margins`, by plan site id) gives the plan sites' swap margins.
    """
    n = len(outcomes)
    chosen: Counter[str] = Counter()
    ranks: dict[str, list[int]] = {}
    for o in outcomes:
        for r, s in enumerate(o.sites, start=1):
            chosen[s] += 1
            ranks.setdefault(s, []).append(r)
    ids = list(dict.fromkeys([*main_sites, *chosen]))
    main = set(main_sites)
    freq = np.array([chosen[s] / n if n else 0.0 for s in ids])
    df = pd.DataFrame({"site_id": ids, "frequency": freq, "n_chosen": [chosen[s] for s in ids],
                       "mean_rank": [float(np.mean(ranks[s])) if s in ranks else np.nan for s in ids],
                       "in_main_plan": ["yes" if s in main else "no" for s in ids],
                       "stable": ["yes" if f >= stable_share - 1e-12 else "no" for f in freq]})
    place = place_of(ids, where, radius_m, main_sites=main_sites, counts=chosen)
    pfreq = place_frequency([o.sites for o in outcomes], place)
    df["place_id"] = [place[s] for s in ids]
    df["place_frequency"] = [pfreq.get(place[s], 0.0) for s in ids]
    df["place_stable"] = ["yes" if f >= stable_share - 1e-12 else "no" for f in df["place_frequency"]]
    df["nearby_alternatives"] = [nearby_alternatives(s, place, chosen) for s in ids]
    m = (margins if margins is not None else pd.DataFrame(columns=list(MARGIN_COLUMNS))).reindex(ids)
    df["swap_margin_pct"] = m["swap_margin_pct"].to_numpy(float)
    df["best_swap"] = m["best_swap"].fillna("").astype(str).to_numpy()
    df["best_swap_m"] = m["best_swap_m"].to_numpy(float)
    df = df.join(where.reindex(ids)[["easting", "northing", "lon", "lat"]].reset_index(drop=True))
    order = np.lexsort((df["site_id"].to_numpy(str), df["in_main_plan"].ne("yes").to_numpy(), -freq))
    return df.iloc[order].reset_index(drop=True)[list(SITE_COLUMNS)]


def _distance(where: pd.DataFrame, a: str, b: str) -> float:
    """Metres between sites ``a`` and ``b`` (inf when one has no position)."""
    if a not in where.index or b not in where.index:
        return float("inf")
    d = where.loc[a, ["easting", "northing"]].to_numpy(float) - where.loc[b, ["easting", "northing"]].to_numpy(float)
    return float(np.hypot(d[0], d[1]))


def alternative_table(outcomes: Sequence[Outcome], main_sites: Sequence[str], where: pd.DataFrame,
                      top: int = 10) -> pd.DataFrame:
    """Sites outside the main plan, most often chosen first, with the main-plan site they most often replace.

    ``replaces`` is the main-plan site most often missing from the samples that
    choose the alternative (the nearest of those tied); ``replaces_share`` the
    share of those samples; ``distance_m`` how far apart the two are.
    """
    main = list(main_sites)
    counts: Counter[str] = Counter()
    missing: dict[str, Counter[str]] = {}
    for o in outcomes:
        got = set(o.sites)
        gone = [m for m in main if m not in got]
        for s in o.sites:
            if s in main:
                continue
            counts[s] += 1
            missing.setdefault(s, Counter()).update(gone)
    n = max(len(outcomes), 1)
    rows = []
    for s, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        rep = sorted(missing[s].items(), key=lambda kv: (-kv[1], _distance(where, s, kv[0]), main.index(kv[0])))
        r, rc = rep[0] if rep else ("", 0)
        dist = _distance(where, s, r) if r else np.nan
        rows.append({"site_id": s, "frequency": c / n, "replaces": r, "replaces_share": rc / c if c else 0.0,
                     "distance_m": dist})
    return pd.DataFrame(rows, columns=list(ALTERNATIVE_COLUMNS))


def robustness_tables(outcomes: Sequence[Outcome], main_sites: Sequence[str], where: pd.DataFrame, *,
                      stable_share: float, settings: Mapping[str, Any],
                      sensitivity: pd.DataFrame | None = None, radius_m: float = 0.0,
                      margins: pd.DataFrame | None = None) -> Robustness:
    """All robustness tables from the samples' outcomes (in sample order); sites within ``radius_m`` are one
    place; ``margins`` the plan sites' swap margins (or None)."""
    sites = site_table(outcomes, main_sites, where, stable_share, radius_m, margins)
    core = tuple(sites.loc[sites["stable"] == "yes", "site_id"].astype(str))
    place = dict(zip(sites["site_id"].astype(str), sites["place_id"].astype(str), strict=True))
    return Robustness(sites=sites, samples=sample_table(outcomes, main_sites, place), stable_core=core,
                      alternatives=alternative_table(outcomes, main_sites, where), sensitivity=sensitivity,
                      settings=dict(settings))
