"""The SPE service (``haven spe serve``) answers as the in-process path does, re-reads the
permit and its Delta versions on every request, refuses unsafe sockets, and answers malformed
requests with a clear error. The service runs as a real separate process."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.db.gateway import unit_of_work
from catalog.demo import DEMO_PERMIT_ID, RESEARCHER
from catalog.errors import PermitDenied, UnknownPermit
from cli.main import app
from common.errors import ConfigError
from common.layout import LakeLayout
from common.settings import Settings, get_settings, reset_settings
from spe.address_space import address_space_cap, size_in_bytes
from spe.client import (
    QUERY_PATH,
    check_socket_path,
    fingerprint,
    query_service,
    run_query,
)
from spe.errors import NotPublished, ServiceFailed, ServiceUnavailable, UnsafeSocket
from spe.server import bind
from spe.service import QUERY_EVENT, run_permit_query
from tests.spe.factories import persons, write_rows
from tests.spe.service_process import RunningService, spe_service  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("demo")

BY_KIND = (
    "SELECT kind, count(DISTINCT person_id) AS n, sum(amount) AS total "
    "FROM claims GROUP BY kind ORDER BY kind"
)
SMALL = "SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind = 'LAB'"
MEAN = (
    "SELECT kind, round(avg(amount), 2) AS mean, sum(amount)::DECIMAL(12, 2) AS exact "
    "FROM claims GROUP BY kind ORDER BY kind"
)
ROW_LEVEL = "SELECT person_id, amount FROM claims"
SMUGGLED = "SELECT count(*) FROM claims; SELECT 42"
FILE_READ = "SELECT count(*) FROM read_csv('/etc/passwd')"


def _claims(settings: Settings) -> Path:
    return LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")


def _publish(settings: Settings) -> None:
    table = _claims(settings)
    write_rows(table, persons("GP", 14) + persons("SPEC", 11, start=100) + persons("LAB", 3, start=200))
    write_rows(table, persons("GP", 2, start=300, amount=12.5), mode="append")  # version 1


def _queries(settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    with unit_of_work(settings) as store:
        return [(e.actor, e.object_id, e.details) for e in store.audit_entries() if e.action == QUERY_EVENT]


def _in_process(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("HAVEN_SPE_SERVICE", "off")
    reset_settings()
    return get_settings()


def test_the_service_answers_and_audits_exactly_as_the_in_process_path(
    spe_service: RunningService,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = spe_service.settings
    _publish(settings)
    answers = []
    for sql in (BY_KIND, SMALL, MEAN, ROW_LEVEL, SMUGGLED, FILE_READ):
        here = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, sql, settings)
        there = query_service(DEMO_PERMIT_ID, RESEARCHER, sql, settings)
        assert there == here, sql
        answers.append(there)
    assert spe_service.health()["served"] == 6
    # LAB (3 persons) leaves the result, SPEC is suppressed so that LAB cannot be recomputed.
    assert (answers[0].result.rows, answers[0].versions) == (
        [["GP", 16, 165.0], ["SPEC", None, None]],
        {"claims": 1},
    )
    assert [type(v).__name__ for v in answers[2].result.rows[0]] == ["str", "float", "Decimal"]
    assert [a.result.status for a in answers] == ["ok", "ok", "ok", "refused", "refused", "refused"]
    for denied_user, error in (("analyst@demo", PermitDenied), (RESEARCHER, UnknownPermit)):
        permit = DEMO_PERMIT_ID if error is PermitDenied else "no-such-permit"
        with pytest.raises(error) as here_error:
            run_permit_query(permit, denied_user, SMALL, settings)
        with pytest.raises(error) as there_error:
            query_service(permit, denied_user, SMALL, settings)
        assert str(there_error.value) == str(here_error.value)
    # Every call left one audit entry, the service's identical to the in-process one.
    entries = _queries(settings)
    assert len(entries) == 2 * 6 + 4
    assert entries[0:12:2] == entries[1:12:2]
    assert entries[12:] == [entries[12], entries[12], entries[14], entries[14]]
    # The command prints the same bytes either way, and the service answered it.
    runner = CliRunner()
    argv = ["query", "--permit", DEMO_PERMIT_ID, "--as", RESEARCHER]
    for extra in ([], ["--json"]):
        served = spe_service.health()["served"]
        through = runner.invoke(app, [*argv, *extra, MEAN])
        assert spe_service.health()["served"] == served + 1
        with monkeypatch.context() as m:
            _in_process(m)
            here = runner.invoke(app, [*argv, *extra, MEAN])
        reset_settings()
        assert (through.exit_code, through.output) == (here.exit_code, here.output)
        assert "GP" in through.output


def test_every_request_re_reads_the_permit_and_its_versions(
    spe_service: RunningService,  # noqa: F811
) -> None:
    settings = spe_service.settings
    with pytest.raises(NotPublished, match="no published datasets"):
        query_service(DEMO_PERMIT_ID, RESEARCHER, SMALL, settings)
    _publish(settings)
    first = query_service(DEMO_PERMIT_ID, RESEARCHER, BY_KIND, settings)
    assert (first.result.rows, first.versions) == ([["GP", 16, 165.0], ["SPEC", None, None]], {"claims": 1})
    # A new build of the table: the next request reads it, not the warm old version.
    write_rows(_claims(settings), persons("LAB", 20, start=400, amount=1.0), mode="append")
    second = query_service(DEMO_PERMIT_ID, RESEARCHER, BY_KIND, settings)
    assert (second.result.rows, second.versions) == (
        [["GP", 16, 165.0], ["LAB", 23, 50.0], ["SPEC", 11, 110.0]],
        {"claims": 2},
    )
    # The table removed and written anew at the same path: version 0 again, other data.
    _remove_and_rewrite(settings)
    third = query_service(DEMO_PERMIT_ID, RESEARCHER, BY_KIND, settings)
    assert (third.result.rows, third.versions) == ([["PHYS", 30, 300.0]], {"claims": 0})
    # The permit ends between two requests: the next one is refused, and audited as denied.
    with unit_of_work(settings) as store:
        application = store.get_application(DEMO_PERMIT_ID)
        store.update_application(replace(application, expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    with pytest.raises(PermitDenied):
        query_service(DEMO_PERMIT_ID, RESEARCHER, BY_KIND, settings)
    assert [d["status"] for _, _, d in _queries(settings)] == ["refused", "ok", "ok", "ok", "denied"]


def _remove_and_rewrite(settings: Settings) -> None:
    import shutil

    shutil.rmtree(_claims(settings))
    write_rows(_claims(settings), persons("PHYS", 30))


def _raw(settings: Settings, request: bytes) -> tuple[int, dict[str, Any]]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(str(settings.spe_service_socket))
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def _post(
    settings: Settings, body: bytes, path: str = QUERY_PATH, method: str = "POST"
) -> tuple[int, dict[str, Any]]:
    return _raw(
        settings,
        f"{method} {path} HTTP/1.1\r\nHost: x\r\n".encode()
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body,
    )


def test_malformed_requests_get_a_clear_error_and_the_service_stays_up(
    spe_service: RunningService,  # noqa: F811
) -> None:
    settings = spe_service.settings
    _publish(settings)
    good = {
        "permit": DEMO_PERMIT_ID,
        "actor": RESEARCHER,
        "sql": SMALL,
        "at": None,
        "settings": fingerprint(settings),
    }
    cases = [
        (b"not json", 400, "malformed", "not JSON"),
        (b"[1, 2]", 400, "malformed", "JSON object"),
        (json.dumps({**good, "sql": 42}).encode(), 400, "malformed", "sql must be"),
        (
            json.dumps({k: v for k, v in good.items() if k != "actor"}).encode(),
            400,
            "malformed",
            "actor must be",
        ),
        (json.dumps({**good, "at": "yesterday"}).encode(), 400, "malformed", "at must be"),
        (json.dumps({**good, "at": "2026-03-01T10:00:00"}).encode(), 400, "malformed", "offset"),
        (json.dumps({**good, "settings": "0" * 64}).encode(), 409, "settings", "other settings"),
    ]
    for body, status, error, words in cases:
        code, answer = _post(settings, body)
        assert (code, answer["error"]) == (status, error), body
        assert words in answer["message"]
    assert _post(settings, b"{}", path="/v1/nothing")[0] == 404
    assert _post(settings, b"{}", method="PUT")[0] == 405
    assert _raw(settings, b"POST /v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") == (
        411,
        {"error": "length_required", "message": "send the body with a Content-Length"},
    )
    assert _raw(settings, b"\x00\x01 garbage\r\n\r\n")[1]["error"] == "malformed"
    assert _post(settings, b"x" * 10, path=QUERY_PATH)[0] == 400
    code, answer = _post(settings, json.dumps(good).encode())
    assert (code, answer["rows"], answer["suppressed"][0]["rule"]) == (200, [[None]], "threshold")
    # Only the well-formed query reached the SPE, and it is audited once.
    assert [d["status"] for _, _, d in _queries(settings)] == ["ok"]
    with pytest.raises(ConfigError, match="already listens"):
        bind(settings)


def _socket_at(path: Path, mode: int) -> socket.socket:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen()
    path.chmod(mode)
    return listener


def test_a_socket_open_to_others_or_owned_by_another_user_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    path = settings.spe_service_socket
    with pytest.raises(ServiceUnavailable):
        check_socket_path(path)
    with _socket_at(path, 0o666):
        with pytest.raises(UnsafeSocket, match="open to others"):
            run_query(DEMO_PERMIT_ID, RESEARCHER, SMALL, settings)
        with pytest.raises(ConfigError, match="open to others"):
            bind(settings)  # nor does the service start over it
        path.chmod(0o600)
        if os.geteuid() == 0:  # only root can give a file away
            os.chown(path, 65534, -1)
            with pytest.raises(UnsafeSocket, match="another user"):
                run_query(DEMO_PERMIT_ID, RESEARCHER, SMALL, settings)
            os.chown(path, 0, -1)
        path.parent.chmod(0o777)
        with pytest.raises(UnsafeSocket, match="writable by others"):
            run_query(DEMO_PERMIT_ID, RESEARCHER, SMALL, settings)
        path.parent.chmod(0o700)
    path.unlink()
    path.write_text("")
    with pytest.raises(UnsafeSocket, match="not a socket"):
        run_query(DEMO_PERMIT_ID, RESEARCHER, SMALL, settings)
    path.unlink()


def test_without_a_service_the_query_runs_in_process_unless_the_service_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = get_settings()
    _publish(settings)
    path = settings.spe_service_socket
    _socket_at(path, 0o600).close()  # a socket left by a service that stopped
    assert run_query(DEMO_PERMIT_ID, RESEARCHER, SMALL, settings).result.suppressed == [
        {"row": 0, "column": "n", "rule": "threshold"}
    ]
    monkeypatch.setenv("HAVEN_SPE_SERVICE", "required")
    reset_settings()
    with pytest.raises(ServiceFailed, match="haven spe serve"):
        run_query(DEMO_PERMIT_ID, RESEARCHER, SMALL, get_settings())
    assert [d["status"] for _, _, d in _queries(settings)] == ["ok"]
    server, _ = bind(get_settings())  # the stale socket is cleared, a new one bound owner-only
    try:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    finally:
        server.server_close()
        path.unlink()


@pytest.mark.parametrize(
    ("text", "size"),
    [("1GB", 10**9), ("100MB", 10**8), ("512 MiB", 512 * 2**20), ("1.5GiB", 3 * 2**29), ("64KB", 64_000)],
)
def test_memory_limits_are_read_as_the_engine_reads_them(text: str, size: int) -> None:
    assert size_in_bytes(text) == size


def test_the_address_space_cap_leaves_room_for_every_session_twice() -> None:
    settings = Settings(spe_service_sessions=3, spe_memory_limit="1GB")
    assert address_space_cap(settings, in_use=5 * 2**30, connections=10) == (
        5 * 2**30 + 3 * 2 * 10**9 + 10 * 8 * 2**20 + 2 * 2**30
    )
