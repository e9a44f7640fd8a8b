"""Investment promotion: available land (GeoJSON, CSV), park figures, the land finder page and printable sheets."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import AccessDep, ConnectionDep
from api.params import parse_limit, parse_offset
from api.urls import base_url
from gis.errors import InvalidInput
from gis.io import csv_text
from layers.extract import map_extract
from layers.land import NODE_KINDS, LandQuery, available_plots, finder_options, parse_sort, plot_by_uid
from layers.parks import park_summaries, park_summary
from maps.land import finder_page, park_sheet, plot_sheet, sheet_pdf

router = APIRouter(tags=["Investment promotion"])

GEOJSON = "application/geo+json"
LAND_PARAMS = (
    {
        "province",
        "zone",
        "park",
        "function",
        "min_area_ha",
        "max_area_ha",
        "max_rent",
        "clean",
        "sort",
        "limit",
        "offset",
        "f",
        "uid",
    }
    | {f"max_km_{k}" for k in NODE_KINDS}
    | {f"name_{k}" for k in NODE_KINDS}
)
CSV_KINDS = list(NODE_KINDS)


def _decimal(raw: str | None, name: str) -> Decimal | None:
    """A non-negative decimal parameter, or a message saying which one is wrong."""
    if raw is None or raw.strip() == "":
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise InvalidInput(f"{name} must be a number, got '{raw}'") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{name} must be a number of zero or more, got '{raw}'")
    return value


def _boolean(raw: str | None, name: str) -> bool:
    """true/false, 1/0, yes/no; absent means false."""
    if raw is None or raw == "":
        return False
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise InvalidInput(f"{name} must be true or false, got '{raw}'")


def _text(raw: str | None) -> str | None:
    """A trimmed text parameter; empty means not given (forms send empty fields)."""
    return raw.strip() if raw and raw.strip() else None


def _list(values: list[str]) -> tuple[str, ...]:
    """A repeatable parameter that may also be comma-separated."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def land_query(request: Request) -> LandQuery:
    """Parse and bound the finder's parameters; unknown ones are refused so a typo never widens a search."""
    params = request.query_params
    unknown = sorted(set(params) - LAND_PARAMS)
    if unknown:
        raise InvalidInput(f"unknown parameter {', '.join(unknown)}; parameters are: {', '.join(sorted(LAND_PARAMS))}")
    max_km: dict[str, float] = {}
    names: dict[str, str] = {}
    for key in NODE_KINDS:
        bound = _decimal(params.get(f"max_km_{key}"), f"max_km_{key}")
        if bound is not None:
            max_km[key] = float(bound)
        name = _text(params.get(f"name_{key}"))
        if name is not None:
            names[key] = name
    sort, descending = parse_sort(_text(params.get("sort")), max_km)
    functions = _list(params.getlist("function"))
    return LandQuery(
        province=_text(params.get("province")),
        zone=_text(params.get("zone")),
        park=_text(params.get("park")),
        planning_functions=functions,
        min_area_ha=_decimal(params.get("min_area_ha"), "min_area_ha"),
        max_area_ha=_decimal(params.get("max_area_ha"), "max_area_ha"),
        max_rent=_decimal(params.get("max_rent"), "max_rent"),
        clean_only=_boolean(params.get("clean"), "clean"),
        max_km=max_km,
        names=names,
        sort=sort,
        descending=descending,
        limit=parse_limit(params.get("limit") or "1000"),
        offset=parse_offset(params.get("offset")),
        uids=_list(params.getlist("uid")),
    )


@router.get("/api/land/available", summary="Available land plots (GeoJSON or CSV)")
def land_available(request: Request, conn: ConnectionDep, access: AccessDep) -> Response:
    """Plots on offer now with their park, zone, clean-land flag and nearest gate/port/airport… distances.

    Filters: uid (repeatable), province, zone, park, function (repeatable or comma-separated), min_area_ha,
    max_area_ha, max_rent (USD/m²), clean=true, max_km_<kind> and name_<kind> for kind in border_gate, seaport,
    river_port, airport, logistics_centre, expressway_junction. Bounds are inclusive.
    sort: area, rent, distance, distance_<kind>, '-' for descending. f: geojson (default) or csv.
    The fields are public ones whatever the reader's access.
    """
    query = land_query(request)
    fmt = (request.query_params.get("f") or "geojson").lower()
    if fmt not in ("geojson", "json", "csv"):
        raise InvalidInput(f"f must be geojson or csv, got '{fmt}'")
    result = available_plots(conn, query)
    if fmt == "csv":
        return Response(
            plots_csv(result.plots, base_url(request)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="available-land.csv"'},
        )
    return Response(feature_collection(request, result.plots, result.number_matched, query), media_type=GEOJSON)


def feature_collection(request: Request, plots: list[dict[str, Any]], matched: int, query: LandQuery) -> str:
    """GeoJSON text; the geometry comes from PostGIS as text and is spliced in unparsed."""
    features = []
    for plot in plots:
        properties = {k: v for k, v in plot.items() if k not in ("geometry", "id")}
        features.append(
            '{"type":"Feature","id":'
            + json.dumps(plot["uid"])
            + ',"geometry":'
            + plot["geometry"]
            + ',"properties":'
            + json.dumps(properties, ensure_ascii=False)
            + "}"
        )
    here = str(request.url)
    links = [{"href": here, "rel": "self", "type": GEOJSON, "title": "This result"}]
    csv_params = dict(request.query_params) | {"f": "csv"}
    links.append(
        {
            "href": str(request.url.replace_query_params(**csv_params)),
            "rel": "alternate",
            "type": "text/csv",
            "title": "This result as CSV",
        }
    )
    if query.offset + len(plots) < matched:
        next_params = dict(request.query_params) | {"offset": str(query.offset + query.limit)}
        links.append(
            {
                "href": str(request.url.replace_query_params(**next_params)),
                "rel": "next",
                "type": GEOJSON,
                "title": "Next page",
            }
        )
    head = json.dumps(
        {"type": "FeatureCollection", "numberMatched": matched, "numberReturned": len(plots), "links": links},
        ensure_ascii=False,
    )
    return head[:-1] + ',"features":[' + ",".join(features) + "]}"


def plots_csv(plots: list[dict[str, Any]], root: str) -> str:
    """The result as CSV in UTF-8 with a byte-order mark, so spreadsheet programs keep the diacritics."""
    columns = [
        "uid",
        "code",
        "name_vi",
        "name_en",
        "status",
        "planning_function",
        "planning_function_vi",
        "area_ha",
        "land_rent_usd_m2",
        "clean",
        "province_code",
        "park_uid",
        "park_name_vi",
        "park_name_en",
        "zone_uid",
        "zone_name_vi",
        "lon",
        "lat",
    ]
    for key in CSV_KINDS:
        columns += [f"nearest_{key}", f"km_{key}"]
    rows: list[list[Any]] = [[*columns, "sheet_url"]]
    for p in plots:
        park, zone = p["park"] or {}, p["zone"] or {}
        row = [
            p["uid"],
            p["code"],
            p["name_vi"],
            p["name_en"],
            p["status"],
            p["planning_function"],
            p["planning_function_vi"],
            p["area_ha"],
            p["land_rent_usd_m2"],
            bool(p["clean"]),
            p["province_code"],
            park.get("uid"),
            park.get("name_vi"),
            park.get("name_en"),
            zone.get("uid"),
            zone.get("name_vi"),
            p["point"][0],
            p["point"][1],
        ]
        for key in CSV_KINDS:
            nearest = p["distances"][key]
            row += [nearest["name_vi"], nearest["km"]] if nearest else [None, None]
        rows.append([*row, root + p["sheet_url"]])
    return "\ufeff" + "".join(csv_text(rows))


@router.get("/api/parks", summary="Industrial parks with figures computed from their plots")
def parks(conn: ConnectionDep, access: AccessDep, sort: str | None = None) -> JSONResponse:
    """Every current park with the same figures as its summary, for a ranking table (sort: key, '-' descending)."""
    found = park_summaries(conn, sort)
    return JSONResponse({"numberReturned": len(found), "parks": found})


@router.get("/api/parks/{uid}/summary", summary="One park's figures computed from its plots")
def park(uid: str, conn: ConnectionDep, access: AccessDep) -> JSONResponse:
    """Areas (total, leasable, leased, available), occupancy, rent range, tenants, workers, capacities, distances."""
    return JSONResponse(park_summary(conn, uid))


@router.get("/maps/land", summary="Land finder page", response_class=HTMLResponse)
def land_finder(conn: ConnectionDep, access: AccessDep) -> HTMLResponse:
    """Filters, result list and map in step; the filter lives in the URL so a link reproduces the search."""
    return HTMLResponse(finder_page(finder_options(conn)))


def _plot_sheet_html(request: Request, conn: ConnectionDep, uid: str, pdf: bool) -> str:
    """Render a plot's sheet for the screen or for the PDF."""
    plot = plot_by_uid(conn, uid)
    park_figures = park_summary(conn, plot["park"]["uid"]) if plot["park"] else None
    extract = map_extract(conn, plot["park"]["uid"] if plot["park"] else None, uid)
    return plot_sheet(plot, park_figures, extract, f"{base_url(request)}/land/plots/{uid}", pdf=pdf)


def _park_sheet_html(request: Request, conn: ConnectionDep, uid: str, pdf: bool) -> str:
    """Render a park's sheet for the screen or for the PDF."""
    figures = park_summary(conn, uid)
    plots = available_plots(conn, LandQuery(park=uid, limit=10_000)).plots
    extract = map_extract(conn, uid, None)
    return park_sheet(figures, plots, extract, f"{base_url(request)}/land/parks/{uid}", pdf=pdf)


def _pdf(html: str, name: str) -> Response:
    """A sheet as a PDF download."""
    return Response(
        sheet_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@router.get("/land/plots/{uid}.pdf", summary="Plot sheet as PDF")
def plot_sheet_pdf(uid: str, request: Request, conn: ConnectionDep, access: AccessDep) -> Response:
    """The plot's sheet printed server-side to A4 PDF."""
    return _pdf(_plot_sheet_html(request, conn, uid, pdf=True), f"plot-{uid}")


@router.get("/land/plots/{uid}", summary="Plot sheet", response_class=HTMLResponse)
def plot_sheet_page(uid: str, request: Request, conn: ConnectionDep, access: AccessDep) -> HTMLResponse:
    """The bilingual A4 sheet of one plot."""
    return HTMLResponse(_plot_sheet_html(request, conn, uid, pdf=False))


@router.get("/land/parks/{uid}.pdf", summary="Park sheet as PDF")
def park_sheet_pdf(uid: str, request: Request, conn: ConnectionDep, access: AccessDep) -> Response:
    """The park's sheet printed server-side to A4 PDF."""
    return _pdf(_park_sheet_html(request, conn, uid, pdf=True), f"park-{uid}")


@router.get("/land/parks/{uid}", summary="Park sheet", response_class=HTMLResponse)
def park_sheet_page(uid: str, request: Request, conn: ConnectionDep, access: AccessDep) -> HTMLResponse:
    """The bilingual A4 sheet of one park."""
    return HTMLResponse(_park_sheet_html(request, conn, uid, pdf=False))
