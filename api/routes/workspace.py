"""The workspace (/workspace): editors edit and draw on the map; split and merge are one change set each.

Single-feature edits go through the OGC editing API (api/routes/editing.py); the two routes here exist because a
split or a merge changes two features at once, all or nothing, and the shapes are computed on the server.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import (
    NO_STORE,
    BodyAfterAccess,
    CurrentUserDep,
    EditorDep,
    EngineDep,
    LayerDep,
    request_id,
    wait_until_seen,
)
from api.urls import base_url, login_redirect
from gis.vocab import Role
from layers.editing import etag_of
from layers.workspace import merge_features, split_feature
from layers.writes import resolve_decision
from maps.pages import render, script_json
from maps.workspace import workspace_config

router = APIRouter(tags=["Workspace (editors)"], route_class=BodyAfterAccess)

Tag = Annotated[str, Field(min_length=1, max_length=200, description='The ETag read with the feature, e.g. "1234"')]
FeatureId = Annotated[int, Field(ge=1, lt=2**31, description="The feature's id (for versioned layers: the current)")]
DecisionRefText = Annotated[
    str | None,
    Field(default=None, max_length=200, description="Versioned layers: the decision's number or id, e.g. 439/QĐ-TTg"),
]


@router.get("/workspace", response_class=HTMLResponse, include_in_schema=False)
def workspace_page(request: Request, user: CurrentUserDep, engine: EngineDep) -> Response:
    """Editors and admins see the page; anonymous readers go to the login page; viewers get 403."""
    if user is None:
        return login_redirect(request)
    if not user.has_role(Role.editor):
        html = render("workspace_forbidden.html", title="Không có quyền / Forbidden", user=user)
        return HTMLResponse(html, status_code=403, headers=NO_STORE)
    with engine.connect() as conn:
        config = workspace_config(conn)
    html = render("workspace.html", title="Không gian làm việc / Workspace", user=user, config=script_json(config))
    return HTMLResponse(html, headers=NO_STORE)


class SplitRequest(BaseModel):
    """Cut one polygon in two by a line drawn across it."""

    model_config = ConfigDict(extra="forbid")
    id: FeatureId
    line: dict[str, Any] = Field(
        description="GeoJSON LineString in CRS84 crossing the outline from one side to the other",
        json_schema_extra={"example": {"type": "LineString", "coordinates": [[106.3, 18.0], [106.4, 18.1]]}},
    )
    decision: DecisionRefText = None
    if_match: Tag


class MergeRequest(BaseModel):
    """Join two adjacent polygons into the first."""

    model_config = ConfigDict(extra="forbid")
    ids: list[FeatureId] = Field(min_length=2, max_length=2, description="The feature kept, then the one removed")
    decision: DecisionRefText = None
    if_matches: list[Tag] = Field(min_length=2, max_length=2, description="The ETag of each feature, in order")


def _written(request: Request, engine, spec, keys: list[int]) -> JSONResponse:
    """The ids and new ETags of the features written, once tiles and caches see the change."""
    wait_until_seen(request, engine, [spec.tracked_table])
    with engine.connect() as conn:
        features = [
            {
                "id": key,
                "etag": etag_of(conn, spec, key),
                "href": f"{base_url(request)}/collections/{spec.id}/items/{key}",
            }
            for key in keys
        ]
    return JSONResponse({"collection": spec.id, "features": features}, headers=NO_STORE)


@router.post(
    "/api/workspace/{collection_id}/split",
    summary="Split a polygon in two by a line (editors; one all-or-nothing change)",
    responses={422: {"description": "the line does not cut the feature in exactly two parts"}},
)
def split(request: Request, spec: LayerDep, body: SplitRequest, user: EditorDep, engine: EngineDep) -> JSONResponse:
    """The feature keeps the larger part (a new version under the decision); the other becomes a new feature."""
    with engine.begin() as conn:
        decision = resolve_decision(conn, body.decision or user.token_decision_id)
        keys = split_feature(
            conn,
            spec,
            body.id,
            body.line,
            if_match=body.if_match,
            decision=decision,
            user=user,
            request_id=request_id(request),
        )
    return _written(request, engine, spec, keys)


@router.post(
    "/api/workspace/{collection_id}/merge",
    summary="Merge two adjacent polygons into the first (editors; one all-or-nothing change)",
    responses={422: {"description": "the features do not share part of their outline"}},
)
def merge(request: Request, spec: LayerDep, body: MergeRequest, user: EditorDep, engine: EngineDep) -> JSONResponse:
    """The first feature takes the union of both outlines; the second is deleted (versioned: closed)."""
    with engine.begin() as conn:
        decision = resolve_decision(conn, body.decision or user.token_decision_id)
        keys = merge_features(
            conn,
            spec,
            list(body.ids),
            if_matches=list(body.if_matches),
            decision=decision,
            user=user,
            request_id=request_id(request),
        )
    return _written(request, engine, spec, keys)
