"""Serve an ASGI app over HTTP for a real browser: uvicorn in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

STARTUP_TIMEOUT_S = 10.0
# Chromium keeps idle connections open; uvicorn waits this long for them at shutdown.
SHUTDOWN_GRACE_S = 2


@dataclass(frozen=True)
class LiveServer:
    """A running server: ``url`` is its base, such as ``http://127.0.0.1:41873``."""

    url: str

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.url + (path if path.startswith("/") else "/" + path)


@contextmanager
def serve(app: Any, *, startup_timeout: float = STARTUP_TIMEOUT_S) -> Iterator[LiveServer]:
    """Serve ``app`` on a free loopback port until the block ends; yield once it accepts requests.

    The app's lifespan runs at startup and at shutdown, as under a real uvicorn. A server that
    fails to start, or does not stop within a few seconds, fails the test that asked for it.
    """
    # The bound socket goes to uvicorn as is: no window in which another process takes the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
    server = uvicorn.Server(config)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as error:  # uvicorn exits with SystemExit when startup fails
            errors.append(error)

    thread = threading.Thread(target=run, name=f"live-server-{port}", daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread, errors, startup_timeout)
        yield LiveServer(f"http://{host}:{port}")
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_GRACE_S + 5)
        sock.close()
    if thread.is_alive():
        raise RuntimeError(f"the live server on port {port} did not stop")


def _wait_until_started(
    server: uvicorn.Server, thread: threading.Thread, errors: list[BaseException], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            cause = f": {type(errors[0]).__name__}" if errors else ""
            raise RuntimeError(f"the live server stopped during startup{cause} (its log is above)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the live server did not start within {timeout:g} s")
        thread.join(0.01)
