"""Domain endpoints behind the planners' maps: search, decisions, revision comparison, clearance, reports."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import AccessDep, CurrentUserDep, ReadConnectionDep, StaffDep, readable_layer
from api.documents import document_response, openapi_content
from api.params import AsOfDep, DatetimeDep, IsoWeek, LabelsDep, PlaceDep, ReviewFormatDep
from gis.errors import InvalidInput
from layers.clearance import project_clearance
from layers.map_labels import LABELLED, map_labels
from layers.rent import project_rent
from layers.reports import Report, clearance_report, delayed_projects_report
from layers.review_files import clearance_workbook, delayed_workbook
from layers.revisions import compare, list_decisions
from layers.search import search
from layers.spec import Access
from layers.summaries import plot_summary, project_summary
from maps.review_reports import clearance_pdf, delayed_pdf

router = APIRouter(tags=["planning"])


# The periodic reports' documents: (report, format) → writer(report, the request's URL).
DOCUMENTS = {
    ("delayed-projects", "xlsx"): lambda report, url: delayed_workbook(report),
    ("delayed-projects", "pdf"): delayed_pdf,
    ("clearance", "xlsx"): lambda report, url: clearance_workbook(report),
    ("clearance", "pdf"): clearance_pdf,
}


def review_response(report: Report, form: str, name: str, request: Request) -> Response:
    """A periodic report as JSON or as a CSV, XLSX or PDF download named `name`."""
    if form == "json":
        return JSONResponse(report.as_json())
    if form == "csv":
        return document_response(report.as_csv().encode("utf-8"), "csv", name)
    return document_response(DOCUMENTS[(report.name, form)](report, str(request.url)), form, name)


@router.get("/api/search", summary="Find zones, parks, plots, gates, projects… by name (ignores case and diacritics)")
def search_names(
    conn: ReadConnectionDep,
    access: AccessDep,
    q: str = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    layer: Annotated[
        str | None,
        Query(max_length=100, description="Only this layer's things (a form picking one)", examples=["projects"]),
    ] = None,
) -> JSONResponse:
    """'cau treo' finds Cầu Treo, 'Hoàn Sơn' Hoành Sơn (an alias); each hit: layer, ids, extent, matched alias."""
    hits = search(conn, q, access, limit, layer)
    return JSONResponse(
        {
            "query": q,
            "hits": [
                {
                    "layer": h.layer,
                    "id": h.id,
                    "uid": h.uid,
                    "name_vi": h.name_vi,
                    "name_en": h.name_en,
                    "context": h.context,
                    "alias": h.alias,
                    "bbox": list(h.bbox),
                }
                for h in hits
            ],
        }
    )


@router.get("/api/map-labels", summary="Names to write on the map in a view: anchors, room, both languages")
def labels(
    conn: ReadConnectionDep, access: AccessDep, user: CurrentUserDep, params: LabelsDep, period: DatetimeDep
) -> JSONResponse:
    """Label candidates of the layers' features in bbox (and of the base map's countries), in priority order.

    Each has its anchor (lon, lat), its `kind` (point, line, area, country), the room the feature has (`size`, Web
    Mercator units: the page shows an area's name only where it fits) and the text in Vietnamese and English.
    """
    specs = [readable_layer(layer_id, access, user) for layer_id in params.layers]
    unlabelled = [s.id for s in specs if s.id not in LABELLED]
    if unlabelled:
        raise InvalidInput(f"{', '.join(unlabelled)} carry no names on the map; labelled layers: {', '.join(LABELLED)}")
    found = map_labels(conn, specs, access, params.bbox, period, params.countries)
    return JSONResponse({"labels": found}, headers={"Cache-Control": "no-cache"})


@router.get("/api/decisions", summary="Legal decisions, oldest first; filter by zone")
def decisions(
    conn: ReadConnectionDep, access: AccessDep, zone: str | None = None, plan_only: bool = False
) -> JSONResponse:
    """Decisions with number, dates, authority and kind; plan_only keeps those that made a plan version.

    Anonymous readers see published decisions only (`public`); staff see every one.
    """
    staff = access is Access.internal
    found = [d.as_json(internal=staff) for d in list_decisions(conn, zone, plan_only, public_only=not staff)]
    return JSONResponse({"zone": zone, "decisions": found})


@router.get("/api/revisions/compare", summary="What changed in a zone's plan between two decisions or dates")
def compare_revisions(
    conn: ReadConnectionDep, access: AccessDep, zone: str, from_: Annotated[str, Query(alias="from")], to: str
) -> JSONResponse:
    """Added and removed areas as GeoJSON, and a table by functional-area type in ha (PostGIS, ellipsoidal)."""
    comparison = compare(conn, zone, from_, to, public_only=access is Access.public)
    return JSONResponse(comparison.as_geojson(), media_type="application/geo+json")


@router.get("/api/plots/{uid}", summary="A land plot with its park and projects (clearance status for staff)")
def plot(conn: ReadConnectionDep, access: AccessDep, uid: str) -> JSONResponse:
    """What a plot's popup shows."""
    return JSONResponse(plot_summary(conn, uid, access))


@router.get("/api/projects/{uid}", summary="A project with its park and plots")
def project(conn: ReadConnectionDep, uid: str) -> JSONResponse:
    """What a project's popup shows."""
    return JSONResponse(project_summary(conn, uid))


@router.get("/api/projects/{uid}/clearance", summary="Land-clearance figures of a project (staff)")
def clearance(conn: ReadConnectionDep, user: StaffDep, uid: str, as_of: AsOfDep) -> JSONResponse:
    """Households, ha cleared and handed over, VND approved and paid, parcels by stage and the stage history."""
    return JSONResponse(project_clearance(conn, uid, as_of).as_json())


@router.get("/api/projects/{uid}/rent", summary="Land rent (terms, due, paid, arrears) and open findings (staff)")
def rent(conn: ReadConnectionDep, user: StaffDep, uid: str) -> JSONResponse:
    """Rent terms, amounts per year with arrears and cumulative arrears, and the project's open findings in words."""
    return JSONResponse(project_rent(conn, uid))


@router.get(
    "/api/reports/delayed-projects",
    summary="Projects with missed or late milestones (JSON, CSV, XLSX or PDF)",
    responses=openapi_content("csv", "xlsx", "pdf"),
)
def delayed_projects(
    request: Request, conn: ReadConnectionDep, access: AccessDep, as_of: AsOfDep, f: ReviewFormatDep
) -> Response:
    """One row per missed or late milestone on `as_of` (today by default); staff also see rent arrears and findings,
    in every format."""
    day = as_of or date.today()
    report = delayed_projects_report(conn, day, staff=access is Access.internal)
    return review_response(report, f, f"du-an-cham-tien-do-{day.isoformat()}", request)


@router.get(
    "/api/reports/clearance",
    summary="Weekly land-clearance report (staff; JSON, CSV, XLSX or PDF)",
    responses=openapi_content("csv", "xlsx", "pdf"),
)
def clearance_weekly(
    request: Request,
    conn: ReadConnectionDep,
    user: StaffDep,
    place: PlaceDep,
    f: ReviewFormatDep,
    project: str | None = None,
    week: IsoWeek = None,
) -> Response:
    """Figures at the end of an ISO week (e.g. 2025-W14) and the parcels that reached each stage in it.

    province, zone and park narrow the projects as the enterprises report does (the dashboard's filters).
    """
    report = clearance_report(conn, project, week, place)
    narrowed = "".join(f"-{v}" for v in (project, place.province, place.zone, place.park) if v)
    return review_response(report, f, f"gpmb-{report.parameters['week']}{narrowed}", request)
