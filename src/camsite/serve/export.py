""""Spara plan": a what-if plan as a scenario file ``camsite run`` reproduces, and its run folder.

Each save takes the next free number ``N`` in the export folder (after the
highest one there, created exclusively: a saved plan is never overwritten)
and writes

* ``plan-N.toml``: ``extends`` the original scenario and sets the budget,
  ``optimization.forced_sites`` / ``forbidden_sites`` and the category weights;
* ``plan-N-cameras.csv`` (only when existing cameras were removed): the
  scenario's existing cameras without the removed ones, in the working CRS,
  referenced from ``[existing_cameras]``;
* ``plan-N/``: the run folder of ``camsite run plan-N.toml --no-curve``
  (sites.csv, inventory.xlsx, report.html, camsite.gpkg, ...), written by the
  same pipeline.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from camsite import pipeline
from camsite.config import Scenario
from camsite.report import write_run
from camsite.result import RunResult
from camsite.serve.request import PlanRequest
from camsite.serve.state import load_scenario
from camsite.tables import safe_frame, write_text_atomic

logger = logging.getLogger(__name__)

__all__ = ["PLAN_NAME", "claim_number", "export_plan", "plan_toml", "write_cameras"]


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _toml_str(key)


def _relative(target: Path, folder: Path) -> str:
    """``target`` relative to ``folder`` where possible (portable), else absolute; always with ``/``."""
    try:
        return Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return target.resolve().as_posix()


def plan_toml(scenario: Scenario, req: PlanRequest, folder: Path, *, plan_id: int, cameras: Path | None) -> str:
    """The scenario file of a plan: ``extends`` the original, then the plan's changes."""
    assert scenario.source_file is not None
    lines = [f"# camsite serve: plan {plan_id}, saved from the planning workbench.",
             "# Reproduce it with: camsite run THIS_FILE --no-curve",
             f"extends = {_toml_str(_relative(Path(scenario.source_file), folder))}",
             f"title = {_toml_str(f'{scenario.title or scenario.name} (plan {plan_id})')}", "",
             "[optimization]", 'objective = "max_coverage"', f"budget_sek = {req.budget_sek!r}",
             f"forced_sites = {_toml_list(req.forced)}", f"forbidden_sites = {_toml_list(req.forbidden)}", ""]
    if req.weights != dict(scenario.category_weights):
        lines += ["[category_weights]", *(f"{_toml_key(k)} = {v!r}" for k, v in req.category_weights), ""]
    if cameras is not None:
        lines += ["[existing_cameras]", f"path = {_toml_str(_relative(cameras, folder))}",
                  f"crs = {_toml_str(scenario.crs)}", 'x_column = "x"', 'y_column = "y"', 'id_column = "camera_id"',
                  'type_column = "camera_type"', 'heading_column = "heading_deg"', ""]
    return "\n".join(lines)


def write_cameras(existing: gpd.GeoDataFrame, removed: tuple[str, ...], path: Path) -> Path:
    """The existing cameras without ``removed`` as CSV in the working CRS (coordinates written exactly)."""
    keep = existing[~existing["camera_id"].astype(str).isin(removed)]
    frame = pd.DataFrame({"camera_id": keep["camera_id"].astype(str).to_numpy(),
                          "x": keep.geometry.x.to_numpy(float), "y": keep.geometry.y.to_numpy(float),
                          "camera_type": keep["camera_type"].astype(str).to_numpy(),
                          "heading_deg": keep["heading_deg"].to_numpy(float),
                          "source": keep["source"].astype(str).to_numpy() if "source" in keep else ""})
    # repr floats: read back bit for bit; text through the formula guard (an id "=cmd|..." is written "'=cmd|...",
    # which a spreadsheet shows as text and camsite reads as that id)
    return write_text_atomic(path, safe_frame(frame).to_csv(index=False, lineterminator="\n"))


#: A saved plan's files: ``plan-N.toml``, ``plan-N-cameras.csv`` and the folder ``plan-N`` (N from 001).
PLAN_NAME = re.compile(r"plan-(\d{3,9})(?:\.toml|-cameras\.csv)?")


def claim_number(folder: Path) -> tuple[int, Path]:
    """The next free plan number in ``folder`` and its scenario file, created empty and exclusively.

    Numbering continues after the highest ``plan-N`` already there (saved in an earlier session, or by another
    server on the same folder); a number is taken by creating ``plan-N.toml`` with ``O_EXCL``, so two saves never
    get one number and no saved plan is ever overwritten.
    """
    folder.mkdir(parents=True, exist_ok=True)
    taken = [int(m.group(1)) for p in folder.iterdir() if (m := PLAN_NAME.fullmatch(p.name))]
    number = max(taken, default=0) + 1
    while True:
        stem = f"plan-{number:03d}"
        path = folder / f"{stem}.toml"
        if not any((folder / n).exists() or (folder / n).is_symlink() for n in (stem, f"{stem}-cameras.csv")):
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
                return number, path
            except FileExistsError:
                pass
        number += 1


def export_plan(base: RunResult, req: PlanRequest, folder: Path, *, plan_id: int) -> tuple[RunResult, dict[str, Any]]:
    """Write the scenario file (and camera file) of the page's plan ``plan_id`` to ``folder`` as the next free
    plan number N (:func:`claim_number`), and run it into ``folder/plan-N``.

    Returns the run and what was written (``number``, ``scenario``, ``cameras`` or None, ``run_folder``). When
    the run fails, the files of number N are removed again (the number stays free for the next save).
    """
    number, scen_path = claim_number(folder)
    stem = f"plan-{number:03d}"
    cameras = None
    try:
        if req.removed_existing:
            cameras = write_cameras(base.instance.existing, req.removed_existing, folder / f"{stem}-cameras.csv")
        write_text_atomic(scen_path, plan_toml(base.scenario, req, folder, plan_id=number, cameras=cameras))
        scen = load_scenario(scen_path)
        result = pipeline.run(scen)
        run_dir = folder / stem
        write_run(result, run_dir, lang=scen.output.lang, include_incidents=scen.output.include_incidents)
    except BaseException:
        for path in (scen_path, cameras):
            if path is not None:
                path.unlink(missing_ok=True)
        raise
    logger.info("plan %d saved as %s: %s and %s", plan_id, stem, scen_path, run_dir)
    return result, {"number": number, "scenario": str(scen_path), "cameras": None if cameras is None else str(cameras),
                    "run_folder": str(run_dir)}
