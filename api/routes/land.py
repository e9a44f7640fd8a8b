"""Investment promotion: available land (GeoJSON, CSV), park figures, the land finder page and printable sheets."""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import AccessDep, ReadConnectionDep, SettingsDep
from api.params import LandDep, ParkSort, PlaceDep
from api.urls import base_url
from gis.io import csv_text
from layers.boards import board_of
from layers.extract import map_extract
from layers.labels import province_words
from layers.land import NODE_KINDS, LandQuery, available_plots, finder_options, plot_by_uid
from layers.parks import park_summaries, park_summary
from maps.land import finder_page, park_sheet, plot_sheet, sheet_pdf

router = APIRouter(tags=["Investment promotion"])

GEOJSON = "application/geo+json"
CSV_KINDS = list(NODE_KINDS)


@router.get("/api/land/available", summary="Available land plots (GeoJSON or CSV)")
def land_available(request: Request, conn: ReadConnectionDep, access: AccessDep, query: LandDep) -> Response:
    """Plots on offer now with their park, zone, clean-land flag and nearest gate/port/airport… distances.

    Filters: uid (repeatable), province, zone, park, function (repeatable or comma-separated), min_area_ha,
    max_area_ha, max_rent (USD/m²), clean=true, max_km_<kind> and name_<kind> for kind in border_gate, seaport,
    river_port, airport, logistics_centre, expressway_junction. Bounds are inclusive. A nearest place farther
    than NEAREST_BOUND_KM (each plot's distance_bound_km, 300 km by default) is none: null, not a far number.
    sort: area, rent, distance, distance_<kind>, '-' for descending. f: geojson (default) or csv.
    The fields are public ones whatever the reader's access.
    """
    result = available_plots(conn, query)
    if (request.query_params.get("f") or "").lower() == "csv":
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
    links.append(
        {
            "href": str(request.url.include_query_params(f="csv")),
            "rel": "alternate",
            "type": "text/csv",
            "title": "This result as CSV",
        }
    )
    if query.offset + len(plots) < matched:
        links.append(
            {
                "href": str(request.url.include_query_params(offset=query.offset + query.limit)),
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
        "clearance_state",
        "clearance_state_vi",
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
    columns.append("distance_bound_km")  # an empty nearest_<kind> means none within this distance
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
            p["clearance_state"],
            p["clearance_state_words"]["vi"],
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
        rows.append([*row, p["distance_bound_km"], root + p["sheet_url"]])
    return "\ufeff" + "".join(csv_text(rows))


@router.get("/api/parks", summary="Industrial parks with figures computed from their plots")
def parks(
    conn: ReadConnectionDep, access: AccessDep, settings: SettingsDep, place: PlaceDep, sort: ParkSort = None
) -> JSONResponse:
    """The current parks of a province, zone or park (default all) with their summary figures, for a ranking table."""
    found = park_summaries(conn, sort, settings.nearest_bound_km, place)
    return JSONResponse({"numberReturned": len(found), "parks": found})


@router.get("/api/parks/{uid}/summary", summary="One park's figures computed from its plots")
def park(uid: str, conn: ReadConnectionDep, access: AccessDep, settings: SettingsDep) -> JSONResponse:
    """Areas (total, leasable, leased, available), occupancy, rent range, tenants, workers, capacities, distances.

    A nearest place farther than NEAREST_BOUND_KM (distance_bound_km) is none: null, not a far number.
    """
    return JSONResponse(park_summary(conn, uid, settings.nearest_bound_km))


@router.get("/maps/land", summary="Land finder page", response_class=HTMLResponse)
def land_finder(conn: ReadConnectionDep, access: AccessDep, settings: SettingsDep) -> HTMLResponse:
    """Filters, result list and map in step; the filter lives in the URL so a link reproduces the search."""
    return HTMLResponse(finder_page(finder_options(conn), settings.nearest_bound_km))


def _bound_km(request: Request) -> float:
    """Nearest places farther than this are none (setting NEAREST_BOUND_KM)."""
    return float(request.app.state.settings.nearest_bound_km)


def _plot_sheet_html(request: Request, conn: ReadConnectionDep, uid: str, pdf: bool) -> str:
    """Render a plot's sheet for the screen or for the PDF."""
    bound = _bound_km(request)
    plot = plot_by_uid(conn, uid, bound)
    park_figures = park_summary(conn, plot["park"]["uid"], bound) if plot["park"] else None
    extract = map_extract(conn, plot["park"]["uid"] if plot["park"] else None, uid)
    board = board_of(conn, park_figures["province_now_code"] if park_figures else plot["province_code"])
    province = province_words(conn, plot["province_code"])
    return plot_sheet(
        plot, park_figures, extract, f"{base_url(request)}/land/plots/{uid}", board, province=province, pdf=pdf
    )


def _park_sheet_html(request: Request, conn: ReadConnectionDep, uid: str, pdf: bool) -> str:
    """Render a park's sheet for the screen or for the PDF."""
    bound = _bound_km(request)
    figures = park_summary(conn, uid, bound)
    plots = available_plots(conn, LandQuery(park=uid, limit=10_000, bound_km=bound)).plots
    extract = map_extract(conn, uid, None)
    board = board_of(conn, figures["province_now_code"])
    return park_sheet(figures, plots, extract, f"{base_url(request)}/land/parks/{uid}", board, pdf=pdf)


def _pdf(html: str, name: str) -> Response:
    """A sheet as a PDF download."""
    return Response(
        sheet_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@router.get("/land/plots/{uid}.pdf", summary="Plot sheet as PDF")
def plot_sheet_pdf(uid: str, request: Request, conn: ReadConnectionDep, access: AccessDep) -> Response:
    """The plot's sheet printed server-side to A4 PDF."""
    return _pdf(_plot_sheet_html(request, conn, uid, pdf=True), f"plot-{uid}")


@router.get("/land/plots/{uid}", summary="Plot sheet", response_class=HTMLResponse)
def plot_sheet_page(uid: str, request: Request, conn: ReadConnectionDep, access: AccessDep) -> HTMLResponse:
    """The bilingual A4 sheet of one plot."""
    return HTMLResponse(_plot_sheet_html(request, conn, uid, pdf=False))


@router.get("/land/parks/{uid}.pdf", summary="Park sheet as PDF")
def park_sheet_pdf(uid: str, request: Request, conn: ReadConnectionDep, access: AccessDep) -> Response:
    """The park's sheet printed server-side to A4 PDF."""
    return _pdf(_park_sheet_html(request, conn, uid, pdf=True), f"park-{uid}")


@router.get("/land/parks/{uid}", summary="Park sheet", response_class=HTMLResponse)
def park_sheet_page(uid: str, request: Request, conn: ReadConnectionDep, access: AccessDep) -> HTMLResponse:
    """The bilingual A4 sheet of one park."""
    return HTMLResponse(_park_sheet_html(request, conn, uid, pdf=False))
