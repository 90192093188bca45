"""The JSON API of the audit log and its verification (stewards and operators), the quality
report (stewards and operators), and the signed-in user's notifications with mark-read. Same
services and response models as the pages; state-changing calls need ``X-CSRF-Token``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from catalog.db.gateway import unit_of_work
from catalog.errors import NotAuthorised, NotFound
from catalog.notifications import service as notifications
from portal.deps import gettext, now, signed_in_user, visitor_of
from portal.routes.api import NEEDS_SIGN_IN
from portal.schemas_steward import (
    AuditLog,
    ChainCheck,
    DatasetQuality,
    MarkedRead,
    Notification,
    Notifications,
)
from portal.state import portal_state
from portal.steward import audit_log, notification, notifications_of, parse_query, quality_report

router = APIRouter(prefix="/api", tags=["api"])
STEWARDS_ONLY: dict[int | str, dict[str, Any]] = {
    **NEEDS_SIGN_IN,
    403: {"description": "only stewards and operators may"},
}
CHANGES: dict[int | str, dict[str, Any]] = {**NEEDS_SIGN_IN, 403: {"description": "no valid CSRF token"}}
INVALID: dict[int | str, dict[str, Any]] = {422: {"description": "a filter is not valid; errors name it"}}


def _log(request: Request) -> AuditLog | JSONResponse:
    user = signed_in_user(request)
    _ = gettext(request)
    query = parse_query(request.query_params)
    if query.errors:
        errors = [{"loc": ["query", e.field], "msg": _(e.message)} for e in query.errors]
        return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)
    try:
        return audit_log(portal_state(request).settings, user, query, _)[0]
    except NotAuthorised:
        raise HTTPException(status_code=403) from None


@router.get("/audit", response_model=AuditLog, responses={**STEWARDS_ONLY, **INVALID})
def api_audit(
    request: Request,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    start: str = "",
    end: str = "",
    page: int = 1,
    expected_head: str = "",
) -> AuditLog | JSONResponse:
    """A page (50 entries, newest first) of the audit log as the filters keep it, how many
    they hide, and the hash chain verified (against ``expected_head`` when given)."""
    return _log(request)


@router.get("/audit/verification", response_model=ChainCheck, responses={**STEWARDS_ONLY, **INVALID})
def api_audit_verification(request: Request, expected_head: str = "") -> ChainCheck | JSONResponse:
    """The hash chain verified as ``haven audit verify`` does: intact with the head hash and
    entry count, or broken at the first bad entry."""
    found = _log(request)
    return found if isinstance(found, JSONResponse) else found.chain


@router.get("/quality", response_model=list[DatasetQuality], responses=STEWARDS_ONLY)
def api_quality(request: Request) -> list[DatasetQuality]:
    """Every dataset's latest validation results and quality and utility label per silver version."""
    user = signed_in_user(request)
    try:
        return quality_report(
            portal_state(request).settings, user, visitor_of(request).language, gettext(request)
        )
    except NotAuthorised:
        raise HTTPException(status_code=403) from None


@router.get("/notifications", response_model=Notifications, responses=NEEDS_SIGN_IN)
def api_notifications(request: Request) -> Notifications:
    """The signed-in user's notifications, newest first, and how many are unread."""
    user = signed_in_user(request)
    return notifications_of(portal_state(request).settings, user, visitor_of(request).language)


@router.post(
    "/notifications/{notification_id}/read",
    response_model=Notification,
    responses={**CHANGES, 404: {"description": "not one of the user's notifications"}},
)
def api_mark_read(request: Request, notification_id: str) -> Notification:
    """Mark one of the user's notifications read (again: nothing changes)."""
    user = signed_in_user(request)
    try:
        with unit_of_work(portal_state(request).settings) as store:
            found = notifications.mark_read(store, user, notification_id, now(request))
    except NotFound:
        raise HTTPException(status_code=404) from None
    return notification(found, visitor_of(request).language)


@router.post("/notifications/read", response_model=MarkedRead, responses=CHANGES)
def api_mark_all_read(request: Request) -> MarkedRead:
    """Mark every unread notification of the user read."""
    user = signed_in_user(request)
    with unit_of_work(portal_state(request).settings) as store:
        marked = notifications.mark_all_read(store, user, now(request))
        unread = notifications.unread(store, user)
    return MarkedRead(marked=marked, unread=unread)
