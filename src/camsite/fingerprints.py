"""Fingerprints of what makes two runs' money comparable: the cost table and the camera types.

summary.json carries them (``fingerprints``), so that ``camsite merge`` can
refuse to add up districts that priced their cameras differently. Each is the
SHA-256 of a normalised text, so that a file saved again with other quoting,
line endings, column order or row order gives the same fingerprint, and any
change of an amount does not:

* the cost table: one line per cost line, sorted, of the fields that carry
  money (camera type, line, kind, amount in SEK to the öre, price year); a
  source or note edited in the file leaves it unchanged. Without a
  ``[costs] table`` the lines are the camera types' own capex and opex lines
  (:func:`camsite.cost_lines.scenario_lines`);
* the camera types: every field that changes what a type sees or costs (all
  but its ``label`` and ``source`` texts), per type and for all types together.

>>> from camsite.cost_lines import CostLine
>>> a = table_sha256((CostLine("cam", "hardware", "investment", 100.0, 2026), CostLine("cam", "x", "operation", 5)))
>>> b = table_sha256((CostLine("cam", "x", "operation", 5.0, note="moved"), CostLine("cam", "hardware", "investment",
...                                                                                   100, 2026)))
>>> a == b, a == table_sha256((CostLine("cam", "hardware", "investment", 101.0, 2026),))
(True, False)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from camsite.config import CameraType, Scenario
from camsite.cost_lines import CostLine, scenario_lines

__all__ = ["CAMERA_TEXT_FIELDS", "camera_type_sha256", "fingerprints", "table_sha256"]

#: Camera type fields that are words for people, not figures: left out of the fingerprint.
CAMERA_TEXT_FIELDS: tuple[str, ...] = ("label", "source")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _amount(value: float) -> str:
    """An amount to the öre, the same text for 100, 100.0 and 100.001."""
    return f"{round(float(value), 2):.2f}"


def table_sha256(lines: Iterable[CostLine]) -> str:
    """SHA-256 of the cost lines' money fields, one sorted line each (module docs)."""
    rows = sorted("\t".join((ln.camera_type, ln.line, ln.kind, _amount(ln.amount_sek), str(ln.price_year or "")))
                  for ln in lines)
    return _sha256("\n".join(rows))


def camera_type_sha256(camera: CameraType) -> str:
    """SHA-256 of one camera type's figures (every field but :data:`CAMERA_TEXT_FIELDS`), as canonical JSON."""
    fields = {k: v for k, v in dataclasses.asdict(camera).items() if k not in CAMERA_TEXT_FIELDS}
    return _sha256(json.dumps(fields, sort_keys=True, ensure_ascii=True, default=str))


def fingerprints(scenario: Scenario) -> dict[str, Any]:
    """summary.json's ``fingerprints``: the cost table's and the camera types' SHA-256 (module docs).

    Returns
    -------
    dict
        ``cost_table``: ``file`` (the table's file name, None without a table), ``sha256``, ``lines``;
        ``camera_types``: ``sha256`` (all types, by name) and ``types`` (name -> that type's sha256).
    """
    lines = scenario_lines(scenario)
    table = scenario.costs.table
    types = {c.name: camera_type_sha256(c) for c in sorted(scenario.camera_types, key=lambda c: c.name)}
    return {
        "cost_table": {"file": Path(table).name if table is not None else None, "sha256": table_sha256(lines),
                       "lines": len(lines)},
        "camera_types": {"sha256": _sha256("\n".join(f"{n}\t{h}" for n, h in types.items())), "types": types},
    }
