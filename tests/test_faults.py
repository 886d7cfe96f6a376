"""Faults during ``camsite run``: time limit, missing solver, unwritable output, Ctrl-C.

In every case an earlier run's output folder is left exactly as it was and no
temporary folder (``.NAME.tmp-*``, ``.NAME.old-*``) or half-written file is
left behind. Most cases run the click command in-process (``CliRunner``,
exceptions not caught); the Ctrl-C case is a real process sent SIGINT.

Running as root (as in the CI container) means file permissions are not
enforced, so an unwritable output folder is produced in two realistic ways
instead of ``chmod``: ``--out`` below a regular file (a mistyped path), and
the operating system refusing to create or fill files there (``EACCES`` on
a read-only share, ``ENOSPC`` on a full disk), injected at the ``os`` /
``tempfile`` level that camsite calls.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pulp
import pytest
from click.testing import Result

from factory import assert_untouched, fridhemsplan_data, one_error_line, toml
from factory import invoke as _invoke


def scenario_text(radius_m: float = 300) -> str:
    """A small scenario around Fridhemsplan on the shipped data (no budget sweep)."""
    return toml(fridhemsplan_data(radius_m, name="fault", optimization={"budget_sek": 1500000, "time_limit_s": 60}))


pytestmark = pytest.mark.usefixtures("shipped_network_once")



@pytest.fixture
def scen(tmp_path: Path) -> Path:
    p = tmp_path / "s.toml"
    p.write_text(scenario_text(), encoding="utf-8")
    return p


def invoke(*args: str | Path) -> Result:
    return _invoke("run", *args, "--no-progress")


def one_error(result: Result, code: int, *fragments: str) -> str:
    return one_error_line(result.stderr, result.exit_code, code, *fragments)


# -- solver time limit ----------------------------------------------------------------------------------------------


def test_time_limit_writes_best_solution_with_gap(tmp_path: Path, previous: Path, no_deliverables: None) -> None:
    """1 km around Fridhemsplan (thousands of candidate variants) cannot be solved in 10 ms."""
    p = tmp_path / "big.toml"
    p.write_text(scenario_text(radius_m=1000), encoding="utf-8")
    res = invoke(p, "--out", previous, "--time-limit", "0.01")
    assert res.exit_code == 0, res.stderr
    warnings = [ln for ln in res.stderr.splitlines() if "time limit" in ln]
    assert len(warnings) == 1 and warnings[0].startswith("WARNING:") and "gap" in warnings[0], res.stderr
    summary = json.loads((previous / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "time_limit"
    assert summary["gap"] is not None and summary["gap"] > 0
    assert summary["bound"] >= summary["objective"] > 0  # a feasible best solution and a valid upper bound
    assert summary["n_new_sites"] > 0 and summary["spent_sek"] <= summary["budget_sek"]
    # the gap in per cent, with a decimal comma (the run's language is Swedish)
    assert f"(status time_limit, gap {100 * summary['gap']:.2f} %)".replace(".", ",") in res.stdout
    sites = (previous / "sites.csv").read_text(encoding="utf-8").splitlines()
    assert len(sites) == summary["n_new_sites"] + 1
    assert not list(tmp_path.glob(".out.*"))


# -- solver not installed ---------------------------------------------------------------------------------------------


def test_highs_failing_is_exit_3(scen: Path, previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS runs in-process (highspy, a dependency: it cannot be missing); a solve that fails is one error line."""
    import highspy

    monkeypatch.setattr(highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kSolveError)
    one_error(invoke(scen, "--out", previous), 3, "HiGHS", "Solve error")
    assert_untouched(previous)


def test_cbc_not_installed_names_highs(scen: Path, previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulp.COIN_CMD, "available", lambda self: False)
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "available", lambda self: False)
    one_error(invoke(scen, "--out", previous, "--solver", "cbc"), 3, "CBC is not available", "highs")
    assert_untouched(previous)


# -- output folder not writable ---------------------------------------------------------------------------------------


def test_out_below_a_regular_file(scen: Path, tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    one_error(invoke(scen, "--out", tmp_path / "report.pdf" / "run"), 2, "report.pdf", "cannot create output folder")
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF-1.4"


def test_output_folder_refuses_new_files(scen: Path, previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only share: creating the temporary folder fails with EACCES."""
    real = tempfile.mkdtemp

    def refuse(*args: object, **kwargs: object) -> str:
        if Path(str(kwargs.get("dir", ""))) == previous.parent.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(previous.parent))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    one_error(invoke(scen, "--out", previous), 2, str(previous.parent.resolve()), "Permission denied")
    assert_untouched(previous)


def test_disk_full_while_writing(scen: Path, previous: Path, monkeypatch: pytest.MonkeyPatch,
                                 no_deliverables: None) -> None:
    """ENOSPC half-way through the files: one error line, the earlier run intact, the partial folder gone."""
    from camsite.report import outputs

    def full(sites: object, path: Path) -> None:
        path.write_bytes(b'{"type": "FeatureCollection", "feat')  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(outputs, "write_sites_geojson", full)
    one_error(invoke(scen, "--out", previous), 2, f"{previous}: cannot write", "No space left on device, writing sites.geojson")
    assert_untouched(previous)


def test_interrupt_while_writing(scen: Path, previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the report files are being written: exit 130, the earlier run intact."""
    from camsite.report import outputs

    def interrupted(result: object, folder: Path, **kwargs: object) -> None:
        (folder / "report.html").write_text("<html><body>half", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "write_deliverables", interrupted)
    one_error(invoke(scen, "--out", previous), 130, "interrupted")
    assert_untouched(previous)


def test_swallowed_ctrl_c_still_keeps_the_earlier_run(scen: Path, previous: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C whose KeyboardInterrupt a library swallows (as Python does inside ``__del__``) is still honoured."""
    from camsite.report import outputs

    def swallowing(result: object, folder: Path, **kwargs: object) -> list[Path]:
        try:
            os.kill(os.getpid(), signal.SIGINT)  # the CLI's handler raises KeyboardInterrupt here ...
            time.sleep(1)
        except KeyboardInterrupt:
            pass  # ... and a careless library drops it
        return []

    monkeypatch.setattr(outputs, "write_deliverables", swallowing)
    one_error(invoke(scen, "--out", previous), 130, "interrupted")
    assert_untouched(previous)


# -- Ctrl-C in a real process -----------------------------------------------------------------------------------------


def test_ctrl_c_mid_run(tmp_path: Path, previous: Path) -> None:
    """SIGINT once the network is read (the run is computing): exit 130, one error line, nothing changed."""
    p = tmp_path / "big.toml"
    p.write_text(scenario_text(radius_m=1000), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "camsite", "-v", "run", str(p), "--out", str(previous),
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 240
    for line in proc.stderr:  # wait until the network is loaded: demand, candidates and coverage follow
        lines.append(line)
        if "network in study area" in line or time.monotonic() > deadline:
            break
    assert any("network in study area" in ln for ln in lines), "".join(lines)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    stderr = "".join(lines) + err
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    errors = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert errors == ["error: interrupted; no output was changed"], stderr
    assert "nya platser" not in out  # it did not finish before the signal
    assert_untouched(previous)
