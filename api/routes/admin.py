"""Account administration for admins: the /admin/accounts page and the JSON API behind it (/api/accounts).

Every change is written to the account audit (gis.account_audit) in the same transaction; passwords and token
values are answered once and never stored in clear, listed or audited.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, select

from api.deps import NO_STORE, AdminDep, BodyAfterAccess, CurrentUserDep, EngineDep, request_id, wait_until_seen
from api.urls import login_redirect
from gis import models
from gis.account_audit import recent_account_changes, record_account_change
from gis.accounts import (
    User,
    create_user,
    current_provinces,
    generate_password,
    get_user,
    issue_token,
    list_tokens,
    list_users,
    revoke_token_id,
    set_active,
    set_password,
    set_provinces,
    set_role,
)
from gis.errors import Conflict, InvalidInput
from gis.vocab import Role
from layers.labels import enum_words, shown
from layers.writes import resolve_decision
from maps.pages import render, script_json

router = APIRouter(tags=["Account administration"], route_class=BodyAfterAccess)

ROLE_LABELS = {role: shown(words) for role, words in enum_words(Role).items()}  # words: layers.labels
UsernamePath = Annotated[str, Path(max_length=64, description="The account's username")]


def _iso(value: datetime | None) -> str | None:
    """A timestamp as ISO 8601 text, or None."""
    return None if value is None else value.isoformat()


def _shown_tokens(conn: Connection, user: User) -> list[dict]:
    """Personal tokens (all, revoked too) and live sessions: every field but the value, which is never stored."""
    now = datetime.now().astimezone()
    rows = list_tokens(conn, user, kind=None)
    return [
        row
        for row in rows
        if row["kind"] == "personal"
        or (row["revoked_at"] is None and (row["expires_at"] is None or row["expires_at"] > now))
    ]


def _account(conn: Connection, user: User) -> dict[str, Any]:
    """One account as the page lists it.

    There is no sign-in column: every sign-in stores a session token, so the last sign-in is the newest session
    row's created_at (sessions are deleted some time after they expire, so an old sign-in may read as none), and
    last activity is the latest last_used_at of any token or session.
    """
    every = list_tokens(conn, user, kind=None)
    sessions = [row["created_at"] for row in every if row["kind"] == "session"]
    used = [row["last_used_at"] for row in every if row["last_used_at"] is not None]
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "provinces": None if user.provinces is None else list(user.provinces),
        "active": user.active,
        "last_sign_in": _iso(max(sessions, default=None)),
        "last_active": _iso(max(used + sessions, default=None)),
        "tokens": [
            {
                "id": row["id"],
                "kind": row["kind"],
                "name": row["name"],
                "created_at": _iso(row["created_at"]),
                "last_used_at": _iso(row["last_used_at"]),
                "expires_at": _iso(row["expires_at"]),
                "revoked_at": _iso(row["revoked_at"]),
                "decision_number": row["decision"],
            }
            for row in _shown_tokens(conn, user)
        ],
    }


def _decisions(conn: Connection) -> list[dict]:
    """Registered decisions for the token picker, newest first."""
    decisions = models.Decision.__table__
    rows = conn.execute(
        select(decisions.c.number, decisions.c.title_vi, decisions.c.date_signed).order_by(
            decisions.c.date_signed.desc(), decisions.c.number
        )
    )
    return [{"number": r.number, "title_vi": r.title_vi, "date_signed": r.date_signed.isoformat()} for r in rows]


def _not_yourself(admin: User, username: str, what: str) -> None:
    """An admin may not lock themselves out: no disabling or demoting their own account."""
    if admin.username.lower() == username.lower():
        raise Conflict(f"you cannot {what} your own account; ask another admin")


# --- the page ---------------------------------------------------------------------------------------------------


@router.get("/admin/accounts", response_class=HTMLResponse, include_in_schema=False)
def accounts_page(request: Request, user: CurrentUserDep, engine: EngineDep) -> Response:
    """Admins see the page; anonymous readers go to the login page; other staff get 403."""
    if user is None:
        return login_redirect(request)
    if not user.has_role(Role.admin):
        html = render("admin_forbidden.html", title="Không có quyền / Forbidden", user=user)
        return HTMLResponse(html, status_code=403, headers=NO_STORE)
    with engine.connect() as conn:
        options = {"provinces": current_provinces(conn), "decisions": _decisions(conn), "roles": ROLE_LABELS}
    html = render(
        "admin_accounts.html",
        title="Quản lý tài khoản / Accounts",
        user=user,
        roles=ROLE_LABELS,
        options=script_json(options),
        provinces=options["provinces"],
        decisions=options["decisions"],
    )
    return HTMLResponse(html, headers=NO_STORE)


# --- the JSON API -----------------------------------------------------------------------------------------------


@router.get("/api/accounts", summary="Accounts with role, provinces, last sign-in and tokens (admins)")
def accounts(admin: AdminDep, engine: EngineDep) -> JSONResponse:
    """Every account; tokens are listed without their values."""
    with engine.connect() as conn:
        body = [_account(conn, user) for user in list_users(conn)]
    return JSONResponse(body, headers=NO_STORE)


@router.get("/api/accounts/changes", summary="Recent account changes (admins)")
def account_changes(admin: AdminDep, engine: EngineDep) -> JSONResponse:
    """The latest 50 account changes, newest first: who did what to which account, and when."""
    with engine.connect() as conn:
        rows = recent_account_changes(conn)
    return JSONResponse([row | {"changed_at": _iso(row["changed_at"])} for row in rows], headers=NO_STORE)


class NewAccount(BaseModel):
    """A new account; without a password one is generated and answered once."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    display_name: str | None = Field(default=None, max_length=200)
    role: Role
    provinces: list[Annotated[str, Field(max_length=32)]] | None = Field(default=None, max_length=100)
    password: str | None = Field(default=None, max_length=1024)


@router.post("/api/accounts", summary="Create an account (admins; a generated password is shown once)", status_code=201)
def create_account(request: Request, body: NewAccount, admin: AdminDep, engine: EngineDep) -> JSONResponse:
    """Create the account with its role and provinces; answer the generated password, if any, this once."""
    password = body.password or generate_password()
    with engine.begin() as conn:
        user = create_user(conn, body.username, body.role, password, display_name=body.display_name or None)
        if body.provinces is not None:
            user, _ = set_provinces(conn, user.username, body.provinces)
        details = {"role": user.role.value, "provinces": None if user.provinces is None else list(user.provinces)}
        record_account_change(
            conn, actor=admin, account=user, action="create", details=details, request_id=request_id(request)
        )
        answer = _account(conn, user)
    if not body.password:
        answer["password"] = password
    return JSONResponse(answer, status_code=201, headers=NO_STORE)


class AccountChange(BaseModel):
    """What to change; fields left out stay as they are (provinces: null means every province)."""

    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    provinces: list[Annotated[str, Field(max_length=32)]] | None = Field(default=None, max_length=100)
    active: bool | None = None


@router.patch("/api/accounts/{username}", summary="Change an account's role, provinces or active state (admins)")
def change_account(
    request: Request, username: UsernamePath, body: AccountChange, admin: AdminDep, engine: EngineDep
) -> JSONResponse:
    """Apply the changes given, each audited with its old and new value."""
    given = body.model_fields_set
    if not given:
        raise InvalidInput("give at least one of role, provinces, active")
    if "role" in given and body.role is None:
        raise InvalidInput("role cannot be null; roles are: viewer, editor, admin")
    if "active" in given and body.active is None:
        raise InvalidInput("active must be true or false")
    with engine.begin() as conn:
        user = get_user(conn, username)

        def audit(action: str, details: dict | None) -> None:
            record_account_change(
                conn, actor=admin, account=user, action=action, details=details, request_id=request_id(request)
            )

        if body.role is not None and body.role != user.role:
            if user.role is Role.admin:
                _not_yourself(admin, username, "change the role of")
            before = user.role.value
            user = set_role(conn, user.username, body.role)
            audit("role", {"from": before, "to": user.role.value})
        if "provinces" in given:
            before_provinces = None if user.provinces is None else list(user.provinces)
            user, _ = set_provinces(conn, user.username, body.provinces)
            after = None if user.provinces is None else list(user.provinces)
            if after != before_provinces:
                audit("provinces", {"from": before_provinces, "to": after})
        if body.active is not None and body.active != user.active:
            if not body.active:
                _not_yourself(admin, username, "disable")
            user = set_active(conn, user.username, body.active)
            audit("enable" if body.active else "disable", None)
        answer = _account(conn, user)
    wait_until_seen(request, engine, ["users", "api_tokens"])
    return JSONResponse(answer, headers=NO_STORE)


@router.post("/api/accounts/{username}/password", summary="Reset a password to a new random one, shown once (admins)")
def reset_password(request: Request, username: UsernamePath, admin: AdminDep, engine: EngineDep) -> JSONResponse:
    """A new random password, answered this once; the account's browser sessions end."""
    password = generate_password()
    with engine.begin() as conn:
        user = set_password(conn, username, password)
        record_account_change(
            conn, actor=admin, account=user, action="password_reset", details=None, request_id=request_id(request)
        )
    wait_until_seen(request, engine, ["api_tokens"])
    return JSONResponse({"username": user.username, "password": password}, headers=NO_STORE)


class NewToken(BaseModel):
    """A personal token for an account, optionally bound to a registered decision (by its number)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    decision: str | None = Field(default=None, max_length=200)


@router.post(
    "/api/accounts/{username}/tokens",
    summary="Create a personal token for an account, shown once (admins)",
    status_code=201,
)
def create_account_token(
    request: Request, username: UsernamePath, body: NewToken, admin: AdminDep, engine: EngineDep
) -> JSONResponse:
    """A personal API token for QGIS or scripts, valid until revoked; its value is answered this once."""
    with engine.begin() as conn:
        user = get_user(conn, username)
        if not user.active:
            raise Conflict(f"'{user.username}' is disabled; enable the account before giving it a token")
        decision = resolve_decision(conn, body.decision)  # the same reading as the API's and the CLI's
        issued = issue_token(conn, user, kind="personal", name=body.name, decision_id=decision and decision.id)
        number = decision and decision.number
        record_account_change(
            conn,
            actor=admin,
            account=user,
            action="token_create",
            details={"token_id": issued.id, "name": body.name, "decision": number},
            request_id=request_id(request),
        )
    answer = {"id": issued.id, "name": body.name, "decision_number": number, "token": issued.token}
    return JSONResponse(answer, status_code=201, headers=NO_STORE)


@router.delete(
    "/api/accounts/{username}/tokens/{token_id}", summary="Revoke one of an account's tokens (admins)", status_code=204
)
def revoke_account_token(
    request: Request, username: UsernamePath, token_id: int, admin: AdminDep, engine: EngineDep
) -> Response:
    """The token (or session) stops working at once."""
    if not 0 < token_id < 2**31:
        raise InvalidInput("token ids are positive whole numbers")
    with engine.begin() as conn:
        user = get_user(conn, username)
        revoke_token_id(conn, token_id, user)
        record_account_change(
            conn,
            actor=admin,
            account=user,
            action="token_revoke",
            details={"token_id": token_id},
            request_id=request_id(request),
        )
    wait_until_seen(request, engine, ["api_tokens"])
    return Response(status_code=204)
