"""Processes and clusters: workers capped at the cores and gone with their parent; SIGTERM like Ctrl-C; a Dask
scheduler address that is wrong, answered by something else or silent is one error line; ``tls://`` with
certificate files, and nothing without them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from camsite.cli import serve as serve_cli
from camsite.errors import ConfigError
from camsite.executors import DaskExecutor, LocalExecutor, TlsFiles, check_scheduler_address, cores
from camsite.serve import loopback_hosts
from factory import DEFAULT_SCENARIO, fridhemsplan_data, invoke, one_error_line, write_scenario

pytestmark = pytest.mark.usefixtures("shipped_network_once")


def _gone(pid: int) -> bool:
    """The process has ended (no such process, or a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _wait(cond: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return bool(cond())  # type: ignore[operator]


# -- local workers ----------------------------------------------------------------------------------------------------


def test_workers_are_capped_at_the_cores(caplog: pytest.LogCaptureFixture) -> None:
    assert LocalExecutor(workers=1000).workers == cores()
    assert "1000 worker processes asked for" in caplog.text
    assert LocalExecutor(workers=1).workers == 1 and LocalExecutor().workers == cores()


def test_batch_with_too_many_workers_says_so(tmp_path: Path, no_deliverables: None) -> None:
    write_scenario(tmp_path, fridhemsplan_data(250, name="liten"), name="liten.toml")
    (tmp_path / "b.toml").write_text('[[runs]]\nscenario = "liten.toml"\n', encoding="utf-8")
    r = invoke("batch", tmp_path / "b.toml", "--workers", "1000", "--no-progress", "--out", tmp_path / "res")
    assert r.exit_code == 0, r.stderr
    assert f"1000 worker processes asked for, but this machine has {cores()} core(s): using {cores()}" in r.stderr


_PARENT = """
import os, signal, sys, time
sys.path.insert(0, {src!r})
from camsite.executors import LocalExecutor

def task(folder, i):
    open(os.path.join(folder, f"pid-{{i}}"), "w").write(str(os.getpid()))
    time.sleep(120)
    return i

def stop(signum, frame):
    raise KeyboardInterrupt

signal.signal(signal.SIGTERM, stop)  # as the CLI does
try:
    LocalExecutor(2).map(task, {folder!r}, [0, 1])
except KeyboardInterrupt:
    sys.exit(143)
"""


@contextlib.contextmanager
def busy_parent(script: str, folder: Path, names: tuple[str, ...]) -> Iterator[tuple[subprocess.Popen[bytes], list[int]]]:
    """A process running ``script`` (formatted with ``src`` and ``folder``) whose workers write their pids into
    ``folder/NAME`` for each of ``names`` and stay busy; yields the process and the workers' pids."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script.format(src=src, folder=str(folder)))])
    files = [folder / n for n in names]
    try:
        assert _wait(lambda: all(f.is_file() and f.read_text() for f in files), 60)
        yield proc, [int(f.read_text()) for f in files]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


@pytest.fixture
def parent(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], list[int]]]:
    """A process running a local pool of 2 workers, each busy for 2 minutes; the workers' pids."""
    with busy_parent(_PARENT, tmp_path, ("pid-0", "pid-1")) as got:
        yield got


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent(parent: tuple[subprocess.Popen[bytes], list[int]], sig: int) -> None:
    proc, pids = parent
    assert not any(_gone(p) for p in pids)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 143)
    assert _wait(lambda: all(_gone(p) for p in pids), 20), "a worker outlived its parent"


def test_sigterm_to_run_is_handled_like_ctrl_c(tmp_path: Path) -> None:
    scen = write_scenario(tmp_path, fridhemsplan_data(1000, name="stor"))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "camsite", "-v", "run", str(scen), "--out", str(out),
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stderr is not None
    lines: list[str] = []
    for line in proc.stderr:  # wait until the run is computing
        lines.append(line)
        if "network in study area" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    stderr = "".join(lines) + err
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert [ln for ln in stderr.splitlines() if ln.startswith("error:")] == [
        "error: stopped (SIGTERM); no output was changed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]  # no temp folder, no lock, no output


# -- Dask: addresses and what answers there -----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["notaurl", "http://127.0.0.1:8786", "tcp://127.0.0.1", "tcp://:8786",
                                     "tcp://127.0.0.1:99999", "tls://host:8786/path"])
def test_scheduler_address_is_checked(address: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a Dask scheduler address"):
        check_scheduler_address(address)
    r = invoke("robustness", DEFAULT_SCENARIO, "--scheduler", address, "--out", tmp_path / "o")
    one_error_line(r.stderr, r.exit_code, 2, "--scheduler:", "is not a Dask scheduler address")


@pytest.fixture
def fake_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that answers like an HTTP server, with a garbled frame, or not at all."""
    mode = request.param
    srv = socket.create_server(("127.0.0.1", 0))
    conns: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conns.append(conn)
            with_reply = {"http": b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 3,
                          "garbled": b"\x01" + b"\x00" * 7 + b"\x10" + b"\x00" * 7 + b"xx"}.get(mode)
            if with_reply:
                try:
                    conn.recv(100)
                    conn.sendall(with_reply)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        srv.close()
        for c in conns:
            c.close()


@pytest.mark.parametrize(("fake_server", "fragment"), [
    ("http", "does not speak Dask's protocol"),
    ("garbled", "does not speak Dask's protocol"),
    ("silent", "no answer within 1 s"),
], indirect=["fake_server"])
def test_what_is_not_a_scheduler_is_one_error(fake_server: str, fragment: str) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(")) as info:
        DaskExecutor(address=fake_server, timeout_s=1.0)
    assert "\n" not in str(info.value)


# -- Dask over TLS ----------------------------------------------------------------------------------------------------


def _certificates(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA and one certificate it signed for 127.0.0.1 (scheduler, worker and client alike), made by openssl."""

    def sh(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, cwd=folder, timeout=60)

    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-ca.key", "-out",
       f"{name}-ca.pem", "-days", "2", "-subj", f"/CN={name}-ca")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n", encoding="utf-8")
    sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
       "-subj", "/CN=127.0.0.1")
    sh("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", f"{name}-ca.pem", "-CAkey", f"{name}-ca.key",
       "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", "ext.cnf")
    return folder / f"{name}-ca.pem", folder / f"{name}.pem", folder / f"{name}.key"


def _square(shared: int, item: int) -> int:
    return shared * item


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A Dask LocalCluster listening on tls:// that requires client certificates signed by its CA."""
    distributed = pytest.importorskip("distributed")
    if subprocess.run(["which", "openssl"], capture_output=True).returncode != 0:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    ca, cert, key = _certificates(folder, "cluster")
    security = distributed.Security(tls_ca_file=str(ca), tls_scheduler_cert=str(cert), tls_scheduler_key=str(key),
                                    tls_worker_cert=str(cert), tls_worker_key=str(key), tls_client_cert=str(cert),
                                    tls_client_key=str(key), require_encryption=True)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tls://",
                                  security=security, dashboard_address=":0", silence_logs=40) as lc:
        yield lc.scheduler.address, folder


def test_tls_cluster_with_certificates_runs_tasks(tls_cluster: tuple[str, Path]) -> None:
    address, folder = tls_cluster
    assert address.startswith("tls://")
    files = TlsFiles(str(folder / "cluster-ca.pem"), str(folder / "cluster.pem"), str(folder / "cluster.key"))
    ex = DaskExecutor(address=address, tls=files)
    try:
        assert ex.map(_square, 3, [1, 2, 5]) == [3, 6, 15]
    finally:
        ex.close()


def test_tls_cluster_refuses_clients_without_its_certificates(tls_cluster: tuple[str, Path],
                                                              tmp_path: Path) -> None:
    address, folder = tls_cluster
    with pytest.raises(ConfigError, match="needs --tls-ca-file and --tls-cert"):
        DaskExecutor(address=address, timeout_s=2.0)  # no certificate at all
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        DaskExecutor(address=address.replace("tls://", "tcp://"), timeout_s=2.0)  # plain tcp to a TLS port
    _, cert, key = _certificates(tmp_path, "stranger")  # a certificate of another CA
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        DaskExecutor(address=address, timeout_s=2.0, tls=TlsFiles(str(folder / "cluster-ca.pem"), str(cert),
                                                                  str(key)))


def test_tls_options_on_the_command_line(tmp_path: Path) -> None:
    r = invoke("robustness", DEFAULT_SCENARIO, "--scheduler", "tls://127.0.0.1:1", "--tls-ca-file",
               tmp_path / "none.pem", "--out", tmp_path / "o")
    one_error_line(r.stderr, r.exit_code, 2, "--tls-ca-file: no such file", "none.pem")
    r = invoke("robustness", DEFAULT_SCENARIO, "--scheduler", "tcp://127.0.0.1:1", "--tls-cert",
               tmp_path / "c.pem", "--out", tmp_path / "o")
    one_error_line(r.stderr, r.exit_code, 2, "certificate files need a tls:// scheduler address")


# -- camsite serve: the printed URL is one the server answers --------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
@pytest.mark.parametrize("port", [80, 8765])
def test_serve_prints_a_url_whose_host_header_is_allowed(host: str, port: int) -> None:
    url = serve_cli._url(host, port, None)
    netloc = urlsplit(url).netloc  # what a browser sends as the Host header for this URL
    allowed = loopback_hosts(port, host)  # what `camsite serve` passes to the app for a loopback host
    assert netloc.lower() in allowed
    assert (":80/" not in url) and (port == 80 or f":{port}/" in url)
    assert "evil.example:8765" not in allowed
