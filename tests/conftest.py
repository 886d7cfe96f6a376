"""Shared fixtures: the default scenario run once per session, and a hand-made RunResult for the report writers.

The default Fridhemsplan run (about 20 s with its budget curve) is computed
exactly once for the whole test run: :func:`default_out` runs the real command
``camsite run scenarios/fridhemsplan.toml --out <tmp>`` in this process, and
:func:`default_result` is the :class:`~camsite.result.RunResult` that very run
computed (taken from ``pipeline.run`` as the command called it). With
pytest-xdist the first worker that needs it runs it; the others wait and read
its folder and its pickled result. Tests using either are end-to-end and
marked ``slow``.
"""

from __future__ import annotations

import compileall
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

import factory
from factory import DEFAULT_SCENARIO
from fixtures_quick import quick_dask_probe  # noqa: F401 (a fixture for every test module)
from fixtures_report import report_out, report_result  # noqa: F401 (fixtures for every test module)

try:
    import fcntl
except ImportError:  # not on Windows: each worker then runs the default scenario itself
    fcntl = None  # type: ignore[assignment]

#: Session fixtures built once per worker that cost seconds, and the xdist group of the tests using them
#: (``--dist loadgroup`` in pyproject.toml): the first that a test uses names its group.
SHARED_GROUPS = {"_default_cli_run": "default_run", "report_result": "report"}
_SHARED_SCOPES = ("class", "module", "package")
#: The session's cache folder (``XDG_CACHE_HOME`` of every worker and ``camsite`` process), made by the controller.
_SESSION_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Compile camsite's bytecode once, and keep the workers' BLAS to one thread, before any worker starts.

    Where the environment forbids writing bytecode (``PYTHONDONTWRITEBYTECODE``,
    set on some CI machines) every xdist worker and every ``camsite`` process a
    test starts would compile the package again (0.3-0.5 s each, dozens of
    processes); Python still reads bytecode that exists, so it is written here
    once (``__pycache__`` is ignored by git).
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "src" / "camsite"), quiet=1)
        # the workers' BLAS on one thread, as the command's (camsite.procs): they start after this, with it
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        # camsite's caches (proven target points, OSM downloads) in a folder of this session, never the user's
        _SESSION_CACHE[:] = [tempfile.mkdtemp(prefix="camsite-test-cache-")]
        os.environ["XDG_CACHE_HOME"] = _SESSION_CACHE[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the session's cache folder (:func:`pytest_configure`)."""
    for folder in _SESSION_CACHE:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's own cache folder (``XDG_CACHE_HOME``): a target point one test proves is not another's proof
    (module and session fixtures share the session's folder, set in :func:`pytest_configure`)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def xdist_group_of(item: pytest.Item) -> str | None:
    """The worker group of a test: tests sharing costly work run on one xdist worker, so it is done once.

    Every test reading the default run is in one group (one worker runs it and its readers, the other workers
    never wait for it), and so is every test of the synthetic report result (:data:`SHARED_GROUPS`); a test
    using a module- or class-scoped fixture is grouped with its module (a fixture built once per module and
    worker is then built once); any other test is scheduled on its own.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:  # a doctest
        return None
    for fixture, group in SHARED_GROUPS.items():
        if fixture in info.names_closure:
            return group
    for name in info.names_closure:
        defs = info.name2fixturedefs.get(name)
        if defs and defs[-1].scope in _SHARED_SCOPES:
            return item.nodeid.split("::", 1)[0]
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker with ``--dist loadgroup``, give each grouped test the node id ``ID@GROUP`` that the
    scheduler groups by (what xdist's own ``xdist_group`` mark does; its hook sets an attribute pytest 9 no
    longer reads, so the id is set here, on whichever attribute this pytest reads)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None or not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        if (group := xdist_group_of(item)) is not None:
            grouped = f"{item.nodeid}@{group}"
            node_id = getattr(item, "_id", None)
            if node_id is not None and hasattr(type(node_id), "parse"):  # pytest >= 9: a structured NodeId
                item._id = type(node_id).parse(grouped)
            else:
                item._nodeid = grouped


@pytest.fixture(autouse=True)
def _logging_restored():
    """Every test leaves logging as it found it (the CLI installs its own stderr handler)."""
    with factory.logging_restored():
        yield


@pytest.fixture(scope="session")
def default_scenario():
    from camsite import config

    return config.load(DEFAULT_SCENARIO)


def _run_default(out: Path) -> SimpleNamespace:
    """``camsite run scenarios/fridhemsplan.toml --out OUT --no-progress`` from the repository root, keeping its
    RunResult."""
    from camsite import pipeline

    captured = []
    real_run = pipeline.run

    def spy(*args, **kwargs):
        result = real_run(*args, **kwargs)
        captured.append(result)
        return result

    mp = pytest.MonkeyPatch()
    mp.setattr(pipeline, "run", spy)
    mp.chdir(factory.ROOT)  # as the README runs it: the scenario path (in summary.json) is relative
    try:
        cli = factory.invoke("run", DEFAULT_SCENARIO.relative_to(factory.ROOT), "--out", out, "--no-progress",
                             catch_exceptions=True)
    finally:
        mp.undo()
    return SimpleNamespace(out=out, cli=cli, result=captured[0] if captured else None)


@pytest.fixture(scope="session")
def _default_cli_run(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The default run, once for the whole test run: with pytest-xdist the first worker to need it runs it and
    the others wait for it (a file lock) and read its output folder and its pickled result."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        return _run_default(tmp_path_factory.mktemp("default") / "fridhemsplan")
    shared = tmp_path_factory.getbasetemp().parent / "default_run"  # the same folder for every worker
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = shared / "run.pickle"
            if done.exists():
                return pickle.loads(done.read_bytes())
            run = _run_default(shared / "fridhemsplan")
            if run.cli.exit_code == 0 and run.result is not None:  # a failed run is not shared: each shows its own
                cli = SimpleNamespace(exit_code=0, stdout=run.cli.stdout, stderr=run.cli.stderr, exc_info=None)
                done.write_bytes(factory.pickled(SimpleNamespace(out=run.out, cli=cli, result=run.result)))
            return run
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def default_out(_default_cli_run: SimpleNamespace) -> Path:
    """The output folder of the default run, written once by the real ``camsite run`` command (read-only)."""
    cli = _default_cli_run.cli
    if cli.exit_code != 0:
        import traceback

        tb = "".join(traceback.format_exception(*cli.exc_info)) if cli.exc_info else ""
        pytest.fail(f"camsite run of the default scenario failed ({cli.exit_code}):\n{cli.stderr}\n{tb}")
    return _default_cli_run.out


@pytest.fixture(scope="session")
def default_cli(default_out: Path, _default_cli_run: SimpleNamespace):
    """The click Result of the default run (stdout: the summary line; stderr: warnings)."""
    return _default_cli_run.cli


@pytest.fixture(scope="session")
def default_result(_default_cli_run: SimpleNamespace):
    """The default Fridhemsplan scenario's RunResult: the one ``default_out`` computed (read-only)."""
    if _default_cli_run.result is not None:
        return _default_cli_run.result
    from camsite import config, pipeline  # the command failed before running: fail here with the real error

    return pipeline.run(config.load(DEFAULT_SCENARIO))


@pytest.fixture(scope="module")
def shipped_network_once():
    """Read the shipped street network once per study area in a test module (``factory.network_cache``).

    For modules whose subject is not the network: use it with
    ``pytestmark = pytest.mark.usefixtures("shipped_network_once")``.
    """
    from factory import network_cache

    with network_cache():
        yield


@pytest.fixture
def no_deliverables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the report files (slow, and beside the point of reading input or writing folders)."""
    from camsite.report import outputs

    monkeypatch.setattr(outputs, "write_deliverables", lambda *a, **k: [])


# -- headless Chromium for the report and workbench browser tests ------------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser test must run (see .ci/install-browser)")
    pytest.skip(f"{reason} (install Debian's chromium: .ci/install-browser)")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module. Not per session: Playwright's sync API keeps an asyncio loop
    running while it is open, and a later test on the worker calling ``asyncio.run`` (Dask's client) fails."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    path = _chromium_path()
    if path is None:
        _unavailable("no chromium found at /usr/bin/chromium or on PATH")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """The workbench (camsite serve) on the small real-data preset, without background solves."""
    from camsite.serve import Workbench

    folder = tmp_path_factory.mktemp("serve")
    bench = Workbench.load(factory.write_scenario(folder, factory.fridhemsplan_data()), prefetch=False)
    yield bench
    bench.close()


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """An earlier run's output folder (it holds summary.json, so camsite may replace it)."""
    out = tmp_path / "out"
    out.mkdir()
    for name, data in factory.PREVIOUS.items():
        (out / name).write_bytes(data)
    return out
