"""The board's report on its parks' enterprises: totals, change on last year, % of target (JSON/CSV/XLSX/PDF/DOCX)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ConnectionDep, CurrentUserDep
from api.documents import document_response, openapi_content
from api.params import EnterprisesDep
from layers.enterprise_files import report_csv, report_xlsx
from layers.enterprises import enterprises_report
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
        return document_response(report_document(report, str(request.url)), "pdf", name)
    if params.format == "docx":
        return document_response(enterprises_docx(report, str(request.url)), "docx", name)
    return JSONResponse(report)
