"""The canvas of the figures a run writes to files (map.png, budget_curve.png): drawn once, when saved.

geopandas asks the canvas for a redraw after every layer it plots
(``draw_idle``), and an Agg canvas then renders the whole figure: map.png
was rendered 16 times before being saved (about 1 s of the report step). A
figure written to a file is drawn when it is saved or measured
(``savefig``, ``get_window_extent``), so :class:`FileCanvas` skips the
idle redraws; the PNGs are the same bytes.
"""

from __future__ import annotations

from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = ["FileCanvas"]


class FileCanvas(FigureCanvasAgg):
    """An Agg canvas that draws only when the figure is saved or measured (module docs)."""

    def draw_idle(self, *args: Any, **kwargs: Any) -> None:
        """Nothing: the figure is drawn when it is saved."""
