"""The deliverables of a run: inventory.xlsx, camsite.gpkg, map.png, budget_curve.png, report.html.

Formatting only: every writer reads a :class:`~camsite.result.RunResult` and
computes nothing beyond aggregation for display. :func:`write_deliverables`
is what ``camsite run`` calls inside its temporary output folder.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["write_deliverables", "DELIVERABLES"]

#: Files :func:`write_deliverables` writes (budget_curve.png only when a curve was computed).
DELIVERABLES: tuple[str, ...] = ("inventory.xlsx", "camsite.gpkg", "map.png", "budget_curve.png", "report.html")


def _writers() -> list[tuple[str, Callable[..., Path]]]:
    from camsite.report import gpkg, html, maps, xlsx

    return [
        ("inventory.xlsx", xlsx.write_xlsx), ("camsite.gpkg", gpkg.write_gpkg), ("map.png", maps.write_map),
        ("budget_curve.png", maps.write_budget_curve), ("report.html", html.write_html),
    ]


def write_deliverables(result: RunResult, out_dir: Path, *, lang: str = "sv", include_incidents: bool = False,
                       tiles_url: str | None = None) -> list[Path]:
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
    tiles_url
        Background map tiles for report.html (e.g.
        ``"https://tile.openstreetmap.org/{z}/{x}/{y}.png"``). Off by default:
        the report then loads nothing from the network.
    """
    out_dir = Path(out_dir)
    written = []
    for name, writer in _writers():
        if name == "budget_curve.png" and result.budget_curve is None:
            continue
        extra = {"tiles_url": tiles_url} if name == "report.html" and tiles_url else {}
        written.append(writer(result, out_dir / name, lang=lang, include_incidents=include_incidents, **extra))
    logger.info("wrote %d deliverables to %s", len(written), out_dir)
    return written
