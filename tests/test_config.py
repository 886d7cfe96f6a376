"""Scenario files: validation names the file and the key, overrides are validated in full."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest

from camsite import config
from camsite.errors import ConfigError
from factory import DEFAULT_SCENARIO, DROP, MINIMAL, ROOT, scenario, scenario_data, toml, write_scenario


def _err(**overrides: Any) -> str:
    with pytest.raises(ConfigError) as info:
        scenario(**overrides)
    return str(info.value)


def test_default_scenarios_load() -> None:
    s = config.load(DEFAULT_SCENARIO)
    assert s.crs == "EPSG:3011"
    assert {a.name for a in s.subareas} >= {"fridhemsplan", "stadshagen", "drogscen_2023", "drogscen_2024"}
    assert s.category_weights["trafik"] == 0.0
    # cost of a site = capex + horizon × opex: 60,000 + 4 × 12,000
    assert s.camera_type("fixed_1080p").cost_sek(s.optimization.horizon_years) == 108_000
    s2 = config.load(ROOT / "scenarios" / "drogscen_2024.toml")
    assert s2.name == "drogscen_2024" and s2.optimization.budget_sek == 800_000
    # inherited relative paths still point at the same files
    assert s2.resolve(s2.network.path) == s.resolve(s.network.path)
    assert s2.resolve(s2.network.path).exists()


def test_minimal_defaults() -> None:
    s = scenario()
    assert s.optimization.horizon_years == 4.0
    assert s.demand.snap_distance_m == 30 and s.demand.street_spacing_m == 10
    assert s.candidates.spacing_m == 20
    assert s.output_dir() == Path("out") / "t"
    assert s.source_file == "s.toml"


def test_factory_writes_what_it_loads(tmp_path: Path) -> None:
    """The factory's TOML round-trips through tomllib (nested tables, arrays of tables, non-ASCII)."""
    import tomllib

    data = scenario_data(name="Rådhuset", candidates={"exclusions": [{"name": "a", "point": [59.33, 18.03]}]},
                         demand={"footfall": {"path": "ff.csv"}})
    assert tomllib.loads(toml(data)) == data
    s = config.load(write_scenario(tmp_path, data))
    assert s.name == "Rådhuset" and s.candidates.exclusions[0].point == (59.33, 18.03)
    assert s.resolve(s.demand.footfall.path) == (tmp_path / "ff.csv").resolve()


CAM = MINIMAL["camera_types"][0]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"optimization": {"bugdet": 3}}, "s.toml: optimization.bugdet: unknown key"),
        ({"optimization": {"budget_sek": "lots"}}, "s.toml: optimization.budget_sek: expected a number"),
        ({"optimization": {"budget_sek": -5}}, "s.toml: optimization.budget_sek: must be > 0"),
        ({"optimization": {"budget_sek": 0}}, "s.toml: optimization.budget_sek: must be > 0"),
        ({"camera_types": [dict(CAM, range_m=0)]}, "s.toml: camera_types[0].range_m: must be > 0"),
        ({"camera_types": [dict(CAM, fov_deg=400)]}, "s.toml: camera_types[0].fov_deg: must be in (0, 360]"),
        ({"study_area": {"polygon": [[1, 2], [3, 4], [5, 6]]}}, "s.toml: study_area: give exactly one"),
        ({"optimization": {"solver": "gurobi"}}, "s.toml: optimization.solver: must be"),
        ({"category_weights": {"vald": -1}}, "s.toml: category_weights.vald: must be in [0, 1e+06]"),
        ({"study_area": {"center": [159.3, 18.0]}}, "s.toml: study_area.center:"),
        ({"network": DROP}, "s.toml: network: required key is missing"),
    ],
)
def test_errors_name_file_and_key(overrides: dict[str, Any], expected: str) -> None:
    assert _err(**overrides).startswith(expected)


def test_unknown_camera_type_in_caps() -> None:
    assert "optimization.max_per_type.ptz: unknown camera type 'ptz' (known: dome)" in _err(
        optimization={"max_per_type": {"ptz": 2}})


@pytest.mark.parametrize(("overrides", "key"), [
    ({"optimization": {"budget_sek": math.inf}}, "optimization.budget_sek"),
    ({"optimization": {"time_limit_s": math.nan}}, "optimization.time_limit_s"),
    ({"camera_types": [dict(CAM, range_m=math.nan)]}, "camera_types[0].range_m"),
    ({"camera_types": [dict(CAM, opex_sek_per_year=math.inf)]}, "camera_types[0].opex_sek_per_year"),
    ({"category_weights": {"vald": math.inf}}, "category_weights.vald"),
    ({"demand": {"snap_distance_m": -math.inf}}, "demand.snap_distance_m"),
    ({"demand": {"precision_factors": {"street": math.nan}}}, "demand.precision_factors.street"),
    ({"study_area": {"center": [math.nan, 18.0]}}, "study_area.center[0]"),
    ({"network": {"half_width_m": {"primary": math.inf}}}, "network.half_width_m.primary"),
    ({"optimization": {"budget_sweep": {"budgets": [1e5, math.inf]}}}, "optimization.budget_sweep.budgets[1]"),
])
def test_non_finite_numbers_rejected_naming_the_key(overrides: dict[str, Any], key: str) -> None:
    """TOML allows inf and nan; a scenario never does (a budget of inf would make every plan 'optimal')."""
    assert _err(**overrides).startswith(f"s.toml: {key}: expected a finite number")


def test_bad_toml_and_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        config.loads("name = ", file="s.toml")
    assert str(info.value).startswith("s.toml: not valid TOML")
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="is a directory"):
        config.load(tmp_path)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(toml(scenario_data(name="Rådhuset")).encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load(latin)


def test_extends_merges_and_detects_cycles(tmp_path: Path) -> None:
    write_scenario(tmp_path, name="base.toml")
    (tmp_path / "sub").mkdir()
    child = tmp_path / "sub" / "child.toml"
    child.write_text('extends = "../base.toml"\nname = "c"\n[optimization]\nbudget_sek = 5\n', encoding="utf-8")
    s = config.load(child)
    assert (s.name, s.optimization.budget_sek, s.camera_types[0].name) == ("c", 5.0, "dome")
    assert s.resolve(s.network.path) == (tmp_path / "net.graphml").resolve()
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="extends itself"):
        config.load(tmp_path / "a.toml")


# -- config.override: a changed section is validated exactly like the file --------------------------------------------


def test_override_replaces_sections_and_keeps_the_file() -> None:
    s = scenario()
    o = config.override(s, optimization=dataclasses.replace(s.optimization, budget_sek=1e6))
    assert o.optimization.budget_sek == 1e6 and o.source_file == "s.toml"
    assert o.camera_types == s.camera_types and s.optimization.budget_sek == 200_000  # the original is unchanged


def test_override_negative_snap_distance_names_the_key() -> None:
    s = scenario()
    with pytest.raises(ConfigError) as info:
        config.override(s, demand=dataclasses.replace(s.demand, snap_distance_m=-5.0))
    assert str(info.value) == "s.toml: demand.snap_distance_m: must be >= 0"
    assert info.value.where == "demand.snap_distance_m"


@pytest.mark.parametrize(("section", "field", "value", "key", "message"), [
    ("optimization", "budget_sek", -1.0, "optimization.budget_sek", "must be > 0"),
    ("optimization", "budget_sek", math.inf, "optimization.budget_sek", "expected a finite number"),
    ("optimization", "time_limit_s", math.nan, "optimization.time_limit_s", "expected a finite number"),
    ("demand", "street_spacing_m", -math.inf, "demand.street_spacing_m", "expected a finite number"),
    # mistyped values (a script passing strings from a form): a ConfigError, never a TypeError
    ("optimization", "budget_sek", "500000", "optimization.budget_sek", "expected a number"),
    ("optimization", "greedy", "yes", "optimization.greedy", "expected true or false"),
    ("optimization", "forced_sites", "S1", "optimization.forced_sites", "expected a list"),
    ("demand", "half_life_years", "2 years", "demand.half_life_years", "expected a number"),
    ("optimization", "solver", "gurobi", "optimization.solver", "must be"),
])
def test_override_is_validated_in_full(section: str, field: str, value: object, key: str, message: str) -> None:
    s = scenario()
    with pytest.raises(ConfigError) as info:
        config.override(s, **{section: dataclasses.replace(getattr(s, section), **{field: value})})
    assert str(info.value).startswith(f"s.toml: {key}: {message}")


def test_override_checks_across_sections() -> None:
    """A camera type removed by an override is still referenced by max_per_type: named, not a KeyError."""
    s = scenario(camera_types=[MINIMAL["camera_types"][0], {"name": "ptz", "range_m": 60, "capex_sek": 1}],
                 optimization={"max_per_type": {"ptz": 1}})
    with pytest.raises(ConfigError, match=r"optimization\.max_per_type\.ptz: unknown camera type 'ptz'"):
        config.override(s, camera_types=s.camera_types[:1])


def test_scenario_is_frozen() -> None:
    s = scenario()
    with pytest.raises(AttributeError):
        s.name = "x"  # type: ignore[misc]
