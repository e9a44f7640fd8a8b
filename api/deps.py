"""Typed dependencies shared by routers, and the one access rule: who is asking, what they may read and change.

Dependencies that do no I/O are `async def`: FastAPI runs sync dependencies in the thread pool, one hop each, which
costs more than the work itself on the hot read paths (see docs/scaling.md). Database work stays in the thread pool.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from api.security import SESSION_COOKIE, check_same_origin, unsign_session
from api.token_cache import TokenCache
from gis.accounts import TOKEN_PREFIX, User, authenticate, token_holder
from gis.errors import Forbidden, NotAuthenticated
from gis.replicas import ReadPool
from gis.settings import Settings
from gis.vocab import Role
from layers.registry import get_layer
from layers.spec import Access, LayerSpec


async def get_engine(request: Request) -> Engine:
    """The engine opened by the app's lifespan."""
    return request.app.state.engine


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A read connection for one request."""
    with engine.connect() as conn:
        yield conn


def read_connection(reads: ReadPool) -> Connection:
    """An autocommit read connection for the read-only hot paths: a caught-up replica, else the primary.

    PostgreSQL's default READ COMMITTED gives each statement its own snapshot either way, so reads see the same data;
    a replica is handed out only once it shows every change the feed reported (gis/replicas.py). Routes open it
    inside the endpoint (`with read_connection(engine) as conn:`) rather than as a yield dependency, which would
    cost two more thread-pool hops per request.
    """
    return reads.connect()


async def get_read_engine(request: Request) -> ReadPool:
    """The read pool (primary read engine and replicas), opened by the app's lifespan."""
    return request.app.state.reads


def get_read_only_connection(reads: Annotated[ReadPool, Depends(get_read_engine)]) -> Iterator[Connection]:
    """A read connection for one request of a read-only route (search, land finder, reports, pages): a caught-up
    replica when there is one, else the primary (autocommit: READ COMMITTED reads the same data)."""
    with read_connection(reads) as conn:
        yield conn


def wait_until_seen(request: Request, engine: Engine, tables: list[str]) -> None:
    """After a write commits: wait for its change notification, so the writer's next read, on any worker, sees it."""
    feed = getattr(request.app.state, "change_feed", None)
    if feed is not None and feed.available:
        with engine.connect() as conn:
            feed.wait_for_commit(conn, tables)


EngineDep = Annotated[Engine, Depends(get_engine)]
ReadEngineDep = Annotated[ReadPool, Depends(get_read_engine)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
ReadConnectionDep = Annotated[Connection, Depends(get_read_only_connection)]
"""For routes that only read tracked tables; anything that writes, or must read its own write, takes ConnectionDep."""
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


NO_STORE = {"Cache-Control": "no-store"}  # answers about one account or one write: never cached


def request_id(request: Request) -> str | None:
    """The id the security middleware gave this request (also in the X-Request-ID response header)."""
    return getattr(request.state, "request_id", None)


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_USER_KEY = "zoneatlas_user"  # where the access check leaves the user it found, so a request looks it up once


@dataclass(frozen=True)
class Credential:
    """What a request presents to prove who it is: a token (bearer, X-API-Key or the signed session cookie), or an
    HTTP Basic account name with its password or a personal token."""

    kind: str  # "bearer" (also X-API-Key), "cookie" or "basic"
    token: str  # the token, or for "basic" the password (which may be a token)
    username: str = ""  # "basic" only


CREDENTIALS_HELP = (
    "send 'Authorization: Bearer <token>', 'X-API-Key: <token>' or HTTP Basic with your account name and its "
    "password or a personal token (get one from POST /auth/tokens)"
)
MAX_PASSWORD = 1024  # as the login form


def presented_credential(conn: HTTPConnection, settings: Settings) -> Credential | None:
    """The one reading of a request's credentials, shared by the routes and the cached-tile fast path.

    `Authorization` other than a non-empty Bearer or a well-formed Basic is refused (401), so scripts notice, and so
    is an empty X-API-Key; a cookie that is forged or too old is no credential at all (anonymous), so public pages
    keep working after a session ends.
    """
    authorization = conn.headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return Credential("bearer", value.strip())
        if scheme.lower() == "basic":
            return _basic_credential(value.strip())
        raise NotAuthenticated(CREDENTIALS_HELP)
    api_key = conn.headers.get("x-api-key")
    if api_key is not None:
        if not api_key.strip():
            raise NotAuthenticated(f"the X-API-Key header is empty; {CREDENTIALS_HELP}")
        return Credential("bearer", api_key.strip())
    cookie = conn.cookies.get(SESSION_COOKIE)
    token = unsign_session(settings, cookie) if cookie else None
    return Credential("cookie", token) if token else None


def _basic_credential(encoded: str) -> Credential:
    """`Basic base64(name:secret)` (RFC 7617, UTF-8); anything else is a 401 that says what to send."""
    try:
        username, colon, secret = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated(
            f"the Basic credentials are not base64 of UTF-8 'name:password'; {CREDENTIALS_HELP}"
        ) from None
    if not colon or not secret or len(secret) > MAX_PASSWORD:
        raise NotAuthenticated(f"the Basic credentials need a name, ':' and a password or token; {CREDENTIALS_HELP}")
    return Credential("basic", secret, username)


def access_for(user: User | None) -> Access:
    """The reader's access level: staff (any role) read internal layers and fields, anonymous readers public ones."""
    return Access.public if user is None else Access.internal


async def current_user(request: Request) -> User | None:
    """The signed-in user (None: anonymous) from a token (bearer, X-API-Key, cookie) or HTTP Basic.

    An unknown, expired or revoked token and a wrong Basic password are 401; a write signed by the cookie must come
    from an allowed origin (403). Bearer, API-key and Basic credentials are added by the client itself, not by a
    browser on another site's behalf, so they need no such check (but see _browser_basic). The result is kept on
    the request, so the check that runs before the body is read (BodyAfterAccess) and the route's own dependencies
    look the token up once.
    """
    if _USER_KEY in request.scope:
        return request.scope[_USER_KEY]
    settings: Settings = request.app.state.settings
    credential = presented_credential(request, settings)
    user = None
    if credential is not None:
        if request.method in UNSAFE_METHODS and (credential.kind == "cookie" or _browser_basic(request, credential)):
            check_same_origin(request, settings)
        if credential.kind == "basic":
            user = await _user_for_basic(request, credential)
        else:
            user = await _user_for_token(request, request.app.state.engine, credential.token)
        if user is None and credential.kind == "bearer":
            raise NotAuthenticated("the bearer token is unknown, expired or revoked")
        if user is None and credential.kind == "basic":
            raise NotAuthenticated(
                "wrong account name or password (or the token is unknown, expired or revoked), "
                "or the account is disabled"
            )
    request.scope[_USER_KEY] = user
    return user


def _browser_basic(request: Request, credential: Credential) -> bool:
    """Basic credentials from a browser (it sends Sec-Fetch-Site; QGIS, GDAL and scripts do not).

    A browser that once had them (a user:password@ address) adds them by itself, like a cookie, even to another
    site's forms; so its Basic writes get the cookie's origin check. The server never asks browsers for Basic.
    """
    return credential.kind == "basic" and "sec-fetch-site" in request.headers


_BASIC_KEY = secrets.token_bytes(32)  # per process: the cache keys of Basic passwords cannot be checked elsewhere


async def _user_for_basic(request: Request, credential: Credential) -> User | None:
    """HTTP Basic: a personal token as the password (any name), else the account's password.

    Checking a password costs an argon2id hash (64 MiB, 0.1–0.4 s here), so a success is remembered in this
    worker's token cache, keyed by an HMAC of name and password, until an account or token changes or a minute
    passes (see api.token_cache). A miss goes through the sign-in limits and password slots like the login form.
    """
    engine: Engine = request.app.state.engine
    if credential.token.startswith(TOKEN_PREFIX):
        user = await _user_for_token(request, engine, credential.token)
        if user is not None:
            return user
    material = f"{credential.username}\0{credential.token}".encode("utf-8", "surrogatepass")
    key = "basic:" + hmac.new(_BASIC_KEY, material, hashlib.sha256).hexdigest()
    cache: TokenCache = request.app.state.token_cache
    feed = getattr(request.app.state, "change_feed", None)
    user = cache.get(feed, key)
    if user is not None:
        return user
    version = cache.version(feed)
    user = await run_in_threadpool(_check_basic_password, request, engine, credential.username, credential.token)
    if user is not None:
        cache.put(version, key, user, None)
    return user


def _check_basic_password(request: Request, engine: Engine, username: str, password: str) -> User | None:
    """A Basic password checked in its own transaction (run in the thread pool)."""
    with engine.begin() as conn:
        return check_password(request, conn, username, password)


def client_address(conn: HTTPConnection) -> str:
    """The client address the sign-in limits count against."""
    return conn.client.host if conn.client else "unknown"


def check_password(request: HTTPConnection, conn: Connection, username: str, password: str) -> User | None:
    """The one password check of a sign-in (form, OAuth2 or Basic): rate limits first, then argon2id in a slot.

    Failures count towards the lock-out of the account and the address (see api.security.LoginLimiter).
    """
    limiter = request.app.state.login_limiter
    client = client_address(request)
    limiter.check(client, username)
    with request.app.state.password_checks.slot():
        limiter.attempted(client)
        user = authenticate(conn, username, password)
    if user is None:
        limiter.failed(client, username)
    else:
        limiter.succeeded(client, username)
    return user


async def _user_for_token(request: Request, engine: Engine, token: str) -> User | None:
    """The token's user from this worker's token cache, else looked up (in the thread pool) and remembered."""
    cache: TokenCache = request.app.state.token_cache
    feed = getattr(request.app.state, "change_feed", None)
    user = cache.get(feed, token)
    if user is not None:
        return user
    version = cache.version(feed)  # read before the lookup: a change meanwhile makes this entry stale at once
    found = await run_in_threadpool(_look_up_token, engine, token)
    if found is None:
        return None
    cache.put(version, token, *found)
    return found[0]


def _look_up_token(engine: Engine, token: str):
    """Look a token up in its own transaction (run in the thread pool)."""
    with engine.begin() as conn:
        return token_holder(conn, token)


CurrentUserDep = Annotated[User | None, Depends(current_user)]


async def current_access(user: CurrentUserDep) -> Access:
    """The reader's access level (see access_for)."""
    return access_for(user)


AccessDep = Annotated[Access, Depends(current_access)]


def check_role(user: User | None, needed: Role) -> User:
    """The user when their role includes `needed`: 401 when anonymous, 403 when too low."""
    if user is None:
        raise NotAuthenticated(f"sign in as {needed.value} or above (POST /auth/token or /login)")
    if not user.has_role(needed):
        raise Forbidden(f"this needs the {needed.value} role; '{user.username}' is {user.role.value}")
    return user


def require_role(role: Role | str):
    """A dependency that yields the signed-in user whose role includes `role` (see check_role)."""
    needed = Role(role)

    async def dependency(user: CurrentUserDep) -> User:
        return check_role(user, needed)

    dependency.__name__ = f"require_{needed.value}"
    dependency.needed_role = needed  # type: ignore[attr-defined]  # read by BodyAfterAccess
    return dependency


StaffDep = Annotated[User, Depends(require_role(Role.viewer))]
"""Any signed-in staff member (viewer, editor or admin)."""
EditorDep = Annotated[User, Depends(require_role(Role.editor))]
AdminDep = Annotated[User, Depends(require_role(Role.admin))]


class BodyAfterAccess(APIRoute):
    """A route whose role check runs before its body is read.

    FastAPI reads and parses a declared body (JSON models, forms, uploaded files) before it solves any
    dependency, so an anonymous 150 MB upload was read whole before its 401. Routes of this class run the
    role dependencies they declare first, on the headers alone.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The usual handler, behind the role checks."""
        handler = super().get_route_handler()
        needed = [d.call.needed_role for d in self.dependant.dependencies if hasattr(d.call, "needed_role")]

        async def access_first(request: Request) -> Response:
            for role in needed:
                check_role(await current_user(request), role)
            return await handler(request)

        return access_first


async def layer_for_reader(collection_id: str, access: AccessDep, user: CurrentUserDep) -> LayerSpec:
    """The layer spec; an internal layer is 401 to anonymous readers (and 403 to a user who may not read it)."""
    return readable_layer(collection_id, access, user)


def readable_layer(layer_id: str, access: Access, user: User | None) -> LayerSpec:
    """A layer this reader may read: 404 naming the layers for an unknown id, 401/403 for an internal one."""
    spec = get_layer(layer_id)
    if not spec.visible_to(access):
        if user is None:
            raise NotAuthenticated(f"'{layer_id}' is internal: sign in as staff to read it")
        raise Forbidden(f"'{layer_id}' is not readable with the {user.role.value} role")
    return spec


LayerDep = Annotated[LayerSpec, Depends(layer_for_reader)]
