"""The FastAPI application factory: one engine per app, opened and closed by the lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.guard import RequestGuard
from api.lean_routes import LeanRoutes
from api.routes import (
    admin,
    auth,
    clearance_stages,
    dashboard,
    data_health,
    decisions,
    docs,
    editing,
    exports,
    features,
    health,
    imports,
    tasks,
    tiles,
    updates,
    workspace,
)
from api.routes.enterprises import router as enterprises_router
from api.routes.land import router as land_router
from api.routes.maps import router as maps_router
from api.routes.planning_api import router as planning_router
from api.routes.rent_page import router as rent_page_router
from api.security import install_security
from api.tile_fastpath import CachedTiles
from api.token_cache import TokenCache
from gis.change_feed import ChangeFeed
from gis.db import libpq_dsn, make_engine, make_read_engine
from gis.replicas import ReadPool, make_replicas
from gis.settings import PROJECT_ROOT, Settings, get_settings
from layers.tiles import TileCache
from maps.pages import STATIC


def create_app(settings: Settings) -> FastAPI:
    """Build the app for a settings object (tests pass their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings)
        app.state.read_engine = make_read_engine(settings)

        def database_came_back() -> None:
            """The feed reconnected after losing the database: pooled read connections are dead, drop them."""
            app.state.read_engine.dispose(close=False)
            app.state.engine.dispose(close=False)

        replicas = make_replicas(settings.read_url_list, settings.db_pool_size)
        feed = None
        if settings.change_feed:
            feed = ChangeFeed(libpq_dsn(settings), database_came_back, track_position=bool(replicas))
        app.state.change_feed = feed
        # where the read-only routes read: a replica that has replayed what the feed reported, else the primary
        app.state.reads = ReadPool(
            app.state.read_engine,
            replicas,
            feed.position if feed is not None else None,
            settings.replica_check_seconds,
        )
        if feed is not None:
            feed.start()
        app.state.reads.start()
        try:
            yield
        finally:
            if feed is not None:
                feed.stop()
            app.state.reads.stop()
            app.state.engine.dispose()

    app = FastAPI(
        title="Zone Atlas",
        description="GIS planning system for Vietnam's Economic Zone Management Boards.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by api/routes/docs.py from the app's own Swagger UI copy (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.tile_cache = TileCache(settings.tile_cache_size)  # per worker process (see docs/scaling.md)
    app.state.token_cache = TokenCache()  # who a token belongs to, until accounts change (needs the change feed)
    install_error_handlers(app)
    app.add_middleware(LeanRoutes, fastapi_app=app, enabled=settings.lean_routes)  # innermost: after cache hits
    app.add_middleware(CachedTiles, state=app.state)  # security headers and CORS still wrap both
    app.add_middleware(RequestGuard, state=app.state)  # inside the body size limit, which bounds what it reads
    install_security(app, settings)
    app.include_router(auth.router)
    app.include_router(admin.router)
    app.include_router(editing.router)
    app.include_router(workspace.router)
    app.include_router(clearance_stages.router)
    app.include_router(features.router)
    app.include_router(tiles.router)
    app.include_router(exports.router)
    app.include_router(imports.router)
    app.include_router(updates.router)
    app.include_router(land_router)
    app.include_router(maps_router)
    app.include_router(planning_router)
    app.include_router(enterprises_router)
    app.include_router(decisions.router)
    app.include_router(tasks.router)
    app.include_router(rent_page_router)
    app.include_router(data_health.router)
    app.include_router(dashboard.router)
    mount_static(app)
    app.include_router(health.router)
    app.include_router(docs.router)
    return app


def app_from_env() -> FastAPI:
    """Entry point for uvicorn's --factory: settings from the environment."""
    return create_app(get_settings())


def mount_static(app: FastAPI) -> None:
    """Serve our own JS/CSS and the npm-installed Leaflet: pages never load assets from a CDN."""
    app.mount("/static/app", StaticFiles(directory=STATIC), name="static-app")
    packages = PROJECT_ROOT / "node_modules"
    app.mount(
        "/static/vendor/leaflet", StaticFiles(directory=packages / "leaflet" / "dist", check_dir=False), name="leaflet"
    )
    app.mount("/static/npm", StaticFiles(directory=packages, check_dir=False), name="npm")
