"""A project's land rent and compliance as a page for staff (/projects/{uid}/rent); the figures are the API's own."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import NO_STORE, ConnectionDep, CurrentUserDep
from api.urls import login_redirect
from gis.vocab import Role
from layers.rent import project_rent
from maps.project_rent import rent_page

router = APIRouter(tags=["pages"])


@router.get("/projects/{uid}/rent", include_in_schema=False, response_class=HTMLResponse)
def project_rent_page(request: Request, uid: str, conn: ConnectionDep, user: CurrentUserDep) -> Response:
    """Staff read the terms, the rent per year with arrears and the findings; anyone else goes to the login page."""
    if user is None:
        return login_redirect(request)
    html = rent_page(project_rent(conn, uid), user, editor=user.has_role(Role.editor))
    return HTMLResponse(html, headers=NO_STORE)
