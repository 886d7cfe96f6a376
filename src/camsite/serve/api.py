"""The workbench's web application (Starlette): the page and its JSON API (docs/api.md).

Safe by default: the CLI binds 127.0.0.1 and the app accepts only the
loopback host names (no DNS rebinding); on any other address every API call
must carry the token printed in the URL. The API refuses cross-site calls
(an ``Origin`` other than the page's own, ``Sec-Fetch-Site: cross-site``) and
POST bodies that are not ``application/json`` (a cross-site form cannot send
those without the browser asking first).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Iterable
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
from camsite.serve.request import RequestError
from camsite.serve.state import Workbench
from camsite.tables import jsonable

logger = logging.getLogger(__name__)

__all__ = ["PAGE_DIR", "TOKEN_HEADER", "create_app", "loopback_hosts"]

#: The page's files (package data).
PAGE_DIR = Path(__file__).resolve().parent / "page"
#: The header carrying the token (the page also accepts it as ``?token=`` in its own URL).
TOKEN_HEADER = "x-camsite-token"
#: Largest request body accepted (bytes).
MAX_BODY = 64 * 1024


def loopback_hosts(port: int) -> tuple[str, ...]:
    """The ``Host`` header values a loopback server answers (anything else may be DNS rebinding)."""
    return tuple(f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]"))


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
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise RequestError(f"request body over {MAX_BODY} bytes", status=413)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(f"the request body is not valid JSON ({exc})", status=400) from None


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
        plan = await run_in_threadpool(workbench.solve, workbench.current)
        return JSONResponse({**static, "plan": jsonable(plan.view), "history": jsonable(workbench.history)})

    async def solve(request: Request) -> Response:
        if (bad := guard.check(request)) is not None:
            return bad
        try:
            req = workbench.parse(await _body(request))
            solved = await run_in_threadpool(workbench.solve, req)
        except RequestError as exc:
            return JSONResponse(exc.payload(), status_code=exc.status)
        return JSONResponse(jsonable(solved.view))

    async def export(request: Request) -> Response:
        if (bad := guard.check(request)) is not None:
            return bad
        try:
            req = workbench.parse(await _body(request))
            if workbench.camera_ids and len(req.removed_existing) == len(workbench.camera_ids):
                raise RequestError("a plan without any existing camera cannot be saved as a scenario that extends the "
                                   "original (a cameras file needs a row): keep one camera, or copy the scenario "
                                   "without [existing_cameras]", field="removed_existing")
            solved = await run_in_threadpool(workbench.solve, req)
        except RequestError as exc:
            return JSONResponse(exc.payload(), status_code=exc.status)

        def run() -> dict[str, Any]:
            with export_lock:
                result, paths = export_plan(workbench.result, req, export_dir, plan_id=solved.view["plan_id"])
            mine = sorted(s["site_id"] for s in solved.view["sites"])
            theirs = sorted(str(s) for s in result.sites["site_id"])
            return {**paths, "plan_id": solved.view["plan_id"], "site_ids": theirs, "same_sites": mine == theirs,
                    "files": sorted(p.name for p in Path(paths["run_folder"]).iterdir())}

        try:
            return JSONResponse(jsonable(await run_in_threadpool(run)))
        except CamsiteError as exc:
            logger.warning("export failed: %s", exc)
            return _error(500, f"export failed: {exc}")

    routes = [Route("/", page), Route("/api/state", state), Route("/api/solve", solve, methods=["POST"]),
              Route("/api/export", export, methods=["POST"]),
              Mount("/static", app=StaticFiles(directory=PAGE_DIR), name="static")]
    return Starlette(routes=routes)
