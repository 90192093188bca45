"""Haven's own code for a Spark cluster's executors, as one archive Spark ships.

Executors run Haven's Python where a query calls it: the free-text de-identification UDF
(``pseudonymisation.spark_text``) and the Python daemon that forks its workers
(``pseudonymisation.spark_daemon``). On a cluster their interpreter has Haven's
dependencies but not Haven itself, so the session ships ``EXECUTOR_PACKAGES`` as a zip
archive (``spark.archives``): every executor fetches it with the application and unpacks it
into its working folder as ``haven-code``, and ``PYTHONPATH=haven-code`` (relative to that
folder, as Spark documents for archives) puts it on the path of the daemon and its workers.
Unpacked, the packages read their data files (lexicons, reference tables) as in a checkout.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from common.settings import PROJECT_ROOT

# What executors import: the UDF's and the daemon's packages, and what those import.
EXECUTOR_PACKAGES = ("common", "pseudonymisation")
CODE_DIR = "haven-code"
_SKIPPED = ("__pycache__",)
# A fixed time for every entry, so the same code gives the same bytes (and the same name).
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _files(root: Path, packages: tuple[str, ...]) -> list[Path]:
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*")):
            relative = path.relative_to(root)
            if (
                path.is_file()
                and not any(part in _SKIPPED for part in relative.parts)
                and path.suffix != ".pyc"
            ):
                found.append(relative)
    return found


def code_archive(
    folder: Path, *, root: Path = PROJECT_ROOT, packages: tuple[str, ...] = EXECUTOR_PACKAGES
) -> Path:
    """The zip of ``packages`` (from ``root``) in ``folder``, named by a digest of its content:
    built once per version of the code, reused by every later session."""
    files = _files(root, packages)
    digest = hashlib.sha256()
    for relative in files:
        digest.update(str(relative).encode() + b"\0" + (root / relative).read_bytes() + b"\0")
    target = folder / f"{CODE_DIR}-{digest.hexdigest()[:16]}.zip"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    partial = folder / f".{target.name}.{os.getpid()}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
        for relative in files:
            entry = zipfile.ZipInfo(relative.as_posix(), date_time=_EPOCH)
            entry.external_attr = 0o600 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (root / relative).read_bytes())
    partial.replace(target)
    return target
