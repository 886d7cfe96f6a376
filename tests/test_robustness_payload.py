"""What robustness workers receive: the incident columns the demand model reads, opaque ids, no demand frame.

The payload is taken where an executor takes it (``map``'s shared argument, pickled as the local pool and
Dask send it), so a field added to the context later is checked as well.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from camsite.executors import InlineExecutor, dumps
from camsite.layers import INCIDENT_COLUMNS
from camsite.robustness import analyse
from camsite.robustness.payload import NOT_SENT
from camsite.robustness.sample import evaluate, make_context
from test_robustness import _case

#: Values a user's incident file may hold that no worker needs (links, matched texts, file names).
SECRETS = {"incident_id": [f"https://polisen.se/handelse/{i}" for i in range(12)],
           "source": "polisens-export-2026.geojson", "url": "https://intranet.polis/arende",
           "matched_text": "Misshandel vid Fridhemsplan, man gripen"}


class Recorder:
    """An executor that keeps the pickled shared data it is given, then runs the tasks from the unpickled copy."""

    workers = 1
    label = "recorder"

    def __init__(self) -> None:
        self.blob = b""

    def map(self, fn: Callable[[Any, Any], Any], shared: object, items: Sequence[Any], *,
            progress: Callable[[int], None] | None = None) -> list[Any]:
        self.blob = dumps(shared)
        return InlineExecutor().map(fn, pickle.loads(self.blob), items, progress=progress)


@pytest.fixture(scope="module")
def case() -> SimpleNamespace:
    res = _case(bootstrap=True, jitter=True, weights=True, jitter_m=3.0)  # the points are measured: they move
    inc = res.inputs.incidents.assign(**SECRETS)
    return SimpleNamespace(**{**vars(res), "inputs": dataclasses.replace(res.inputs, incidents=inc)})


def test_the_shared_data_hold_only_what_a_sample_reads(case: SimpleNamespace) -> None:
    rec = Recorder()
    analyse(case, samples=3, seed=1, executor=rec, sensitivity=False)
    for value in (*SECRETS["incident_id"], SECRETS["source"], SECRETS["url"], SECRETS["matched_text"]):
        assert value.encode() not in rec.blob, value
    sent = pickle.loads(rec.blob)
    inc = sent.inputs.incidents
    assert set(inc.columns) == {"incident_id", "category", "weight", "date", "precision", "street", "geometry"}
    assert set(inc.columns) == (set(case.inputs.incidents.columns) & set(INCIDENT_COLUMNS)) - set(NOT_SENT)
    assert len(inc) == len(case.inputs.incidents)  # every incident travels, none twice
    # equal ids stay equal, different ids stay different
    assert inc["incident_id"].nunique() == case.inputs.incidents["incident_id"].nunique() == 12
    assert len(sent.instance.demand) == 0 and len(sent.instance.uncoverable) == 0
    assert sent.inputs.sensitive_places is None and sent.inputs.stats == () and len(sent.inputs.subareas) == 0


def test_stripped_inputs_rebuild_the_same_demand(case: SimpleNamespace) -> None:
    ctx = make_context(case.scenario, case.inputs, case.instance, case.solution.selected)
    assert ctx.reweight_ok  # the workers' demand, rebuilt from the stripped incidents, has the base weights
    np.testing.assert_allclose(ctx.instance.rows.weights, case.instance.rows.weights)


def test_samples_solve_alike_on_the_stripped_and_the_full_data(case: SimpleNamespace) -> None:
    """Moved and resampled incidents (rebuilt instances) give the same outcome from the payload as from all data."""
    ctx = make_context(case.scenario, case.inputs, case.instance, case.solution.selected)
    full = dataclasses.replace(ctx, inputs=case.inputs, instance=case.instance)
    outcomes = [evaluate(ctx, 0, seed) for seed in (1, 2, 3, 4)]
    assert all(o.rebuilt for o in outcomes)  # jitter moves incidents: every sample rebuilds demand and coverage
    assert outcomes == [evaluate(full, 0, seed) for seed in (1, 2, 3, 4)]
