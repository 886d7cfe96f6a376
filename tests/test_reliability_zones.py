"""A do-not-view zone larger than the study area's bounding box with the cameras' reach is refused on one line
naming its key, in validate and in run (before any work); zones of a place's size pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import factory
from factory import LAT, LON

pytestmark = pytest.mark.usefixtures("shipped_network_once")

#: The small scenario: a 300 m circle (bounding box 600 m x 600 m), longest camera range 60 m (the PTZ dome):
#: a zone may cover at most (600 + 2 * 60)² m² = 0.52 km².
LIMIT = "more than the study area's bounding box with the cameras' reach of 60 m around it (0.52 km²)"


def _write(tmp_path: Path, zone: dict[str, Any]) -> Path:
    return factory.write_scenario(tmp_path, factory.fridhemsplan_data(candidates={"no_view": [zone]}))


@pytest.mark.parametrize(("zone", "key", "size"), [
    # a 450 m circle: a 64-gon of 32 * sin(2 pi / 64) * 450² = 635,151 m²
    ({"name": "stort", "point": [LAT, LON], "buffer_m": 450}, "candidates.no_view[0].buffer_m", "covers 0.64 km²"),
    # a polygon over the whole area and more: about 2.2 km x 2.2 km
    ({"name": "allt", "polygon": [[LON - 0.02, LAT - 0.01], [LON + 0.02, LAT - 0.01], [LON + 0.02, LAT + 0.01],
                                  [LON - 0.02, LAT + 0.01]]}, "candidates.no_view[0].polygon", "'allt' covers"),
])
def test_a_zone_larger_than_the_area_is_refused(tmp_path: Path, zone: dict[str, Any], key: str, size: str) -> None:
    path = _write(tmp_path, zone)
    res = factory.invoke("validate", path)
    factory.one_error_line(res.stderr, res.exit_code, 2, key, size, LIMIT)
    out = tmp_path / "out"
    res = factory.invoke("run", path, "--no-curve", "--no-progress", "--out", out)
    factory.one_error_line(res.stderr, res.exit_code, 2, key, size, LIMIT)
    assert not out.exists()


def test_a_zone_of_a_place_passes(tmp_path: Path) -> None:
    res = factory.invoke("validate", _write(tmp_path, {"name": "entre", "point": [LAT, LON], "buffer_m": 100}))
    assert res.exit_code == 0, res.stderr
