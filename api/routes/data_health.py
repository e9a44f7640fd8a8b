"""Data health (staff): every remaining contradiction between recorded facts, as JSON and as a page with links."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import NO_STORE, ConnectionDep, CurrentUserDep, EngineDep, StaffDep
from api.urls import login_redirect
from layers.health import data_health
from maps.pages import render

router = APIRouter(tags=["data health"])


@router.get(
    "/api/data-health", summary="Contradictions between recorded facts, by kind, with a link to fix each (staff)"
)
def data_health_json(conn: ConnectionDep, user: StaffDep) -> JSONResponse:
    """Each kind checked, with its words and every contradiction found as a sentence (vi, en) and a link."""
    return JSONResponse(data_health(conn), headers=NO_STORE)


@router.get("/data-health", response_class=HTMLResponse, include_in_schema=False)
def data_health_page(request: Request, user: CurrentUserDep, engine: EngineDep) -> Response:
    """Staff see the list; anonymous readers go to the login page."""
    if user is None:
        return login_redirect(request)
    with engine.connect() as conn:
        report = data_health(conn)
    html = render("data_health.html", title="Sức khoẻ dữ liệu / Data health", user=user, report=report)
    return HTMLResponse(html, headers=NO_STORE)
