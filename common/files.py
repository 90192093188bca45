"""Owner-only file creation for everything a Haven process writes.

An instance's state (the lake, the catalogue with its opt-out registry, logs, run and
quality reports, Airflow's home, the SPE's release histories) is health data or points at
it, so no other user of the host may read it. Each entry point calls ``make_private`` once
before it writes: the umask it sets is inherited by the threads, the Airflow task processes
and the Spark JVM the process starts, so every file they create is owner-only without each
writer having to remember. Hadoop's file systems apply their own umask on top of this; the
Spark session factory sets that one too (``common.spark``).
"""

from __future__ import annotations

import os
from pathlib import Path

from common.errors import ConfigError

PRIVATE_UMASK = 0o077


def make_private(home: Path) -> None:
    """Make files and folders this process creates from now on owner-only, and make ``home``
    an owner-only folder (created if missing, tightened if it exists)."""
    os.umask(PRIVATE_UMASK)
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir leaves an existing folder's mode alone; instances made before files were
        # private still have a 755 home, and closing the top folder closes all below it.
        home.chmod(0o700)
    except PermissionError as exc:
        raise ConfigError(
            f"cannot make HAVEN_HOME {home} owner-only: it must be a folder this user owns"
        ) from exc
