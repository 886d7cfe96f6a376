"""The per-district table's privacy rule, cell by cell (camsite.privacy_districts), on hand-made tables."""

from __future__ import annotations

from camsite.privacy_districts import hide_districts
from camsite.stages import DistrictRow


def _row(name: str, total: float, before: float, after: float, gain: float | None = None) -> DistrictRow:
    return DistrictRow(name, name.upper(), 0.0, None, 3, 300000.0, total, total, before, after,
                       100 * before / total, 100 * after / total, None, None, 150000.0, gain,
                       None if gain is None else gain / 1.5, None, "optimal")


def _shown(rows: tuple[DistrictRow, ...]) -> list[tuple[float | None, float | None, float | None]]:
    return [(r.incidents_total, r.incidents_before, r.incidents_after) for r in rows]


def test_a_small_before_is_hidden_alone_and_gets_a_partner() -> None:
    # x's existing cameras see 1 incident: only that cell goes; y's before goes too, else 6 - 5 gives it back
    rows = hide_districts((_row("x", 10, 1, 6), _row("y", 20, 5, 12)), grand=(30, 6, 18))
    assert _shown(rows) == [(10, None, 6), (20, None, 12)]
    assert rows[0].incident_before_pct is None and rows[0].incident_after_pct == 60.0


def test_a_small_gain_hides_the_after_cell_and_a_partner() -> None:
    # z gains 1.5 incidents (5.5 - 4): its after goes, and w's (the smallest after shown), so that only the
    # sum 14.5 is known; the two rows' gain together is 6.5, not a small count
    rows = hide_districts((_row("z", 10, 4, 5.5), _row("w", 10, 4, 9), _row("v", 10, 4, 10)),
                          grand=(30, 12, 24.5))
    assert _shown(rows) == [(10, 4, None), (10, 4, None), (10, 4, 10)]


def test_the_partner_is_taken_until_the_hidden_gain_is_not_small() -> None:
    # z gains 1.5, w 1.0: hiding both afters still gives 2.5 back, so v's after goes as well
    rows = hide_districts((_row("z", 10, 4, 5.5), _row("w", 10, 4, 5), _row("v", 10, 4, 10)),
                          grand=(30, 12, 20.5))
    assert _shown(rows) == [(10, 4, None), (10, 4, None), (10, 4, None)]


def test_a_small_district_is_hidden_whole_with_a_partner() -> None:
    rows = hide_districts((_row("s", 2, 0, 1), _row("m", 12, 4, 8), _row("l", 40, 10, 30)), grand=(54, 14, 39))
    assert _shown(rows) == [(None, None, None), (None, None, None), (40, 10, 30)]
    assert rows[0].weight_total is None and rows[1].incident_after_pct is None


def test_nothing_small_nothing_hidden_and_no_grand_no_partner() -> None:
    rows = (_row("a", 10, 4, 8), _row("b", 20, 5, 12))
    assert _shown(hide_districts(rows, grand=(30, 9, 20))) == [(10, 4, 8), (20, 5, 12)]
    assert _shown(hide_districts((_row("x", 10, 1, 6), _row("y", 20, 5, 12)), grand=None)) == [
        (10, None, 6), (20, 5, 12)]


def test_a_small_marginal_gain_is_hidden_with_its_rates() -> None:
    rows = hide_districts((_row("a", 10, 4, 8, gain=2.0), _row("b", 20, 5, 12, gain=4.5)), grand=(30, 9, 20))
    assert (rows[0].marginal_incidents, rows[0].marginal_incidents_per_100k) == (None, None)
    assert rows[1].marginal_incidents == 4.5 and rows[1].marginal_incidents_per_100k == 3.0
