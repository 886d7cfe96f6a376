"""procs.Forked: one call on a forked child, its value and log lines handed back, any failure made again here.

The run uses it for its main plan (solved while the highest reach runs alone)
and for map.png (drawn while the other report files are written); both must
give exactly what the call gives in this process.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np
import pytest

from camsite import procs, report
from camsite.report import outputs

LOG = logging.getLogger("camsite.test_forked")


def _where_and_square(x: np.ndarray) -> tuple[int, np.ndarray]:
    LOG.warning("squared %d numbers", len(x))
    return os.getpid(), x * x


def test_the_value_comes_from_a_child_with_its_log_line_handled_here(caplog: pytest.LogCaptureFixture) -> None:
    x = np.arange(5)
    with caplog.at_level(logging.INFO, logger="camsite"):
        job = procs.Forked(lambda: _where_and_square(x))
        assert not caplog.records  # the child's line is handled here when the value is taken, not before
        pid, value = job.result()
    assert pid != os.getpid()  # made on the child
    assert value.tolist() == [0, 1, 4, 9, 16]
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == \
        [("camsite.test_forked", logging.WARNING, "squared 5 numbers")]  # once: not also by the child
    assert job.process is None  # the child has ended


def test_without_background_nothing_runs_until_the_value_is_asked_for() -> None:
    calls: list[int] = []
    job = procs.Forked(lambda: calls.append(os.getpid()) or len(calls), background=False)
    assert calls == [] and job.process is None
    assert job.result() == 1 and calls == [os.getpid()]


def test_a_failing_child_is_made_again_here(caplog: pytest.LogCaptureFixture) -> None:
    parent = os.getpid()

    def only_here() -> int:
        if os.getpid() != parent:
            LOG.warning("a line of the failed child")
            raise RuntimeError("the child broke")
        return 7

    with caplog.at_level(logging.INFO, logger="camsite"):
        assert procs.Forked(only_here).result() == 7
    assert not caplog.records  # the failed child's lines are dropped: the call made here logs its own


def test_an_error_is_raised_as_the_call_raises_it_here() -> None:
    def broken() -> None:
        raise ValueError("no such budget")

    with pytest.raises(ValueError, match="no such budget"), procs.Forked(broken) as job:
        job.result()


def test_a_value_that_does_not_pickle_is_made_here() -> None:
    parent = os.getpid()
    made = procs.Forked(lambda: (os.getpid(), lambda: 1)).result()
    assert made[0] == parent and made[1]() == 1


def test_a_killed_child_is_made_again_here() -> None:
    parent = os.getpid()

    def dies_on_the_child() -> int:
        if os.getpid() != parent:
            os._exit(9)
        return 3

    assert procs.Forked(dies_on_the_child).result() == 3


def test_leaving_the_block_ends_a_child_still_running() -> None:
    with procs.Forked(lambda: time.sleep(60)) as job:
        child = job.process
        assert child is not None and child.is_alive()
    assert not child.is_alive() and job.process is None


def test_the_pictures_drawn_on_a_child_are_the_ones_drawn_here(tmp_path: Path, report_result: object,
                                                               report_out: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Every deliverable is byte for byte what the serial writers give (``report_out`` drew the pictures aside)."""
    assert {"map.png", "budget_curve.png"} <= outputs.BACKGROUND
    monkeypatch.setattr(outputs, "BACKGROUND", frozenset())
    here = report.write_deliverables(report_result, tmp_path)  # type: ignore[arg-type]
    assert [p.name for p in here] == \
        ["inventory.xlsx", "camsite.gpkg", "map.png", "budget_curve.png", "report.html", "underlag.html"]
    for path in here:
        assert path.read_bytes() == (report_out / path.name).read_bytes(), path.name


def test_a_map_that_fails_on_the_child_is_drawn_here(tmp_path: Path, report_result: object,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    draw = outputs.maps.write_map

    def flaky(result: object, path: Path, **kwargs: object) -> Path:
        if os.getpid() != parent:
            raise OSError("the child lost its disk")
        return draw(result, path, **kwargs)  # type: ignore[arg-type]

    writers = dict(outputs._WRITERS)
    monkeypatch.setattr(outputs, "_WRITERS", (("underlag.html", writers["underlag.html"]), ("map.png", flaky)))
    files = report.write_deliverables(report_result, tmp_path)  # type: ignore[arg-type]
    assert [p.name for p in files] == ["underlag.html", "map.png"]
    assert (tmp_path / "map.png").stat().st_size > 10_000
