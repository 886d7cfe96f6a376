"""Scenario files: validation names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from camsite import config
from camsite.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
name = "t"
[study_area]
center = [59.3330, 18.0308]
radius_m = 300
[network]
path = "net.graphml"
[[camera_types]]
name = "dome"
range_m = 40
capex_sek = 50000
opex_sek_per_year = 5000
[optimization]
budget_sek = 200000
"""


def _err(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        config.loads(text, file="s.toml")
    return str(info.value)


def test_default_scenarios_load() -> None:
    s = config.load(ROOT / "scenarios" / "fridhemsplan.toml")
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
    s = config.loads(MINIMAL, file="s.toml")
    assert s.optimization.horizon_years == 4.0
    assert s.demand.snap_distance_m == 30 and s.demand.street_spacing_m == 10
    assert s.candidates.spacing_m == 20
    assert s.output_dir() == Path("out") / "t"


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (("budget_sek = 200000", "budget_sek = 200000\nbugdet = 3"), "s.toml: optimization.bugdet: unknown key"),
        (("budget_sek = 200000", "budget_sek = \"lots\""), "s.toml: optimization.budget_sek: expected a number"),
        (("budget_sek = 200000", "budget_sek = -5"), "s.toml: optimization.budget_sek: must be > 0"),
        (("budget_sek = 200000", "budget_sek = 0"), "s.toml: optimization.budget_sek: must be > 0"),
        (("range_m = 40", "range_m = 0"), "s.toml: camera_types[0].range_m: must be > 0"),
        (("range_m = 40", "range_m = 40\nfov_deg = 400"), "s.toml: camera_types[0].fov_deg: must be in (0, 360]"),
        (("radius_m = 300", "radius_m = 300\npolygon = [[1,2],[3,4],[5,6]]"), "s.toml: study_area: give exactly one"),
        (("[optimization]", "[optimization]\nsolver = \"gurobi\""), "s.toml: optimization.solver: must be"),
        (("name = \"t\"", "name = \"t\"\n[category_weights]\nvald = -1"), "s.toml: category_weights.vald: must be >= 0"),
        (("center = [59.3330, 18.0308]", "center = [159.3, 18.0]"), "s.toml: study_area.center:"),
        (("[network]\npath = \"net.graphml\"", ""), "s.toml: network: required key is missing"),
    ],
)
def test_errors_name_file_and_key(patch: tuple[str, str], expected: str) -> None:
    text = MINIMAL.replace(*patch)
    assert text != MINIMAL
    assert _err(text).startswith(expected)


def test_unknown_camera_type_in_caps() -> None:
    text = MINIMAL + "[optimization.max_per_type]\nptz = 2\n"
    assert "optimization.max_per_type.ptz: unknown camera type 'ptz' (known: dome)" in _err(text)


def test_bad_toml_and_files(tmp_path: Path) -> None:
    assert _err("name = ").startswith("s.toml: not valid TOML")
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="is a directory"):
        config.load(tmp_path)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(MINIMAL.replace('"t"', '"Rådhuset"').encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load(latin)


def test_extends_merges_and_detects_cycles(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(MINIMAL, encoding="utf-8")
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


def test_overrides_are_validated() -> None:
    s = config.loads(MINIMAL, file="s.toml")
    assert s.with_overrides(**{"optimization.budget_sek": 1e6}).optimization.budget_sek == 1e6
    with pytest.raises(ConfigError, match="optimization.budget_sek: must be > 0"):
        s.with_overrides(**{"optimization.budget_sek": -1.0})


def test_scenario_is_frozen() -> None:
    s = config.loads(MINIMAL, file="s.toml")
    with pytest.raises(AttributeError):
        s.name = "x"  # type: ignore[misc]
