"""The planners' map pages: HTML composed by maps/ from layer specs; the features come later from the API."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import AccessDep, CurrentUserDep, ReadConnectionDep, SettingsDep
from api.urls import login_redirect
from gis.accounts import User
from gis.vocab import Role
from layers.spec import Access
from maps.clearance import clearance_page
from maps.folium_offline import content_security_policy
from maps.projects import projects_page
from maps.revisions import revisions_page
from maps.zones import zones_page

router = APIRouter(tags=["map pages"])


def _editor(user: User | None) -> bool:
    """Whether the header links to the workspace (editors and admins)."""
    return user is not None and user.has_role(Role.editor)


def map_response(html: str, basemap_url: str | None) -> HTMLResponse:
    """The page with its own Content-Security-Policy: folium's inline scripts allowed by hash, nothing else."""
    return HTMLResponse(html, headers={"Content-Security-Policy": content_security_policy(html, basemap_url)})


@router.get("/maps", include_in_schema=False)
def maps_index() -> RedirectResponse:
    """The zone map is the way in."""
    return RedirectResponse("/maps/zones", status_code=307)


@router.get("/maps/zones", response_class=HTMLResponse, summary="Zone map: every layer, search, coordinates")
def zones(conn: ReadConnectionDep, access: AccessDep, settings: SettingsDep, user: CurrentUserDep) -> HTMLResponse:
    """Every layer the reader may see, grouped by theme."""
    return map_response(zones_page(conn, access, settings.basemap_url, editor=_editor(user)), settings.basemap_url)


@router.get(
    "/maps/revisions", response_class=HTMLResponse, summary="A zone's plan over time, two decisions side by side"
)
def revisions(conn: ReadConnectionDep, access: AccessDep, settings: SettingsDep, user: CurrentUserDep) -> HTMLResponse:
    """Pick a zone and decisions; the plans and change table come from /api/revisions/compare."""
    return map_response(revisions_page(conn, access, settings.basemap_url, editor=_editor(user)), settings.basemap_url)


@router.get("/maps/clearance", response_class=HTMLResponse, summary="Land-clearance progress (staff only)")
def clearance(
    request: Request, conn: ReadConnectionDep, access: AccessDep, settings: SettingsDep, user: CurrentUserDep
) -> Response:
    """Staff see the page; anyone else is sent to the login page."""
    if access is not Access.internal:
        return login_redirect(request)
    return map_response(clearance_page(conn, access, settings.basemap_url, editor=_editor(user)), settings.basemap_url)


@router.get("/maps/projects", response_class=HTMLResponse, summary="Projects by status, delayed ones highlighted")
def projects(conn: ReadConnectionDep, access: AccessDep, settings: SettingsDep, user: CurrentUserDep) -> HTMLResponse:
    """Projects on the map with the delayed-projects report beside them."""
    return map_response(projects_page(conn, access, settings.basemap_url, editor=_editor(user)), settings.basemap_url)
