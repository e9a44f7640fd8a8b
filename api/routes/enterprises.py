"""The board's report on its parks' enterprises: totals, change on last year, % of target (JSON/CSV/XLSX/PDF)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ConnectionDep, CurrentUserDep
from api.params import EnterprisesDep
from layers.boards import report_board
from layers.enterprise_files import report_csv, report_xlsx
from layers.enterprises import enterprises_report
from maps.enterprises_report import report_pdf

router = APIRouter(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/api/reports/enterprises",
    summary="Enterprises' figures per park with change on the previous year and % of target (JSON, CSV, XLSX, PDF)",
    responses={200: {"content": {"application/pdf": {}, XLSX: {}, "text/csv": {}}}},
)
def enterprises(request: Request, conn: ConnectionDep, user: CurrentUserDep, params: EnterprisesDep) -> Response:
    """Staff see every figure; anonymous readers only figures and targets marked public."""
    report = enterprises_report(conn, params.query, staff=user is not None)
    q = params.query
    name = "doanh-nghiep-" + (f"{q.year}-q{q.quarter}" if q.quarter else str(q.year))
    name += "".join(f"-{v}" for v in (q.province, q.zone, q.park) if v)
    if params.format == "csv":
        return Response(
            report_csv(report).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if params.format == "xlsx":
        return Response(
            report_xlsx(report), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
        )
    if params.format == "pdf":
        return Response(
            report_pdf(report, report_board(conn, q.province, q.zone, q.park), str(request.url)),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return JSONResponse(report)
