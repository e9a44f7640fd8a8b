"""Typed dependencies shared by routers.

Dependencies that do no I/O are `async def`: FastAPI runs sync dependencies in the thread pool, one hop each, which
costs more than the work itself on the hot read paths (see docs/scaling.md). Database work stays in the thread pool.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from api.security import SESSION_COOKIE, unsign_session
from api.token_cache import TokenCache
from gis.accounts import User, token_holder
from gis.errors import Forbidden, NotAuthenticated
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


def read_connection(engine: Engine) -> Connection:
    """A connection from the read engine (autocommit, see gis.db.make_read_engine) for the read-only hot paths.

    PostgreSQL's default READ COMMITTED gives each statement its own snapshot either way, so reads see the same data.
    Routes open it inside the endpoint (`with read_connection(engine) as conn:`) rather than as a yield dependency,
    which would cost two more thread-pool hops per request.
    """
    return engine.connect()


async def get_read_engine(request: Request) -> Engine:
    """The autocommit engine for reads, opened by the app's lifespan."""
    return request.app.state.read_engine


def wait_until_seen(request: Request, engine: Engine, tables: list[str]) -> None:
    """After a write commits: wait for its change notification, so the writer's next read, on any worker, sees it."""
    feed = getattr(request.app.state, "change_feed", None)
    if feed is not None and feed.available:
        with engine.connect() as conn:
            feed.wait_for_commit(conn, tables)


EngineDep = Annotated[Engine, Depends(get_engine)]
ReadEngineDep = Annotated[Engine, Depends(get_read_engine)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def current_user(request: Request, engine: EngineDep, settings: SettingsDep) -> User | None:
    """The signed-in user from `Authorization: Bearer` (session or personal token) or the session cookie.

    A bearer token that is unknown, expired or revoked is refused (401), so scripts notice; a stale
    cookie just means anonymous, so public pages keep working after a session ends.
    """
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("use 'Authorization: Bearer <token>' (get one from POST /auth/token)")
        user = await _user_for_token(request, engine, token.strip())
        if user is None:
            raise NotAuthenticated("the bearer token is unknown, expired or revoked")
        return user
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        token = unsign_session(settings, cookie)
        if token:
            return await _user_for_token(request, engine, token)
    return None


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
    """The reader's access level: staff (any role) read internal layers and fields, anonymous readers public ones."""
    return Access.public if user is None else Access.internal


AccessDep = Annotated[Access, Depends(current_access)]


def require_role(role: Role | str):
    """A dependency that yields the signed-in user whose role includes `role`: 401 when anonymous, 403 when too low."""
    needed = Role(role)

    async def dependency(user: CurrentUserDep) -> User:
        if user is None:
            raise NotAuthenticated(f"sign in as {needed.value} or above (POST /auth/token or /login)")
        if not user.has_role(needed):
            raise Forbidden(f"this needs the {needed.value} role; '{user.username}' is {user.role.value}")
        return user

    dependency.__name__ = f"require_{needed.value}"
    return dependency


async def layer_for_reader(collection_id: str, access: AccessDep, user: CurrentUserDep) -> LayerSpec:
    """The layer spec; an internal layer is 401 to anonymous readers (and 403 to a user who may not read it)."""
    spec = get_layer(collection_id)
    if not spec.visible_to(access):
        if user is None:
            raise NotAuthenticated(f"'{collection_id}' is internal: sign in as staff to read it")
        raise Forbidden(f"'{collection_id}' is not readable with the {user.role.value} role")
    return spec


LayerDep = Annotated[LayerSpec, Depends(layer_for_reader)]
