"""The programme's task register, its progress report and the staff page (/tasks); tasks are written by the OGC
editing routes."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import NO_STORE, ConnectionDep, CurrentUserDep, StaffDep
from api.documents import document_response, openapi_content
from api.params import AsOfDep, ProgrammeFormatDep, ProgrammeYearDep, TaskFilterDep, TaskProvince
from api.urls import login_redirect
from gis.limits import check_storable
from layers.boards import report_board
from layers.tasks import list_tasks, programme_report, programme_workbook
from maps.pages import render, script_json
from maps.programme_report import report_document
from maps.report_docx import programme_docx
from maps.tasks_page import tasks_page_options

router = APIRouter(tags=["programme tasks"])


@router.get("/api/tasks", summary="The programme's tasks, with what is due and overdue (staff)")
def tasks(conn: ConnectionDep, user: StaffDep, chosen: TaskFilterDep) -> JSONResponse:
    """Each task with words for every code, its due period in words and whether it is overdue (as of as_of)."""
    found = list_tasks(conn, chosen)
    as_of = (chosen.as_of or date.today()).isoformat()
    return JSONResponse({"as_of": as_of, "count": len(found), "tasks": found})


@router.get(
    "/api/reports/programme",
    summary="Work-programme progress per lead unit and overall (staff; JSON, XLSX, PDF or DOCX)",
    responses=openapi_content("xlsx", "pdf", "docx"),
)
def programme(
    request: Request,
    conn: ConnectionDep,
    user: StaffDep,
    year: ProgrammeYearDep,
    as_of: AsOfDep,
    f: ProgrammeFormatDep,
    province: TaskProvince = None,
) -> Response:
    """Tasks, done, done late, in progress, overdue and % done per unit and for the whole board; xlsx/pdf/docx:
    documents."""
    place = province.strip() if province and province.strip() else None
    if place:
        check_storable(place, "province")
    report = programme_report(conn, year, place, as_of)
    if f == "json":
        return JSONResponse(report)
    name = f"tien-do-chuong-trinh-cong-tac-{year}" + (f"-{place}" if place else "")
    if f == "pdf":
        document = report_document(report, report_board(conn, place), str(request.url))
    elif f == "docx":
        document = programme_docx(report, report_board(conn, place)["name_vi"], str(request.url))
    else:
        document = programme_workbook(report)
    return document_response(document, f, name)


@router.get("/tasks", include_in_schema=False, response_class=HTMLResponse)
def tasks_page(request: Request, conn: ConnectionDep, user: CurrentUserDep) -> Response:
    """Staff see the register with their filters and the progress per unit; anyone else goes to the login page."""
    if user is None:
        return login_redirect(request)
    options = script_json(tasks_page_options(conn, user))
    html = render("tasks.html", title="Nhiệm vụ chương trình công tác / Programme tasks", user=user, options=options)
    return HTMLResponse(html, headers=NO_STORE)
