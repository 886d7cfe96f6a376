"""A robustness analysis in a run folder: robustness.csv, samples.csv, sensitivity.csv, robustness.json,
tornado.png."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from camsite.i18n import category_label, tr
from camsite.result import Robustness
from camsite.tables import jsonable, write_csv, write_text_atomic

__all__ = ["assumption_label", "tornado_bytes", "tornado_png", "write_robustness_files"]


def assumption_label(name: str, lang: str = "sv") -> str:
    """The label of a sensitivity assumption (``category:vald`` -> "Vikt: Våld")."""
    if name.startswith("category:"):
        return tr("oat_category", lang, cat=category_label(name.split(":", 1)[1], lang))
    return tr(f"oat_{name}", lang)


def tornado_png(table: pd.DataFrame, path: Path | BinaryIO, *, labels: dict[str, str], title: str,
                xlabel: str) -> Path | BinaryIO:
    """A tornado picture: per assumption, the coverage at its low and high value around the base case.

    Assumptions are sorted by the width of their swing (widest on top).
    """
    base = table.loc[table["level"] == "base", "coverage_pct"]
    b = float(base.iloc[0]) if len(base) else 0.0
    rows = table[table["level"] != "base"].pivot_table(index="assumption", columns="level", values="coverage_pct")
    rows = rows.reindex(columns=["low", "high"])
    swing = (rows["high"] - rows["low"]).abs().fillna(0.0)
    rows = rows.loc[swing.sort_values().index]
    fig = Figure(figsize=(7.5, 0.45 * max(len(rows), 2) + 1.4), dpi=120)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for col, colour in (("low", "#4c78a8"), ("high", "#e45756")):
        v = rows[col].to_numpy(float)
        ax.barh(y, np.nan_to_num(v - b), left=b, color=colour, height=0.6, label=labels.get(col, col))
    ax.axvline(b, color="#333333", linewidth=1)
    ax.set_yticks(y, [labels.get(a, a) for a in rows.index])
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    return path


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


def write_robustness_files(rob: Robustness, folder: str | Path, *, lang: str = "sv") -> list[Path]:
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
