"""The privacy rule on the per-district table (``[[districts]]``): a district's incident counts follow the rule of
the coverage groups (:func:`camsite.privacy_tables.hide_groups`: hidden with their weight and percentages when
a count, or a difference of two, lies in (0, 3), with complementary suppression against the incidents total);
the marginal gain is hidden when the incidents it adds lie in (0, 3) either way, since the step is published
and the gain per 100 kSEK gives them back.

>>> from camsite.stages import DistrictRow
>>> row = DistrictRow("a", "A", 0.0, None, 2, 1.0, 10.0, 10.0, 1.0, 6.0, 10.0, 60.0, None, None, 200000.0, 1.5,
...                   0.75, 7.5, "optimal")
>>> hidden = hide_districts((row,), grand=(10.0, 1.0, 6.0))[0]
>>> hidden.incidents_before, hidden.incident_before_pct, hidden.marginal_incidents_per_100k, hidden.n_sites
(None, None, None, 2)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from camsite.privacy_tables import hide_groups, is_small
from camsite.stages import CoverageRow, DistrictRow

__all__ = ["hide_districts"]


def _coverage(row: DistrictRow) -> CoverageRow:
    return CoverageRow(name=row.name, label=row.label, weight_total=row.weight_total or 0.0,
                       incidents_total=row.incidents_total or 0.0, before_pct=row.incident_before_pct,
                       after_pct=row.incident_after_pct, incidents_before=row.incidents_before or 0.0,
                       incidents_after=row.incidents_after or 0.0)


def hide_districts(rows: Sequence[DistrictRow], *, grand: tuple[float, float, float] | None,
                   min_count: int = 3) -> tuple[DistrictRow, ...]:
    """The rows with small incident figures hidden (module docs); ``grand``: the true (total, before, after)
    incidents of the whole run, for complementary suppression."""
    shown = hide_groups([_coverage(r) for r in rows], grand=grand, min_count=min_count)
    out = []
    for row, cov in zip(rows, shown, strict=True):
        if cov.incidents_total is None:
            row = dataclasses.replace(row, weight_total=None, incidents_total=None, incidents_before=None,
                                      incidents_after=None, incident_before_pct=None, incident_after_pct=None)
        gain = row.marginal_incidents
        if gain is not None and is_small(abs(gain), min_count):
            row = dataclasses.replace(row, marginal_incidents=None, marginal_incidents_per_100k=None,
                                      marginal_incident_pct_per_100k=None)
        out.append(row)
    return tuple(out)
