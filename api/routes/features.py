"""OGC API – Features Parts 1–3: landing, conformance, collections, items, queryables, in JSON, GeoJSON and HTML."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import AccessDep, ConnectionDep, CurrentUserDep, LayerDep, ReadEngineDep, read_connection
from api.downloads import export_response
from api.negotiate import GEOJSON, HTML, JSON
from api.params import ITEMS_OPENAPI, CrsDep, FeatureFormat, ItemsDep, ItemsRequest, JsonOrHtml
from api.query_text import parse_crs
from api.urls import base_url
from gis.crs import CRS84_URI, supported_crs_uris
from gis.http_cache import revalidated
from layers.editing import etag_of
from layers.features import fetch_one, fetch_page, layer_extent, table_of
from layers.registry import layers_visible_to
from layers.spec import LayerSpec
from maps.pages import collection_page, collections_page, item_page, landing_page

router = APIRouter(tags=["OGC API - Features"])

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
]
TYPES = {
    "String": "string",
    "Text": "string",
    "Integer": "integer",
    "BigInteger": "integer",
    "Numeric": "number",
    "Boolean": "boolean",
    "Date": "string",
    "DateTime": "string",
}
GEOMETRY_SCHEMA = {
    "Point": "https://geojson.org/schema/Point.json",
    "Polygon": "https://geojson.org/schema/Polygon.json",
    "MultiPolygon": "https://geojson.org/schema/MultiPolygon.json",
    "MultiLineString": "https://geojson.org/schema/MultiLineString.json",
}


def _link(href: str, rel: str, media: str, title: str) -> dict[str, str]:
    """One OGC link object."""
    return {"href": href, "rel": rel, "type": media, "title": title}


@router.get("/", summary="Landing page")
def landing(request: Request, access: AccessDep, media: JsonOrHtml) -> Response:
    """What this server offers, with links to everything else."""
    root = base_url(request)
    links = [
        _link(f"{root}/?f=json", "self", JSON, "This document"),
        _link(f"{root}/?f=html", "alternate", HTML, "This document as HTML"),
        _link(
            f"{root}/openapi.json", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "OpenAPI definition"
        ),
        _link(f"{root}/docs", "service-doc", HTML, "API documentation"),
        _link(f"{root}/conformance", "conformance", JSON, "Conformance classes"),
        _link(f"{root}/collections", "data", JSON, "Collections (layers)"),
        _link(
            f"{root}/tileMatrixSets", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", JSON, "Tile matrix sets"
        ),
        _link(f"{root}/health", "status", JSON, "Health"),
        _link(f"{root}/maps/zones", "related", HTML, "Bản đồ khu kinh tế / Zone map"),
        _link(f"{root}/maps/revisions", "related", HTML, "Điều chỉnh quy hoạch / Plan revisions"),
        _link(f"{root}/maps/projects", "related", HTML, "Dự án đầu tư / Investment projects"),
        _link(f"{root}/maps/land", "related", HTML, "Tìm đất cho nhà đầu tư / Land finder"),
        _link(f"{root}/maps/clearance", "related", HTML, "Giải phóng mặt bằng (nội bộ) / Land clearance (staff)"),
    ]
    body = {
        "title": "Zone Atlas",
        "description": "Hệ thống GIS quy hoạch khu kinh tế / Economic-zone planning GIS: PostGIS layers of the "
        "Economic Zone Management Boards, served by OGC API – Features and Tiles.",
        "links": links,
    }
    if media == HTML:
        return HTMLResponse(landing_page(body, layers_visible_to(access)))
    return JSONResponse(body)


@router.get("/conformance", summary="Conformance classes")
def conformance(media: JsonOrHtml) -> Response:
    """The standards' conformance classes this server implements."""
    body = {"conformsTo": CONFORMANCE}
    if media == HTML:
        items = "".join(f"<li><code>{c}</code></li>" for c in CONFORMANCE)
        return HTMLResponse(f"<!doctype html><meta charset='utf-8'><title>Conformance</title><ul>{items}</ul>")
    return JSONResponse(body)


def collection_document(request: Request, spec: LayerSpec, conn) -> dict[str, Any]:
    """The description of one collection: titles, extent, CRS list, links."""
    root = base_url(request)
    href = f"{root}/collections/{spec.id}"
    bbox, interval = layer_extent(conn, spec)
    extent: dict[str, Any] = {}
    if bbox:
        extent["spatial"] = {"bbox": [bbox], "crs": CRS84_URI}
    if interval:
        extent["temporal"] = {
            "interval": [[None if d is None else f"{d.isoformat()}T00:00:00Z" for d in interval]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    links = [
        _link(href, "self", JSON, spec.title),
        _link(f"{href}?f=html", "alternate", HTML, f"{spec.title} (HTML)"),
        _link(f"{href}/items", "items", GEOJSON, "Features (GeoJSON)"),
        _link(f"{href}/items?f=html", "items", HTML, "Features (HTML)"),
        _link(
            f"{href}/queryables",
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            "application/schema+json",
            "Queryables",
        ),
    ]
    document: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "description": f"{spec.description_vi} / {spec.description_en}",
        "title_vi": spec.title_vi,
        "title_en": spec.title_en,
        "description_vi": spec.description_vi,
        "description_en": spec.description_en,
        "itemType": "feature",
        "extent": extent,
        "links": links,
    }
    if spec.geometry_column:
        document["crs"] = supported_crs_uris()
        document["storageCrs"] = CRS84_URI
        links.append(
            _link(f"{href}/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON, "Vector tiles")
        )
    return document


@router.get("/collections", summary="The layers")
def collections(request: Request, conn: ConnectionDep, access: AccessDep, media: JsonOrHtml) -> Response:
    """Every layer this reader may see."""
    root = base_url(request)
    documents = [collection_document(request, spec, conn) for spec in layers_visible_to(access)]
    body = {
        "links": [
            _link(f"{root}/collections", "self", JSON, "Collections"),
            _link(f"{root}/collections?f=html", "alternate", HTML, "Collections (HTML)"),
        ],
        "collections": documents,
    }
    if media == HTML:
        return HTMLResponse(collections_page(documents))
    return JSONResponse(body)


@router.get("/collections/{collection_id}", summary="One layer")
def collection(request: Request, spec: LayerDep, conn: ConnectionDep, media: JsonOrHtml) -> Response:
    """Description of one layer."""
    document = collection_document(request, spec, conn)
    if media == HTML:
        return HTMLResponse(collection_page(spec, document))
    return JSONResponse(document)


@router.get("/collections/{collection_id}/queryables", summary="Properties that filters may use")
def queryables(request: Request, spec: LayerDep, access: AccessDep) -> Response:
    """A JSON Schema of the properties this reader may filter on: the layer's declared queryables they may see."""
    table = table_of(spec)
    properties: dict[str, Any] = {}
    for name in spec.queryables_for(access):
        type_name = type(table.c[name].type).__name__
        schema: dict[str, Any] = {"title": name, "type": TYPES.get(type_name, "string")}
        if type_name == "Date":
            schema["format"] = "date"
        properties[name] = schema
    if spec.geometry_column:
        properties["geom"] = {
            "title": "geometry",
            "format": f"geometry-{spec.geometry_type.lower()}",
            "$ref": GEOMETRY_SCHEMA[spec.geometry_type],
        }
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base_url(request)}/collections/{spec.id}/queryables",
        "type": "object",
        "title": spec.title,
        "properties": properties,
        "additionalProperties": False,
    }
    return JSONResponse(body, media_type="application/schema+json")


@router.get("/collections/{collection_id}/items", summary="Features of a layer", openapi_extra=ITEMS_OPENAPI)
def items(request: Request, spec: LayerDep, engine: ReadEngineDep, params: ItemsDep) -> Response:
    """A page of features, filtered by bbox, datetime, properties and CQL2, in the requested CRS."""
    if params.file is not None:  # f=gpkg|shp|kml|geojson|csv|fgb|dxf: the whole matched set as a file
        with request.app.state.engine.connect() as conn:  # a server-side cursor needs a transaction: main pool
            return export_response(spec, conn, params)
    with read_connection(engine) as conn:
        return _items_page(request, spec, conn, params)


def _items_page(request: Request, spec: LayerSpec, conn, params: ItemsRequest) -> Response:
    """The GeoJSON (or HTML) page of an items request."""
    media, query, crs = params.media, params.query, params.crs
    if media == HTML:
        document = collection_document(request, spec, conn)
        return HTMLResponse(collection_page(spec, document, items_view=True))
    page = fetch_page(conn, spec, query, crs)
    url = request.url
    links = [
        _link(str(url), "self", GEOJSON, "This page"),
        _link(str(url.include_query_params(f="html")), "alternate", HTML, "This page as HTML"),
        _link(f"{base_url(request)}/collections/{spec.id}", "collection", JSON, spec.title),
    ]
    if query.offset + len(page.features) < page.number_matched:
        links.append(
            _link(str(url.include_query_params(offset=query.offset + query.limit)), "next", GEOJSON, "Next page")
        )
    if query.offset > 0:
        links.append(
            _link(
                str(url.include_query_params(offset=max(query.offset - query.limit, 0))),
                "prev",
                GEOJSON,
                "Previous page",
            )
        )
    head = JSONResponse(
        {
            "type": "FeatureCollection",
            "numberMatched": page.number_matched,
            "numberReturned": len(page.features),
            "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "links": links,
        }
    ).body.decode()
    body = head[:-1] + ',"features":[' + ",".join(page.features) + "]}"
    return Response(body, media_type=GEOJSON if media == GEOJSON else JSON, headers={"Content-Crs": f"<{crs.uri}>"})


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature")
def item(
    request: Request,
    spec: LayerDep,
    feature_id: str,
    conn: ConnectionDep,
    access: AccessDep,
    user: CurrentUserDep,
    media: FeatureFormat,
    crs: CrsDep,
) -> Response:
    """One feature (any version of a versioned layer) by id; crs applies to GeoJSON (the HTML page shows CRS84).

    The HTML page shows staff the feature's history; anonymous readers get no history markup at all.
    """
    if media == HTML:
        crs = parse_crs(None)
    feature = fetch_one(conn, spec, feature_id, access, crs)
    etag = etag_of(conn, spec, int(feature_id))  # If-Match for edits (Part 4): the row's version, not its content
    caching = revalidated(etag, shared=user is None)  # one reading for all anonymous readers: a shared cache keeps it
    if media == HTML:  # never 304: the page also shows labels and templates the row's version does not follow
        return HTMLResponse(item_page(conn, spec, feature, user), headers=caching)
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={**caching, "Content-Crs": f"<{crs.uri}>"})  # JSON is the row
    root = base_url(request)
    links = JSONResponse(
        [
            _link(f"{root}/collections/{spec.id}/items/{feature_id}", "self", GEOJSON, "This feature"),
            _link(f"{root}/collections/{spec.id}/items/{feature_id}?f=html", "alternate", HTML, "As HTML"),
            _link(f"{root}/collections/{spec.id}", "collection", JSON, spec.title),
        ]
    ).body.decode()
    body = feature[:-1] + ', "links": ' + links + "}"
    return Response(
        body,
        media_type=GEOJSON if media == GEOJSON else JSON,
        headers={**caching, "Content-Crs": f"<{crs.uri}>"},
    )


# HEAD (`curl -I` to read the ETag): the same handler and headers; the server sends no body. Kept out of the OpenAPI
# document, where it would repeat the GET operation.
router.add_api_route("/collections/{collection_id}/items/{feature_id}", item, methods=["HEAD"], include_in_schema=False)
