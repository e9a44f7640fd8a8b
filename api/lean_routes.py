"""The hottest reads (an items page, an uncached tile) served by their own route code without FastAPI's per-request
machinery: the route's declared dependencies and endpoint, planned once and called directly.

A small items page or tile costs PostgreSQL under a millisecond of CPU, and FastAPI's generic work around it
(matching every route, walking the dependency tree, validating each query parameter with pydantic) cost more than
that (docs/scaling.md). For the routes in LEAN_ROUTES this middleware reads, at start-up, the dependency tree
FastAPI built from the route's signature and calls those same functions — the one access check (current_user,
layer_for_reader), the one parameter parser (items_params…) — and the same endpoint, in the same thread pool.
Nothing is copied: a parameter added to a route is planned here too, and a route whose signature needs something
the plan does not do (a header or body parameter, a yield dependency, a non-Response return) keeps the usual path.
Any refusal (a neutral error such as 400/401/404, a path value FastAPI would reject) hands the unchanged request to
the routes, so error answers are the routes' own; only a successful answer is sent from here.
"""

import asyncio
import contextvars
import functools
import inspect
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from gis.errors import ZoneAtlasError

log = logging.getLogger("zoneatlas.lean_routes")

# (path, method) of the routes answered here: what maps and QGIS ask for most, each cheap in PostgreSQL.
LEAN_ROUTES = (
    ("/collections/{collection_id}/items", "GET"),
    ("/collections/{collection_id}/tiles/{tile_matrix_set_id}/{z}/{x}/{y}", "GET"),
    ("/tiles/{tile_matrix_set_id}/{z}/{x}/{y}", "GET"),
)


class Unplannable(Exception):
    """A route or dependency needs something only FastAPI's own machinery does."""


class _Refer(Exception):
    """The routes must answer this request (a value FastAPI would refuse, or a refusal raised by our code)."""


@dataclass
class _Step:
    """How to call one dependency (or the endpoint): where each argument comes from."""

    call: Callable[..., Any]
    is_async: bool
    cached: bool
    request_name: str | None
    endpoint: bool = False  # the route's endpoint (a sync one runs in _THREADS)
    path: list[tuple[str, Any]] = field(default_factory=list)  # (argument, FastAPI field)
    query: list[tuple[str, Any]] = field(default_factory=list)
    subs: list[tuple[str | None, "_Step"]] = field(default_factory=list)


def plan(dependant: Dependant) -> _Step:
    """The call plan of a dependant, or Unplannable when it needs headers, cookies, a body or other injections."""
    call = dependant.call
    if call is None or inspect.isgeneratorfunction(call) or inspect.isasyncgenfunction(call):
        raise Unplannable(f"{call!r} is not a plain function")
    others = (
        dependant.header_params,
        dependant.cookie_params,
        dependant.body_params,
        dependant.websocket_param_name,
        dependant.http_connection_param_name,
        dependant.response_param_name,
        dependant.background_tasks_param_name,
        dependant.security_scopes_param_name,
    )
    if any(others):
        raise Unplannable(f"{call.__name__} takes headers, cookies, a body or another injection")
    for query_field in dependant.query_params:
        if query_field.field_info.annotation != (str | None) or query_field.default is not None:
            raise Unplannable(f"{call.__name__}: query parameter {query_field.alias} is not optional text")
    return _Step(
        call=call,
        is_async=inspect.iscoroutinefunction(call),
        cached=dependant.use_cache,
        request_name=dependant.request_param_name,
        path=[(f.name, f) for f in dependant.path_params],
        query=[(f.name, f) for f in dependant.query_params],
        subs=[(d.name, plan(d)) for d in dependant.dependencies],
    )


async def _solve(step: _Step, request: Request, path_params: dict[str, str], cache: dict) -> Any:
    """Call a step's dependencies, then the step itself, as FastAPI would (dependencies cached per request)."""
    arguments: dict[str, Any] = {}
    for name, sub in step.subs:
        if sub.cached and sub.call in cache:
            value = cache[sub.call]
        else:
            value = await _solve(sub, request, path_params, cache)
            if sub.cached:
                cache[sub.call] = value
        if name is not None:
            arguments[name] = value
    for name, path_field in step.path:
        value, errors = path_field.validate(path_params[path_field.alias], {}, loc=("path", path_field.alias))
        if errors:
            raise _Refer
        arguments[name] = value
    query = request.query_params
    for name, query_field in step.query:
        arguments[name] = query.get(query_field.alias)  # optional text: FastAPI passes the last value as given
    if step.request_name is not None:
        arguments[step.request_name] = request
    if step.is_async:
        return await step.call(**arguments)
    if step.endpoint:
        return await _in_thread(step.call, arguments)
    return await run_in_threadpool(step.call, **arguments)


# Sync endpoints (database work) run here rather than in AnyIO's thread pool: the hand-off of concurrent.futures
# (a C queue, one wake-up each way) costs about half of AnyIO's (a Python Condition, capacity limiter, cancel
# scopes). As many threads as AnyIO's default limit.
_THREADS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="lean-route")


async def _in_thread(call: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Run a sync endpoint in a worker thread with this task's context variables, as run_in_threadpool does."""
    context = contextvars.copy_context()
    return await asyncio.wrap_future(_THREADS.submit(functools.partial(context.run, call, **arguments)))


@dataclass
class _LeanRoute:
    """A planned route and the earlier routes that could match the same paths (they take precedence)."""

    route: APIRoute
    step: _Step
    shadows: list[APIRoute]


class LeanRoutes:
    """Answer GET requests of LEAN_ROUTES by calling the route's planned dependencies and endpoint directly."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI, enabled: bool = True) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self.enabled = enabled
        fastapi_app.state.lean_routes = self  # its counters, for tests and benchmarks
        self.routes: list[_LeanRoute] | None = None  # planned on the first request, once every router is included
        self.answered = 0  # requests answered here (for tests and benchmarks)
        self.referred = 0  # matched here but handed to the routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a planned route's GET, or hand the request on unchanged."""
        if self.enabled and scope["type"] == "http" and scope["method"] == "GET":
            if self.routes is None:
                self.routes = plan_routes(self.fastapi_app)
            if not self.fastapi_app.dependency_overrides:  # tests that override dependencies get FastAPI's solver
                for lean in self.routes:
                    match, child = lean.route.matches(scope)
                    if match is Match.FULL:
                        if not _shadowed(lean, scope) and await self._answer(lean, scope, child, receive, send):
                            return
                        break
        await self.app(scope, receive, send)

    async def _answer(self, lean: _LeanRoute, scope: Scope, child: Scope, receive: Receive, send: Send) -> bool:
        """Run the route's plan and send its response; False (nothing sent) when the routes must answer."""
        routed = {**scope, **child}
        request = Request(routed, receive, send)
        try:
            response = await _solve(lean.step, request, child["path_params"], {})
        except (_Refer, ZoneAtlasError, HTTPException, RequestValidationError):
            self.referred += 1
            return False
        if not isinstance(response, Response):
            self.referred += 1
            return False
        scope.update(child)
        self.answered += 1
        await response(scope, receive, send)
        return True


def _shadowed(lean: _LeanRoute, scope: Scope) -> bool:
    """True when a route declared earlier takes this request (FastAPI would route it there)."""
    return any(r.matches(scope)[0] is Match.FULL for r in lean.shadows)


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute, bool]]:
    """Every API route in the order FastAPI tries them: (full path, route, included as declared).

    "As declared" means no router on the way adds a prefix or dependencies, so the route's own dependant is the
    whole story.
    """
    out: list[tuple[str, APIRoute, bool]] = []

    def walk(routes, prefix: str, plain: bool) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                context = route.include_context
                walk(
                    included.routes, prefix + context.prefix, plain and not context.prefix and not context.dependencies
                )
            elif isinstance(route, APIRoute):
                out.append((prefix + route.path, route, plain))

    walk(app.router.routes, "", True)
    return out


def plan_routes(app: FastAPI) -> list[_LeanRoute]:
    """Plan each of LEAN_ROUTES from its APIRoute; a route that cannot be planned is logged and left to FastAPI."""
    routes = api_routes(app)
    planned = []
    for path, method in LEAN_ROUTES:
        position = next((i for i, (p, r, _) in enumerate(routes) if p == path and method in r.methods), None)
        if position is None:
            log.warning("lean route %s %s is not declared", method, path)
            continue
        _, route, plain = routes[position]
        if not plain or type(route) is not APIRoute:
            log.warning("lean route %s %s has a prefix, router dependencies or its own route class", method, path)
            continue
        if inspect.signature(route.endpoint).return_annotation is not Response:
            log.warning("lean route %s %s does not return a Response", method, path)
            continue
        try:
            step = plan(route.dependant)
            step.endpoint = True
        except Unplannable as reason:
            log.warning("lean route %s %s keeps FastAPI's path: %s", method, path, reason)
            continue
        shadows = [r for p, r, _ in routes[:position] if method in r.methods and _may_overlap(p, path)]
        planned.append(_LeanRoute(route, step, shadows))
    return planned


def _may_overlap(one: str, other: str) -> bool:
    """Whether two path templates could match the same path: same segment count, each pair equal or a parameter."""
    first, second = one.strip("/").split("/"), other.strip("/").split("/")
    if any(":path}" in s for s in first + second):
        return True
    if len(first) != len(second):
        return False
    return all(a == b or a.startswith("{") or b.startswith("{") for a, b in zip(first, second, strict=True))
