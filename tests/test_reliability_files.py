"""Tracebacks where one error line belongs: a full disk under GDAL and SQLite, a damaged download cache, control
characters on their way into a spreadsheet, damaged run folders given to ``camsite compare`` (with a fuzz test of
its reader), and figures a user can read (a 1e308 budget, the question of a ``--target`` run)."""

from __future__ import annotations

import json
import math
import os
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyogrio.errors
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camsite.cli import main
from camsite.errors import InputError
from camsite.report import compare, gpkg, outputs
from factory import assert_untouched, fridhemsplan_data, invoke, one_error_line, write_scenario
from overpass_server import RecordedServer

pytestmark = pytest.mark.usefixtures("shipped_network_once")

# -- 16. disk full inside GDAL and SQLite ---------------------------------------------------------------------------


def _gdal_full(*args: object, **kwargs: object) -> None:
    raise pyogrio.errors.DataSourceError("sqlite3_exec(CREATE TABLE ...) failed: database or disk is full")


def _sqlite_full(path: Path) -> None:
    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.parametrize("where", ["pyogrio", "sqlite3"])
def test_disk_full_in_the_geopackage_is_the_documented_line(tmp_path: Path, previous: Path, where: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    scen = write_scenario(tmp_path, fridhemsplan_data(250, name="liten"))
    monkeypatch.setattr(outputs, "_WRITERS", (("camsite.gpkg", gpkg.write_gpkg),))  # the one deliverable at stake
    if where == "pyogrio":
        monkeypatch.setattr(gpkg.pyogrio, "write_dataframe", _gdal_full)
    else:
        monkeypatch.setattr(gpkg, "stable_gpkg", _sqlite_full)
    r = invoke("run", scen, "--out", previous, "--no-curve", "--no-progress")
    one_error_line(r.stderr, r.exit_code, 2, f"{previous}: cannot write the output folder (No space left on device, "
                                             "writing camsite.gpkg); the earlier output is unchanged")
    assert_untouched(previous)


# -- 17. a damaged download cache ----------------------------------------------------------------------------------


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """fetch-osm once against the recorded server on 127.0.0.1; returns (run again, the cache's area folder)."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, ",".join(filter(None, ["127.0.0.1", "localhost", os.environ.get(name)])))
    with RecordedServer(lifetime_s=120) as srv:
        args = ["fetch-osm", "--bbox", "59.3315,18.0280,59.3345,18.0340", "--cache-dir", str(tmp_path / "cache"),
                "--overpass-url", srv.overpass_url, "--nominatim-url", srv.url, "--out", str(tmp_path / "n.gpkg")]

        def again() -> Any:
            return CliRunner().invoke(main, args, catch_exceptions=False)

        first = again()
        assert first.exit_code == 0, first.output
        (area,) = [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]
        yield again, area


@pytest.mark.parametrize("part", ["network", "buildings", "http"])
def test_damaged_cache_file_is_one_error_naming_it(cached: Any, part: str) -> None:
    again, area = cached
    if part == "network":
        (damaged,) = area.glob("network-*.graphml")
        damaged.write_text(damaged.read_text(encoding="utf-8")[:300], encoding="utf-8")  # cut mid-XML
    elif part == "buildings":
        damaged = area / "buildings.geojson"
        damaged.write_text('{"type": "FeatureCollection", "feat', encoding="utf-8")
    else:  # osmnx's own response cache: a download reads it
        (area / "buildings.geojson").unlink()
        damaged = sorted((area / "http").glob("*.json"))[0]
        damaged.write_text("{not json", encoding="utf-8")
    r = again()
    one_error_line(r.stderr, r.exit_code, 2, f"{damaged}: the download cache file is damaged",
                   "--refresh")
    assert "Traceback" not in r.output


# -- 18. control characters -----------------------------------------------------------------------------------------


def test_control_characters_are_dropped_from_the_workbook_and_validate_says_so(tmp_path: Path) -> None:
    incidents = tmp_path / "inc.csv"
    incidents.write_text("id,lat,lon,category\nA\x071,59.3330,18.0308,v\x07ld\n", encoding="utf-8")
    cams = tmp_path / "cams.csv"
    cams.write_text("camera_id,lat,lon,camera_type\nK\x0b9,59.3331,18.0309,fixed_1080p\n", encoding="utf-8")
    scen = write_scenario(tmp_path, fridhemsplan_data(250, name="liten", title="Plan\x01 2026",
                                                      incidents=[{"name": "egna", "path": str(incidents)}],
                                                      existing_cameras={"path": str(cams)}))
    note = "category 'v\\x07ld' holds control characters (invisible bytes); inventory.xlsx shows it without them"
    v = invoke("validate", scen)
    assert note in v.stdout + v.stderr
    assert "camera id 'K\\x0b9' holds control characters" in v.stdout + v.stderr
    assert "title 'Plan\\x01 2026' holds control characters" in v.stdout + v.stderr
    r = invoke("run", scen, "--out", tmp_path / "out", "--no-curve", "--no-progress")
    assert r.exit_code == 0, r.stderr
    assert note in r.stderr and "camera id 'K\\x0b9'" in r.stderr
    wb = openpyxl.load_workbook(tmp_path / "out" / "inventory.xlsx")
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "K9" in texts and wb.properties.title == "Plan 2026"
    assert not any(any(ord(ch) < 32 and ch not in "\t\n\r" for ch in t) for t in texts)


# -- 19. compare on damaged run folders -----------------------------------------------------------------------------

GOOD = {"scenario": "a", "budget_sek": 1e6, "spent_sek": 9e5, "n_new_sites": 6, "coverage_before_pct": 4.5,
        "coverage_after_pct": 49.0, "status": "optimal", "gap": 0.0,
        "coverage_by_category": [{"category": "vald", "after_pct": 50.0}]}


def _folder(path: Path, summary: Any, *, raw: str | None = None, sites: str | None = None) -> Path:
    path.mkdir(parents=True)
    (path / "summary.json").write_text(raw if raw is not None else json.dumps(summary), encoding="utf-8")
    if sites is not None:
        (path / "sites.csv").write_text(sites, encoding="utf-8")
    return path


@pytest.mark.parametrize(("summary", "raw", "sites", "fragment"), [
    (dict(GOOD, coverage_by_category={"vald": 1}), None, None, "coverage_by_category: expected a list"),
    (dict(GOOD, coverage_by_category=["x", 1]), None, None, "coverage_by_category: expected a list of objects"),
    (dict(GOOD, budget_sek="lots"), None, None, "budget_sek: not a finite number"),
    (dict(GOOD, status=7), None, None, "status: not text"),
    (None, "[" * 100_000 + "]" * 100_000, None, "not valid JSON"),
    (None, '{"budget_sek": 1' + "0" * 5000 + "}", None, "not valid JSON"),
    (None, "\xff\xfe garbage", None, "not valid JSON"),
    (None, json.dumps(GOOD)[:-5], None, "not valid JSON"),
    (GOOD, None, 'site_id\n"unclosed', "sites.csv"),
    (GOOD, None, "rank,other\n1,x\n", "no site_id column"),
])
def test_damaged_run_folder_is_one_error(tmp_path: Path, summary: Any, raw: str | None, sites: str | None,
                                         fragment: str) -> None:
    good = _folder(tmp_path / "good", GOOD)
    bad = _folder(tmp_path / "bad", summary, raw=raw, sites=sites)
    r = invoke("compare", good, bad, "--out", tmp_path / "cmp")
    one_error_line(r.stderr, r.exit_code, 2, fragment)
    assert not (tmp_path / "cmp").exists()


def test_nan_and_infinity_never_reach_compare_files(tmp_path: Path) -> None:
    raw = json.dumps(GOOD).replace('"gap": 0.0', '"gap": NaN').replace('"after_pct": 50.0', '"after_pct": Infinity')
    a = _folder(tmp_path / "a", None, raw=raw)
    b = _folder(tmp_path / "b", dict(GOOD, runtime_s=3.5))
    r = invoke("compare", a, b, "--out", tmp_path / "cmp", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    text = (tmp_path / "cmp" / "compare.csv").read_text(encoding="utf-8") + \
        (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    for word in ("NaN", "Infinity", ",nan", ",inf", ">nan<", ">inf<", "-inf"):
        assert word not in text
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv").set_index("key")
    assert pd.isna(table.loc["gap", "a"]) and float(table.loc["gap", "b"]) == 0
    assert float(table.loc["coverage_by_category:vald:after_pct", "b"]) == 50


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4), max_leaves=20)
_KEYS = st.sampled_from([*GOOD, "question", "coverage_by_subarea", "runtime_s", "solver"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(_KEYS, _JSON, max_size=5), drop=st.lists(_KEYS, max_size=2))
def test_compare_reader_fuzz(tmp_path: Path, changes: dict[str, Any], drop: list[str]) -> None:
    """Any JSON in any field: the reader returns a run whose table cells are text, finite numbers or empty,
    or raises InputError; never anything else."""
    summary = {k: v for k, v in dict(GOOD, **changes).items() if k not in drop}
    folder = tmp_path / f"r{abs(hash(json.dumps(summary, default=str))) % 10**12}"
    folder.mkdir(exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")  # NaN/Infinity included
    try:
        run = compare.read_run(folder)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    table = compare.compare_table([run, run], lang="sv")
    for value in table.iloc[:, 2:].to_numpy().ravel():
        assert value is None or isinstance(value, str) or (isinstance(value, (int, float)) and math.isfinite(value))
    assert compare.format_table(table)  # and it can be shown


# -- 20. figures a user can read ------------------------------------------------------------------------------------


def test_target_run_shows_its_question_in_compare(tmp_path: Path) -> None:
    target = _folder(tmp_path / "target", dict(GOOD, budget_sek=1.5e6, spent_sek=17_496_000,
                                               question={"objective": "min_cost", "target_incident_share": 0.5}))
    budget = _folder(tmp_path / "budget", dict(GOOD, question={"objective": "max_coverage"}))
    r = invoke("compare", target, budget, "--out", tmp_path / "cmp")
    assert r.exit_code == 0, r.stderr
    row = next(ln for ln in r.stdout.splitlines() if ln.startswith("Frågan"))
    assert "Billigaste plan som ser minst 50 % av händelserna" in row
    assert "Mest täckning inom budgeten 1 000 000 kr" in row


def test_huge_budget_is_not_echoed_as_309_digits(tmp_path: Path, no_deliverables: None) -> None:
    scen = write_scenario(tmp_path, fridhemsplan_data(250, name="liten"))
    r = invoke("run", scen, "--out", tmp_path / "out", "--no-curve", "--no-progress", "--budget", "1e308")
    if r.exit_code == 0:
        assert "1e+308" in r.stdout and "0" * 20 not in r.stdout
    else:  # a limit on the budget (the scenario keys' checks) is as good: one line, no 309 digits
        one_error_line(r.stderr, r.exit_code, 2, "budget")
        assert "0" * 20 not in r.stderr
