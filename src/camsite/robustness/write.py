"""Write a robustness analysis into a run folder: robustness.csv, samples.csv, sensitivity.csv, robustness.json,
tornado.png."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

from camsite.i18n import category_label, tr
from camsite.robustness.sensitivity import tornado_png
from camsite.robustness.tables import Robustness
from camsite.tables import jsonable, write_csv, write_text_atomic

__all__ = ["assumption_label", "tornado_bytes", "write_files"]


def assumption_label(name: str, lang: str = "sv") -> str:
    """The label of a sensitivity assumption (``category:vald`` -> "Vikt: Våld")."""
    if name.startswith("category:"):
        return tr("oat_category", lang, cat=category_label(name.split(":", 1)[1], lang))
    return tr(f"oat_{name}", lang)


@functools.lru_cache(maxsize=4)
def tornado_bytes(rob: Robustness, lang: str = "sv") -> bytes | None:
    """The tornado picture as PNG bytes (None without a sensitivity table), rendered once per analysis and
    language for both tornado.png and the report."""
    if rob.sensitivity is None or not len(rob.sensitivity):
        return None
    names = {a: assumption_label(a, lang) for a in rob.sensitivity["assumption"].unique()}
    buf = io.BytesIO()
    tornado_png(rob.sensitivity, buf, labels={**names, "low": tr("oat_low", lang), "high": tr("oat_high", lang)},
                title=tr("oat_title", lang), xlabel=tr("oat_x", lang))
    return buf.getvalue()


def write_files(rob: Robustness, folder: str | Path, *, lang: str = "sv") -> list[Path]:
    """The robustness files in ``folder``; returns their paths."""
    folder = Path(folder)
    paths = [write_csv(rob.sites, folder / "robustness.csv"), write_csv(rob.samples, folder / "samples.csv")]
    data = {**rob.summary(), "alternatives": rob.alternatives.to_dict(orient="records")}
    paths.append(write_text_atomic(folder / "robustness.json",
                                   json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n"))
    if rob.sensitivity is not None and len(rob.sensitivity):
        paths.append(write_csv(rob.sensitivity, folder / "sensitivity.csv"))
        png = tornado_bytes(rob, lang)
        assert png is not None  # a sensitivity table gives a picture
        (folder / "tornado.png").write_bytes(png)
        paths.append(folder / "tornado.png")
    return paths
