"""The deliverables of a run: inventory.xlsx, camsite.gpkg, map.png, budget_curve.png, report.html.

Formatting only: every writer reads a :class:`~camsite.result.RunResult` and
computes nothing beyond aggregation for display. :func:`write_deliverables`
is what ``camsite run`` calls inside its temporary output folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from camsite.report._summary import summary_data
from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["summary_data", "write_deliverables"]


def _writers() -> list[tuple[str, Callable[..., Path]]]:
    from camsite.report import gpkg, html, maps, xlsx

    return [
        ("inventory.xlsx", xlsx.write_xlsx), ("camsite.gpkg", gpkg.write_gpkg), ("map.png", maps.write_map),
        ("budget_curve.png", maps.write_budget_curve), ("report.html", html.write_html),
    ]


def write_deliverables(result: RunResult, out_dir: Path, *, lang: str = "sv",
                       include_incidents: bool = False) -> list[Path]:
    """Write every deliverable of ``result`` into ``out_dir``; return the files written.

    Parameters
    ----------
    result
        The run to report.
    out_dir
        An existing folder (``camsite run`` passes its temporary output folder).
    lang
        ``"sv"`` (default) or ``"en"``.
    include_incidents
        Put raw incident points in the report, map and GeoPackage. By default
        incidents appear only aggregated per street segment, counts under 3
        suppressed.
    """
    out_dir = Path(out_dir)
    written = []
    for name, writer in _writers():
        if name == "budget_curve.png" and result.budget_curve is None:
            continue
        written.append(writer(result, out_dir / name, lang=lang, include_incidents=include_incidents))
    logger.info("wrote %d deliverables to %s", len(written), out_dir)
    return written
