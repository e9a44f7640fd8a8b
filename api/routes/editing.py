"""OGC API – Features Part 4: create, replace, update and delete items, with If-Match, decisions and history."""

from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from api.deps import CurrentUserDep, EditorDep, EngineDep, LayerDep, StaffDep, request_id, wait_until_seen
from api.negotiate import GEOJSON
from api.params import Crs84Dep
from api.urls import base_url
from gis.accounts import User
from gis.crs import CRS84_URI
from gis.errors import NotFound
from gis.vocab import Role
from layers.audit import history, versions
from layers.editing import (
    EditResult,
    create_feature,
    delete_feature,
    feature_key,
    parse_change,
    update_feature,
)
from layers.features import table_of
from layers.writes import resolve_decision

router = APIRouter(tags=["OGC API - Features - Part 4 (editing)"])

FEATURE_TYPES = ("application/geo+json", "application/json")
PATCH_TYPES = FEATURE_TYPES + ("application/merge-patch+json",)
FEATURE_BODY = {
    "required": True,
    "content": {
        media: {
            "schema": {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "geometry": {"type": ["object", "null"]},
                    "properties": {"type": "object"},
                    "decision": {"type": ["string", "integer"]},
                },
            }
        }
        for media in ("application/geo+json", "application/json")
    },
}
WRITE_HEADERS = [
    {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": (
            "The ETag from GET of the feature: 412 when stale. Without it the change is accepted (last writer "
            'wins) and its audit record says "if_match": null (see docs/qgis.md).'
        ),
    },
    {
        "name": "Decision",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "Versioned layers: the decision's number (percent-encoded or UTF-8) or id, e.g. 439/QĐ-TTg.",
    },
]
CONTENT_CRS = {
    "name": "Content-Crs",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "CRS of the geometry, e.g. <http://www.opengis.net/def/crs/EPSG/0/9209>; CRS84 default.",
}


async def request_body(request: Request) -> bytes:
    """The raw body (read here so the size limit and our own JSON checks apply)."""
    return await request.body()


BodyDep = Annotated[bytes, Depends(request_body)]


def _media(request: Request, allowed: tuple[str, ...]) -> None:
    """415 for bodies that are not GeoJSON/JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in allowed:
        raise HTTPException(415, f"send the feature as {' or '.join(allowed)}, not '{media or 'nothing'}'")


def decision_header(request: Request) -> str | None:
    """The Decision header: a number percent-encoded (439/Q%C4%90-TTg), sent as raw UTF-8, or an id."""
    raw = request.headers.get("decision")
    if raw is None:
        return None
    try:
        raw = raw.encode("latin-1").decode("utf-8")  # HTTP headers arrive as latin-1; curl sends UTF-8 bytes
    except UnicodeError:
        pass
    return unquote(raw).strip() or None


def named_decision(request: Request, user: User, in_body: str | int | None = None) -> str | int | None:
    """The decision an edit is made under: the Decision header, else the body's "decision", else the token's.

    An explicitly named decision wins over the one the personal token is bound to (`zoneatlas users token NAME
    --decision NUMBER`), so a script can still name another; QGIS names none and edits under the token's.
    """
    return decision_header(request) or in_body or user.token_decision_id


def _answer(request: Request, spec_id: str, result: EditResult, status: int) -> Response:
    """The written feature with its ETag and Location."""
    location = f"{base_url(request)}/collections/{spec_id}/items/{result.feature_id}"
    headers = {"Location": location, "Content-Crs": f"<{CRS84_URI}>"}
    if result.etag:
        headers["ETag"] = result.etag
    return Response(result.feature, status_code=status, media_type=GEOJSON, headers=headers)


@router.post(
    "/collections/{collection_id}/items",
    summary="Add a feature (editors)",
    status_code=201,
    openapi_extra={"requestBody": FEATURE_BODY, "parameters": [WRITE_HEADERS[1], CONTENT_CRS]},
    responses={201: {"description": "created; Location and ETag name the new feature"}},
)
def create_item(request: Request, spec: LayerDep, user: EditorDep, body: BodyDep, engine: EngineDep) -> Response:
    """Create a feature; a versioned layer's first version is valid from the named decision."""
    _media(request, FEATURE_TYPES)
    with engine.begin() as conn:
        change = parse_change(conn, spec, body, request.headers.get("content-crs"), partial=False)
        decision = resolve_decision(conn, named_decision(request, user, change.decision))
        result = create_feature(conn, spec, change, user=user, decision=decision, request_id=request_id(request))
    wait_until_seen(request, engine, [spec.tracked_table])
    return _answer(request, spec.id, result, 201)


def _update(request: Request, spec, feature_id: str, user: User, body: bytes, engine, partial: bool) -> Response:
    """PUT and PATCH share everything but the merge."""
    _media(request, PATCH_TYPES if partial else FEATURE_TYPES)
    with engine.begin() as conn:
        change = parse_change(conn, spec, body, request.headers.get("content-crs"), partial=partial)
        decision = resolve_decision(conn, named_decision(request, user, change.decision))
        result = update_feature(
            conn,
            spec,
            feature_id,
            change,
            if_match=request.headers.get("if-match"),
            partial=partial,
            user=user,
            decision=decision,
            request_id=request_id(request),
        )
    wait_until_seen(request, engine, [spec.tracked_table])
    return _answer(request, spec.id, result, 200)


@router.put(
    "/collections/{collection_id}/items/{feature_id}",
    summary="Replace a feature (editors)",
    openapi_extra={"requestBody": FEATURE_BODY, "parameters": [*WRITE_HEADERS, CONTENT_CRS]},
)
def replace_item(
    request: Request, spec: LayerDep, feature_id: str, user: EditorDep, body: BodyDep, engine: EngineDep
) -> Response:
    """Replace every writable field and the geometry; versioned layers get a new version."""
    return _update(request, spec, feature_id, user, body, engine, partial=False)


@router.patch(
    "/collections/{collection_id}/items/{feature_id}",
    summary="Update some fields (editors)",
    openapi_extra={"requestBody": FEATURE_BODY, "parameters": [*WRITE_HEADERS, CONTENT_CRS]},
)
def update_item(
    request: Request, spec: LayerDep, feature_id: str, user: EditorDep, body: BodyDep, engine: EngineDep
) -> Response:
    """Merge the given properties (null clears one) and geometry, if any, into the feature."""
    return _update(request, spec, feature_id, user, body, engine, partial=True)


@router.delete(
    "/collections/{collection_id}/items/{feature_id}",
    summary="Delete a feature (editors)",
    status_code=204,
    openapi_extra={"parameters": WRITE_HEADERS},
    responses={204: {"description": "deleted (versioned layers: current version closed)"}},
)
def delete_item(request: Request, spec: LayerDep, feature_id: str, user: EditorDep, engine: EngineDep) -> Response:
    """Delete a feature; for versioned layers close its current version on the decision's date."""
    with engine.begin() as conn:
        decision = resolve_decision(conn, named_decision(request, user))
        delete_feature(
            conn,
            spec,
            feature_id,
            if_match=request.headers.get("if-match"),
            user=user,
            decision=decision,
            request_id=request_id(request),
        )
    wait_until_seen(request, engine, [spec.tracked_table])
    return Response(status_code=204)


def _allowed(spec, user: User | None, writes: tuple[str, ...]) -> Response:
    """An empty answer whose Allow lists what this reader may do: QGIS offers editing only when it lists the writes."""
    may_write = spec.editable and user is not None and user.has_role(Role.editor)
    methods = ("GET", "HEAD", *(writes if may_write else ()), "OPTIONS")
    return Response(status_code=204, headers={"Allow": ", ".join(methods)})


@router.options("/collections/{collection_id}/items", summary="What you may do with the items (Allow)", status_code=204)
def items_options(spec: LayerDep, user: CurrentUserDep) -> Response:
    """Allow: GET, HEAD, and POST for editors of an editable layer (QGIS asks this before offering to add)."""
    return _allowed(spec, user, ("POST",))


@router.options(
    "/collections/{collection_id}/items/{feature_id}", summary="What you may do with an item (Allow)", status_code=204
)
def item_options(spec: LayerDep, feature_id: str, user: CurrentUserDep) -> Response:
    """Allow: GET, HEAD, and PUT, PATCH, DELETE for editors of an editable layer (QGIS asks with any id)."""
    return _allowed(spec, user, ("PUT", "PATCH", "DELETE"))


@router.get("/collections/{collection_id}/items/{feature_id}/history", summary="Who changed a feature (staff)")
def item_history(
    request: Request, spec: LayerDep, feature_id: str, user: StaffDep, engine: EngineDep, _: Crs84Dep
) -> Response:
    """The audit entries of a feature, oldest first (for versioned layers: of every version of its uid), and the
    versions of a versioned feature (valid from–to, decision)."""
    key = feature_key(spec, feature_id)
    table = table_of(spec)
    uid = None
    with engine.connect() as conn:
        if "uid" in table.c:
            uid = conn.execute(
                table.select().with_only_columns(table.c.uid).where(table.c[spec.id_column] == key)
            ).scalar_one_or_none()
        entries = history(conn, spec.id, key, uid)
        found_versions = versions(conn, spec.id, uid)
    if not entries and uid is None:
        with engine.connect() as conn:
            exists = (
                conn.execute(
                    table.select().with_only_columns(table.c[spec.id_column]).where(table.c[spec.id_column] == key)
                ).first()
                is not None
            )
        if not exists:
            raise NotFound(f"no feature '{feature_id}' in '{spec.id}' and no recorded history of one")
    return JSONResponse(
        {
            "collection": spec.id,
            "feature_id": key,
            "uid": uid,
            "versions": found_versions,
            "entries": entries,
            "links": [
                {"href": f"{base_url(request)}/collections/{spec.id}/items/{key}", "rel": "item", "type": GEOJSON}
            ],
        }
    )
