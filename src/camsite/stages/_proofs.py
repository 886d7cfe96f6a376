"""Proven target points kept between runs: the proof store.

A target point (the cheapest plan seeing a share of the incident weight) and
the highest reachable share depend on the instance and the side constraints
only, not on the budget, the stages or the report. Proving them can take
minutes on a large model (the default scenario's 25 % point about 80 s, its
highest reach over a minute), against the few seconds of a run. A
:class:`ProofStore` keeps every *proven* answer under a SHA-256 fingerprint of
all it depends on (:func:`fingerprint`: coverage rows, weights, existing
coverage, costs, side constraints, the share, the solver, camsite's version),
so that a later run on the same data takes it instead of solving again:
``camsite run --prove`` proves them once, and every run after it on the same
data reports them proven (the same figures as a fresh proof: a run's files do not say where a proof came
from; its log does, with the date of the proof).

A stored answer is checked again on the instance before it is used: its sites
must exist, its cost and the share it sees are recomputed from the coverage
rows; a record that fails, or a file that cannot be read, is ignored (and
replaced by the next proof). A record holds site indices, costs and shares:
no incident and no position. The store is a folder of small JSON files, by
default in the user's cache (:func:`default_proof_dir`); ``camsite run
--no-proofs`` neither reads nor writes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from camsite._cache import user_cache_dir
from camsite._version import __version__
from camsite.optimize import Constraints, Solution, SolverOptions
from camsite.stages.instance import Instance

logger = logging.getLogger(__name__)

__all__ = ["ProofStore", "checked_plan", "default_proof_dir", "fingerprint", "instance_parts", "stored_cover"]

#: Bumped when a record's form or meaning changes, so older records are not misread.
RECORD_VERSION = 1


def default_proof_dir() -> Path:
    """``$XDG_CACHE_HOME/camsite/proofs``, else ``~/.cache/camsite/proofs``."""
    return user_cache_dir("proofs")


def _feed(h: Any, part: object) -> None:
    """Feed ``part`` into the hash ``h``: arrays by dtype, shape and bytes, sparse matrices by their CSR arrays,
    dataclasses field by field, sequences item by item, anything else by its ``repr``."""
    if isinstance(part, np.ndarray):
        arr = np.ascontiguousarray(part)
        h.update(f"a{arr.dtype.str}{arr.shape}".encode())
        h.update(arr.tobytes())
    elif isinstance(part, (sp.spmatrix, sp.sparray)):
        csr: sp.csr_matrix = sp.csr_matrix(part)  # type: ignore[call-overload]  # bare mixins in scipy-stubs
        csr.sort_indices()
        h.update(f"s{csr.shape}".encode())
        for arr in (csr.indptr.astype(np.int64), csr.indices.astype(np.int64), csr.data):
            _feed(h, arr)
    elif dataclasses.is_dataclass(part) and not isinstance(part, type):
        h.update(f"d{type(part).__name__}".encode())
        for f in dataclasses.fields(part):
            h.update(f.name.encode())
            _feed(h, getattr(part, f.name))
    elif isinstance(part, (tuple, list)):
        h.update(f"t{len(part)}".encode())
        for item in part:
            _feed(h, item)
    else:
        h.update(f"v{part!r}".encode())
    h.update(b";")


def fingerprint(*parts: object) -> str:
    """The SHA-256 (hex) of ``parts`` and camsite's version: equal exactly when every part is.

    >>> a = fingerprint("share", 0.25, np.arange(3), sp.csr_matrix(np.eye(2)))
    >>> a == fingerprint("share", 0.25, np.arange(3), sp.csc_matrix(np.eye(2))), a == fingerprint("share", 0.5)
    (True, False)
    >>> a == fingerprint("share", 0.25, np.arange(3.0), sp.csr_matrix(np.eye(2)))  # another dtype: another key
    False
    """
    h = hashlib.sha256(f"camsite {__version__} proofs {RECORD_VERSION};".encode())
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


class ProofStore:
    """A folder of proven answers, one JSON file per fingerprint (module docs)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser()

    def __repr__(self) -> str:
        return f"ProofStore({str(self.folder)!r})"

    def _file(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The record stored under ``key``, or None (none, unreadable, or of another form)."""
        path = self._file(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.warning("proof store: %s cannot be read (%s): ignored", path, exc)
            return None
        if not isinstance(record, dict) or record.get("record_version") != RECORD_VERSION:
            logger.warning("proof store: %s is not a proof record of this camsite: ignored", path)
            return None
        return record

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Store ``record`` under ``key`` (written whole or not at all); a folder that cannot be written is
        reported and left alone: the run goes on without storing."""
        full = {**record, "record_version": RECORD_VERSION, "camsite": __version__,
                "proven_at": dt.datetime.now(dt.UTC).date().isoformat()}
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:12]}-", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(full, f)
            os.replace(tmp, self._file(key))
        except OSError as exc:
            logger.warning("proof store: cannot write to %s (%s): the proof is not kept", self.folder, exc)
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)


def instance_parts(instance: Instance, constraints: Constraints, solver: SolverOptions) -> tuple[object, ...]:
    """What every proof on ``instance`` depends on besides its own question: the coverage rows, their weights and
    existing coverage, the costs, the side constraints, and the solver and tie-break that choose among optima."""
    rows = instance.rows
    return (rows.matrix, rows.weights, rows.existing, np.asarray(instance.costs, dtype=np.float64), constraints,
            solver.name, solver.tie_break)


def checked_plan(record: dict[str, Any] | None, instance: Instance, constraints: Constraints
                 ) -> tuple[NDArray[np.int64], float] | None:
    """A stored plan's sites and recomputed cost when its sites exist, keep every side constraint and cost what
    the record says; None otherwise (a warning names why)."""
    if record is None:
        return None
    costs = np.asarray(instance.costs, dtype=np.float64)
    try:
        selected = np.asarray(record["selected"], dtype=np.int64).ravel()
        stored_cost = float(record["cost_sek"])
    except (KeyError, TypeError, ValueError):
        logger.warning("proof store: a record without its plan: ignored")
        return None
    if not len(selected) or selected.min() < 0 or selected.max() >= len(costs) \
            or not constraints.plan_ok(selected, costs, float(costs.sum())):
        logger.warning("proof store: a stored plan does not fit this instance: ignored")
        return None
    cost = float(costs[selected].sum())
    if abs(cost - stored_cost) > 1e-6 * max(1.0, abs(cost)):
        logger.warning("proof store: a stored plan costs %.0f, not %.0f: ignored", cost, stored_cost)
        return None
    return selected, cost


def stored_cover(record: dict[str, Any] | None, instance: Instance, constraints: Constraints, *,
                 requirement: NDArray[np.bool_], need: float, solver: SolverOptions) -> Solution | None:
    """A stored cheapest cover as the min-cost solve gives it (status optimal), when :func:`checked_plan` passes
    and the plan still sees ``need`` of the weight of the rows in ``requirement``."""
    plan = checked_plan(record, instance, constraints)
    if plan is None or record is None:
        return None
    selected, cost = plan
    rows = instance.rows
    covered = rows.covered(selected)
    w = rows.weights
    if float(w[requirement & covered].sum()) < need - 1e-9 * max(1.0, float(w[requirement].sum())):
        logger.warning("proof store: a stored plan no longer sees its share: ignored")
        return None
    logger.info("proof store: the cheapest plan for %s, proven on %s: %.0f kr",
                f"{100 * float(record['share']):g} % of the incidents" if isinstance(record.get("share"), float)
                else f"{need:.6g} of the weight", record.get("proven_at"), cost)
    return Solution(selected=np.sort(selected), objective=cost, bound=cost, gap=0.0, status="optimal",
                    runtime_s=0.0, solver=solver.name, model="min_cost_cover", spent=cost,
                    covered_weight=float(w[covered].sum()), total_weight=float(w.sum()),
                    reduction={"proven_at": str(record.get("proven_at"))})
