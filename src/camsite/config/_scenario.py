"""The whole scenario: its sections, the checks across them and the paths relative to its file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from camsite._schema import fail
from camsite.config._cameras import CameraType, QualityConfig
from camsite.config._candidates import CandidateConfig
from camsite.config._common import MAX_WEIGHT, check
from camsite.config._costs import CostsConfig
from camsite.config._demand import DemandConfig
from camsite.config._districts import District
from camsite.config._inputs import Area, Boundaries, CameraLayer, NetworkConfig, PointLayer, SubArea
from camsite.config._monitoring import MonitoringConfig, PermitConfig
from camsite.config._optimization import OptimizationConfig, RobustnessConfig
from camsite.config._output import OutputConfig
from camsite.errors import ConfigError
from camsite.vocab import DEFAULT_CATEGORY_WEIGHTS, category_key

__all__ = ["Scenario"]


@dataclass(frozen=True)
class Scenario:
    """A whole scenario, validated. Build it with :func:`load` or :func:`loads`."""

    name: str
    study_area: Area
    network: NetworkConfig
    camera_types: tuple[CameraType, ...]
    optimization: OptimizationConfig
    title: str = ""
    description: str = ""
    crs: str = "EPSG:3011"
    subareas: tuple[SubArea, ...] = ()
    incidents: tuple[PointLayer, ...] = ()
    category_weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_CATEGORY_WEIGHTS)
    existing_cameras: CameraLayer | None = None
    boundaries: Boundaries | None = None
    demand: DemandConfig = field(default_factory=DemandConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    robustness: RobustnessConfig = field(default_factory=RobustnessConfig)
    monitoring: MonitoringConfig = field(default_factory=MonitoringConfig)
    permit: PermitConfig = field(default_factory=PermitConfig)
    costs: CostsConfig = field(default_factory=CostsConfig)
    #: District administration areas sharing the city's budget (``[[districts]]``; :mod:`camsite.config._districts`).
    districts: tuple[District, ...] = ()
    #: The file this scenario was read from (not a TOML key).
    source_file: str | None = field(default=None, metadata={"toml": False})

    def __post_init__(self) -> None:
        """Category keys as incidents get them: ``Våld`` and ``vald`` are one category."""
        folded: dict[str, float] = {}
        for k, v in self.category_weights.items():
            ck = category_key(k)
            if ck in folded:
                fail(f"category {ck!r} is given twice (as {ck!r} and {k!r})", file=self.source_file,
                     key=f"category_weights.{k}")
            folded[ck] = v
        if list(folded) != list(self.category_weights):
            object.__setattr__(self, "category_weights", MappingProxyType(folded))

    def validate(self, *, file: str | None, key: str) -> None:
        check(len(self.camera_types) > 0, "give at least one [[camera_types]]", file=file, key="camera_types")
        names = [c.name for c in self.camera_types]
        for i, n in enumerate(names):
            check(names.index(n) == i, f"camera type {n!r} is defined twice", file=file, key=f"camera_types[{i}].name")
        for k, v in self.category_weights.items():
            check(0 <= v <= MAX_WEIGHT, f"must be in [0, {MAX_WEIGHT:g}] (weights are relative: 1 is an ordinary "
                   "incident)", file=file, key=f"category_weights.{k}")
        has_districts = self.boundaries is not None and self.boundaries.districts is not None
        if self.study_area.districts is not None:
            check(has_districts, "needs [boundaries] districts (a file of district polygons)", file=file,
                   key="study_area.districts")
        for i, sub in enumerate(self.subareas):
            if sub.districts is not None:
                check(has_districts, "needs [boundaries] districts (a file of district polygons)", file=file,
                       key=f"subareas[{i}].districts")
        offered = self.candidates.camera_types or ()
        for i, n in enumerate(offered):
            check(n in names, f"unknown camera type {n!r} (known: {', '.join(names)})", file=file,
                   key=f"candidates.camera_types[{i}]")
        for n in self.optimization.max_per_type:
            check(n in names, f"unknown camera type {n!r} (known: {', '.join(names)})", file=file,
                   key=f"optimization.max_per_type.{n}")
        if self.quality.coverage == "graded":
            for i, c in enumerate(self.camera_types):
                check(c.resolution_px is not None, 'needed by quality.coverage = "graded" (horizontal pixels, '
                       'e.g. 1920), or set quality.coverage = "binary"', file=file, key=f"camera_types[{i}].resolution_px")
        cam = self.existing_cameras
        if cam is not None and cam.default_type is not None:
            check(cam.default_type in names, f"unknown camera type {cam.default_type!r} (known: {', '.join(names)})",
                   file=file, key="existing_cameras.default_type")
        for k, t in (cam.type_values.items() if cam is not None else ()):
            check(t in names, f"unknown camera type {t!r} (known: {', '.join(names)})", file=file,
                  key=f"existing_cameras.type_values.{k}")
        subs = [s.name for s in self.subareas]
        for i, n in enumerate(subs):
            check(subs.index(n) == i, f"sub-area {n!r} is defined twice", file=file, key=f"subareas[{i}].name")
        self._validate_targets(file=file)
        self._validate_districts(file=file, has_boundaries=has_districts)
        zones = [z.name for z in self.candidates.no_view]
        for i, n in enumerate(zones):
            check(zones.index(n) == i, f"do-not-view zone {n!r} is defined twice (zone names must differ: each "
                   "is listed by name in the report)", file=file, key=f"candidates.no_view[{i}].name")

    def _validate_targets(self, *, file: str | None) -> None:
        """min_cost targets on categories that create demand (a category weighing 0 has no demand points)."""
        fallback = self.category_weights.get("ovrigt", 0.0)
        for k in self.optimization.target_category_shares:
            ck = category_key(k)
            weight = self.category_weights.get(ck, fallback)
            listed = "" if ck in self.category_weights else " (not in [category_weights]: it weighs as ovrigt)"
            check(weight > 0, f"category {ck!r} weighs 0{listed}, so its incidents are not demand and no plan can "
                   "cover them: give it a weight above 0 in [category_weights] or drop the target", file=file,
                   key=f"optimization.target_category_shares.{k}")

    def _validate_districts(self, *, file: str | None, has_boundaries: bool) -> None:
        """``[[districts]]``: boundaries to place them, unique names, no stadsdel in two, minimums within budget."""
        if not self.districts:
            return
        check(has_boundaries, "needs [boundaries] districts (the stadsdelar polygons the districts are made of)",
              file=file, key="districts")
        names = [d.name for d in self.districts]
        owner: dict[str, str] = {}
        for i, d in enumerate(self.districts):
            check(names.index(d.name) == i, f"district {d.name!r} is defined twice", file=file,
                  key=f"districts[{i}].name")
            for j, s in enumerate(d.stadsdelar):
                k = s.strip().casefold()
                check(k not in owner, f"stadsdel {s!r} is already in district {owner.get(k)!r}", file=file,
                      key=f"districts[{i}].stadsdelar[{j}]")
                owner[k] = d.name
        least = sum(d.min_sek for d in self.districts)
        budget = self.optimization.budget_sek
        check(least <= budget, f"the districts' min_sek add up to {least:,.0f} SEK, more than "
              f"optimization.budget_sek ({budget:,.0f})", file=file, key="districts")

    # -- helpers -----------------------------------------------------------
    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the scenario are relative to."""
        return Path(self.source_file).resolve().parent if self.source_file else Path.cwd()

    def resolve(self, path: str | Path) -> Path:
        """Resolve a path from the scenario against :attr:`base_dir`."""
        p = Path(path).expanduser()
        return (p if p.is_absolute() else self.base_dir / p).resolve()

    def camera_type(self, name: str) -> CameraType:
        """The camera type called ``name``."""
        for c in self.camera_types:
            if c.name == name:
                return c
        raise ConfigError(f"unknown camera type {name!r} (known: {', '.join(c.name for c in self.camera_types)})",
                          file=self.source_file, where="camera_types")

    def output_dir(self) -> Path:
        """The output folder: ``output.dir``, or ``out/<name>`` in the working directory.

        The name is made safe as one folder name (no separators, no ``..``), so
        ``name = "../../x"`` cannot write outside ``out/``:

        >>> Scenario.__new__(Scenario).__class__.safe_name("../../x y")
        'x_y'
        """
        return Path(self.output.dir) if self.output.dir else Path("out") / self.safe_name(self.name)

    @staticmethod
    def safe_name(name: str) -> str:
        """``name`` as one safe folder or file name: letters, digits, ``.``, ``_`` and ``-``; never empty."""
        safe = re.sub(r"[^\w.-]+", "_", name, flags=re.ASCII).strip("._-")
        return safe or "scenario"
