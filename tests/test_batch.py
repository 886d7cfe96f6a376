"""``camsite batch``: scenarios × budgets on one executor, each folder as `camsite run` writes it, one comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from factory import fridhemsplan_data, invoke, one_error_line, write_scenario


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("batch")
    write_scenario(folder, fridhemsplan_data(250, name="liten"), name="liten.toml")
    (folder / "b.toml").write_text('out = "res"\n\n[[runs]]\nscenario = "liten.toml"\n'
                                   "budgets = [200000, 450000]\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:  # the tests read the tables and compare.* (batch's own), not the report
        from camsite.report import outputs

        mp.setattr(outputs, "write_deliverables", lambda *a, **k: [])
        r = invoke("batch", folder / "b.toml", "--workers", "2", "--no-progress")
    return folder, r


def test_batch_writes_each_run_and_one_comparison(batch_run: tuple[Path, object]) -> None:
    folder, r = batch_run
    assert r.exit_code == 0, r.stderr  # type: ignore[attr-defined]
    res = folder / "res"
    low, high = (json.loads((res / f"liten_{b}" / "summary.json").read_text(encoding="utf-8"))
                 for b in (200000, 450000))
    assert low["budget_sek"] == 200000 and high["budget_sek"] == 450000
    assert low["spent_sek"] <= 200000 and high["spent_sek"] <= 450000
    assert high["objective"] >= low["objective"]  # a larger budget can always buy the smaller plan
    table = pd.read_csv(res / "compare.csv")
    assert list(table.columns) == ["key", "measure", "liten_200000", "liten_450000"]
    assert (res / "compare.html").is_file()
    assert "liten_450000" in r.stdout  # type: ignore[attr-defined]


def test_batch_folder_equals_camsite_run(batch_run: tuple[Path, object], tmp_path: Path, no_deliverables: None) -> None:
    folder, _ = batch_run
    r = invoke("run", folder / "liten.toml", "--budget", "450000", "--no-curve", "--out", tmp_path / "one",
               "--no-progress")
    assert r.exit_code == 0, r.stderr
    a = pd.read_csv(folder / "res" / "liten_450000" / "sites.csv")
    b = pd.read_csv(tmp_path / "one" / "sites.csv")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(("text", "fragment"), [
    ("out = 'x'\n", "runs: list at least one [[runs]]"),
    ("[[runs]]\nscenario = 'liten.toml'\nbudgets = [0]\n", "runs[0].budgets[0]: must be more than 0 SEK"),
    ("[[runs]]\nscenario = 'liten.toml'\nbudgit = [1]\n", "runs[0].budgit: unknown key"),
    ("[[runs]]\nscenario = 'saknas.toml'\n", "saknas.toml"),
    ("[[runs\n", "not valid TOML"),
])
def test_bad_batch_files_give_one_error_line(tmp_path: Path, text: str, fragment: str) -> None:
    write_scenario(tmp_path, fridhemsplan_data(250, name="liten"), name="liten.toml")
    (tmp_path / "b.toml").write_text(text, encoding="utf-8")
    r = invoke("batch", tmp_path / "b.toml", "--no-progress")
    one_error_line(r.stderr, r.exit_code, 2, fragment)


def test_missing_batch_file_and_bad_workers(tmp_path: Path) -> None:
    r = invoke("batch", tmp_path / "saknas.toml")
    one_error_line(r.stderr, r.exit_code, 2, "cannot read the batch file")
    (tmp_path / "b.toml").write_text("[[runs]]\nscenario = 'x.toml'\n", encoding="utf-8")
    r = invoke("batch", tmp_path / "b.toml", "--workers", "0")
    one_error_line(r.stderr, r.exit_code, 2, "--workers: must be 1 or more")
