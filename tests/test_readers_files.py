"""The checked-in exports in tests/data/readers/ read as a planner expects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from camsite import config, layers, readers
from camsite.errors import InputError

DATA = Path(__file__).resolve().parent / "data" / "readers"


def _scenario(extra: str) -> config.Scenario:
    text = ('name="t"\n[study_area]\ncenter=[59.333,18.031]\nradius_m=800\n[network]\npath="n.graphml"\n'
            '[[camera_types]]\nname="ptz_dome"\nrange_m=60\ncapex_sek=90000\n'
            '[[camera_types]]\nname="fixed_1080p"\nrange_m=30\nfov_deg=60\ncapex_sek=60000\n'
            '[optimization]\nbudget_sek=500000\n' + extra)
    return config.loads(text, file=str(DATA / "s.toml"))


def test_excel_export_incidents() -> None:
    s = _scenario('[[incidents]]\nname="excel"\npath="incidents_excel_sv.csv"\nid_column="Händelse-ID"\n'
                  'category_column="Brottstyp"\nweight_column="Vikt"\ndate_column="Datum"\n')
    inc = layers.read_incidents(s.incidents[0], s)
    assert inc["incident_id"].tolist() == ["A-001", "A-002", "A-004"]
    assert inc["category"].tolist() == ["vald", "narkotika", "ovrigt"]
    assert inc["weight"].tolist() == [1.0, 0.5, 1.0]
    assert inc["street"].tolist() == ["Fleminggatan", "Sankt Göransgatan", "Drottningholmsvägen"]
    assert inc["date"].tolist()[:2] == [pd.Timestamp("2024-03-01 22:15"), pd.Timestamp("2024-03-02")]
    assert inc["date"].iloc[2] == pd.Timestamp("2024-04-03")  # 03/04/2024 read day first
    assert inc.attrs["dropped"] == {"empty coordinates": 1} and inc.attrs["dropped_rows"] == {"empty coordinates": [4]}


def test_sweref99tm_cameras() -> None:
    s = _scenario('[existing_cameras]\npath="cameras_sweref99tm.csv"\nid_column="kamera_id"\ntype_column="modell"\n'
                  'heading_column="riktning"\n')
    cams = layers.read_cameras(s.existing_cameras, s)
    assert cams.attrs["source_crs"] == "EPSG:3006" and cams.crs.to_epsg() == 3011
    assert cams["camera_type"].tolist() == ["ptz_dome", "fixed_1080p"]
    # Fridhemsplan (59.3330 N, 18.0308 E) in SWEREF 99 18 00
    assert np.hypot(cams.geometry.x.iloc[0] - 151_753.1, cams.geometry.y.iloc[0] - 6_579_765.0) < 1


def test_swapped_file() -> None:
    with pytest.raises(InputError, match="columns look swapped: 'lon' holds latitudes and 'lat' holds longitudes"):
        readers.read_points(DATA / "incidents_swapped.csv")


def test_ambiguous_file() -> None:
    with pytest.raises(InputError, match=r"fit EPSG:3006 .* and EPSG:3011"):
        readers.read_points(DATA / "incidents_ambiguous.csv")
