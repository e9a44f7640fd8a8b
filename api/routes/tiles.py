"""OGC API – Tiles: Mapbox Vector Tiles per collection and for all public layers, with ETags that follow edits."""

from collections.abc import Callable
from contextlib import ExitStack
from typing import Annotated, Any

import morecantile
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Connection

from api.deps import AccessDep, ConnectionDep, LayerDep, ReadEngineDep, read_connection
from api.params import DatetimeDep, FilterDep, TileFormatDep
from api.urls import base_url
from gis.db import database_unreachable
from gis.errors import InvalidInput, NotFound
from gis.tiles import TileAddress
from layers import basemap
from layers.features import FeatureQuery, layer_extent, where_clause
from layers.registry import layers_visible_to
from layers.spec import Access, LayerSpec
from layers.tiles import (
    MVT_TYPE,
    Tile,
    TileCache,
    check_tile,
    dataset_layers,
    render_tile,
    tables_version,
    tile_headers,
    tile_key,
    tile_reply,
    version_token,
)

router = APIRouter(tags=["OGC API - Tiles"])

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
BASEMAP_MAX_ZOOM = 16
TILE_PARAMS = {"datetime", "filter", "filter-lang", "filter-crs", "f"}
TileMatrix = Annotated[int, Path(description="Zoom level (tileMatrix), 0 to 24.", examples=[14])]
TileCol = Annotated[int, Path(description="Column (tileCol), 0 to 2^zoom − 1.", examples=[13073])]
TileRow = Annotated[int, Path(description="Row (tileRow), 0 to 2^zoom − 1.", examples=[7332])]


def _tms() -> morecantile.TileMatrixSet:
    """The one tiling scheme served."""
    return morecantile.tms.get(TMS_ID)


def _check_tms(tile_matrix_set_id: str) -> None:
    """404 for any tiling scheme but WebMercatorQuad."""
    if tile_matrix_set_id != TMS_ID:
        raise NotFound(f"tile matrix set '{tile_matrix_set_id}' is not offered; use {TMS_ID}")


@router.get("/tileMatrixSets", summary="Tiling schemes")
def tile_matrix_sets(request: Request) -> JSONResponse:
    """The tiling schemes this server uses."""
    root = base_url(request)
    return JSONResponse(
        {
            "tileMatrixSets": [
                {
                    "id": TMS_ID,
                    "title": "Google Maps Compatible for the World",
                    "uri": TMS_URI,
                    "links": [{"href": f"{root}/tileMatrixSets/{TMS_ID}", "rel": "self", "type": "application/json"}],
                }
            ]
        }
    )


@router.get("/tileMatrixSets/{tile_matrix_set_id}", summary="One tiling scheme")
def tile_matrix_set(tile_matrix_set_id: str) -> JSONResponse:
    """The definition of WebMercatorQuad (from morecantile)."""
    _check_tms(tile_matrix_set_id)
    return JSONResponse(_tms().model_dump(mode="json", exclude_none=True))


def _tileset(request: Request, specs: list[LayerSpec], prefix: str, title: str, conn) -> dict[str, Any]:
    """OGC tileset metadata with a TileJSON-compatible part (tiles, vector_layers, zooms, bounds)."""
    root = base_url(request)
    template = f"{root}{prefix}/tiles/{TMS_ID}/{{tileMatrix}}/{{tileCol}}/{{tileRow}}"
    boxes = [b for b in (layer_extent(conn, s)[0] for s in specs) if b]
    bounds = (
        [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
        if boxes
        else [-180, -85.05, 180, 85.05]
    )
    return {
        "title": title,
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "links": [
            {
                "href": f"{root}/tileMatrixSets/{TMS_ID}",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                "type": "application/json",
            },
            {"href": template, "rel": "item", "type": MVT_TYPE, "templated": True},
        ],
        "layers": [
            {
                "id": s.id,
                "title": s.title,
                "dataType": "vector",
                "geometryType": s.geometry_type.lower(),
                "minTileMatrix": str(s.min_zoom),
                "maxTileMatrix": str(s.max_zoom),
            }
            for s in specs
        ],
        # TileJSON 3.0 keys, so MapLibre, Leaflet.VectorGrid and QGIS's vector-tile reader can use this directly.
        "tilejson": "3.0.0",
        "tiles": [template.replace("{tileMatrix}", "{z}").replace("{tileCol}", "{x}").replace("{tileRow}", "{y}")],
        "minzoom": min(s.min_zoom for s in specs),
        "maxzoom": max(min(s.max_zoom, 22) for s in specs),
        "bounds": bounds,
        "vector_layers": [
            {
                "id": s.id,
                "fields": {f: "" for f in _tile_fields(s)},
                "minzoom": s.min_zoom,
                "maxzoom": min(s.max_zoom, 22),
            }
            for s in specs
        ],
    }


def _tile_fields(spec: LayerSpec) -> list[str]:
    """Attributes a layer's tiles may carry, its overview's included."""
    extra = [f for overview in spec.overviews_at(0) for f in overview.tile_fields]
    return list(dict.fromkeys([*spec.tile_fields, *extra]))


def _tilesets_list(request: Request, prefix: str, title: str) -> JSONResponse:
    """The list of tilesets at a path (one: WebMercatorQuad)."""
    root = base_url(request)
    return JSONResponse(
        {
            "tilesets": [
                {
                    "title": title,
                    "dataType": "vector",
                    "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
                    "tileMatrixSetURI": TMS_URI,
                    "links": [{"href": f"{root}{prefix}/tiles/{TMS_ID}", "rel": "self", "type": "application/json"}],
                }
            ]
        }
    )


@router.get("/collections/{collection_id}/tiles", summary="Tilesets of a layer")
def collection_tilesets(request: Request, spec: LayerDep) -> JSONResponse:
    """The vector tilesets of one layer."""
    _require_geometry(spec)
    return _tilesets_list(request, f"/collections/{spec.id}", spec.title)


@router.get("/collections/{collection_id}/tiles/{tile_matrix_set_id}", summary="Tileset metadata and TileJSON")
def collection_tileset(request: Request, spec: LayerDep, tile_matrix_set_id: str, conn: ConnectionDep) -> JSONResponse:
    """Tileset metadata of one layer (also valid TileJSON)."""
    _require_geometry(spec)
    _check_tms(tile_matrix_set_id)
    return JSONResponse(_tileset(request, [spec], f"/collections/{spec.id}", spec.title, conn))


@router.get(
    "/collections/{collection_id}/tiles/{tile_matrix_set_id}/{z}/{x}/{y}",
    summary="A vector tile of a layer",
    response_class=Response,
    responses={200: {"content": {MVT_TYPE: {}}}, 204: {"description": "empty tile"}},
)
def collection_tile(
    request: Request,
    spec: LayerDep,
    tile_matrix_set_id: str,
    z: TileMatrix,
    x: TileCol,
    y: TileRow,
    engine: ReadEngineDep,
    access: AccessDep,
    period: DatetimeDep,
    cql: FilterDep,
    _: TileFormatDep,
) -> Response:
    """One MVT_TYPE tile of one layer, honouring datetime and filter."""
    _require_geometry(spec)
    _check_tms(tile_matrix_set_id)
    tile = TileAddress(z, x, y)
    check_tile(spec, tile)
    _only(request, TILE_PARAMS)
    query = FeatureQuery(access=access, period=period, cql=cql.cql, filter_srid=cql.srid, filter_flip=cql.flip)
    return _tile_response(request, engine, [_drawn_layer(spec, z, query)], tile, access)


@router.get("/tiles", summary="Tilesets of all public layers")
def dataset_tilesets(request: Request) -> JSONResponse:
    """The multi-layer vector tileset."""
    return _tilesets_list(request, "", "Zone Atlas")


@router.get("/tiles/{tile_matrix_set_id}", summary="Multi-layer tileset metadata and TileJSON")
def dataset_tileset(request: Request, tile_matrix_set_id: str, conn: ConnectionDep, access: AccessDep) -> JSONResponse:
    """Metadata of the multi-layer tileset (also valid TileJSON)."""
    _check_tms(tile_matrix_set_id)
    return JSONResponse(_tileset(request, _tiled_layers(access), "", "Zone Atlas", conn))


@router.get(
    "/tiles/{tile_matrix_set_id}/{z}/{x}/{y}",
    summary="A vector tile with one layer per public collection",
    response_class=Response,
    responses={200: {"content": {MVT_TYPE: {}}}, 204: {"description": "empty tile"}},
)
def dataset_tile(
    request: Request,
    tile_matrix_set_id: str,
    z: TileMatrix,
    x: TileCol,
    y: TileRow,
    engine: ReadEngineDep,
    access: AccessDep,
    period: DatetimeDep,
    _: TileFormatDep,
) -> Response:
    """One MVT_TYPE tile holding every layer whose zoom range includes z (datetime applies to versioned layers)."""
    _check_tms(tile_matrix_set_id)
    tile = TileAddress(z, x, y)
    check_tile(None, tile)
    _only(request, {"datetime", "f"})
    query = FeatureQuery(access=access, period=period)
    layers = [_drawn_layer(spec, z, query) for spec in dataset_layers(access, z)]
    return _tile_response(request, engine, layers, tile, access)


@router.get(
    "/basemap/tiles/{tile_matrix_set_id}/{z}/{x}/{y}",
    summary="A vector tile of the offline base map (land, borders, coastline)",
    response_class=Response,
    responses={200: {"content": {MVT_TYPE: {}}}, 204: {"description": "empty tile (open sea)"}},
)
def basemap_tile(
    request: Request,
    tile_matrix_set_id: str,
    z: TileMatrix,
    x: TileCol,
    y: TileRow,
    engine: ReadEngineDep,
    _: TileFormatDep,
) -> Response:
    """The base every map page draws first: MVT layers `land` (country) and `lines` (border or coastline)."""
    _check_tms(tile_matrix_set_id)
    tile = TileAddress(z, x, y)
    check_tile(None, tile)
    if z > BASEMAP_MAX_ZOOM:
        raise InvalidInput(f"the base map is tiled up to zoom {BASEMAP_MAX_ZOOM} (its data is 10 m), not {z}")
    _only(request, {"f"})
    return cached_tile_response(
        request,
        engine,
        tables=[basemap.TRACKED_TABLE],
        names=["basemap"],
        tile=tile,
        access=Access.public,  # the same for every reader
        render=lambda conn: basemap.render_basemap_tile(conn, tile),
    )


def _tiled_layers(access) -> list[LayerSpec]:
    """Layers with geometry that this reader may see."""
    return [s for s in layers_visible_to(access) if s.geometry_column]


def _require_geometry(spec: LayerSpec) -> None:
    """Layers without geometry have no tiles."""
    if not spec.geometry_column:
        raise NotFound(f"'{spec.id}' has no geometry, so it has no tiles")


def _only(request: Request, allowed: set[str]) -> None:
    """Refuse query parameters a tile endpoint does not understand."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise InvalidInput(f"unknown parameter {', '.join(unknown)}; tiles accept {', '.join(sorted(allowed))}")


def _drawn_layer(spec: LayerSpec, z: int, query: FeatureQuery) -> tuple[LayerSpec, FeatureQuery]:
    """What a tile at zoom z draws for a layer, with datetime and filter parsed exactly as for items.

    Below a layer's detail zoom that is its coarsest overview able to take the filter (a stage filter skips the
    per-project sites for the per-stage groups), so a filtered map is never drawn from the wrong generalisation.
    """
    overviews = spec.overviews_at(z)
    if not overviews:
        return spec, query
    for drawn in overviews:
        try:
            where_clause(drawn, query)  # refuses filters on fields that are not this generalisation's queryables
        except InvalidInput as error:
            refused = error
            continue
        return drawn, query
    finest = overviews[-1]
    raise InvalidInput(
        f"below zoom {finest.max_zoom + 1} '{spec.id}' is drawn merged ({finest.title_en.lower()}), so filters "
        f"there may use only {', '.join(finest.queryables)}: {refused}"
    ) from None


def _tile_response(request: Request, engine, layers, tile: TileAddress, access: Access) -> Response:
    """A tile of catalogue layers (with their overviews), through cached_tile_response."""
    specs = [spec for spec, _ in layers]
    return cached_tile_response(
        request,
        engine,
        tables=[s.tracked_table for s in specs],
        names=[s.id for s in specs],
        tile=tile,
        access=access,
        render=lambda conn: render_tile(conn, layers, tile),
    )


def cached_tile_response(
    request: Request,
    engine,
    *,
    tables: list[str],
    names: list[str],
    tile: TileAddress,
    access: Access,
    render: Callable[[Connection], Tile],
) -> Response:
    """Answer from this worker's tile cache, 304 when the client's copy is current, else render; empty tiles are 204.

    With the change feed up, the tables' versions come from memory and a cached tile needs no database connection;
    without it they are read on the connection that would render the tile, or, while the database cannot be
    reached, taken as the feed last heard them (a cached tile is then still served; a miss answers 503).
    """
    feed = getattr(request.app.state, "change_feed", None)
    cache: TileCache | None = getattr(request.app.state, "tile_cache", None)
    with ExitStack() as stack:
        versions = feed.versions(tables) if feed is not None else None
        conn = None
        if versions is None:
            try:
                conn = stack.enter_context(read_connection(engine))
                version = tables_version(conn, tables)
            except Exception as error:  # the database is away: what the cache holds is still current
                known = feed.known_versions(tables) if feed is not None and database_unreachable(error) else None
                if known is None:
                    raise
                conn, version = None, version_token(known)
        else:
            version = version_token(versions)
        # the same ETag and key as api/tile_fastpath.py computes for cache hits
        etag, key = tile_key(version, tile, request.query_params.multi_items(), names, access)
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=tile_headers(etag, access))
        rendered = cache.get(key) if cache is not None else None
        if rendered is None:
            conn = conn or stack.enter_context(read_connection(engine))
            rendered = render(conn)
            if cache is not None:
                cache.put(key, rendered)
    status, headers, body = tile_reply(etag, rendered, access)
    return Response(body, status_code=status, headers=headers)
