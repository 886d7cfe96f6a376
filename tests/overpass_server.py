"""A local stand-in for the Overpass and Nominatim APIs, for offline tests.

Serves the recorded responses in ``tests/data/overpass/`` on 127.0.0.1 (a
free port chosen by the OS) from a thread: ``/api/interpreter`` answers
Overpass queries (POST as osmnx sends them, or GET with ``data=``) with the
network, buildings or cameras recording depending on the query,
``/api/status`` answers osmnx's rate-limit check, and ``/search`` answers
Nominatim searches (a known place, else ``[]``). Every request is recorded in
:attr:`RecordedServer.requests` so a test can count them.

``RecordedServer(fail=500)`` answers every data request with that status
instead; ``RecordedServer(empty=True)`` answers Overpass queries with no
elements (an area with nothing mapped).

The server is bounded: it answers at most ``max_requests`` requests (then 503),
reads at most 1 MB of a request body, and shuts itself down after
``lifetime_s`` seconds even if a test forgets to stop it.

>>> with RecordedServer() as srv:
...     import urllib.request
...     body = urllib.request.urlopen(srv.url + "/api/status", timeout=5).read().decode()
>>> body.splitlines()[4]
'2 slots available now.'
>>> [r.path for r in srv.requests]
['/api/status']
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parent / "data" / "overpass"

#: Nominatim search text (lower case) -> recorded response file.
PLACES = {"fridhemsplan, stockholm": "nominatim_search.json", "fridhemsplan": "nominatim_search.json"}

STATUS = (
    "Connected as: 2130706433\n"
    "Current time: 2024-03-01T00:00:05Z\n"
    "Announced endpoint: none\n"
    "Rate limit: 2\n"
    "2 slots available now.\n"
    "Currently running queries (pid, space limit, time limit, start time):\n"
)


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    query: str


def recording_for(query: str) -> str:
    """The recording that answers an Overpass query.

    >>> recording_for('[out:json];(way["highway"](poly:"1 2 3 4");>;);out;')
    'network.json'
    >>> recording_for('[out:json];((node["man_made"="surveillance"](poly:"1 2");(._;>;););out;')
    'cameras.json'
    """
    if '"building"' in query or "'building'" in query:
        return "buildings.json"
    if "surveillance" in query:
        return "cameras.json"
    return "network.json"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet during tests
        pass

    def do_GET(self) -> None:  # http.server's naming
        parts = urlsplit(self.path)
        self._answer("GET", parts.path, parse_qs(parts.query))

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self._answer("POST", urlsplit(self.path).path, parse_qs(body))

    def _answer(self, method: str, path: str, params: dict[str, list[str]]) -> None:
        srv = self.server
        with srv.lock:
            srv.owner.requests.append(Request(method, path, (params.get("data") or params.get("q") or [""])[0]))
            over = len(srv.owner.requests) > srv.owner.max_requests
        if over:
            self._send(503, "text/plain", b"too many requests for a test server")
        elif path.endswith("/status"):
            self._send(200, "text/plain", STATUS.encode())
        elif srv.owner.fail:
            self._send(srv.owner.fail, "text/html", b"<html><body>runtime error: test failure</body></html>")
        elif path.endswith("/interpreter") and srv.owner.empty:
            data = json.loads((DATA / "cameras.json").read_text(encoding="utf-8"))
            self._send(200, "application/json", json.dumps({**data, "elements": []}).encode())
        elif path.endswith("/interpreter"):
            self._send(200, "application/json", (DATA / recording_for(params.get("data", [""])[0])).read_bytes())
        elif path.endswith("/search"):
            name = PLACES.get(params.get("q", [""])[0].strip().lower())
            self._send(200, "application/json", (DATA / name).read_bytes() if name else b"[]")
        else:
            self._send(404, "application/json", json.dumps({"error": f"no such endpoint {path}"}).encode())

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    lock: threading.Lock
    owner: RecordedServer


class RecordedServer:
    """Serve the recordings on 127.0.0.1 until :meth:`stop` (or ``lifetime_s``).

    Attributes
    ----------
    url
        ``http://127.0.0.1:<port>``; Overpass is at ``url + "/api"``, Nominatim at ``url``.
    requests
        Every request received, in order.
    """

    def __init__(self, *, max_requests: int = 200, lifetime_s: float = 120.0, fail: int | None = None,
                 empty: bool = False) -> None:
        self.max_requests = max_requests
        self.fail = fail
        self.empty = empty
        self.lifetime_s = lifetime_s
        self.requests: list[Request] = []
        self._server: _Server | None = None
        self._timer: threading.Timer | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def overpass_url(self) -> str:
        """What to give as osmnx's ``settings.overpass_url``."""
        return self.url + "/api"

    def data_requests(self) -> list[Request]:
        """The Overpass data queries and Nominatim searches (not status checks)."""
        return [r for r in self.requests if not r.path.endswith("/status")]

    def start(self) -> RecordedServer:
        """Bind a free port on 127.0.0.1 and serve from a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.lock = threading.Lock()
        self._server.owner = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._timer = threading.Timer(self.lifetime_s, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (safe to call twice)."""
        server, self._server = self._server, None
        if self._timer is not None:
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> RecordedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
