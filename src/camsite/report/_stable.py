"""Byte-stable deliverables: the same run gives the same inventory.xlsx and camsite.gpkg.

Both formats stamp the time they were written (the xlsx's zip entries and
document properties, the GeoPackage's ``gpkg_contents.last_change``). The
run's time is in summary.json (``date``, ``runtime_s``); these files get a
fixed stamp instead, so reruns can be compared byte for byte.
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

__all__ = ["FIXED_TIMESTAMP", "stable_gpkg", "stable_zip"]

#: The time stamped into deliverables (the earliest a zip file can hold).
FIXED_TIMESTAMP = "1980-01-01T00:00:00.000Z"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_zip(path: Path) -> None:
    """Rewrite a zip container (xlsx) with every entry stamped :data:`FIXED_TIMESTAMP`, in the same order."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>1980-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    tmp.replace(path)


def stable_gpkg(path: Path) -> None:
    """Stamp every layer's ``last_change`` with :data:`FIXED_TIMESTAMP` and compact the file (without waiting
    for the disk: the run's folder is moved into place only when complete, :mod:`camsite.runfolder`)."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA synchronous = OFF")
        con.execute("UPDATE gpkg_contents SET last_change = ?", (FIXED_TIMESTAMP,))
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
