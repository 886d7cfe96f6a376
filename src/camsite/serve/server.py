"""The workbench's HTTP server: uvicorn with limits a page never reaches and an attacker soon does.

* A request (headers and body) must arrive within :data:`REQUEST_TIMEOUT_S`
  of its first byte, or of the connection opening: a half-sent request is
  closed (a client cannot hold connections open by sending slowly).
* An idle kept-alive connection is closed after :data:`KEEP_ALIVE_S`.
* At most :data:`MAX_CONNECTIONS` connections at once: more are closed as
  they open, before they cost more than a socket for a moment.
* A request head over :data:`MAX_HEAD_BYTES` is refused by h11; bodies are
  refused by their length and capped while streamed by the app
  (:data:`camsite.serve.api.MAX_BODY`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger(__name__)

__all__ = ["KEEP_ALIVE_S", "MAX_CONNECTIONS", "MAX_HEAD_BYTES", "REQUEST_TIMEOUT_S", "server_config"]

#: Seconds a client has to send a whole request once its connection is open (or its last answer was sent).
REQUEST_TIMEOUT_S = 10.0
#: Seconds an idle kept-alive connection stays open.
KEEP_ALIVE_S = 5
#: Most connections open at once; a page uses a handful.
MAX_CONNECTIONS = 200
#: Largest request line plus headers (bytes).
MAX_HEAD_BYTES = 16 * 1024


class _TimedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request and a cap on open connections."""

    request_timeout_s = REQUEST_TIMEOUT_S
    max_connections = MAX_CONNECTIONS
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            logger.warning("more than %d connections open: closing a new one", self.max_connections)
            transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
            self._disarm()  # the whole request is in (or the connection is done)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # idle now: uvicorn's keep-alive timeout takes over

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing() and (self.cycle is None or not self.cycle.response_started):
            logger.info("closing a connection whose request did not arrive within %g s", self.request_timeout_s)
            self.transport.close()


def server_config(app: Any, *, host: str, port: int, request_timeout_s: float = REQUEST_TIMEOUT_S,
                  max_connections: int = MAX_CONNECTIONS) -> uvicorn.Config:
    """The uvicorn configuration of ``camsite serve`` (module docs); ``uvicorn.Server(config).run()`` serves it."""
    protocol = type("TimedH11", (_TimedH11,), {"request_timeout_s": request_timeout_s,
                                               "max_connections": max_connections})
    return uvicorn.Config(app, host=host, port=port, log_level="warning", http=protocol, ws="none",
                          timeout_keep_alive=KEEP_ALIVE_S, h11_max_incomplete_event_size=MAX_HEAD_BYTES,
                          limit_concurrency=max_connections, lifespan="off")
