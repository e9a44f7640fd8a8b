"""The programme's task register and its progress report (staff); tasks are written by the OGC editing routes."""

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ConnectionDep, StaffDep
from api.params import AsOfDep, ProgrammeFormat, ProgrammeYearDep, TaskFilterDep, TaskProvince
from gis.errors import InvalidInput
from gis.limits import check_storable
from layers.boards import report_board
from layers.tasks import list_tasks, programme_report, programme_workbook
from maps.programme_report import report_pdf

router = APIRouter(tags=["programme tasks"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"xlsx": XLSX, "pdf": "application/pdf"}


@router.get("/api/tasks", summary="The programme's tasks, with what is due and overdue (staff)")
def tasks(conn: ConnectionDep, user: StaffDep, chosen: TaskFilterDep) -> JSONResponse:
    """Each task with words for every code, its due period in words and whether it is overdue (as of as_of)."""
    found = list_tasks(conn, chosen)
    as_of = (chosen.as_of or date.today()).isoformat()
    return JSONResponse({"as_of": as_of, "count": len(found), "tasks": found})


@router.get(
    "/api/reports/programme",
    summary="Work-programme progress per lead unit and overall (staff; JSON, XLSX or PDF)",
    responses={200: {"content": {XLSX: {}, "application/pdf": {}}}},
)
def programme(
    request: Request,
    conn: ConnectionDep,
    user: StaffDep,
    year: ProgrammeYearDep,
    as_of: AsOfDep,
    province: TaskProvince = None,
    f: ProgrammeFormat = None,
) -> Response:
    """Tasks, done, done late, in progress, overdue and % done per unit and for the whole board; xlsx/pdf: documents."""
    if f not in (None, "", "json", "xlsx", "pdf"):
        raise InvalidInput(f"f must be 'json', 'xlsx' or 'pdf', got '{f[:40]}'")
    place = province.strip() if province and province.strip() else None
    if place:
        check_storable(place, "province")
    report = programme_report(conn, year, place, as_of)
    if f not in ("xlsx", "pdf"):
        return JSONResponse(report)
    name = f"tien-do-chuong-trinh-cong-tac-{year}" + (f"-{place}" if place else "") + f".{f}"
    disposition = f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"
    if f == "pdf":
        document = report_pdf(report, report_board(conn, place), str(request.url))
    else:
        document = programme_workbook(report)
    return Response(document, media_type=MEDIA[f], headers={"Content-Disposition": disposition})
