"""The workbench's real HTTP server on 127.0.0.1 (bounded traffic), its addresses, and a fuzz of its request parser."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
import warnings
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx versions
    from starlette.testclient import TestClient


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(bench, tmp_path_factory) -> Iterator[tuple[int, int]]:
    """Two servers of one app: (port with a 0.5 s request deadline, port allowing only 3 connections)."""
    import uvicorn

    from camsite.serve import create_app, server_config

    app = create_app(bench, export_dir=tmp_path_factory.mktemp("plans"))
    ports = (_free_port(), _free_port())
    servers = [uvicorn.Server(server_config(app, host="127.0.0.1", port=ports[0], request_timeout_s=0.5)),
               uvicorn.Server(server_config(app, host="127.0.0.1", port=ports[1], request_timeout_s=120,
                                            max_connections=3))]
    threads = [threading.Thread(target=s.run, daemon=True) for s in servers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while not all(s.started for s in servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(s.started for s in servers)
    yield ports
    for s in servers:
        s.should_exit = True
    for t in threads:
        t.join(timeout=30)


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def _response(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_whole_request_is_answered(served):
    with _connect(served[0]) as s:
        s.sendall(f"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{served[0]}\r\n\r\n".encode())
        assert _response(s).startswith(b"HTTP/1.1 204")


def test_half_sent_request_is_closed(served):
    """900 half-sent requests stayed open for ever; now each is closed at its deadline."""
    with _connect(served[0]) as s:
        s.sendall(f"POST /api/solve HTTP/1.1\r\nHost: 127.0.0.1:{served[0]}\r\nX-Slow: ".encode())
        assert s.recv(1024) == b""  # closed by the server (the socket's own timeout would raise instead)
    with _connect(served[0]) as s:  # headers sent, body never
        s.sendall(f"POST /api/solve HTTP/1.1\r\nHost: 127.0.0.1:{served[0]}\r\nContent-Type: application/json\r\n"
                  "Content-Length: 100\r\n\r\n{".encode())
        assert s.recv(1024) == b""
    with _connect(served[0]) as s:  # a silent connection
        assert s.recv(1024) == b""


def test_declared_gigabyte_is_refused_before_the_body(served):
    with _connect(served[0]) as s:
        s.sendall(f"POST /api/solve HTTP/1.1\r\nHost: 127.0.0.1:{served[0]}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {2 ** 30}\r\n\r\n".encode())
        head = _response(s)
        assert head.startswith(b"HTTP/1.1 413")


def test_connections_over_the_cap_are_closed(served):
    port = served[1]
    held = [_connect(port) for _ in range(3)]
    try:
        extra = _connect(port)
        with extra:
            extra.sendall(f"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            try:
                got = extra.recv(1024)
            except ConnectionResetError:
                got = b""
            assert got == b"" or got.startswith(b"HTTP/1.1 503")
    finally:
        for s in held:
            s.close()
    time.sleep(0.2)  # let the server see the three close before the next test
    with _connect(port) as s:
        s.sendall(f"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert _response(s).startswith(b"HTTP/1.1 204")


# -- addresses --------------------------------------------------------------------------------------------------


def test_other_loopback_address_and_port_80_are_answered(bench, tmp_path):
    from camsite.cli.serve import _url
    from camsite.serve import create_app, loopback_hosts

    assert _url("127.0.0.2", 80, None) == "http://127.0.0.2/"
    app = create_app(bench, export_dir=tmp_path, allowed_hosts=loopback_hosts(80, "127.0.0.2"))
    for base in ("http://127.0.0.2", "http://127.0.0.2:80", "http://localhost"):
        c = TestClient(app, base_url=base)  # the browser sends the Host the printed URL names
        assert c.get("/api/state").status_code == 200, base
    assert TestClient(app, base_url="http://127.0.0.3").get("/api/state").status_code == 403
    other = create_app(bench, export_dir=tmp_path, allowed_hosts=loopback_hosts(9000, "127.0.0.2"))
    assert TestClient(other, base_url="http://127.0.0.2:9000").get("/api/state").status_code == 200
    assert TestClient(other, base_url="http://127.0.0.2").get("/api/state").status_code == 403


# -- the request parser, fuzzed -----------------------------------------------------------------------------------

_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
            | st.text(max_size=20))
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
_FIELDS = st.sampled_from(["budget_sek", "forced", "forbidden", "removed_existing", "category_weights", "x"])
_BODIES = _JSON | st.dictionaries(_FIELDS, _JSON | st.lists(st.sampled_from(["ILL-01", "vald", "0"])), max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_BODIES)
def test_request_parser_fuzz(bench, body):
    """Any JSON value: a checked request within the limits, or one RequestError line naming its field."""
    from camsite.serve import RequestError
    from camsite.serve.request import FIELDS, MAX_BUDGET_SEK, decode_json

    raw = json.dumps(body, allow_nan=True).encode()
    try:
        req = bench.parse(decode_json(raw))
    except RequestError as exc:
        payload = exc.payload()
        assert exc.status in (400, 422) and "\n" not in payload["error"] and len(payload["error"]) < 400
        if payload["field"] is not None:
            assert payload["error"].startswith(str(payload["field"]) + ":")
        return
    assert isinstance(body, dict) and set(body) <= set(FIELDS)
    assert math.isfinite(req.budget_sek) and 0 < req.budget_sek <= MAX_BUDGET_SEK
    assert set(req.forced) <= set(bench.site_ids) and set(req.removed_existing) <= set(bench.camera_ids)
    assert all(math.isfinite(w) and w >= 0 for _, w in req.category_weights)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_body_decoder_fuzz(raw):
    from camsite.serve import RequestError
    from camsite.serve.request import decode_json

    try:
        decode_json(raw)
    except RequestError as exc:
        assert exc.status == 400 and "\n" not in exc.payload()["error"]
