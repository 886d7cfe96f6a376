"""readers.read_points: formats, encodings, CRS detection, bad rows and every error path."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from camsite import readers
from camsite.errors import InputError

# Fridhemsplan in the three coordinate systems camsite recognises.
LAT, LON = 59.3330, 18.0308
E3011, N3011 = 151_752.0, 6_579_740.0
E3006, N3006 = 671_000.0, 6_580_500.0


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _near_fridhemsplan(gdf: gpd.GeoDataFrame) -> None:
    assert gdf.crs.to_epsg() == 3011
    assert np.all(np.abs(gdf.geometry.x - E3011) < 3000) and np.all(np.abs(gdf.geometry.y - N3011) < 3000)


# -- formats -------------------------------------------------------------------------------------------------------


def test_comma_csv_lat_lon(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"id,lat,lon,kind\n1,{LAT},{LON},x\n2,{LAT + 0.001},{LON},y\n")
    gdf = readers.read_points(p)
    _near_fridhemsplan(gdf)
    assert list(gdf["_row"]) == [2, 3]
    assert list(gdf["kind"]) == ["x", "y"]
    assert gdf.attrs["crs_from"] == "detected" and gdf.attrs["source_crs"] == "EPSG:4326"
    assert gdf.attrs["source_file"] == str(p) and gdf.attrs["dropped"] == {}
    assert gdf.geometry.y.iloc[1] - gdf.geometry.y.iloc[0] == pytest.approx(111, abs=2)


def test_semicolon_decimal_comma(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", "Id;Latitud;Longitud;Vikt\n1;59,3330;18,0308;0,5\n2;59,3340;18,0310;1,25\n")
    gdf = readers.read_points(p)
    _near_fridhemsplan(gdf)
    assert gdf["Vikt"].tolist() == [0.5, 1.25]
    assert gdf["Latitud"].tolist() == [59.333, 59.334]


def test_semicolon_with_decimal_points_and_mixed(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", "id;lat;lon\n1;59.3330;18.0308\n2;59,3340;18,0310\n")
    gdf = readers.read_points(p)
    assert len(gdf) == 2
    _near_fridhemsplan(gdf)


def test_quoted_decimal_comma_in_comma_csv(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", 'id,lat,lon\n1,"59,3330","18,0308"\n')
    _near_fridhemsplan(readers.read_points(p))


def test_utf8_bom_and_header_case(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"\ufeffLAT,LON,gata\n{LAT},{LON},Sankt Göransgatan\n", "utf-8")
    gdf = readers.read_points(p)
    assert "LAT" in gdf.columns and gdf["gata"].iloc[0] == "Sankt Göransgatan"


def test_latin1_text_column(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"lat;lon;plats\n{LAT};{LON};Fridhemsplan tunnelbana, uppgång Sankt Göransgatan"
                                  f"\n{LAT};{LON};Rålambsvägen/Drottningholmsvägen, ÅÄÖ åäö\n", "latin-1")
    gdf = readers.read_points(p)
    assert gdf["plats"].iloc[1] == "Rålambsvägen/Drottningholmsvägen, ÅÄÖ åäö"


def test_windows1252_euro_sign(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"lat;lon;kost\n{LAT};{LON};5 € – Sköndal\n", "cp1252")
    assert readers.read_points(p)["kost"].iloc[0] == "5 € – Sköndal"


def test_tab_separated_and_excel_sep_hint(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.tsv", f"lat\tlon\n{LAT}\t{LON}\n")
    _near_fridhemsplan(readers.read_points(p))
    p2 = _write(tmp_path, "b.csv", f"sep=;\nlat;lon\n{LAT};{LON}\n")
    gdf = readers.read_points(p2)
    assert gdf["_row"].tolist() == [3]


def test_thousands_spaces_in_sweref(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", "E;N\n151 752,0;6 579 740,0\n")
    gdf = readers.read_points(p)
    assert gdf.geometry.x.iloc[0] == pytest.approx(E3011)


def test_geojson(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"id": ["a", "b"], "category": ["vald", "narkotika"]},
                         geometry=[Point(LON, LAT), Point(LON + 0.001, LAT)], crs="EPSG:4326")
    p = tmp_path / "a.geojson"
    g.to_file(p, driver="GeoJSON")
    gdf = readers.read_points(p)
    _near_fridhemsplan(gdf)
    assert gdf["_row"].tolist() == [1, 2] and gdf["category"].tolist() == ["vald", "narkotika"]
    assert gdf.attrs["crs_from"] == "file"


def test_geojson_with_projected_numbers_but_no_crs_member(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                                      f'{{"id":1}},"geometry":{{"type":"Point","coordinates":[{E3011},{N3011}]}}}}]}}')
    gdf = readers.read_points(p)
    assert gdf.attrs["source_crs"] == "EPSG:3011" and gdf.attrs["crs_from"] == "detected"
    assert gdf.geometry.x.iloc[0] == pytest.approx(E3011)


def test_gpkg_with_layers_and_crs(tmp_path: Path) -> None:
    p = tmp_path / "a.gpkg"
    g = gpd.GeoDataFrame({"name": ["x", "y"]}, geometry=[Point(E3006, N3006), Point(E3006 + 10, N3006)],
                         crs="EPSG:3006")
    g.to_file(p, layer="kameror", driver="GPKG")
    lines = gpd.GeoDataFrame({"n": [1]}, geometry=[LineString([(0, 0), (1, 1)])], crs="EPSG:3006")
    lines.to_file(p, layer="gator", driver="GPKG")
    gdf = readers.read_points(p, layer="kameror")
    assert gdf.crs.to_epsg() == 3011 and gdf.attrs["source_crs"] == "EPSG:3006"
    assert gdf.geometry.x.iloc[1] - gdf.geometry.x.iloc[0] == pytest.approx(10, abs=0.1)
    # without a layer name the point layer is chosen
    assert readers.read_points(p)["name"].tolist() == ["x", "y"]
    with pytest.raises(InputError, match="no layer 'nope'") as exc:
        readers.read_points(p, layer="nope")
    assert exc.value.file == str(p)
    with pytest.raises(InputError, match="LineString, expected a point") as exc:
        readers.read_points(p, layer="gator")
    assert exc.value.where == "feature 1"


def test_gpkg_attribute_table_with_coordinate_columns(tmp_path: Path) -> None:
    p = tmp_path / "t.gpkg"
    g = gpd.GeoDataFrame({"lat": [LAT], "lon": [LON]}, geometry=[Point(0, 0)], crs="EPSG:3011")
    g.to_file(p, driver="GPKG")
    gdf = readers.read_points(p, x_column="lon", y_column="lat")
    _near_fridhemsplan(gdf)


# -- CRS detection -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "row", "epsg"), [
    ("lon,lat", f"{LON},{LAT}", "EPSG:4326"),
    ("x,y", f"{LON},{LAT}", "EPSG:4326"),
    ("easting,northing", f"{E3006},{N3006}", "EPSG:3006"),
    ("E,N", f"{E3011},{N3011}", "EPSG:3011"),
    ("ost,nord", f"{E3011},{N3011}", "EPSG:3011"),
    ("Öst,Nord", f"{E3011},{N3011}", "EPSG:3011"),
])
def test_crs_detected(tmp_path: Path, header: str, row: str, epsg: str) -> None:
    gdf = readers.read_points(_write(tmp_path, "a.csv", f"{header}\n{row}\n"))
    assert gdf.attrs["source_crs"] == epsg
    _near_fridhemsplan(gdf)


def test_swedish_x_is_northing_convention(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="camsite.readers"):
        gdf = readers.read_points(_write(tmp_path, "a.csv", f"X,Y\n{N3011},{E3011}\n"))
    assert gdf.geometry.x.iloc[0] == pytest.approx(E3011)
    assert "axes swapped" in caplog.text


def test_ambiguous_crs_names_candidates(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", "E,N\n230000,6580000\n231000,6581000\n")
    with pytest.raises(InputError) as exc:
        readers.read_points(p)
    msg = str(exc.value)
    assert "EPSG:3006" in msg and "EPSG:3011" in msg and "set crs" in msg and str(p) in msg
    assert exc.value.where == "columns E, N"
    # settling it in the scenario works
    assert readers.read_points(p, crs="EPSG:3006").attrs["source_crs"] == "EPSG:3006"


def test_swapped_lat_lon_names_columns(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"lat,lon\n{LON},{LAT}\n")
    with pytest.raises(InputError, match="swapped") as exc:
        readers.read_points(p)
    assert "'lon'" in str(exc.value) and "'lat'" in str(exc.value) and exc.value.file == str(p)


def test_swapped_with_declared_crs(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"lat,lon\n{LON},{LAT}\n")
    with pytest.raises(InputError, match="look swapped"):
        readers.read_points(p, crs="EPSG:4326")


def test_declared_crs_contradicted_by_values(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"E,N\n{E3011},{N3011}\n")
    with pytest.raises(InputError, match=r"declared EPSG:3006.*look like EPSG:3011"):
        readers.read_points(p, crs="EPSG:3006")


def test_no_crs_fits(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", "x,y\n1,2\n3,4\n")
    with pytest.raises(InputError, match="fit none of"):
        readers.read_points(p)


def test_unknown_crs_string(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"lat,lon\n{LAT},{LON}\n")
    with pytest.raises(InputError, match="unknown CRS") as exc:
        readers.read_points(p, crs="EPSG:999999")
    assert exc.value.where == "crs"


def test_other_declared_crs_is_trusted(tmp_path: Path) -> None:
    # RT 90 2.5 gon V (EPSG:3021): not in the detection table, used as declared
    p = _write(tmp_path, "a.csv", "x,y\n1628000,6581000\n")
    gdf = readers.read_points(p, crs="EPSG:3021")
    _near_fridhemsplan(gdf)


def test_fitting_crs_share() -> None:
    x = np.r_[np.full(99, LON), 500.0]
    y = np.r_[np.full(99, LAT), 500.0]
    assert readers.fitting_crs(x, y) == ["EPSG:4326"]
    assert readers.fitting_crs([np.nan], [np.nan]) == []


# -- bad rows ------------------------------------------------------------------------------------------------------


def test_nan_empty_inf_rows_dropped_with_counts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = (f"id;lat;lon\n1;{LAT};{LON}\n2;;{LON}\n3;inf;{LON}\n4;NaN;{LON}\n5;abc;{LON}\n\n"
            f"6;{LAT};-Infinity\n7;{LAT};{LON}\n;;\n")
    p = _write(tmp_path, "a.csv", text)
    with caplog.at_level(logging.WARNING, logger="camsite.readers"):
        gdf = readers.read_points(p)
    assert gdf["id"].tolist() == [1, 7] and gdf["_row"].tolist() == [2, 9]
    assert gdf.attrs["dropped"] == {"empty coordinates": 2, "coordinates not a number": 1, "infinite coordinates": 2}
    assert gdf.attrs["dropped_rows"]["infinite coordinates"] == [4, 8]
    assert gdf.attrs["rows"] == 7
    assert "dropped 2 row(s) with infinite coordinates" in caplog.text


def test_geojson_null_geometry_dropped(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.geojson", '{"type":"FeatureCollection","features":['
               '{"type":"Feature","properties":{"id":1},"geometry":null},'
               f'{{"type":"Feature","properties":{{"id":2}},"geometry":{{"type":"Point","coordinates":[{LON},{LAT}]}}}}]}}')
    gdf = readers.read_points(p)
    assert gdf["_row"].tolist() == [2] and gdf.attrs["dropped"] == {"empty coordinates": 1}


def test_duplicate_ids_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    p = _write(tmp_path, "a.csv", f"id,lat,lon\nA,{LAT},{LON}\nB,{LAT},{LON}\nA,{LAT},{LON}\n")
    with caplog.at_level(logging.WARNING, logger="camsite.readers"):
        gdf = readers.read_points(p, id_column="id")
    assert gdf.attrs["duplicate_ids"] == {"A": [2, 4]}
    assert "occur more than once" in caplog.text


def test_text_columns_keep_leading_zeros(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"id,lat,lon\n007,{LAT},{LON}\n010,{LAT},{LON}\n")
    assert readers.read_points(p, text_columns=["id"])["id"].tolist() == ["007", "010"]


# -- errors name the file and the row or column ---------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as exc:
        readers.read_points(tmp_path / "nope.csv")
    assert exc.value.file == str(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory") as exc:
        readers.read_points(tmp_path)
    assert exc.value.file == str(tmp_path)


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        readers.read_points(_write(tmp_path, "a.csv", ""))
    with pytest.raises(InputError, match="no rows"):
        readers.read_points(_write(tmp_path, "b.csv", "lat,lon\n"))


def test_no_usable_row(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no row has usable coordinates .*2 empty coordinates") as exc:
        readers.read_points(_write(tmp_path, "a.csv", "lat,lon,id\n,,1\n,,2\n"))
    assert exc.value.where == "columns lon, lat"


def test_missing_coordinate_columns(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", "a,b\n1,2\n")
    with pytest.raises(InputError, match=r"no coordinate columns found.*columns are: a, b") as exc:
        readers.read_points(p)
    assert exc.value.file == str(p) and exc.value.where == "columns"


def test_named_column_missing(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"lat,lon\n{LAT},{LON}\n")
    with pytest.raises(InputError, match="column 'E' not found") as exc:
        readers.read_points(p, x_column="E", y_column="N")
    assert exc.value.where == "column E"
    with pytest.raises(InputError, match="both x_column and y_column"):
        readers.read_points(p, x_column="lon")


def test_ragged_row_names_row(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f"lat,lon\n{LAT},{LON}\n{LAT},{LON},extra,more\n")
    with pytest.raises(InputError) as exc:
        readers.read_points(p)
    assert exc.value.where == "row 3" and exc.value.file == str(p)


def test_unknown_suffix_and_corrupt_gpkg(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown point file format"):
        readers.read_points(_write(tmp_path, "a.dbf", "x"))
    p = tmp_path / "bad.gpkg"
    p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(InputError, match="cannot") as exc:
        readers.read_points(p)
    assert exc.value.file == str(p)


def test_empty_geojson(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.geojson", '{"type":"FeatureCollection","features":[]}')
    with pytest.raises(InputError, match="no features") as exc:
        readers.read_points(p)
    assert exc.value.file == str(p)


def test_truncated_geojson(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature",')
    with pytest.raises(InputError) as exc:
        readers.read_points(p)
    assert exc.value.file == str(p)


def test_to_number_keeps_numbers() -> None:
    out = readers.to_number(pd.Series([1, 2, 3]))
    assert out.dtype == float and out.tolist() == [1.0, 2.0, 3.0]


def test_swapped_geojson_points(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                                      f'"geometry":{{"type":"Point","coordinates":[{LAT},{LON}]}}}}]}}')
    with pytest.raises(InputError, match=r"look swapped.*\(lon, lat\)") as exc:
        readers.read_points(p)
    assert exc.value.where == "geometry" and exc.value.file == str(p)


def test_decimal_commas_in_comma_csv_are_an_error(tmp_path: Path) -> None:
    # unquoted decimal commas split each number in two: pandas would silently make an index of them
    p = _write(tmp_path, "a.csv", "lat,lon\n59,33,18,03\n59,34,18,04\n")
    with pytest.raises(InputError, match=r"4 fields but the header has 2 .*decimal commas") as exc:
        readers.read_points(p)
    assert exc.value.where == "row 2"
    p = _write(tmp_path, "b.csv", f"sep=,\nlat,lon\n{LAT},{LON}\n59,34,18,04\n")
    with pytest.raises(InputError, match="4 fields but the header has 2") as exc:
        readers.read_points(p)
    assert exc.value.where == "row 4"


def test_excel_file_message(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="save the sheet as CSV"):
        readers.read_points(_write(tmp_path, "a.xlsx", "PK"))


def test_utf16_excel_unicode_text(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(f"lat\tlon\tplats\n{LAT}\t{LON}\tSöder\n".encode("utf-16"))
    gdf = readers.read_points(p)
    assert gdf["plats"].iloc[0] == "Söder"
    _near_fridhemsplan(gdf)


def test_wkt_column_qgis_export(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", f'WKT,id\n"POINT ({E3011} {N3011})",1\n"",2\nPOINT EMPTY,3\n')
    gdf = readers.read_points(p, crs="EPSG:3011")
    assert gdf["id"].tolist() == [1] and gdf.geometry.x.iloc[0] == pytest.approx(E3011)
    assert gdf.attrs["dropped"] == {"empty coordinates": 1, "coordinates not a number": 1}
    p = _write(tmp_path, "b.csv", f'WKT,id\n"POINT ({LON} {LAT})",1\n"LINESTRING (0 0, 1 1)",2\n')
    with pytest.raises(InputError, match="is not a POINT") as exc:
        readers.read_points(p)
    assert exc.value.where == "row 3, column WKT"


def test_police_feed_json_gets_a_hint(tmp_path: Path) -> None:
    p = _write(tmp_path, "events.json", '[{"id": 1, "datetime": "2024-01-01 10:00:00 +01:00", "name": "x", '
                                        '"location": {"name": "Stockholm", "gps": "59.33,18.06"}}]')
    with pytest.raises(InputError, match=r"police events feed.*import-events"):
        readers.read_points(p)
