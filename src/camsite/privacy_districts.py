"""The privacy rule on the per-district table (``[[districts]]``), cell by cell.

A district's incident figures are its incidents in all (``T``), seen before
(``B``: by the existing cameras) and after (``A``: with the plan). Hiding a
whole district because its existing cameras see less than 3 incidents would
hide every district of a city whose cameras are few; so the rule works per
cell, as a statistics office suppresses a table:

* ``T`` in (0, 3): the district's incident figures are all hidden (and its weight);
* ``B`` in (0, 3): ``B`` and its percentage are hidden;
* ``A`` in (0, 3), or ``A - B`` in (0, 3) with both shown: ``A`` and its percentage are hidden
  (the difference would give a small count back);
* complementary suppression, per column, against the whole run's true figures
  (``grand``: a reader knows them): a column with one hidden cell gets a second
  (its smallest shown cell: else the total minus the shown cells gives the
  hidden one back), and while the hidden cells of a column add up to a count in
  (0, 3), or the rows whose ``A`` is hidden gain (``A - B``) such a count, one more;
* the marginal gain (what the district's next step of money adds) is shown when
  the events whose coverage the step changes are 3 or more (``marginal_events``,
  as a site's gain is shown from 3 distinct events): the figure is an expected
  value spread over those events, and no count of fewer than 3 stands behind
  it; with fewer than 3 events it is hidden with its rates and the number of
  events. A row without that number hides a gain under 3 incidents either way.

>>> from camsite.stages import DistrictRow
>>> row = DistrictRow("a", "A", 0.0, None, 2, 1.0, 10.0, 10.0, 1.0, 6.0, 10.0, 60.0, None, None, 200000.0, 1.5,
...                   0.75, 7.5, "optimal")
>>> hidden = hide_districts((row,), grand=(10.0, 1.0, 6.0))[0]
>>> hidden.incidents_before, hidden.incident_before_pct, hidden.incidents_after, hidden.n_sites
(None, None, 6.0, 2)
>>> hidden.marginal_incidents_per_100k is None
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from camsite.privacy_tables import is_small
from camsite.stages import DistrictRow

__all__ = ["hide_districts"]

#: The columns (count, percentage) hidden together; ``T`` also takes the weight.
_COLUMNS = (("incidents_total", "weight_total"), ("incidents_before", "incident_before_pct"),
            ("incidents_after", "incident_after_pct"))


def _cells(rows: Sequence[DistrictRow], min_count: int) -> tuple[np.ndarray, np.ndarray]:
    """The true (T, B, A) per row and the cells the first three rules hide."""
    true = np.array([[r.incidents_total or 0.0, r.incidents_before or 0.0, r.incidents_after or 0.0]
                     for r in rows], dtype=float).reshape(-1, 3)
    hide = np.zeros(true.shape, dtype=bool)
    for k, (t, b, a) in enumerate(true):
        if is_small(t, min_count):
            hide[k] = True
            continue
        hide[k, 1] = is_small(b, min_count)
        hide[k, 2] = is_small(a, min_count) or (not hide[k, 1] and is_small(a - b, min_count))
    return true, hide


def _complement(true: np.ndarray, hide: np.ndarray, grand: tuple[float, float, float], min_count: int) -> None:
    """Hide more cells until each column with a hidden cell has two and no hidden remainder (nor the ``A - B``
    of the rows whose ``A`` is hidden) is a small count (in place; module docs)."""
    has = true[:, 0] > 1e-9
    for _ in range(true.size):
        left = np.asarray(grand, float) - np.where(hide, 0.0, true).sum(axis=0)
        gain = float((true[hide[:, 2], 2] - true[hide[:, 2], 1]).sum())
        bad = [c for c in range(3) if hide[has, c].sum() == 1]
        bad += [c for c in range(3) if hide[:, c].any() and is_small(float(left[c]), min_count)]
        bad += [2] if is_small(gain, min_count) else []
        for col in bad:
            shown = np.flatnonzero(has & ~hide[:, col])
            if len(shown):
                k = int(shown[np.argmin(true[shown, col])])
                hide[k] = True if col == 0 else hide[k]
                hide[k, col] = True
                break
        else:
            return


def hide_districts(rows: Sequence[DistrictRow], *, grand: tuple[float, float, float] | None,
                   min_count: int = 3) -> tuple[DistrictRow, ...]:
    """The rows with small incident figures hidden cell by cell (module docs); ``grand``: the true (total,
    before, after) incidents of the whole run, for complementary suppression (None: none)."""
    true, hide = _cells(rows, min_count)
    if grand is not None and len(rows):
        _complement(true, hide, grand, min_count)
    out = []
    for k, row in enumerate(rows):
        gone: dict[str, Any] = {name: None for c, names in enumerate(_COLUMNS) if hide[k, c] for name in names}
        if hide[k, 0]:
            gone.update({name: None for names in _COLUMNS for name in names})
        gain, events = row.marginal_incidents, row.marginal_events
        few = is_small(float(events), min_count) if events is not None else gain is not None and is_small(
            abs(gain), min_count)
        if gain is not None and few:
            gone.update(marginal_incidents=None, marginal_incidents_per_100k=None,
                        marginal_incident_pct_per_100k=None, marginal_events=None)
        out.append(dataclasses.replace(row, **gone) if gone else row)
    return tuple(out)
