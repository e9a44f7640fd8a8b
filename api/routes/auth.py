"""Signing in: a browser login page with a session cookie, OAuth2 password tokens, personal API tokens."""

import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from api.deps import (
    AdminDep,
    BodyAfterAccess,
    CurrentUserDep,
    EngineDep,
    SettingsDep,
    StaffDep,
    check_password,
    wait_until_seen,
)
from api.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    session_serializer,
    unsign_session,
)
from gis.accounts import (
    User,
    delete_expired_sessions,
    issue_token,
    list_tokens,
    list_users,
    revoke_token,
    revoke_token_id,
)
from gis.errors import InvalidInput, NotAuthenticated
from gis.settings import Settings
from gis.vocab import Role
from layers.labels import enum_words, shown
from layers.writes import resolve_decision
from maps.pages import render

router = APIRouter(tags=["Accounts"], route_class=BodyAfterAccess)


def _sign_in(request: Request, engine, settings: Settings, username: str, password: str, kind: str, name: str):
    """Check the password (rate-limited, a few at a time: see check_password); on success issue a session token.

    Expired sessions are deleted on the way, so the session rows every sign-in stores do not pile up.
    """
    with engine.begin() as conn:
        user = check_password(request, conn, username, password)
        if user is None:
            return None, None
        delete_expired_sessions(conn)
        issued = issue_token(conn, user, kind=kind, name=name, lifetime=timedelta(hours=settings.session_hours))
    return user, issued


@router.post("/auth/token", summary="OAuth2 password flow: a bearer token for scripts and QGIS")
def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], engine: EngineDep, settings: SettingsDep
) -> JSONResponse:
    """Exchange a username and password for a bearer token valid for SESSION_HOURS."""
    user, issued = _sign_in(request, engine, settings, form.username, form.password, "session", "oauth2 password")
    if user is None:
        raise NotAuthenticated("wrong username or password, or the account is disabled")
    return JSONResponse(
        {
            "access_token": issued.token,
            "token_type": "bearer",
            "expires_in": int(settings.session_hours * 3600),
            "username": user.username,
            "role": user.role.value,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/auth/me", summary="The signed-in user")
def me(user: StaffDep) -> JSONResponse:
    """Who the credentials belong to, and their role."""
    return JSONResponse({"username": user.username, "display_name": user.display_name, "role": user.role.value})


class TokenRequest(BaseModel):
    """A name for a new personal API token (e.g. 'QGIS on my laptop'), and optionally the decision it edits under."""

    name: str = Field(min_length=1, max_length=200)
    decision: str | int | None = Field(
        default=None, description="A decision's number (e.g. 439/QĐ-TTg) or id: versioned edits naming none use it."
    )


@router.post("/auth/tokens", summary="Create a personal API token (shown once)", status_code=201)
def create_token(body: TokenRequest, user: StaffDep, engine: EngineDep) -> JSONResponse:
    """A long-lived token for QGIS or scripts, valid until revoked (bound to a decision when one is named)."""
    with engine.begin() as conn:
        decision = resolve_decision(conn, body.decision)
        issued = issue_token(
            conn, user, kind="personal", name=body.name, decision_id=None if decision is None else decision.id
        )
    return JSONResponse(
        {
            "id": issued.id,
            "name": body.name,
            "token": issued.token,
            "token_type": "bearer",
            "decision": None if decision is None else decision.number,
            "decision_id": None if decision is None else decision.id,
        },
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/auth/tokens", summary="Your personal API tokens (without their values)")
def my_tokens(user: StaffDep, engine: EngineDep) -> JSONResponse:
    """Name, creation, last use, revocation and bound decision (number and id) of each of your personal tokens."""
    with engine.connect() as conn:
        rows = list_tokens(conn, user)
    return JSONResponse(
        [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in rows]
    )


@router.delete("/auth/tokens/{token_id}", summary="Revoke one of your personal API tokens", status_code=204)
def revoke(request: Request, token_id: int, user: StaffDep, engine: EngineDep) -> Response:
    """The token stops working at once (every worker has been told before this answers)."""
    if not 0 < token_id < 2**31:
        raise InvalidInput("token ids are positive whole numbers")
    with engine.begin() as conn:
        revoke_token_id(conn, token_id, user)
    wait_until_seen(request, engine, ["api_tokens"])
    return Response(status_code=204)


@router.get("/auth/users", summary="Accounts (admins)")
def users(user: AdminDep, engine: EngineDep) -> JSONResponse:
    """Every account with its role and whether it is active."""
    with engine.connect() as conn:
        rows = list_users(conn)
    return JSONResponse(
        [
            {"username": u.username, "display_name": u.display_name, "role": u.role.value, "active": u.active}
            for u in rows
        ]
    )


# --- the browser login page -----------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login page cannot be used to redirect people elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _cookie_args(settings: Settings) -> dict:
    """HttpOnly, SameSite=Lax, and Secure outside development."""
    return {"httponly": True, "samesite": "lax", "secure": not settings.is_development, "path": "/"}


def _login_page(
    request: Request,
    settings: Settings,
    user: User | None,
    *,
    error: str | None = None,
    next_url: str = "/",
    status: int = 200,
) -> HTMLResponse:
    """The form, with a fresh CSRF token in a cookie and a hidden field (they must match on POST)."""
    csrf = secrets.token_urlsafe(24)
    html = render(
        "login.html",
        title="Đăng nhập / Sign in",
        user=user,
        role=None if user is None else shown(enum_words(Role)[user.role.value]),
        error=error,
        csrf=csrf,
        next_url=_safe_next(next_url),
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    response.set_cookie(CSRF_COOKIE, csrf, max_age=3600, **_cookie_args(settings))
    return response


def _check_csrf(request: Request, csrf_token: str) -> None:
    """The form's token must equal the cookie set with the form (a cross-site page can read neither)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        raise InvalidInput("the form has expired or did not come from this site; reload the page and try again")


@router.get("/login", summary="Sign-in page", include_in_schema=False)
def login_page(request: Request, user: CurrentUserDep, settings: SettingsDep) -> HTMLResponse:
    """Sign in (or, when signed in, sign out)."""
    return _login_page(request, settings, user, next_url=request.query_params.get("next", "/"))


@router.post("/login", summary="Sign in with the form", include_in_schema=False)
def login(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password, then set the signed session cookie and go back where the person came from."""
    _check_csrf(request, csrf_token)
    user, issued = _sign_in(request, engine, settings, username, password, "session", "browser")
    if user is None:
        return _login_page(
            request,
            settings,
            None,
            next_url=next,
            status=401,
            error="Sai tên đăng nhập hoặc mật khẩu / Wrong username or password",
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_serializer(settings).dumps(issued.token),
        max_age=int(settings.session_hours * 3600),
        **_cookie_args(settings),
    )
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/logout", summary="Sign out", include_in_schema=False)
def logout(
    request: Request, engine: EngineDep, settings: SettingsDep, csrf_token: Annotated[str, Form(max_length=200)]
) -> Response:
    """End the session on the server and drop the cookie."""
    _check_csrf(request, csrf_token)
    cookie = request.cookies.get(SESSION_COOKIE)
    token_value = unsign_session(settings, cookie) if cookie else None
    if token_value:
        with engine.begin() as conn:
            revoke_token(conn, token_value)
        wait_until_seen(request, engine, ["api_tokens"])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
