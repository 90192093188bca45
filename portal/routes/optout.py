"""Opt-out in the portal: a signed-in citizen records or withdraws their own opt-out, one
question per page (choose, check your answers with the effect explained, confirmation with a
reference number), and sees their own state and history; an agent records one taken by phone
or at a desk for a citizen whose pid they type.

The pid is never rendered, put in a URL, logged or quoted in an error: the citizen's comes
from their account's link, the agent's form never echoes it back. Confirmations carry a
one-time form key, so a form sent twice (double click, back button, replay) records one
event and shows the same reference.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from catalog.db.gateway import unit_of_work
from catalog.errors import InvalidOptOutEvent, NotAuthorised, NotFound, RuleViolation
from catalog.optout import citizens
from catalog.optout.domain import Receipt
from catalog.optout.vocabulary import AGENT_CHANNELS, OptOutAction, OptOutChannel
from catalog.people.domain import User
from catalog.people.roles import Operation, can
from portal.deps import gettext, now, signed_in_user, visitor_of
from portal.i18n import N_
from portal.pages import pages_of
from portal.register import register_rows
from portal.state import portal_state
from portal.steward import FieldError

router = APIRouter(include_in_schema=False)
ACTIONS = {a.value: a for a in OptOutAction}
AGENT_CHANNEL_NAMES = sorted(c.value for c in AGENT_CHANNELS)
CHOOSE_ACTION = N_("Choose whether you want to opt out or withdraw your opt-out.")
AGENT_ERRORS = {
    "pid": N_(
        "Enter the person's pseudonym (pid) as the trusted third party gave it: letters, digits or _.:-"
    ),
    "action": N_("Choose opt-out or withdrawal."),
    "channel": N_("Choose phone or desk."),
}


def _citizen(request: Request) -> User:
    user = signed_in_user(request)
    if not can(user, Operation.OPT_OUT_ONLINE):
        raise HTTPException(status_code=403)
    return user


def _agent(request: Request) -> User:
    user = signed_in_user(request)
    if not can(user, Operation.TAKE_OPT_OUT):
        raise HTTPException(status_code=403)
    return user


def _state(request: Request, user: User) -> citizens.CitizenState:
    with unit_of_work(portal_state(request).settings) as store:
        return citizens.state_of(store, user)


def _reach(request: Request) -> dict[str, Any]:
    """What an opt-out reaches under the configured policy: the permits in force now, by title."""
    settings = portal_state(request).settings
    rows = register_rows(settings, now(request))
    return {
        "policy": settings.optout_policy.value,
        "in_force": [r.entry.title for r in rows if r.entry.in_force],
    }


@router.get("/opt-out")
def start(request: Request) -> Response:
    """What opting out means and the ways to do it; a signed-in citizen's current state."""
    user = visitor_of(request).user
    state = _state(request, user) if user is not None and can(user, Operation.OPT_OUT_ONLINE) else None
    return pages_of(request).render(request, "optout_start.html", state=state, reach=_reach(request))


def _choose_page(request: Request, status: int = 200, errors: list[FieldError] | None = None) -> Response:
    state = _state(request, _citizen(request))
    return pages_of(request).render(
        request, "optout_choose.html", status=status, state=state, errors=errors or []
    )


@router.get("/opt-out/choose")
def choose(request: Request) -> Response:
    """One question: opt out, or withdraw an opt-out."""
    return _choose_page(request)


@router.post("/opt-out/choose")
def chosen(request: Request, action: Annotated[str, Form()] = "") -> Response:
    _citizen(request)
    if action not in ACTIONS:
        return _choose_page(request, 400, [FieldError("action", gettext(request)(CHOOSE_ACTION))])
    return RedirectResponse(f"/opt-out/check?action={action}", status_code=303)


@router.get("/opt-out/check")
def check(request: Request, action: str = "") -> Response:
    """Check your answer: what will happen, then confirm (the form carries a one-time key)."""
    user = _citizen(request)
    if action not in ACTIONS:
        return RedirectResponse("/opt-out/choose", status_code=303)
    return pages_of(request).render(
        request,
        "optout_check.html",
        action=action,
        state=_state(request, user),
        reach=_reach(request),
        form_key=citizens.new_form_key(),
    )


def _submit(request: Request, owner: User, form_key: str, call: Any) -> Receipt | None:
    """Run ``call(store)``; when a double click raced it, the receipt its twin left."""
    settings = portal_state(request).settings
    try:
        with unit_of_work(settings) as store:
            receipt: Receipt = call(store)
            return receipt
    except IntegrityError:
        with unit_of_work(settings) as store:
            return store.find_receipt_by_form_key(owner.username, form_key)


@router.post("/opt-out/confirm")
def confirm(
    request: Request, action: Annotated[str, Form()] = "", form_key: Annotated[str, Form()] = ""
) -> Response:
    """Record the citizen's choice (channel online, source portal) and show its confirmation."""
    user = _citizen(request)
    if action not in ACTIONS:
        return RedirectResponse("/opt-out/choose", status_code=303)
    try:
        receipt = _submit(
            request,
            user,
            form_key,
            lambda store: citizens.request_online(
                store, user, ACTIONS[action], form_key=form_key, now=now(request)
            ),
        )
    except (NotFound, RuleViolation):
        raise HTTPException(status_code=400) from None
    if receipt is None:
        raise HTTPException(status_code=400)
    return RedirectResponse(f"/opt-out/done/{receipt.reference}", status_code=303)


def _receipt(request: Request, user: User, reference: str) -> Receipt:
    try:
        with unit_of_work(portal_state(request).settings) as store:
            return citizens.receipt_of(store, user, reference)
    except NotFound:
        raise HTTPException(status_code=404) from None
    except NotAuthorised:
        raise HTTPException(status_code=403) from None


@router.get("/opt-out/done/{reference}")
def done(request: Request, reference: str) -> Response:
    """The confirmation of the citizen's own request, with its reference number."""
    user = _citizen(request)
    receipt = _receipt(request, user, reference)
    return pages_of(request).render(request, "optout_done.html", receipt=receipt, reach=_reach(request))


@router.get("/opt-out/status")
def status(request: Request) -> Response:
    """The signed-in citizen's own opt-out state and its history; nothing about anyone else."""
    user = _citizen(request)
    return pages_of(request).render(request, "optout_status.html", state=_state(request, user))


def _agent_page(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("errors", [])
    context.setdefault("values", {})
    return pages_of(request).render(
        request,
        "agent_optout.html",
        status=status,
        channels=AGENT_CHANNEL_NAMES,
        form_key=citizens.new_form_key(),
        **context,
    )


@router.get("/agent/opt-out")
def agent_form(request: Request) -> Response:
    """The agent's form: the citizen's pid, opt-out or withdrawal, phone or desk."""
    _agent(request)
    return _agent_page(request)


@router.post("/agent/opt-out")
def agent_record(
    request: Request,
    pid: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    form_key: Annotated[str, Form()] = "",
) -> Response:
    """Record what the agent took; the agent's user name is the event's agent id."""
    agent = _agent(request)
    _ = gettext(request)
    problems = []
    if not citizens.PID_SHAPE.fullmatch(pid.strip()):
        problems.append("pid")
    if action not in ACTIONS:
        problems.append("action")
    if channel not in AGENT_CHANNEL_NAMES:
        problems.append("channel")
    if problems:
        errors = [FieldError(name, _(AGENT_ERRORS[name])) for name in problems]
        # The pid is never sent back: the agent types it again.
        return _agent_page(request, 400, errors=errors, values={"action": action, "channel": channel})
    try:
        receipt = _submit(
            request,
            agent,
            form_key,
            lambda store: citizens.request_by_agent(
                store,
                agent,
                pid,
                ACTIONS[action],
                OptOutChannel(channel),
                form_key=form_key,
                now=now(request),
            ),
        )
    except (InvalidOptOutEvent, RuleViolation):
        raise HTTPException(status_code=400) from None
    if receipt is None:
        raise HTTPException(status_code=400)
    return RedirectResponse(f"/agent/opt-out/done/{receipt.reference}", status_code=303)


@router.get("/agent/opt-out/done/{reference}")
def agent_done(request: Request, reference: str) -> Response:
    """The confirmation of a request the agent took, with the reference to read to the citizen."""
    agent = _agent(request)
    receipt = _receipt(request, agent, reference)
    return pages_of(request).render(request, "optout_done.html", receipt=receipt, reach=_reach(request))
