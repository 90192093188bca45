"""`haven serve` as an operator runs it: the real command in its own process, on loopback,
answering pages and the API with the security headers, until it is stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from portal.security import HEADERS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen[str]) -> httpx.Response:
    """The first answer of ``url``, polling while the server starts (at most a minute)."""
    for _ in range(600):
        if server.poll() is not None:
            raise AssertionError(
                f"haven serve exited with {server.returncode}: {server.communicate()[1][-2000:]}"
            )
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("haven serve did not answer within a minute")


def test_haven_serve_answers_on_loopback_and_stops_on_a_signal(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "HAVEN_"))}
    env["HAVEN_HOME"] = str(tmp_path / "var")
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        home = _wait_for(f"http://127.0.0.1:{port}/", server)
        api = httpx.get(f"http://127.0.0.1:{port}/api/datasets", timeout=5)
        me = httpx.get(f"http://127.0.0.1:{port}/api/me", timeout=5)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    assert home.status_code == 200 and "<h1>" in home.text
    assert {name: home.headers[name] for name in HEADERS} == HEADERS
    # A new instance has no dataset yet (no pipeline run), and nobody is signed in.
    assert (api.status_code, api.json()) == (200, [])
    assert me.status_code == 401
    assert f"Haven portal on http://127.0.0.1:{port}/" in stderr
    assert server.returncode == 0
