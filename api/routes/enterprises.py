"""The board's report on its parks' enterprises (JSON/CSV/XLSX/PDF/DOCX), and its totals year by year (the trend)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ConnectionDep, CurrentUserDep
from api.documents import document_response, openapi_content
from api.params import EnterprisesDep, EnterprisesTrendDep
from layers.boards import report_board
from layers.enterprise_files import report_csv, report_xlsx, trend_csv
from layers.enterprises import enterprises_report, enterprises_trend
from maps.enterprises_report import report_document
from maps.report_docx import enterprises_docx

router = APIRouter(tags=["reports"])


@router.get(
    "/api/reports/enterprises",
    summary="Enterprises' figures per park with change on the previous year and % of target (JSON, CSV, XLSX, PDF, "
    "DOCX)",
    responses=openapi_content("pdf", "xlsx", "csv", "docx"),
)
def enterprises(request: Request, conn: ConnectionDep, user: CurrentUserDep, params: EnterprisesDep) -> Response:
    """Staff see every figure; anonymous readers only figures and targets marked public."""
    report = enterprises_report(conn, params.query, staff=user is not None)
    q = params.query
    name = "doanh-nghiep-" + (f"{q.year}-q{q.quarter}" if q.quarter else str(q.year))
    name += "".join(f"-{v}" for v in (q.province, q.zone, q.park) if v)
    if params.format == "csv":
        return document_response(report_csv(report).encode("utf-8"), "csv", name)
    if params.format == "xlsx":
        return document_response(report_xlsx(report), "xlsx", name)
    if params.format == "pdf":
        board = report_board(conn, q.province, q.zone, q.park)
        return document_response(report_document(report, board, str(request.url)), "pdf", name)
    if params.format == "docx":
        return document_response(enterprises_docx(report, str(request.url)), "docx", name)
    return JSONResponse(report)


@router.get(
    "/api/reports/enterprises/trend",
    summary="The enterprises report's totals for every year from `from` to `to`, in one call (JSON, CSV)",
    responses={200: {"content": {"text/csv": {}}}},
)
def enterprises_trend_route(conn: ConnectionDep, user: CurrentUserDep, params: EnterprisesTrendDep) -> Response:
    """The dashboard's trend chart: same figures and access as the yearly report, without its rows."""
    trend = enterprises_trend(conn, params.query, staff=user is not None)
    if params.format == "csv":
        q = params.query
        name = f"doanh-nghiep-{q.first}-{q.last}" + "".join(
            f"-{v}" for v in (q.place.province, q.place.zone, q.place.park) if v
        )
        return document_response(trend_csv(trend).encode("utf-8"), "csv", name)
    return JSONResponse(trend)
