"""The SPE service: one long-lived process answering researchers' queries over a Unix socket.

Why: a query run in a new process pays for the interpreter, DuckDB, Arrow, the catalogue's
ORM and each Delta table's log, about six seconds on the demo permit, for a query that runs
in a tenth of a second once warm. ``haven spe serve`` pays that once; ``haven query`` and the
portal's workbench send it their queries (``spe.client``) and fall back to running in their
own process when it is not up.

Design, and what it keeps of the in-process path:

- **One process, many sessions.** HTTP/1.1 over a Unix socket (``HAVEN_SPE_SOCKET``, by
  default ``$HAVEN_HOME/spe/service.sock``), one thread per connection. Each query is one
  call of ``spe.service.run_permit_query``, the function the CLI runs in-process: the same
  permit check (``check_can_query`` for the actor), the same fresh locked DuckDB sandbox
  under the same limits, the same disclosure control and differencing against the permit's
  release history, the same ``spe.query`` audit entry. The service adds no path around them.
- **Bounded.** At most ``HAVEN_SPE_SERVICE_SESSIONS`` sandboxes run at once (each under
  ``HAVEN_SPE_MEMORY_LIMIT`` and ``HAVEN_SPE_THREADS``, so memory is bounded by their
  product); further queries wait for a free one. A statement past its time or memory limit
  is refused with the rule named (``time_limit``, ``memory_limit``); the service stays up. The
  statement runs outside the permit's history lock, so a slow query never holds the permit's
  other sessions; disclosure control and the history update still happen under it. DuckDB's
  memory limit does not cover every allocation (strings or lists a function builds), so the
  service also caps its own address space (``RLIMIT_AS``: warm size, twice each session's
  limit, 2 GiB more): past it an allocation fails inside the query, which is refused as over
  its memory limit, instead of the kernel killing the service (or a neighbour).
- **Warm, never stale.** Opened Delta table versions are kept (``spe.snapshots``), as are
  the imported engine, the SQL parser's connection, the shapes of recent statements
  (``spe.shape.analysed``) and the catalogue's connection pool. The
  permit, its users, its dates and the Delta versions of its newest build are read from the
  catalogue on every request, so a permit that ended is refused at the next request and a
  new build is read at once.
- **Who may call.** The socket is created owner-only (0600) in an owner-only folder, and the
  service accepts a connection only from a process of its own OS user (``SO_PEERCRED``). The
  caller (the CLI, or the portal after sign-in) names the acting user, as ``haven query --as``
  does in-process; the service checks that user against the permit. Clients refuse a socket
  that is not owner-only or belongs to someone else (``spe.client.check_socket_path``).
- **Same settings.** Each request carries a digest of the caller's decisive settings (the
  instance, thresholds, limits); a service started with other settings refuses the request
  rather than answer under them.

Requests: ``POST /v1/query`` with ``{"permit", "actor", "sql", "at", "settings"}`` answers
200 with the result (``spe.answers``) or 403/404/409 for a denied, unknown or unpublished
permit; ``GET /v1/health`` the service's counters. A malformed request answers 400 (or 404,
405, 411, 413) with ``{"error", "message"}``; nothing of the SQL is logged or echoed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import socketserver
import struct
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import FrameType
from typing import Any

from catalog.db.gateway import unit_of_work
from catalog.errors import PermitDenied, UnknownPermit
from catalog.permits.queries import active_permits
from common.errors import ConfigError
from common.layout import LakeLayout
from common.logging import get_logger, safe
from common.settings import Settings
from spe.address_space import cap_address_space
from spe.answers import result_to_wire
from spe.client import (
    HEALTH_PATH,
    MAX_SOCKET_PATH,
    QUERY_PATH,
    check_socket_path,
    fingerprint,
)
from spe.errors import BadRequest, NotPublished, ServiceUnavailable, UnsafeSocket
from spe.service import built_versions, run_permit_query
from spe.snapshots import Snapshots
from spe.sqltree import parse_select

log = get_logger(__name__)

MAX_BODY = 1_000_000
MAX_CONNECTIONS = 128
_FIELDS = {"permit": str, "actor": str, "sql": str}


class SpeService:
    """What the service keeps between requests, and one request's work."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fingerprint = fingerprint(settings)
        self.snapshots = Snapshots()
        self.sessions = threading.BoundedSemaphore(settings.spe_service_sessions)
        self.started = time.monotonic()
        self._count = threading.Lock()
        self.served = 0
        self.active = 0
        self.address_space: int | None = None

    def warm(self) -> int:
        """Load the engine and open the newest build of every permit in force; how many tables."""
        parse_select("SELECT count(*) FROM t")
        with unit_of_work(self.settings) as store:
            permits = active_permits(store)
            builds = {permit_id: store.permit_builds(permit_id) for permit_id in permits}
        opened = 0
        layout = LakeLayout(self.settings.lake)
        for permit_id in sorted(permits):
            tables = layout.permit_tables(permit_id)
            versions = built_versions(builds[permit_id], tables)
            for name, path in sorted(tables.items()):
                try:
                    self.snapshots.open(path, versions.get(name))
                except Exception as exc:  # its queries will fail alike, each audited
                    log.exception("spe.service.warm_failed", exc, permit=safe(permit_id), table=safe(name))
                else:
                    opened += 1
        return opened

    def health(self) -> dict[str, Any]:
        return {
            "service": "haven-spe",
            "pid": os.getpid(),
            "settings": self.fingerprint,
            "sessions": self.settings.spe_service_sessions,
            "active": self.active,
            "served": self.served,
            "uptime_s": round(time.monotonic() - self.started, 1),
            "snapshots": len(self.snapshots),
            "address_space_mib": None if self.address_space is None else self.address_space // 1024**2,
        }

    def query(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One query request, checked, run as the in-process path runs it, and answered."""
        for name, kind in _FIELDS.items():
            if not isinstance(body.get(name), kind) or not body[name]:
                raise BadRequest(400, "malformed", f"{name} must be a non-empty string")
        if body.get("settings") != self.fingerprint:
            raise BadRequest(
                409,
                "settings",
                "the SPE service runs with other settings than the caller (instance, thresholds "
                "or limits): restart it with the caller's settings",
            )
        at = body.get("at")
        try:
            moment = None if at is None else datetime.fromisoformat(at)
        except (TypeError, ValueError):
            raise BadRequest(400, "malformed", "at must be an ISO date and time with its offset") from None
        if moment is not None and moment.tzinfo is None:
            raise BadRequest(400, "malformed", "at must be an ISO date and time with its offset")
        with self.sessions:
            with self._count:
                self.active += 1
            try:
                ran = run_permit_query(
                    body["permit"],
                    body["actor"],
                    body["sql"],
                    self.settings,
                    moment,
                    snapshots=self.snapshots,
                )
            except UnknownPermit as exc:
                return 404, {"error": "unknown_permit", "message": str(exc)}
            except PermitDenied as exc:
                return 403, {"error": "permit_denied", "message": str(exc)}
            except NotPublished as exc:
                return 409, {"error": "not_published", "message": str(exc)}
            finally:
                with self._count:
                    self.active -= 1
                    self.served += 1
        return 200, result_to_wire(ran)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"  # a garbled request line gets a status line all the same
    server_version = "haven-spe"
    sys_version = ""
    timeout = 60  # seconds a connection may stay silent while sending its request

    def log_message(self, format: str, *args: Any) -> None:
        """http.server would log the request line; the service logs its own data-free line."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Not HTTP at all (a bad request line or headers): a JSON error that echoes nothing."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._answer(code, {"error": "malformed", "message": f"not an HTTP/1.1 request ({code})"})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, allow_nan=True).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        if self.headers.get("Transfer-Encoding"):
            raise BadRequest(411, "length_required", "send the body with a Content-Length")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise BadRequest(411, "length_required", "send the body with a Content-Length")
        if int(length) > MAX_BODY:
            self.close_connection = True
            raise BadRequest(413, "too_large", f"the request is larger than {MAX_BODY} bytes")
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw)
        except ValueError:
            raise BadRequest(400, "malformed", "the body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequest(400, "malformed", "the body is a JSON object")
        return body

    def _serve(self, route: str) -> None:
        service: SpeService = self.server.service  # type: ignore[attr-defined]
        started = time.perf_counter()
        status = 500
        try:
            if route == "query":
                status, answer = service.query(self._body())
            elif route == "health":
                status, answer = 200, service.health()
            elif route == "not_found":
                raise BadRequest(404, "not_found", "no such path")
            else:
                raise BadRequest(405, "method", "method not allowed here")
        except BadRequest as exc:
            status, answer = exc.status, {"error": exc.error, "message": exc.message}
        except Exception as exc:  # one request failed; the service answers the next
            log.exception("spe.service.failed", exc, route=safe(route))
            status, answer = (
                500,
                {"error": "internal", "message": f"the SPE service failed ({type(exc).__name__})"},
            )
        self._answer(status, answer)
        log.info(
            "spe.service.request",
            route=safe(route),
            status=status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def _route(self, method: str) -> str:
        path = self.path.split("?", 1)[0]
        routes = {QUERY_PATH: ("POST", "query"), HEALTH_PATH: ("GET", "health")}
        if path not in routes:
            return "not_found"
        wanted, route = routes[path]
        return route if method == wanted else "method"

    def do_GET(self) -> None:
        self._serve(self._route("GET"))

    def do_POST(self) -> None:
        self._serve(self._route("POST"))

    def do_PUT(self) -> None:
        self._serve(self._route("PUT"))

    def do_DELETE(self) -> None:
        self._serve(self._route("DELETE"))


def peer_uid(connection: socket.socket) -> int | None:
    """The user id of the process at the other end of a Unix socket (Linux), else None."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    raw = connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", raw)
    return int(uid)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS  # connections waiting to be accepted (listen backlog)

    def __init__(self, path: Path, service: SpeService) -> None:
        self.service = service
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(str(path), _Handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        uid = peer_uid(request)
        if uid is not None and uid != os.geteuid():
            log.warning("spe.service.foreign_caller", uid=uid)
            return False
        if not self._connections.acquire(blocking=False):
            log.warning("spe.service.too_many_connections", limit=MAX_CONNECTIONS)
            return False
        return True

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()


def _clear_old_socket(path: Path) -> None:
    """Remove a socket left by a service that stopped; refuse to start beside a running one
    or over anything that is not this user's socket."""
    try:
        check_socket_path(path)
    except ServiceUnavailable:
        return
    except UnsafeSocket as exc:
        raise ConfigError(f"cannot start the SPE service: {exc}") from None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(2.0)
            probe.connect(str(path))
    except OSError:
        path.unlink()  # nobody listens: a stale socket
        return
    raise ConfigError(f"an SPE service already listens on {path}")


def bind(settings: Settings) -> tuple[_Server, SpeService]:
    """The service's server, bound to its owner-only socket (not yet serving)."""
    path = settings.spe_service_socket
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise ConfigError(
            f"the SPE service socket path {path} is longer than {MAX_SOCKET_PATH} bytes: "
            "set HAVEN_SPE_SOCKET to a shorter one"
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _clear_old_socket(path)
    service = SpeService(settings)
    previous = os.umask(0o177)  # the socket is born owner-only: no moment open to others
    try:
        server = _Server(path, service)
    finally:
        os.umask(previous)
    path.chmod(0o600)
    return server, service


def serve(settings: Settings, ready: Any = None) -> None:
    """Run the service until SIGINT or SIGTERM; the socket is removed on the way out.
    ``ready`` (a callable) is told the number of warm tables once requests are accepted."""
    server, service = bind(settings)
    path = settings.spe_service_socket
    inode = path.stat().st_ino

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        warm = service.warm()
        service.address_space = cap_address_space(settings, MAX_CONNECTIONS)
        log.info(
            "spe.service.started",
            tables=warm,
            sessions=settings.spe_service_sessions,
            address_space_mib=None if service.address_space is None else service.address_space // 1024**2,
        )
        if ready is not None:
            ready(warm)
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        with contextlib.suppress(FileNotFoundError):
            if path.lstat().st_ino == inode:
                path.unlink()
        log.info("spe.service.stopped", served=service.served)
