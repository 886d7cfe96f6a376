"""``camsite merge``: districts' real runs in one city table, the cost checks and the privacy rule on totals.

Two small districts (250 m around Fridhemsplan and 250 m around a point 500 m
north) are run for real (without the report's pictures and pages) with the shipped cost table, plus one variant each
with a changed cost-table row (the same capex, split differently) and with a
changed camera type; the tests merge them and recompute every total from the
inputs' own files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

import factory
from camsite import config, fingerprints
from camsite.errors import InputError
from camsite.report import merge, merge_tables, outputs
from camsite.report.contribution import CONTRIBUTION_COLUMNS

COST_TABLE = factory.DATA / "costs" / "cost_table_2026.csv"


def _run(folder: Path, name: str, *, lat: float = factory.LAT, table: Path = COST_TABLE,
         ptz_range: float | None = None) -> Path:
    cameras = [dict(c) for c in factory.FRIDHEMSPLAN_CAMERAS]
    if ptz_range is not None:
        cameras[1]["range_m"] = ptz_range
    data = factory.fridhemsplan_data(250, name=name, title=f"Distrikt {name}", camera_types=cameras,
                                     study_area={"center": [lat, factory.LON], "radius_m": 250},
                                     costs={"table": str(table)}, optimization={"budget_sek": 400000})
    scen = factory.write_scenario(folder, data, name=f"{name}.toml")
    out = folder / "runs" / name
    result = factory.invoke("run", scen, "--out", out, "--no-curve", "--no-progress")
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Two districts, and variants of the second with another cost table and other camera types."""
    folder = tmp_path_factory.mktemp("merge")
    table = pd.read_csv(COST_TABLE, dtype=str, keep_default_na=False)
    moved = table.copy()  # 1,000 SEK moved from hardware to installation: capex unchanged, the table changed
    for line, delta in (("hardware", -1000), ("installation", 1000)):
        at = (moved["camera_type"] == "fixed_1080p") & (moved["line"] == line)
        moved.loc[at, "amount_sek"] = str(int(moved.loc[at, "amount_sek"].iloc[0]) + delta)
    moved_path = folder / "cost_table_moved.csv"
    moved.to_csv(moved_path, index=False)
    resaved = folder / "cost_table_resaved.csv"  # the same rows, reordered, a note changed: the same money
    table.iloc[::-1].assign(note="omskriven").to_csv(resaved, index=False)
    # merge reads summary.json and contribution.csv, not the report files; the network is read once per area
    with pytest.MonkeyPatch.context() as mp, factory.network_cache():
        mp.setattr(outputs, "write_deliverables", lambda *a, **k: [])
        return SimpleNamespace(
            west=_run(folder, "vast"), north=_run(folder, "norr", lat=factory.LAT + 0.0045),
            moved=_run(folder, "norr_tabell", lat=factory.LAT + 0.0045, table=moved_path),
            resaved=_run(folder, "norr_omsparad", lat=factory.LAT + 0.0045, table=resaved),
            cameras=_run(folder, "norr_kameror", lat=factory.LAT + 0.0045, ptz_range=55), folder=folder)


def _summary(run: Path) -> dict:
    return json.loads((run / "summary.json").read_text(encoding="utf-8"))


def test_fingerprint_ignores_order_and_notes_but_not_money(runs: SimpleNamespace) -> None:
    base, resaved, moved = (_summary(r)["fingerprints"] for r in (runs.west, runs.resaved, runs.moved))
    assert base["cost_table"] == {**resaved["cost_table"], "file": "cost_table_2026.csv"}
    assert base["cost_table"]["lines"] == 18
    assert moved["cost_table"]["sha256"] != base["cost_table"]["sha256"]
    assert moved["camera_types"] == base["camera_types"]
    other = _summary(runs.cameras)["fingerprints"]["camera_types"]
    assert other["types"]["fixed_1080p"] == base["camera_types"]["types"]["fixed_1080p"]
    assert other["types"]["ptz_dome"] != base["camera_types"]["types"]["ptz_dome"]


def test_fingerprint_of_a_scenario_without_a_table_is_its_types_capex_and_opex(tmp_path: Path) -> None:
    sc = config.load(factory.write_scenario(tmp_path, factory.fridhemsplan_data()))
    lines = [("fixed_1080p", "capex", "investment", "60000.00", ""), ("fixed_1080p", "opex", "operation", "12000.00", ""),
             ("ptz_dome", "capex", "investment", "90000.00", ""), ("ptz_dome", "opex", "operation", "15000.00", "")]
    want = hashlib.sha256("\n".join(sorted("\t".join(r) for r in lines)).encode()).hexdigest()
    assert fingerprints.fingerprints(sc)["cost_table"] == {"file": None, "sha256": want, "lines": 4}


def test_merge_two_districts_adds_up(runs: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "city"
    cli = factory.invoke("merge", runs.west, runs.north, "-o", out)
    assert cli.exit_code == 0, cli.stderr
    assert sorted(p.name for p in out.iterdir()) == ["city_merged.csv", "city_merged.xlsx"]
    places = pd.read_csv(out / "city_merged.csv", keep_default_na=False, dtype=str)
    assert list(places.columns) == [*CONTRIBUTION_COLUMNS, "source"]
    own = [pd.read_csv(r / "contribution.csv", keep_default_na=False, dtype=str) for r in (runs.west, runs.north)]
    assert len(own[0]) and len(own[1])
    pd.testing.assert_frame_equal(places.drop(columns="source"), pd.concat(own, ignore_index=True))
    assert places["source"].tolist() == [str(runs.west)] * len(own[0]) + [str(runs.north)] * len(own[1])

    merged = merge_tables.merge(merge.read_parts([runs.west, runs.north]))
    d = merged.districts
    assert d["district"].tolist() == ["vast", "norr", ""]
    for i, run in enumerate((runs.west, runs.north)):
        s = _summary(run)
        assert d.loc[i, "n_sites"] == s["n_new_sites"] == len(own[i])
        assert d.loc[i, "spent_sek"] == pytest.approx(s["spent_sek"])
        assert d.loc[i, "budget_sek"] == s["budget_sek"] == 400000
        inc = next(r for r in s["coverage_by_kind"] if r["kind"] == "incident")
        assert d.loc[i, "incident_after_pct"] == inc["after_pct"]
    city = d.iloc[-1]
    for col in ("n_sites", "spent_sek", "investment_sek", "operation_sek_per_year", "budget_sek"):
        assert city[col] == pytest.approx(d[col].iloc[:2].sum()), col
    assert city["spent_sek"] == pytest.approx(places["cost_over_horizon_sek"].astype(float).sum())
    assert city["investment_sek"] == pytest.approx(places["investment_sek"].astype(float).sum())
    for col in merge_tables.COUNTS:  # shown for the city exactly when both districts show theirs
        shown = d[col].iloc[:2].notna().all()
        assert (len(merged.districts) - 1, col) not in merged.withheld if shown else city[col] != city[col]
        if shown:
            assert city[col] == pytest.approx(d[col].iloc[:2].sum())
    w = [next(r for r in _summary(run)["coverage_by_kind"] if r["kind"] == "incident")["weight_total"]
         for run in (runs.west, runs.north)]
    assert city["incident_after_pct"] == pytest.approx(
        (d["incident_after_pct"].iloc[0] * w[0] + d["incident_after_pct"].iloc[1] * w[1]) / sum(w), abs=1e-3)

    wb = openpyxl.load_workbook(out / "city_merged.xlsx")
    assert wb.sheetnames == ["Platser", "Distrikt", "Sammanslaget"]
    assert wb["Platser"].max_row == len(places) + 1
    assert [wb["Distrikt"].cell(row=r, column=5).value for r in (2, 3, 4)] == d["n_sites"].tolist()
    hashes = {wb["Sammanslaget"].cell(row=r, column=10).value for r in (2, 3)}
    assert hashes == {_summary(runs.west)["fingerprints"]["cost_table"]["sha256"]}


def test_a_resaved_cost_table_with_the_same_money_merges(runs: SimpleNamespace, tmp_path: Path) -> None:
    cli = factory.invoke("merge", runs.west, runs.resaved, "-o", tmp_path)
    assert cli.exit_code == 0, cli.stderr


def test_refuses_different_cost_tables_and_writes_nothing(runs: SimpleNamespace, tmp_path: Path) -> None:
    cli = factory.invoke("merge", runs.west, runs.moved, "-o", tmp_path / "city")
    line = factory.one_error_line(cli.stderr, cli.exit_code, 2, f"{runs.west} and {runs.moved}",
                                  "used different cost tables", "cost_table_2026.csv sha256",
                                  "cost_table_moved.csv sha256", "fixed_1080p hardware: investment 15,000 SEK vs "
                                  "investment 14,000 SEK")
    west = _summary(runs.west)["fingerprints"]["cost_table"]["sha256"]
    assert f"sha256 {west[:8]}..." in line
    assert not (tmp_path / "city").exists()


def test_refuses_different_camera_types(runs: SimpleNamespace, tmp_path: Path) -> None:
    cli = factory.invoke("merge", runs.north, runs.cameras, "-o", tmp_path)
    factory.one_error_line(cli.stderr, cli.exit_code, 2, "used different camera types", "ptz_dome: range_m 60 vs 55")
    assert list(tmp_path.iterdir()) == []


def test_refuses_what_is_not_a_run(runs: SimpleNamespace, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    cli = factory.invoke("merge", runs.west, empty, "-o", tmp_path / "o")
    factory.one_error_line(cli.stderr, cli.exit_code, 2, f"{empty}: not a camsite run folder")
    cli = factory.invoke("merge", runs.west, runs.west, "-o", tmp_path / "o")
    factory.one_error_line(cli.stderr, cli.exit_code, 2, f"{runs.west}: given twice")
    cli = factory.invoke("merge", runs.west, runs.west / "contribution.csv", "-o", tmp_path / "o")
    factory.one_error_line(cli.stderr, cli.exit_code, 2, "both hold district 'vast'")
    cli = factory.invoke("merge", runs.west, runs.north, "-o", runs.north)
    factory.one_error_line(cli.stderr, cli.exit_code, 2, f"{runs.north}: is a camsite run folder")
    assert not (tmp_path / "o").exists()
    assert not (runs.north / "city_merged.csv").exists()


def test_refuses_a_run_without_its_contribution(runs: SimpleNamespace, tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "summary.json").write_bytes((runs.north / "summary.json").read_bytes())
    cli = factory.invoke("merge", runs.west, old, "-o", tmp_path / "o")
    factory.one_error_line(cli.stderr, cli.exit_code, 2, f"{old}: no contribution.csv", "run it again")
    (old / "contribution.csv").write_bytes((runs.north / "contribution.csv").read_bytes())
    data = _summary(runs.north)
    del data["fingerprints"]
    (old / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    cli = factory.invoke("merge", runs.west, old, "-o", tmp_path / "o")
    factory.one_error_line(cli.stderr, cli.exit_code, 2, f"{old}: summary.json has no fingerprint")
    assert not (tmp_path / "o").exists()


def test_contribution_files_merge_and_their_camera_costs_are_checked(runs: SimpleNamespace, tmp_path: Path) -> None:
    cli = factory.invoke("merge", runs.west / "contribution.csv", runs.north, "-o", tmp_path)
    assert cli.exit_code == 0, cli.stderr
    assert "cost table cannot be checked" in cli.stderr
    d = merge_tables.merge(merge.read_parts([runs.west / "contribution.csv", runs.north])).districts
    assert np.isnan(d.loc[0, "incidents_total"]) and np.isnan(d.loc[2, "incidents_total"])  # not known
    assert np.isnan(d.loc[0, "budget_sek"]) and np.isnan(d.loc[2, "budget_sek"])
    frame = pd.read_csv(runs.north / "contribution.csv", dtype=str, keep_default_na=False)
    assert (frame["camera_type"] == "ptz_dome").any()
    frame["investment_sek"] = frame["investment_sek"].where(frame["camera_type"] != "ptz_dome", "95000.0")
    frame.to_csv(tmp_path / "dear.csv", index=False)
    cli = factory.invoke("merge", runs.west, tmp_path / "dear.csv", "-o", tmp_path / "o")
    factory.one_error_line(cli.stderr, cli.exit_code, 2, f"{runs.west} and {tmp_path / 'dear.csv'} used different "
                           "camera costs (ptz_dome: investment_sek 90,000 vs 95,000 SEK)")
    assert not (tmp_path / "o").exists()


def test_bad_contribution_rows_name_row_and_column(runs: SimpleNamespace, tmp_path: Path) -> None:
    frame = pd.read_csv(runs.west / "contribution.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "cost_over_horizon_sek"] = "mycket"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError, match=r"bad.csv: row 2, column cost_over_horizon_sek: not a number"):
        merge.read_parts([tmp_path / "bad.csv"])
    frame = pd.read_csv(runs.west / "contribution.csv", dtype=str, keep_default_na=False).assign(format_version="2")
    frame.to_csv(tmp_path / "new.csv", index=False)
    with pytest.raises(InputError, match=r"row 2, column format_version: format_version '2'"):
        merge.read_parts([tmp_path / "new.csv"])


def _part(name: str, before: float | None, after: float | None, weight: float, pct: float) -> merge.Part:
    row = dict.fromkeys(CONTRIBUTION_COLUMNS, 0.0) | {"district": name, "site_id": "s1", "camera_type": "cam",
                                                       "cost_over_horizon_sek": 100.0, "investment_sek": 60.0,
                                                       "operation_sek_per_year": 10.0, "horizon_years": 4.0}
    places = pd.DataFrame([row])
    kind = {"kind": "incident", "weight_total": weight, "incidents_total": 40.0, "incidents_before": before,
            "incidents_after": after, "before_pct": pct, "after_pct": pct}
    return merge.Part(source=Path(name), district=name, title=name, places=places,
                      summary={"budget_sek": 200.0, "status": "optimal", "gap": 0.0, "coverage_by_kind": [kind]})


def test_a_city_total_is_hidden_when_one_district_hides_its_count() -> None:
    # a: before 10, after 2 (under 3: hidden); b: before 5, after 8. The city's after (10 = 2 + 8) would give
    # a's 2 back from b's 8, so it is withheld; the city's before (15) rests on shown figures only.
    merged = merge_tables.merge([_part("a", 10.0, 2.0, 1.0, 10.0), _part("b", 5.0, 8.0, 3.0, 30.0)])
    d = merged.districts
    assert np.isnan(d.loc[0, "incidents_after"]) and (0, "incidents_after") in merged.withheld
    assert np.isnan(d.loc[2, "incidents_after"]) and (2, "incidents_after") in merged.withheld
    assert d.loc[2, "incidents_before"] == 15.0 and (2, "incidents_before") not in merged.withheld
    assert d.loc[2, "incidents_total"] == 80.0
    assert d.loc[2, "incident_after_pct"] == pytest.approx((10.0 * 1 + 30.0 * 3) / 4)  # weighted by demand weight
    assert d.loc[2, "spent_sek"] == 200.0 and d.loc[2, "budget_sek"] == 400.0
    text = merge_tables.format_table(merged, lang="en")
    assert "withheld (a district" in text.splitlines()[-1] and "withheld (privacy rule" in text.splitlines()[0]
    # a count published with --include-incidents is hidden again when it leaves the district
    merged = merge_tables.merge([_part("a", 1.5, 12.0, 1.0, 10.0)])
    assert (0, "incidents_before") in merged.withheld and merged.districts.loc[1, "incidents_after"] == 12.0
