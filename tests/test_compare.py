"""``camsite compare``: runs side by side, printed and written as compare.csv and compare.html."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import Result

from camsite.errors import InputError
from camsite.report import compare
from factory import invoke, one_error_line


@pytest.fixture()
def two_runs(report_out, tmp_path):
    a = tmp_path / "budget_1M"
    b = tmp_path / "budget_2M"
    for folder in (a, b):
        folder.mkdir()
        shutil.copy(report_out / "sites.csv", folder / "sites.csv")
    summary = json.loads((report_out / "summary.json").read_text(encoding="utf-8"))
    (a / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    bigger = dict(summary, budget_sek=2e6, spent_sek=1.95e6, n_new_sites=13, coverage_after_pct=77.8,
                  status="optimal", gap=0.0)
    (b / "summary.json").write_text(json.dumps(bigger), encoding="utf-8")
    sites = pd.read_csv(report_out / "sites.csv").head(4)
    sites.to_csv(b / "sites.csv", index=False)
    return a, b


def test_table_has_a_column_per_run(two_runs):
    runs = [compare.read_run(p) for p in two_runs]
    table = compare.compare_table(runs)
    assert list(table.columns) == ["key", "measure", "budget_1M", "budget_2M"]
    t = table.set_index("key")
    assert t.loc["budget_sek", "budget_2M"] == 2e6
    assert t.loc["coverage_after_pct", "budget_2M"] == pytest.approx(77.8)
    assert t.loc["status", "budget_1M"] == "time_limit"
    assert t.loc["shared_sites", "budget_2M"] == 4
    assert "coverage_by_category:narkotika:after_pct" in t.index
    assert "coverage_by_subarea:stadshagen:after_pct" in t.index


def test_cli_prints_and_writes(two_runs, tmp_path):
    out = tmp_path / "cmp"
    proc = invoke("compare", *two_runs, "--out", out)
    assert proc.exit_code == 0, proc.stderr
    assert "budget_1M" in proc.stdout and "Händelser sedda efter (%)" in proc.stdout and "Blandning efter (målfunktionen, %)" in proc.stdout
    assert "1 000 000" in proc.stdout.replace("\u00a0", " ")
    csv = pd.read_csv(out / "compare.csv")
    assert list(csv.columns) == ["key", "measure", "budget_1M", "budget_2M"]
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "Jämförelse av körningar" in html and "budget_2M" in html and "http" not in html.split("<body>")[1]


def test_cli_english(two_runs, tmp_path):
    proc = invoke("compare", *two_runs, "--out", tmp_path, "--lang", "en")
    assert proc.exit_code == 0, proc.stderr
    assert "Incidents seen after (%)" in proc.stdout and "Blend after (the objective, %)" in proc.stdout and "Drug offences" in proc.stdout


def _one_error(proc: Result) -> str:
    return one_error_line(proc.stderr, proc.exit_code, 2)


def test_missing_summary_names_the_file(two_runs, tmp_path):
    empty = tmp_path / "not_a_run"
    empty.mkdir()
    line = _one_error(invoke("compare", two_runs[0], empty, "--out", tmp_path))
    assert str(empty / "summary.json") in line


def test_invalid_summary_names_the_file(two_runs, tmp_path):
    (two_runs[1] / "summary.json").write_text("{not json", encoding="utf-8")
    line = _one_error(invoke("compare", *two_runs, "--out", tmp_path))
    assert str(two_runs[1] / "summary.json") in line and "not valid JSON" in line


def test_summary_missing_keys(two_runs):
    (two_runs[0] / "summary.json").write_text(json.dumps({"scenario": "x"}), encoding="utf-8")
    with pytest.raises(InputError, match="missing keys: budget_sek"):
        compare.read_run(two_runs[0])


def test_not_a_folder(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        compare.read_run(tmp_path / "nope")
