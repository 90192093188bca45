"""Running a query through the SPE service (``spe.server``) when it is up, in-process when not.

``run_query`` is what ``haven query`` and the portal's workbench call. With the setting
``spe_service`` at ``auto`` (the default) it sends the query to the service's Unix socket when
the socket exists, and runs ``spe.service.run_permit_query`` in its own process otherwise;
``off`` always runs in-process, ``required`` fails when no service answers. Either way the
answer, the exceptions (``UnknownPermit``, ``PermitDenied``, ``NotPublished``) and the audit
entry are the same: the service runs the very same function.

Before connecting, the client checks the socket: a socket file owned by this user, readable
and writable by nobody else, in a folder nobody else may write. Anything else is refused
(``UnsafeSocket``), never silently bypassed. The service checks the caller's user id in turn.

Light on purpose: no DuckDB, Arrow or SQLAlchemy is imported until a query runs in-process.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import stat
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog.errors import PermitDenied, UnknownPermit
from common.settings import ServiceMode, Settings, get_settings
from spe.answers import PermitQuery, result_from_wire
from spe.errors import NotPublished, ServiceFailed, ServiceUnavailable, UnsafeSocket

QUERY_PATH = "/v1/query"
HEALTH_PATH = "/v1/health"
# AF_UNIX paths hold at most 108 bytes with the terminating NUL on Linux.
MAX_SOCKET_PATH = 107
_BUSY_WAIT_S = 30.0
_PASSWORD = re.compile(r"(?<=:)[^:@/]*(?=@)")


def fingerprint(settings: Settings) -> str:
    """A digest of the settings that decide a query's answer (the instance, its thresholds
    and limits), so a client never gets answers computed under other settings."""
    decisive = {
        "home": str(settings.home),
        "lake": str(settings.lake),
        "catalog": _PASSWORD.sub("", settings.catalog_url or ""),
        "disclosure": settings.disclosure,
        "limits": [
            settings.spe_time_limit_seconds,
            settings.spe_memory_limit,
            settings.spe_threads,
            settings.spe_max_result_rows,
        ],
    }
    return hashlib.sha256(json.dumps(decisive, sort_keys=True).encode()).hexdigest()


def check_socket_path(path: Path) -> None:
    """Raise ``ServiceUnavailable`` when ``path`` does not exist, ``UnsafeSocket`` unless it
    is a socket this user owns with no access for others, in a folder only this user may
    write to."""
    try:
        found = path.lstat()
    except FileNotFoundError:
        raise ServiceUnavailable(f"no SPE service socket at {path}") from None
    if not stat.S_ISSOCK(found.st_mode):
        raise UnsafeSocket(f"{path} is not a socket")
    if found.st_uid != os.geteuid():
        raise UnsafeSocket(f"the SPE service socket {path} belongs to another user (uid {found.st_uid})")
    if found.st_mode & 0o077:
        mode = stat.S_IMODE(found.st_mode)
        raise UnsafeSocket(f"the SPE service socket {path} is open to others (mode {mode:o}, must be 600)")
    folder = path.parent.stat()
    if folder.st_uid != os.geteuid() or folder.st_mode & 0o022:
        raise UnsafeSocket(f"the folder of the SPE service socket {path.parent} is writable by others")


class _UnixConnection(http.client.HTTPConnection):
    """HTTP/1.1 over a Unix socket."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        # A Unix socket whose backlog is full refuses at once (EAGAIN) rather than waiting:
        # try again for a while, as a TCP client would wait in the handshake.
        deadline = time.monotonic() + _BUSY_WAIT_S
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(str(self._path))
            except BlockingIOError:
                sock.close()
                if time.monotonic() > deadline:
                    raise ServiceFailed("the SPE service is too busy to accept the request") from None
                time.sleep(0.05)
                continue
            except OSError:
                sock.close()
                raise
            self.sock = sock
            return


def call(settings: Settings, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """One request to the service: its HTTP status and decoded JSON answer.

    Raises ``ServiceUnavailable`` when nothing listens (before anything was sent),
    ``UnsafeSocket`` for a socket that is not owner-only, ``ServiceFailed`` when the
    connection breaks after the request was sent or the answer is not JSON.
    """
    where = settings.spe_service_socket
    check_socket_path(where)
    # A query may wait for a free session, then run up to its time limit, twice (the
    # statement and its companion): wait well past that before giving up.
    connection = _UnixConnection(where, timeout=4 * settings.spe_time_limit_seconds + 120)
    try:
        try:
            connection.connect()
        except (ConnectionRefusedError, FileNotFoundError):
            raise ServiceUnavailable(f"no SPE service answers on {where}") from None
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise ServiceFailed(f"the SPE service broke off the request ({type(exc).__name__})") from None
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        raise ServiceFailed(f"the SPE service answered {response.status} without JSON") from None


def query_service(
    permit_id: str, user: str, sql: str, settings: Settings, at: datetime | None = None
) -> PermitQuery:
    """``run_permit_query`` run by the service, with its exceptions raised here."""
    status, answer = call(
        settings,
        "POST",
        QUERY_PATH,
        {
            "permit": permit_id,
            "actor": user,
            "sql": sql,
            "at": None if at is None else at.isoformat(),
            "settings": fingerprint(settings),
        },
    )
    if status == 200:
        try:
            return result_from_wire(answer)
        except ValueError as exc:
            raise ServiceFailed(str(exc)) from None
    error = answer.get("error") if isinstance(answer, dict) else None
    message = str(answer.get("message")) if isinstance(answer, dict) else "no message"
    if error == "unknown_permit":
        raise UnknownPermit(message)
    if error == "permit_denied":
        raise PermitDenied(message)
    if error == "not_published":
        raise NotPublished(message, "not_published")
    raise ServiceFailed(f"the SPE service refused the request ({status} {error}): {message}")


def health(settings: Settings) -> dict[str, Any]:
    """The running service's counters; ``ServiceUnavailable`` when none answers."""
    status, answer = call(settings, "GET", HEALTH_PATH)
    if status != 200 or not isinstance(answer, dict):
        raise ServiceFailed(f"the SPE service answered {status} to a health check")
    return answer


def run_query(
    permit_id: str, user: str, sql: str, settings: Settings | None = None, at: datetime | None = None
) -> PermitQuery:
    """``spe.service.run_permit_query``, through the SPE service when it is up (see the module)."""
    settings = settings or get_settings()
    if settings.spe_service is not ServiceMode.OFF:
        try:
            return query_service(permit_id, user, sql, settings, at)
        except ServiceUnavailable as exc:
            if settings.spe_service is ServiceMode.REQUIRED:
                raise ServiceFailed(f"{exc}: start it with `haven spe serve`") from None
    from spe.service import run_permit_query

    return run_permit_query(permit_id, user, sql, settings, at)
