"""layers.read_incidents / read_cameras: standard columns, mapping from config, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from camsite import config, layers
from camsite.errors import InputError
from factory import scenario

ROOT = Path(__file__).resolve().parents[1]
LAT, LON = 59.3330, 18.0308


def _scenario(tmp_path: Path, *, incidents: dict | None = None, cameras: dict | None = None) -> config.Scenario:
    """Two camera types (ptz_dome, fixed_1080p), radius 800 m, and one incident or camera layer."""
    return scenario(folder=tmp_path, study_area={"center": [59.333, 18.031], "radius_m": 800},
                    camera_types=[{"name": "ptz_dome", "range_m": 60, "capex_sek": 90000},
                                  {"name": "fixed_1080p", "range_m": 30, "fov_deg": 60, "capex_sek": 60000}],
                    optimization={"budget_sek": 500000},
                    **({"incidents": [incidents]} if incidents else {}),
                    **({"existing_cameras": cameras} if cameras else {}))


def _csv(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    (tmp_path / name).write_bytes(text.encode(encoding))
    return name


# -- incidents -----------------------------------------------------------------------------------------------------


def test_incidents_standard_columns(tmp_path: Path) -> None:
    _csv(tmp_path, "inc.csv", "nr;lat;lon;Kategori;vikt;datum;gata\n"
                              f"17;{LAT};{LON};Våld;2,5;2024-03-01 22:15;Fleminggatan\n"
                              f"18;{LAT};{LON};narkotika;;2024-03-02;\n"
                              f"19;{LAT};{LON};;1;inte ett datum;Sankt Eriksgatan\n"
                              f"20;{LAT};{LON};Klotter;0;2024-03-04T10:00:00+01:00;\n")
    s = _scenario(tmp_path, incidents={"name": "test", "path": "inc.csv", "source": "prov", "id_column": "nr",
                                       "category_column": "kategori", "weight_column": "vikt", "date_column": "datum"})
    inc = layers.read_incidents(s.incidents[0], s)
    assert tuple(inc.columns) == layers.INCIDENT_COLUMNS
    assert inc["incident_id"].tolist() == ["17", "18", "19", "20"]
    assert inc["category"].tolist() == ["vald", "narkotika", "ovrigt", "Klotter"]
    assert inc["weight"].tolist() == [2.5, 1.0, 1.0, 0.0]
    assert inc["date"].dtype == "datetime64[ns]"
    assert inc["date"].iloc[0] == pd.Timestamp("2024-03-01 22:15") and pd.isna(inc["date"].iloc[2])
    assert inc["date"].iloc[3] == pd.Timestamp("2024-03-04 10:00")
    assert inc["precision"].tolist() == ["point"] * 4
    assert inc["street"].tolist() == ["Fleminggatan", "", "Sankt Eriksgatan", ""]
    assert set(inc["source"]) == {"prov"}
    assert inc.crs.to_epsg() == 3011


def test_incidents_defaults_without_optional_columns(tmp_path: Path) -> None:
    _csv(tmp_path, "inc.csv", f"lat,lon\n{LAT},{LON}\n{LAT},{LON}\n")
    s = _scenario(tmp_path, incidents={"name": "x", "path": "inc.csv"})
    inc = layers.read_incidents(s.incidents[0], s)
    assert inc["incident_id"].tolist() == ["x-2", "x-3"]
    assert inc["category"].tolist() == ["ovrigt", "ovrigt"] and inc["weight"].tolist() == [1.0, 1.0]
    assert inc["date"].isna().all() and inc["source"].tolist() == ["x", "x"]


def test_incidents_unlocated_precision_dropped(tmp_path: Path) -> None:
    _csv(tmp_path, "inc.csv", f"lat,lon,precision\n{LAT},{LON},street\n{LAT},{LON},unlocated\n{LAT},{LON},\n")
    s = _scenario(tmp_path, incidents={"path": "inc.csv", "precision_column": "precision"})
    inc = layers.read_incidents(s.incidents[0], s)
    assert inc["precision"].tolist() == ["street", "point"]
    (reason,) = [r for r in inc.attrs["dropped"] if r.startswith("precision")]
    assert inc.attrs["dropped"][reason] == 1 and inc.attrs["dropped_rows"][reason] == [3]


def test_incidents_negative_weight_names_row(tmp_path: Path) -> None:
    _csv(tmp_path, "inc.csv", f"lat,lon,w\n{LAT},{LON},1\n{LAT},{LON},-2\n")
    s = _scenario(tmp_path, incidents={"path": "inc.csv", "weight_column": "w"})
    with pytest.raises(InputError, match="negative") as exc:
        layers.read_incidents(s.incidents[0], s)
    assert exc.value.where == "row 3, column w" and exc.value.file.endswith("inc.csv")


def test_incidents_text_weight_names_row(tmp_path: Path) -> None:
    _csv(tmp_path, "inc.csv", f"lat,lon,w\n{LAT},{LON},hög\n")
    s = _scenario(tmp_path, incidents={"path": "inc.csv", "weight_column": "w"})
    with pytest.raises(InputError, match="'hög' is not a number") as exc:
        layers.read_incidents(s.incidents[0], s)
    assert exc.value.where == "row 2, column w"


def test_incidents_missing_named_column(tmp_path: Path) -> None:
    _csv(tmp_path, "inc.csv", f"lat,lon\n{LAT},{LON}\n")
    s = _scenario(tmp_path, incidents={"path": "inc.csv", "category_column": "brottstyp"})
    with pytest.raises(InputError, match="column 'brottstyp' not found") as exc:
        layers.read_incidents(s.incidents[0], s)
    assert exc.value.where == "column brottstyp"


def test_incidents_geojson_x_y_mapping(tmp_path: Path) -> None:
    _csv(tmp_path, "inc.csv", "Xkoord;Ykoord;typ\n151752;6579740;vald\n")
    s = _scenario(tmp_path, incidents={"path": "inc.csv", "x_column": "Xkoord", "y_column": "Ykoord",
                                       "crs": "EPSG:3011", "category_column": "typ"})
    inc = layers.read_incidents(s.incidents[0], s)
    assert inc.geometry.x.iloc[0] == pytest.approx(151752) and inc["category"].iloc[0] == "vald"


# -- cameras -------------------------------------------------------------------------------------------------------


def test_shipped_illustrative_cameras(default_scenario: config.Scenario) -> None:
    cams = layers.read_cameras(default_scenario.existing_cameras, default_scenario)
    assert tuple(cams.columns) == layers.CAMERA_COLUMNS
    assert 4 <= len(cams) <= 6 and set(cams["source"]) == {"illustrative"}
    assert set(cams["camera_type"]) <= {"ptz_dome", "fixed_1080p"}
    assert cams["camera_id"].is_unique
    # near Fridhemsplan (within 1.5 km) in EPSG:3011
    d = np.hypot(cams.geometry.x - 151_752, cams.geometry.y - 6_579_740)
    assert (d < 1500).all()
    raw = pd.read_csv(ROOT / "data" / "cameras" / "existing_cameras_illustrative.csv")
    assert list(raw.columns) == ["camera_id", "lat", "lon", "camera_type", "heading_deg", "source", "note"]
    assert (raw["source"] == "illustrative").all()


def test_cameras_column_mapping(tmp_path: Path) -> None:
    _csv(tmp_path, "cam.csv", "Kamera;E;N;Modell;Riktning\n"
                              "K1;151752;6579740;PTZ_DOME;\n"
                              "K2;151800;6579800;fixed_1080p;370\n"
                              "K3;151850;6579850;;90\n", "cp1252")
    s = _scenario(tmp_path, cameras={"path": "cam.csv", "id_column": "Kamera", "type_column": "Modell",
                                     "heading_column": "Riktning", "default_type": "fixed_1080p",
                                     "source": "inventering"})
    cams = layers.read_cameras(s.existing_cameras, s)
    assert cams["camera_id"].tolist() == ["K1", "K2", "K3"]
    assert cams["camera_type"].tolist() == ["ptz_dome", "fixed_1080p", "fixed_1080p"]
    assert np.isnan(cams["heading_deg"].iloc[0]) and cams["heading_deg"].tolist()[1:] == [10.0, 90.0]
    assert set(cams["source"]) == {"inventering"}


def test_cameras_unknown_type_names_row_and_known_types(tmp_path: Path) -> None:
    _csv(tmp_path, "cam.csv", f"lat,lon,camera_type\n{LAT},{LON},ptz_dome\n{LAT},{LON},thermal\n")
    s = _scenario(tmp_path, cameras={"path": "cam.csv"})
    with pytest.raises(InputError, match=r"unknown camera type 'thermal' .*known: ptz_dome, fixed_1080p") as exc:
        layers.read_cameras(s.existing_cameras, s)
    assert exc.value.where == "row 3, column camera_type" and exc.value.file.endswith("cam.csv")


def test_cameras_missing_type_column_without_default(tmp_path: Path) -> None:
    _csv(tmp_path, "cam.csv", f"lat,lon\n{LAT},{LON}\n")
    s = _scenario(tmp_path, cameras={"path": "cam.csv"})
    with pytest.raises(InputError, match="column 'camera_type' not found") as exc:
        layers.read_cameras(s.existing_cameras, s)
    assert exc.value.where == "column camera_type"


def test_cameras_duplicate_id(tmp_path: Path) -> None:
    _csv(tmp_path, "cam.csv", f"camera_id,lat,lon\nA,{LAT},{LON}\nA,{LAT},{LON}\n")
    s = _scenario(tmp_path, cameras={"path": "cam.csv", "default_type": "ptz_dome"})
    with pytest.raises(InputError, match="camera id 'A' occurs more than once") as exc:
        layers.read_cameras(s.existing_cameras, s)
    assert exc.value.where == "row 3, column camera_id"


def test_cameras_bad_heading(tmp_path: Path) -> None:
    _csv(tmp_path, "cam.csv", f"lat,lon,heading_deg\n{LAT},{LON},north\n")
    s = _scenario(tmp_path, cameras={"path": "cam.csv", "default_type": "ptz_dome"})
    with pytest.raises(InputError, match="'north' is not a number") as exc:
        layers.read_cameras(s.existing_cameras, s)
    assert exc.value.where == "row 2, column heading_deg"


def test_empty_frames() -> None:
    assert layers.empty_incidents("EPSG:3011").crs.to_epsg() == 3011
    assert len(layers.empty_cameras("EPSG:3011")) == 0


def test_cameras_directional_without_heading_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _csv(tmp_path, "cam.csv", f"camera_id,lat,lon,camera_type,heading_deg\nF1,{LAT},{LON},fixed_1080p,\n"
                              f"D1,{LAT},{LON},ptz_dome,\n")
    s = _scenario(tmp_path, cameras={"path": "cam.csv"})
    with caplog.at_level("WARNING", logger="camsite.layers"):
        cams = layers.read_cameras(s.existing_cameras, s)
    assert len(cams) == 2
    assert "1 directional camera(s) have no heading" in caplog.text and "F1" in caplog.text
