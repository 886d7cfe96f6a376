"""The workbench's web application (Starlette): the page and its JSON API (docs/api.md).

Safe by default: the CLI binds 127.0.0.1 and the app accepts only the
loopback host names (no DNS rebinding); on any other address every API call
must carry the token printed in the URL. The API refuses cross-site calls
(an ``Origin`` other than the page's own, ``Sec-Fetch-Site: cross-site``) and
POST bodies that are not ``application/json`` (a cross-site form cannot send
those without the browser asking first).
"""

from __future__ import annotations

import functools
import hmac
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from camsite.errors import CamsiteError
from camsite.serve.export import export_plan
from camsite.serve.layers import fixed_layers
from camsite.serve.request import RequestError, decode_json, shown
from camsite.serve.state import Workbench
from camsite.tables import jsonable

logger = logging.getLogger(__name__)

__all__ = ["MAX_BODY", "PAGE_DIR", "SESSION_HEADER", "TOKEN_HEADER", "create_app", "loopback_hosts"]

Endpoint = Callable[[Request], Awaitable[Response]]

#: The page's files (package data).
PAGE_DIR = Path(__file__).resolve().parent / "page"
#: The header carrying the token (the page also accepts it as ``?token=`` in its own URL).
TOKEN_HEADER = "x-camsite-token"
#: Largest request body accepted (bytes).
MAX_BODY = 64 * 1024
#: The header carrying the page's session id (from ``/api/state``; also accepted as ``?session=``).
SESSION_HEADER = "x-camsite-session"


def loopback_hosts(port: int, host: str | None = None) -> tuple[str, ...]:
    """The ``Host`` header values a loopback server answers (anything else may be DNS rebinding).

    ``host``: the address it listens on, when another loopback address (``127.0.0.2``). On port 80 a browser
    sends the host name without the port, so both forms are answered.

    >>> loopback_hosts(80, "127.0.0.2")[-2:]
    ('127.0.0.2:80', '127.0.0.2')
    """
    names = ["127.0.0.1", "localhost", "[::1]"]
    if host is not None:
        bracketed = f"[{host.strip('[]')}]" if ":" in host else host
        if bracketed not in names:
            names.append(bracketed)
    return tuple(v for h in names for v in ((f"{h}:{port}", h) if port == 80 else (f"{h}:{port}",)))


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field}, status_code=status)


class _Guard:
    """The checks every API call passes: host, token, origin, content type."""

    def __init__(self, *, token: str | None, allowed_hosts: Iterable[str] | None) -> None:
        self.token = token
        self.hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    def host_ok(self, request: Request) -> bool:
        return self.hosts is None or request.headers.get("host", "").lower() in self.hosts

    def check(self, request: Request) -> Response | None:
        """None if the call may go ahead, else the error response."""
        if not self.host_ok(request):
            return _error(403, "unknown Host header: open the address camsite serve printed")
        if self.token is not None:
            given = request.headers.get(TOKEN_HEADER) or request.query_params.get("token") or ""
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return _error(403, "missing or wrong token: open the address (with ?token=...) camsite serve printed")
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if (origin is not None and origin != own) or request.headers.get("sec-fetch-site") == "cross-site":
            return _error(403, "cross-site request refused")
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return _error(415, "the request body must be JSON (Content-Type: application/json)")
        return None


async def _body(request: Request) -> Any:
    """The JSON body, refused by its declared length before reading and capped while streamed (chunked)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit() or len(declared.strip()) > 18:
            raise RequestError("the Content-Length header is not a number of bytes", status=400)
        if int(declared) > MAX_BODY:
            raise RequestError(f"request body over {MAX_BODY} bytes", status=413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise RequestError(f"request body over {MAX_BODY} bytes", status=413)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    return decode_json(raw)


def _session_id(request: Request) -> str | None:
    return request.headers.get(SESSION_HEADER) or request.query_params.get("session") or None


def create_app(workbench: Workbench, *, export_dir: Path, token: str | None = None,
               allowed_hosts: Iterable[str] | None = None) -> Starlette:
    """The Starlette app serving ``workbench``.

    Parameters
    ----------
    workbench
        The loaded scenario.
    export_dir
        Where "Spara plan" writes (``plan-N.toml``, ``plan-N/``); requests cannot name a path.
    token
        Required on every API call when given (header ``X-Camsite-Token`` or ``?token=``).
    allowed_hosts
        ``Host`` header values accepted (None: any; the CLI passes :func:`loopback_hosts` on 127.0.0.1).
    """
    guard = _Guard(token=token, allowed_hosts=allowed_hosts)
    fixed = fixed_layers(workbench.result, workbench.view)
    existing = [{"camera_id": c, **{k: v for k, v in e.items() if k != "id"}}
                for c, e in zip(workbench.camera_ids, fixed["map"]["existing"], strict=True)]
    static = jsonable({**fixed, "existing_cameras": existing, "scenario_request": workbench.base.as_json(),
                       "adjustable_categories": workbench.adjustable})  # the same on every call: built once
    export_lock = threading.Lock()

    async def page(request: Request) -> Response:
        if not guard.host_ok(request):
            return _error(403, "unknown Host header: open the address camsite serve printed")
        return FileResponse(PAGE_DIR / "index.html", headers={"Cache-Control": "no-store"})

    async def state(request: Request) -> Response:
        if (bad := guard.check(request)) is not None:
            return bad
        sid = _session_id(request)
        sess = workbench.new_session() if sid is None else workbench.session(sid)
        plan = await run_in_threadpool(workbench.solve, sess.current, sess)
        return JSONResponse({**static, "session": sess.session_id, "plan": jsonable(plan.view),
                             "history": jsonable(sess.history)})

    async def solve(request: Request) -> Response:
        if (bad := guard.check(request)) is not None:
            return bad
        sess = workbench.session(_session_id(request))
        req = workbench.parse(await _body(request))
        if request.query_params.get("provisional") == "1":  # the slider: the nearest plan solved now, exact next
            quick = await run_in_threadpool(workbench.provisional, req, sess)
            if quick is not None:
                return JSONResponse(jsonable(quick.view))
        solved = await run_in_threadpool(workbench.solve, req, sess)
        return JSONResponse(jsonable(solved.view))

    async def export(request: Request) -> Response:
        if (bad := guard.check(request)) is not None:
            return bad
        sess = workbench.session(_session_id(request))
        req = workbench.parse(await _body(request))
        if workbench.camera_ids and len(req.removed_existing) == len(workbench.camera_ids):
            raise RequestError("a plan without any existing camera cannot be saved as a scenario that extends the "
                               "original (a cameras file needs a row): keep one camera, or copy the scenario "
                               "without [existing_cameras]", field="removed_existing")
        solved = await run_in_threadpool(workbench.solve, req, sess)

        def run() -> dict[str, Any]:
            with export_lock:
                result, paths = export_plan(workbench.result, req, export_dir, plan_id=solved.view["plan_id"])
            mine = sorted(s["site_id"] for s in solved.view["sites"])
            theirs = sorted(str(s) for s in result.sites["site_id"])
            return {**paths, "plan_id": solved.view["plan_id"], "site_ids": theirs, "same_sites": mine == theirs,
                    "files": sorted(p.name for p in Path(paths["run_folder"]).iterdir())}

        try:
            return JSONResponse(jsonable(await run_in_threadpool(run)))
        except (CamsiteError, OSError) as exc:
            text = " ".join(str(exc).split())  # one line
            logger.warning("export failed: %s", text)
            return _error(500, f"export failed: {text}")

    routes = [Route("/", page), Route("/favicon.ico", _icon), Route("/api/state", _json_errors(state)),
              Route("/api/solve", _json_errors(solve), methods=["POST"]),
              Route("/api/export", _json_errors(export), methods=["POST"]),
              Mount("/static", app=StaticFiles(directory=PAGE_DIR), name="static")]
    return Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed})


async def _icon(request: Request) -> Response:
    """``/favicon.ico``: no icon (204), so a browser's request is not a 404 in the log."""
    return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})


def _json_errors(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` answering every error as one JSON line: a :class:`RequestError` with its status, anything
    unforeseen as 500 (logged with its traceback for the server's log, never sent to the page)."""
    @functools.wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except RequestError as exc:
            return JSONResponse(exc.payload(), status_code=exc.status)
        except Exception as exc:  # the one place an unforeseen error becomes an answer
            logger.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
            return _error(500, f"internal error: {shown(' '.join(str(exc).split()) or type(exc).__name__, 200)}")
    return wrapped


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(404, "not found")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, "method not allowed")
