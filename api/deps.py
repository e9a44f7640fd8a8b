"""Typed dependencies shared by routers."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from gis.errors import NotFound
from gis.settings import Settings
from layers.registry import get_layer
from layers.spec import Access, LayerSpec


def get_engine(request: Request) -> Engine:
    """The engine opened by the app's lifespan."""
    return request.app.state.engine


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A read connection for one request."""
    with engine.connect() as conn:
        yield conn


EngineDep = Annotated[Engine, Depends(get_engine)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def current_access() -> Access:
    """The reader's access level; every reader is anonymous (public) until accounts exist."""
    return Access.public


AccessDep = Annotated[Access, Depends(current_access)]


def layer_for_reader(collection_id: str, access: AccessDep) -> LayerSpec:
    """The layer spec, or 404 when it does not exist or the reader may not know it exists."""
    spec = get_layer(collection_id)
    if not spec.visible_to(access):
        raise NotFound(f"no layer '{collection_id}'")
    return spec


LayerDep = Annotated[LayerSpec, Depends(layer_for_reader)]
