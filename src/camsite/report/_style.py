"""Colours shared by the PNG maps and the HTML report (colour-blind safe, Okabe–Ito based)."""

from __future__ import annotations

__all__ = ["COLORS", "DEMAND_CMAP"]

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
