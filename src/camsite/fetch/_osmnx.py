"""osmnx's global settings, changed only for the duration of a download.

osmnx keeps its configuration in the module ``osmnx.settings`` and, when it
sends an Overpass request, replaces ``socket.getaddrinfo`` for the server's
host name. :func:`osmnx_settings` restores both on exit, so a download does
not change how the rest of the process (or a test) uses osmnx.

>>> import osmnx as ox
>>> before = ox.settings.requests_timeout
>>> with osmnx_settings(requests_timeout=5):
...     ox.settings.requests_timeout
5
>>> ox.settings.requests_timeout == before
True
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import osmnx as ox
import requests

from camsite.errors import InputError

__all__ = ["OFFLINE_HINT", "network_errors", "osmnx_settings"]

_MISSING = object()

#: Appended to every "could not reach" error.
OFFLINE_HINT = ("camsite runs offline on local files otherwise: point [network] path in a scenario at a "
                "GraphML or GeoPackage file")


@contextlib.contextmanager
def osmnx_settings(**overrides: object) -> Iterator[None]:
    """Set ``osmnx.settings`` attributes inside a ``with`` block and restore them after.

    Parameters
    ----------
    **overrides
        Attribute names of ``osmnx.settings`` and their values, e.g.
        ``overpass_url``, ``nominatim_url``, ``use_cache``, ``cache_folder``,
        ``requests_timeout``, ``overpass_rate_limit``.

    Raises
    ------
    AttributeError
        If a name is not an osmnx setting (a typo would otherwise pass silently).
    """
    for name in overrides:
        if not hasattr(ox.settings, name):
            raise AttributeError(f"osmnx.settings has no attribute {name!r}")
    saved = {name: getattr(ox.settings, name, _MISSING) for name in overrides}
    saved_getaddrinfo = socket.getaddrinfo
    try:
        for name, value in overrides.items():
            setattr(ox.settings, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)
        socket.getaddrinfo = saved_getaddrinfo


def _host(url: str) -> str:
    return urlparse(url).netloc or url


@contextlib.contextmanager
def network_errors(url: str, *, what: str) -> Iterator[None]:
    """Turn connection failures and server errors while talking to ``url`` into :class:`InputError`.

    >>> with network_errors("http://127.0.0.1:9/api", what="the Overpass server"):
    ...     raise requests.exceptions.ConnectionError("refused")
    Traceback (most recent call last):
    ...
    camsite.errors.InputError: could not reach the Overpass server at 127.0.0.1:9 (ConnectionError); ...
    """
    try:
        yield
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise InputError(f"could not reach {what} at {_host(url)} ({type(exc).__name__}); check the network "
                         f"connection or the server URL. {OFFLINE_HINT}") from None
    except ox._errors.ResponseStatusCodeError as exc:
        raise InputError(f"{what} at {_host(url)} answered with an error: {_first_line(exc)}") from None
    except requests.exceptions.RequestException as exc:
        raise InputError(f"request to {what} at {_host(url)} failed: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]
