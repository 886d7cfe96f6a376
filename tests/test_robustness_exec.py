"""Executors: identical results on 1 worker, K workers and a real Dask LocalCluster; dead workers lose no task."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from camsite.errors import ConfigError
from camsite.executors import DaskExecutor, InlineExecutor, LocalExecutor
from camsite.robustness import analyse
from test_robustness import _case


def _square_or_die(marker_dir: str, item: int) -> int:
    """``item ** 2``; item 3 kills its worker process the first time (a marker file remembers the attempt)."""
    marker = Path(marker_dir) / f"died-{item}"
    if item == 3 and not marker.exists():
        marker.write_text("x")
        os._exit(1)
    return item * item


@pytest.fixture(scope="module")
def case() -> Any:
    return _case(bootstrap=True, jitter=True, weights=True, ranges=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need not import this test module
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as lc, distributed.Client(lc, set_as_default=False) as client:
        yield client
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_local_pool_loses_no_task_when_a_worker_dies(tmp_path: Path) -> None:
    out = LocalExecutor(2).map(_square_or_die, str(tmp_path), list(range(8)))
    assert out == [i * i for i in range(8)]
    assert (tmp_path / "died-3").exists()  # the worker really died once


def test_inline_and_local_pool_agree_on_a_plain_function(tmp_path: Path) -> None:
    (tmp_path / "died-3").write_text("x")  # no death here
    done: list[int] = []
    assert InlineExecutor().map(_square_or_die, str(tmp_path), [1, 2, 3], progress=done.append) == [1, 4, 9]
    assert done == [1, 2, 3]
    assert LocalExecutor(1).map(_square_or_die, str(tmp_path), [3, 1]) == [9, 1]


def test_same_seed_same_results_on_1_and_2_local_workers(case: Any) -> None:
    runs = [analyse(case, samples=6, seed=9, sensitivity=False, executor=ex)
            for ex in (InlineExecutor(), LocalExecutor(1), LocalExecutor(2))]
    assert runs[0].samples["rebuilt"].all()  # jitter and ranges rebuild the instance
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0].samples, other.samples)
        pd.testing.assert_frame_equal(runs[0].sites, other.sites)


def test_dask_local_cluster_gives_the_same_results(case: Any, cluster: Any) -> None:
    local = analyse(case, samples=6, seed=9, sensitivity=True, executor=InlineExecutor())
    seen: list[int] = []
    dask = analyse(case, samples=6, seed=9, sensitivity=True, executor=DaskExecutor(client=cluster),
                   progress=lambda done, total: seen.append(total))
    pd.testing.assert_frame_equal(local.samples, dask.samples)
    assert local.sensitivity is not None and dask.sensitivity is not None
    pd.testing.assert_frame_equal(local.sensitivity, dask.sensitivity)
    assert len(seen) == 6 + len(local.sensitivity) and set(seen) == {6 + len(local.sensitivity)}


def test_dask_by_scheduler_address_as_the_cli_connects(tmp_path: Path, cluster: Any) -> None:
    (tmp_path / "died-3").write_text("x")
    ex = DaskExecutor(address=cluster.scheduler.address)
    try:
        assert ex.workers == 2 and ex.map(_square_or_die, str(tmp_path), [3, 4]) == [9, 16]
    finally:
        ex.close()


def test_dask_reruns_the_task_of_a_lost_worker(tmp_path: Path, cluster: Any) -> None:
    out = DaskExecutor(client=cluster).map(_square_or_die, str(tmp_path), list(range(8)))
    assert out == [i * i for i in range(8)]
    assert (tmp_path / "died-3").exists()


def test_unreachable_scheduler_is_a_config_error() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(ConfigError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        DaskExecutor(address="tcp://127.0.0.1:9", timeout_s=1.0)
