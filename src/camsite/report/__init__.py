"""Everything a run writes: the run folder (sites.csv, sites.geojson, the tables, summary.json), the
robustness files and the deliverables (inventory.xlsx, camsite.gpkg, map.png, budget_curve.png, report.html).

Formatting only: every writer reads a :class:`~camsite.result.RunResult` and
computes nothing beyond aggregation for display. :func:`write_run` writes a
whole run folder atomically (through :mod:`camsite.runfolder`);
:func:`write_deliverables` is what it calls inside its temporary folder.
"""

from __future__ import annotations

from camsite.report._summary import summary_data
from camsite.report.outputs import write_deliverables, write_run

__all__ = ["summary_data", "write_deliverables", "write_run"]
