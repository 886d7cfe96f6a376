"""Colours shared by the PNG maps and the HTML report (colour-blind safe, Okabe–Ito based)."""

from __future__ import annotations

__all__ = ["COLORS", "DEMAND_CMAP", "FAR_FACTOR"]

COLORS: dict[str, str] = {
    "street": "#9aa0a6",
    "street_major": "#7b8188",
    "existing": "#0072B2",
    "proposed": "#D55E00",
    "suppressed": "#bdbdbd",
    "incident": "#6a3d9a",
    "study_area": "#444444",
    "subarea": "#009E73",
    "text": "#222222",
    "knee": "#CC79A7",
    "warning": "#B00020",  # points not proven optimal (drawn hollow, so shape tells them apart too)
}

#: Matplotlib colormap for incidents per street segment (and its stops for the HTML legend).
DEMAND_CMAP: str = "Purples"


#: A target point costing more than this many times the curve's largest budget is not drawn at its cost (the
#: curve would shrink to a corner): budget_curve.png and the report's curve put it at the right edge, pointing
#: right, with its cost in the label.
FAR_FACTOR = 2.0
