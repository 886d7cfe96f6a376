"""Places: sites within the spacing radius are one place, and a place is chosen when any of its sites is.

Two mounts 10 m apart at the same corner see nearly the same thing; a sample
that picks the one and the main plan the other agree on the *place*. Sites
(every site of the main plan or of some sample) are joined into places by
representatives: in order (the main plan's sites by rank, then the other
sites from the most often chosen, ties by site id) each site not yet in a
place starts one and takes every free site within ``radius_m`` of it (the
scenario's ``min_spacing_same_heading_m``, 25 m by default). Every site of a
place is then within the radius of its representative (no chains of sites
along a street), and the place is named by it.

>>> import pandas as pd
>>> where = pd.DataFrame({"easting": [0.0, 10.0, 30.0, 100.0], "northing": [0.0, 0.0, 0.0, 0.0]},
...                      index=pd.Index(["a", "b", "c", "d"], name="site_id"))
>>> place_of(["a", "b", "c", "d"], where, 25.0, main_sites=["b"], counts={"c": 3})
{'a': 'b', 'b': 'b', 'c': 'b', 'd': 'd'}
>>> place_jaccard(["a"], ["c", "d"], {"a": "b", "b": "b", "c": "b", "d": "d"})
0.5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from scipy.spatial import cKDTree

__all__ = ["nearby_alternatives", "place_frequency", "place_jaccard", "place_of"]


def place_of(sites: Sequence[str], where: pd.DataFrame, radius_m: float, *, main_sites: Sequence[str] = (),
             counts: Mapping[str, int] | None = None) -> dict[str, str]:
    """The place (its representative site id) of each of ``sites`` (module docs); ``where`` has ``easting`` and
    ``northing`` per site id (a site without a position is a place of its own)."""
    ids = list(dict.fromkeys(str(s) for s in sites))
    counts = counts or {}
    rank = {s: k for k, s in enumerate(main_sites)}
    order = sorted(ids, key=lambda s: (rank.get(s, len(rank)), -counts.get(s, 0), s))
    known = [s for s in order if s in where.index]
    xy = where.reindex(known)[["easting", "northing"]].to_numpy(float)
    out: dict[str, str] = {}
    if len(known):
        tree = cKDTree(xy)
        near = [list(map(int, tree.query_ball_point(p, r=max(radius_m, 0.0)))) for p in xy]
        for k, s in enumerate(known):  # each representative, in order, takes the free sites within the radius
            if s in out:
                continue
            out.update({known[j]: s for j in sorted(near[k]) if known[j] not in out})
    out.update({s: s for s in ids if s not in out})
    return {s: out[s] for s in ids}


def place_jaccard(a: Sequence[str], b: Sequence[str], place: Mapping[str, str]) -> float:
    """|A ∩ B| / |A ∪ B| of the places of two site sets (1 when both are empty)."""
    pa, pb = {place.get(s, s) for s in a}, {place.get(s, s) for s in b}
    return len(pa & pb) / len(pa | pb) if pa | pb else 1.0


def place_frequency(samples: Sequence[Sequence[str]], place: Mapping[str, str]) -> dict[str, float]:
    """The share of ``samples`` (each a list of chosen site ids) that choose each place."""
    n = max(len(samples), 1)
    hits: dict[str, int] = {}
    for chosen in samples:
        for p in {place.get(s, s) for s in chosen}:
            hits[p] = hits.get(p, 0) + 1
    return {p: c / n for p, c in hits.items()}


def nearby_alternatives(site: str, place: Mapping[str, str], counts: Mapping[str, int], *, top: int = 3) -> str:
    """The other sites of ``site``'s place most often chosen, as ``"id (n)"`` separated by ``;``."""
    mine = place.get(site, site)
    others = sorted(((c, s) for s, c in counts.items() if s != site and place.get(s, s) == mine and c > 0),
                    key=lambda t: (-t[0], t[1]))
    return ";".join(f"{s} ({c})" for c, s in others[:top])
