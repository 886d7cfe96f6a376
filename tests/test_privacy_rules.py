"""The privacy rule's table functions on hand-made cases (camsite.privacy_tables)."""

from __future__ import annotations

import math

import pandas as pd

from camsite.privacy_tables import hide_groups, hide_sites
from camsite.stages import CoverageRow


def _row(name: str, total: float, before: float, after: float) -> CoverageRow:
    return CoverageRow(name=name, label=None, weight_total=total * 1.0, incidents_total=total, before_pct=10.0,
                       after_pct=20.0, incidents_before=before, incidents_after=after)


def test_a_small_group_and_its_complement_are_hidden_with_their_weights() -> None:
    # B has 2 incidents: hidden. The total minus A and C would give B back (19 - 12 - 5 = 2), so the smallest
    # group still shown (C, 5) is hidden too: the hidden pair then totals 7, before 0, after 4. A stays.
    rows = (_row("A", 12, 4, 8), _row("B", 2, 0, 1), _row("C", 5, 0, 3), _row("gata", 0, 0, 0))
    out = {r.name: r for r in hide_groups(rows, grand=(19, 4, 12))}
    assert out["A"] == rows[0] and out["gata"] == rows[3]
    for name in ("B", "C"):
        r = out[name]
        assert (r.incidents_total, r.incidents_before, r.incidents_after, r.weight_total, r.before_pct,
                r.after_pct) == (None,) * 6


def test_a_group_is_hidden_when_after_minus_before_is_small() -> None:
    # 10 before, 11 after: the plan's one new incident in the group is the difference
    out = hide_groups((_row("A", 20, 10, 11), _row("B", 30, 5, 15)), grand=None)
    assert out[0].incidents_after is None and out[1].incidents_after == 15
    # 10 in all, 8 seen after: the two not seen are the difference
    assert hide_groups((_row("A", 10, 4, 8),), grand=None)[0].weight_total is None


def test_no_complement_without_a_known_total() -> None:
    out = hide_groups((_row("A", 12, 4, 8), _row("B", 2, 0, 1)), grand=None)
    assert out[0].incidents_total == 12 and out[1].incidents_total is None


def test_a_closed_site_hides_its_weight_and_the_running_totals_from_there() -> None:
    sites = pd.DataFrame({
        "gain_incidents": [6.0, 3.0, 4.0, 0.0], "gain_weight": [6.1, 3.05, 4.2, 0.3],
        "gain_detect_pct": [10.0, 20.0, 30.0, 100.0],
        "cumulative_coverage_pct": [10.0, 15.0, 22.0, 22.5],
        "why_categories": ["vald 6", "vald 2, narkotika 1", "vald 4", ""],
        "alternative_gain_weight": [1.02, 5.0, 5.0, 5.0], "alternative_gain_incidents": [1.0, 5.0, 5.0, 5.0]})
    out = hide_sites(sites)
    # row 2 totals 3 but its cells are 2 and 1: closed (the weight 3.05 with its cells would give them back)
    assert [None if math.isnan(v) else v for v in out["gain_incidents"]] == [6.0, None, 4.0, 0.0]
    assert [None if math.isnan(v) else v for v in out["gain_weight"]] == [6.1, None, 4.2, 0.3]
    assert math.isnan(out.loc[1, "gain_detect_pct"]) and out.loc[2, "gain_detect_pct"] == 30.0
    # from the first closed row on no running total: 15.0 - 10.0, or 22.0 - 10.0 - 4.2, would give back row 2
    assert out["cumulative_coverage_pct"].iloc[:1].tolist() == [10.0]
    assert out["cumulative_coverage_pct"].iloc[1:].isna().all()
    assert out["why_categories"].tolist() == ["vald 6", "vald <3, narkotika <3", "vald 4", ""]
    # the alternative of row 1 adds one incident: its weight is hidden; row 2's because the row is closed
    assert out["alternative_gain_weight"].isna().tolist() == [True, True, False, False]
