"""The planning workbench (``camsite serve``): a local web page answering what-if questions live.

The scenario is loaded once (:class:`Workbench`); the page asks the JSON API
(:func:`create_app`, docs/api.md) for exact plans as the budget, forced and
forbidden sites, removed existing cameras and category weights change, and
saves a plan as a scenario file plus its run folder (:func:`export_plan`).
"""

from __future__ import annotations

from camsite.serve.api import create_app, loopback_hosts
from camsite.serve.export import export_plan
from camsite.serve.request import PlanRequest, RequestError
from camsite.serve.server import server_config
from camsite.serve.state import Session, Workbench, load_scenario

__all__ = ["PlanRequest", "RequestError", "Session", "Workbench", "create_app", "export_plan", "load_scenario",
           "loopback_hosts", "server_config"]
