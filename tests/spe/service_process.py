"""The real SPE service (``haven spe serve``) as a separate process for a test's instance.

Import the ``spe_service`` fixture into a test module (``from tests.spe.service_process import
spe_service  # noqa: F401``). It starts the command with this test's environment (its
``HAVEN_HOME``, catalogue and settings), waits until the service answers its health check,
and stops it with SIGTERM afterwards, as an operator would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from common.settings import PROJECT_ROOT, Settings, get_settings, reset_settings
from spe.client import MAX_SOCKET_PATH, health
from spe.errors import ServiceUnavailable

# Start-up waits this long at most (imports on a busy machine); not a measure of speed.
START_DEADLINE_S = 180.0


@dataclass
class RunningService:
    process: subprocess.Popen[bytes]
    settings: Settings
    log: Path

    @property
    def socket(self) -> Path:
        return self.settings.spe_service_socket

    def health(self) -> dict[str, Any]:
        return health(self.settings)

    def stop(self) -> int:
        """SIGTERM, as an operator stops it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_service(settings: Settings, log: Path) -> RunningService:
    """``haven spe serve`` for ``settings``' instance (this process's environment), answering."""
    if len(os.fsencode(settings.spe_service_socket)) > MAX_SOCKET_PATH:
        pytest.skip(f"the socket path under this tmp folder is too long: {settings.spe_service_socket}")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "spe", "serve"],
            cwd=PROJECT_ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = RunningService(process, settings, log)
    deadline = time.monotonic() + START_DEADLINE_S
    while True:
        if process.poll() is not None:
            raise AssertionError(f"haven spe serve ended with {process.returncode}: {log.read_text()}")
        try:
            running.health()
            return running
        except ServiceUnavailable:
            if time.monotonic() > deadline:
                running.stop()
                raise AssertionError(f"haven spe serve did not answer: {log.read_text()}") from None
            time.sleep(0.2)


@pytest.fixture
def spe_service(haven_home: Path, tmp_path: Path) -> Iterator[RunningService]:
    """The SPE service of this test's instance, up; stopped (and checked gone) afterwards."""
    reset_settings()
    running = start_service(get_settings(), tmp_path / "spe-service.log")
    try:
        yield running
    finally:
        code = running.stop()
        assert code == 0, running.log.read_text()
        assert not running.socket.exists(), "the service left its socket behind"
