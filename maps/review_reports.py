"""The delayed-projects review and the weekly clearance report as A4 PDFs in Vietnamese (maps/report_print.py).

The review: how many projects and milestones are late, a chart of each project's longest delay, then a table per
project with its late milestones in words (and, for staff only, rent arrears and open findings). The clearance
report: a table per project at the week's end, a chart of the share of area handed over, and parcels per stage with
those that reached it during the week.
"""

from datetime import date

from gis.vocab import ClearanceStage, ProjectStatus
from layers.clearance import STAGES
from layers.labels import enum_words
from layers.reports import Report, delayed_by_project
from layers.review_files import clearance_totals, handed_over_pct, milestone_words, staff_view, week_words
from maps.report_print import Bar, bar_chart, report_pdf, vn_number, vn_pct


def delayed_pdf(report: Report, url: str) -> bytes:
    """The review as an A4 PDF."""
    as_of = date.fromisoformat(report.parameters["as_of"])
    projects = delayed_by_project(report)
    for project in projects:
        project["status_vi"] = enum_words(ProjectStatus)[project["status"]][0]
        project["milestone_lines"] = [milestone_words(m) for m in project["milestones"]]
    longest = sorted(projects, key=lambda p: -p["days_late"])
    bars = [Bar(p["name_vi"], p["days_late"], vn_number(p["days_late"]) + " ngày", late=True) for p in longest]
    return report_pdf(
        "delayed_projects_report.html",
        url,
        title=f"Báo cáo rà soát các dự án chậm tiến độ đến ngày {as_of:%d/%m/%Y}",
        as_of=f"{as_of:%d/%m/%Y}",
        projects=projects,
        milestones=len(report.rows),
        staff=staff_view(report),
        arrears=sum(p.get("rent_arrears_vnd") or 0 for p in projects),
        chart=bar_chart(bars, "Số ngày chậm của mốc chậm nhất, theo dự án / Longest delay per project (days)"),
        millions=lambda vnd: vn_number(vnd, 1, 10**6),
    )


def clearance_pdf(report: Report, url: str) -> bytes:
    """The weekly clearance report as an A4 PDF."""
    rows = [{**r, "handed_over_pct": handed_over_pct(r)} for r in report.rows]
    bars = [
        Bar(
            r["name_vi"],
            r["handed_over_pct"] or 0,
            f"{vn_pct(r['handed_over_pct'])} · {vn_number(r['handed_over_ha'], 2)}/{vn_number(r['total_ha'], 2)} ha",
        )
        for r in rows
    ]
    vi, en = week_words(report)
    return report_pdf(
        "clearance_report.html",
        url,
        title=f"Báo cáo tiến độ giải phóng mặt bằng {vi}",
        english=f"Land-clearance progress report, {en}",
        rows=rows,
        totals=clearance_totals(report),
        stages=[(s, enum_words(ClearanceStage)[s][0]) for s in STAGES],
        chart=bar_chart(bars, "Tỷ lệ diện tích đã bàn giao / Share of area handed over", scale=100),
        billions=lambda vnd: vn_number(vnd, 1, 10**9),
    )
