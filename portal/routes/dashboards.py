"""Policy dashboards: the public list, each dashboard's page (chart, the same numbers as a
table, provenance), its CSV and server-rendered SVG and PNG; and for policy analysts, their
own dashboards, composed, changed, published and withdrawn through forms.

Everything shown comes from the registry of released aggregates (``portal.dashboards``); a
dashboard a visitor may not see answers 404, as one that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from catalog.dashboards import registry, service
from catalog.dashboards.domain import DashboardState
from catalog.db.gateway import unit_of_work
from catalog.errors import InvalidSpec, InvalidTransition, NotAuthorised, NotFound
from catalog.people.domain import User
from catalog.people.roles import Operation, can
from portal import dashboards as shown
from portal.deps import gettext, now, signed_in_user, visitor_of
from portal.i18n import number
from portal.pages import pages_of
from portal.state import portal_state

router = APIRouter(include_in_schema=False)


def _analyst(request: Request) -> User:
    user = signed_in_user(request)
    if not can(user, Operation.COMPOSE_DASHBOARD):
        raise HTTPException(status_code=403)
    return user


@router.get("/dashboards")
def dashboards(request: Request) -> Response:
    """Published dashboards the visitor may see; an analyst's own dashboards too."""
    user = visitor_of(request).user
    with unit_of_work(portal_state(request).settings) as store:
        published = service.visible(store, user)
        mine = (
            service.own(store, user) if user is not None and can(user, Operation.COMPOSE_DASHBOARD) else None
        )
    return pages_of(request).render(
        request,
        "dashboards.html",
        published=published,
        mine=mine,
        states=shown.STATES,
        audiences=shown.AUDIENCES,
    )


def _form_page(
    request: Request,
    user: User,
    form: dict[str, object],
    *,
    dashboard_id: str | None = None,
    errors: list[shown.FieldError] | None = None,
) -> Response:
    with unit_of_work(portal_state(request).settings) as store:
        choices = service.choices(store, user)
        standing = service.indicator_choices(store, user)
    return pages_of(request).render(
        request,
        "dashboard_form.html",
        status=400 if errors else 200,
        form=form,
        errors=errors or [],
        choices=choices,
        standing=standing,
        dashboard_id=dashboard_id,
        kinds=shown.KINDS,
        audiences=shown.AUDIENCES,
        organisation=user.organisation,
    )


@router.get("/dashboards/new")
def new_dashboard(request: Request) -> Response:
    user = _analyst(request)
    form = shown.blank_form()
    chosen = request.query_params.get("aggregate")
    if chosen:
        form["aggregates"] = [chosen]
    return _form_page(request, user, form)


@router.post("/dashboards/new")
async def create_dashboard(request: Request) -> Response:
    user = _analyst(request)
    form = shown.read_form(await request.form())
    try:
        with unit_of_work(portal_state(request).settings) as store:
            dashboard = service.compose(store, user, form, now=now(request))
    except InvalidSpec as refused:
        return _form_page(
            request, user, form, errors=shown.problems_as_errors(refused.problems, gettext(request))
        )
    return RedirectResponse(f"/dashboards/{dashboard.dashboard_id}", status_code=303)


@router.get("/dashboards/{dashboard_id}/edit")
def edit_dashboard_page(request: Request, dashboard_id: str) -> Response:
    user = _analyst(request)
    with unit_of_work(portal_state(request).settings) as store:
        found = store.find_dashboard(dashboard_id)
    if found is None or not service.can_edit(user, found):
        raise HTTPException(status_code=404)
    return _form_page(request, user, shown.form_of(found), dashboard_id=dashboard_id)


@router.post("/dashboards/{dashboard_id}/edit")
async def edit_dashboard(request: Request, dashboard_id: str) -> Response:
    user = _analyst(request)
    form = shown.read_form(await request.form())
    try:
        with unit_of_work(portal_state(request).settings) as store:
            service.edit(store, user, dashboard_id, form, now=now(request))
    except (NotFound, NotAuthorised):
        raise HTTPException(status_code=404) from None
    except InvalidSpec as refused:
        errors = shown.problems_as_errors(refused.problems, gettext(request))
        return _form_page(request, user, form, dashboard_id=dashboard_id, errors=errors)
    return RedirectResponse(f"/dashboards/{dashboard_id}", status_code=303)


async def _move(request: Request, dashboard_id: str, target: DashboardState) -> Response:
    user = _analyst(request)
    try:
        with unit_of_work(portal_state(request).settings) as store:
            service.move(store, user, dashboard_id, target, now=now(request))
    except (NotFound, NotAuthorised):
        raise HTTPException(status_code=404) from None
    except InvalidTransition:
        pass  # sent twice (double click, back button): it is already where it was asked to go
    except InvalidSpec:
        return RedirectResponse(f"/dashboards/{dashboard_id}?refused=1", status_code=303)
    return RedirectResponse(f"/dashboards/{dashboard_id}", status_code=303)


@router.post("/dashboards/{dashboard_id}/publish")
async def publish_dashboard(request: Request, dashboard_id: str) -> Response:
    return await _move(request, dashboard_id, DashboardState.PUBLISHED)


@router.post("/dashboards/{dashboard_id}/withdraw")
async def withdraw_dashboard(request: Request, dashboard_id: str) -> Response:
    return await _move(request, dashboard_id, DashboardState.DRAFT)


def _view(request: Request, dashboard_id: str) -> service.DashboardView:
    with unit_of_work(portal_state(request).settings) as store:
        try:
            return service.view(store, visitor_of(request).user, dashboard_id)
        except NotFound:
            raise HTTPException(status_code=404) from None


@router.get("/dashboards/{dashboard_id}")
def dashboard(request: Request, dashboard_id: str) -> Response:
    """One dashboard: chart (server-rendered SVG), the same numbers as tables, provenance."""
    view = _view(request, dashboard_id)
    language = visitor_of(request).language
    page = shown.page(
        view, visitor_of(request).user, language, gettext(request), lambda v: number(v, language)
    )
    return pages_of(request).render(
        request,
        "dashboard.html",
        dashboard=page,
        refused=request.query_params.get("refused") == "1",
        audiences=shown.AUDIENCES,
        states=shown.STATES,
    )


@router.get("/dashboards/{dashboard_id}/data.csv")
def dashboard_csv(request: Request, dashboard_id: str) -> Response:
    view = _view(request, dashboard_id)
    return Response(
        shown.as_csv(view),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{dashboard_id}.csv"'},
    )


def _chart(request: Request, dashboard_id: str) -> dict[str, object]:
    view = _view(request, dashboard_id)
    language = visitor_of(request).language
    full = shown.vega_lite(view, language, gettext(request), lambda v: number(v, language))
    if full is None:
        raise HTTPException(status_code=404)
    return full


def _rendered(request: Request, dashboard_id: str, fmt: str) -> bytes:
    try:
        return shown.render(_chart(request, dashboard_id), fmt)
    except ValueError:  # Vega could not draw an accepted spec (a number format it rejects)
        raise HTTPException(status_code=422) from None


@router.get("/dashboards/{dashboard_id}/chart.svg")
def dashboard_svg(request: Request, dashboard_id: str) -> Response:
    return Response(_rendered(request, dashboard_id, "svg"), media_type="image/svg+xml")


@router.get("/dashboards/{dashboard_id}/chart.png")
def dashboard_png(request: Request, dashboard_id: str) -> Response:
    png = _rendered(request, dashboard_id, "png")
    return Response(
        png,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="{dashboard_id}.png"'},
    )


@router.get("/dashboards/{dashboard_id}/chart.json")
def dashboard_spec(request: Request, dashboard_id: str) -> Response:
    """The chart's Vega-Lite spec with its data, for the page's script (vega-embed) to draw."""
    return Response(shown.spec_json(_chart(request, dashboard_id)), media_type="application/json")


@router.get("/released/{aggregate_id}.csv")
def released_file(request: Request, aggregate_id: str) -> Response:
    """A released aggregate's file, byte for byte, where its permit allows publication (the
    download address of its distribution in the HealthDCAT-AP catalogue)."""
    with unit_of_work(portal_state(request).settings) as store:
        found = store.find_released_aggregate(aggregate_id)
        if found is None or not registry.publication(store.get_application(found.permit_id)).allowed:
            raise HTTPException(status_code=404)
    return Response(
        found.csv.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{aggregate_id}.csv"'},
    )
