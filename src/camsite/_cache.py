"""camsite's folders in the user's cache (``$XDG_CACHE_HOME/camsite``, else ``~/.cache/camsite``)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["user_cache_dir"]


def user_cache_dir(kind: str) -> Path:
    """``$XDG_CACHE_HOME/camsite/<kind>``, else ``~/.cache/camsite/<kind>`` (not created here).

    >>> user_cache_dir("osm").parts[-2:]
    ('camsite', 'osm')
    """
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "camsite" / kind
