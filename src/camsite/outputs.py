"""Write a run's output folder atomically.

Everything is written into a temporary folder beside the target and renamed
into place only when every file is complete. An earlier run's folder stays
intact until then; a failed or interrupted run leaves it as it was and removes
its own temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from camsite.errors import InputError
from camsite.result import SITES_COLUMNS, RunResult

logger = logging.getLogger(__name__)

__all__ = ["check_output_dir", "atomic_output_dir", "write_run", "write_sites_csv", "write_sites_geojson", "write_summary", "MARKER"]

#: File that marks a folder as a camsite output folder (safe to replace).
MARKER = "summary.json"


def check_output_dir(target: Path) -> None:
    """Raise :class:`InputError` now if ``target`` cannot receive a run (checked again when writing)."""
    if target.exists() and not target.is_dir():
        raise InputError("output path exists and is not a folder", file=target)
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise InputError("output folder exists, is not empty and holds no camsite run (no summary.json); "
                         "choose another --out", file=target)
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder ({exc.strerror})", file=parent) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("output folder is not writable", file=parent)


@contextlib.contextmanager
def atomic_output_dir(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target`` in one rename.

    On any exception (including KeyboardInterrupt) the temporary folder is
    removed and ``target`` is left untouched.
    """
    target = Path(target)
    check_output_dir(target)
    parent = target.resolve().parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    except OSError as exc:
        raise InputError(f"cannot write in output folder ({exc.strerror})", file=parent) from None
    try:
        yield tmp
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, old / "previous")
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None, recursively."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_clean(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_summary(summary: dict[str, Any], path: Path) -> None:
    """Write summary.json (UTF-8, sorted keys kept in insertion order, 2-space indent)."""
    path.write_text(json.dumps(_clean(summary), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_sites_csv(sites: pd.DataFrame, path: Path) -> None:
    """Write sites.csv: the :data:`SITES_COLUMNS`, fixed decimals, so reruns are byte-identical."""
    sites.loc[:, list(SITES_COLUMNS)].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_sites_geojson(sites: pd.DataFrame, path: Path) -> None:
    """Write sites.geojson: the sites as WGS84 points (RFC 7946) with the sites.csv columns as properties."""
    features = []
    for rec in sites.loc[:, list(SITES_COLUMNS)].to_dict(orient="records"):
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [rec["lon"], rec["lat"]]},
            "properties": _clean(rec),
        })
    doc = {"type": "FeatureCollection", "name": "proposed_sites", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _write_table(df: pd.DataFrame | None, path: Path) -> None:
    if df is not None:
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_run(
    result: RunResult,
    out_dir: str | Path,
    *,
    lang: str = "sv",
    include_incidents: bool = False,
    deliverables: bool = True,
    on_file: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write every output of ``result`` into ``out_dir`` atomically; return the final paths."""
    out_dir = Path(out_dir)
    try:
        with atomic_output_dir(out_dir) as tmp:
            write_sites_csv(result.sites, tmp / "sites.csv")
            write_sites_geojson(result.sites, tmp / "sites.geojson")
            _write_table(result.budget_curve, tmp / "budget_curve.csv")
            _write_table(result.stages, tmp / "stages.csv")
            if deliverables:
                from camsite import report  # formatting only; imported late to keep the core light

                report.write_deliverables(result, tmp, lang=lang, include_incidents=include_incidents)
            summary = dict(result.summary, outputs=sorted(p.name for p in tmp.iterdir()) + [MARKER])
            write_summary(summary, tmp / MARKER)  # written last: its presence marks a complete run
            names = sorted(p.name for p in tmp.iterdir())
    except OSError as exc:  # disk full, permissions, a vanished folder: the earlier run is left as it was
        name = Path(exc.filename).name if exc.filename else None
        raise InputError(f"cannot write the output folder ({exc.strerror or exc}"
                         + (f", writing {name}" if name else "") + "); the earlier output is unchanged",
                         file=out_dir) from None
    logger.info("wrote %d files to %s", len(names), out_dir)
    return [out_dir / n for n in names]
