"""The board's periodic reports (delayed projects, weekly clearance progress) as rows, and as UTF-8 CSV."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, text

from gis.errors import InvalidInput
from gis.io import csv_text
from layers.clearance import DATED_STAGES, clearance_of, project_row
from layers.places import Place, check_place, place_params, project_in_place
from layers.projects import delayed_milestones
from layers.rent import arrears_of, open_findings

WEEK_RE = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Report:
    """A report: a title, column names and rows (dicts keyed by column), plus the parameters it was run with."""

    name: str
    title: str
    columns: list[str]
    rows: list[dict]
    parameters: dict

    def as_json(self) -> dict:
        """The report as JSON (dates as ISO text)."""
        return {
            "report": self.name,
            "title": self.title,
            **self.parameters,
            "columns": self.columns,
            "rows": [{k: _plain(v) for k, v in row.items()} for row in self.rows],
        }

    def as_csv(self) -> str:
        """The rows as CSV with a UTF-8 byte-order mark, so spreadsheet programs keep the diacritics."""
        rows = [[row.get(k) for k in self.columns] for row in self.rows]
        return "\ufeff" + "".join(csv_text([self.columns, *rows]))


def _plain(value):
    """Dates as ISO text; everything else as it is."""
    return value.isoformat() if isinstance(value, date) else value


def parse_week(value: str | None, today: date | None = None) -> tuple[date, date]:
    """An ISO week '2025-W14' (or '2025W14') as (Monday, Sunday); the current week when not given."""
    if value is None or not value.strip():
        start = (today or date.today()) - timedelta(days=(today or date.today()).weekday())
        return start, start + timedelta(days=6)
    match = WEEK_RE.match(value.strip())
    if not match:
        raise InvalidInput(f"week must be an ISO week such as 2025-W14, got '{value}'")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        start = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InvalidInput(f"{year} has no week {week}") from None
    return start, start + timedelta(days=6)


PROJECT_INFO_SQL = text(
    """
    SELECT p.id, p.uid, p.name_vi, p.name_en, p.status, p.investor, p.zone_uid, p.park_uid, p.province_code,
           (SELECT a.name_vi FROM admin_units a WHERE a.code = p.province_code AND a.level = 'province'
            ORDER BY a.valid_to IS NULL DESC LIMIT 1) AS province_name_vi,
           z.name_vi AS zone_name_vi, k.name_vi AS park_name_vi
    FROM projects p
    LEFT JOIN industrial_parks k ON k.uid = p.park_uid AND k.valid_to IS NULL
    LEFT JOIN economic_zones z ON z.uid = coalesce(p.zone_uid, k.zone_uid) AND z.valid_to IS NULL
    WHERE p.uid = ANY(:uids)
    """
)
DELAYED_COLUMNS = [
    "project_uid",
    "name_vi",
    "name_en",
    "status",
    "investor",
    "province_code",
    "zone_uid",
    "park_uid",
    "province_name_vi",
    "zone_name_vi",
    "park_name_vi",
    "milestone",
    "committed_on",
    "actual_on",
    "days_late",
]


# Staff only: each project's rent arrears and its open compliance findings in words (internal to the board).
STAFF_DELAYED_COLUMNS = [*DELAYED_COLUMNS, "rent_arrears_vnd", "open_findings"]


def _findings_text(findings: list[dict]) -> str:
    """Open findings as one cell: kind in words, and the decision or inspection that found each."""
    return "; ".join(f"{f['kind_words']['vi']} / {f['kind_words']['en']} ({f['found_by']})" for f in findings)


def delayed_projects_report(conn: Connection, as_of: date, staff: bool = False) -> Report:
    """Every missed or late milestone on a date, one row per milestone, grouped by project; staff also see rent
    arrears and open findings."""
    delays = delayed_milestones(conn, as_of)
    info = {r.uid: r for r in conn.execute(PROJECT_INFO_SQL, {"uids": sorted({d.uid for d in delays})})}
    if staff:
        arrears = arrears_of(conn, list(info))
        findings = open_findings(conn, {r.id: uid for uid, r in info.items()})
    rows = []
    for d in delays:
        p = info[d.uid]
        rows.append(
            {
                "project_uid": d.uid,
                "name_vi": d.name_vi,
                "name_en": p.name_en,
                "status": d.status,
                "investor": p.investor,
                "province_code": p.province_code,
                "zone_uid": p.zone_uid,
                "park_uid": p.park_uid,
                "province_name_vi": p.province_name_vi,
                "zone_name_vi": p.zone_name_vi,
                "park_name_vi": p.park_name_vi,
                "milestone": d.milestone,
                "committed_on": d.committed_on,
                "actual_on": d.actual_on,
                "days_late": int(d.days_late),
            }
        )
        if staff:
            rows[-1]["rent_arrears_vnd"] = arrears.get(d.uid)
            rows[-1]["open_findings"] = _findings_text(findings.get(d.uid, []))
    return Report(
        "delayed-projects",
        "Dự án chậm tiến độ / Delayed projects",
        STAFF_DELAYED_COLUMNS if staff else DELAYED_COLUMNS,
        rows,
        {"as_of": as_of.isoformat(), "projects": len({r["project_uid"] for r in rows})},
    )


def delayed_by_project(report: Report) -> list[dict]:
    """The review's rows grouped by project, in the report's order: the project's words once, its late milestones
    under it, the longest delay; the staff-only arrears and findings only when the report carries them."""
    projects: dict[str, dict] = {}
    for row in report.rows:
        project = projects.setdefault(
            row["project_uid"],
            {k: v for k, v in row.items() if k not in ("milestone", "committed_on", "actual_on", "days_late")}
            | {"milestones": [], "days_late": 0},
        )
        project["milestones"].append({k: row[k] for k in ("milestone", "committed_on", "actual_on", "days_late")})
        project["days_late"] = max(project["days_late"], row["days_late"])
    return list(projects.values())


CLEARANCE_COLUMNS = [
    "project_uid",
    "name_vi",
    "province_code",
    "province_name_vi",
    "zone_uid",
    "park_uid",
    "week_start",
    "week_end",
    "parcels",
    "total_ha",
    "households_affected",
    "households_to_resettle",
    "households_resettled",
    "cleared_ha",
    "handed_over_ha",
    "approved_vnd",
    "paid_vnd",
    "enforcement_parcels",
    *[f"parcels_at_{s}" for s in ("not_started", *DATED_STAGES)],
    *[f"reached_{s}_this_week" for s in DATED_STAGES],
]
REACHED_SQL = text(
    """
    SELECT project_id,
           count(*) FILTER (WHERE notice_issued_on BETWEEN :a AND :b) AS notice_issued,
           count(*) FILTER (WHERE inventoried_on BETWEEN :a AND :b) AS inventoried,
           count(*) FILTER (WHERE plan_approved_on BETWEEN :a AND :b) AS plan_approved,
           count(*) FILTER (WHERE compensation_paid_on BETWEEN :a AND :b) AS compensation_paid,
           count(*) FILTER (WHERE handed_over_on BETWEEN :a AND :b) AS handed_over
    FROM clearance_parcels WHERE project_id = ANY(:projects) GROUP BY project_id
    """
)


CLEARANCE_PROJECTS_SQL = """
SELECT p.id, p.uid, p.name_vi, p.name_en, p.province_code, a.name_vi AS province_name_vi, p.zone_uid, p.park_uid
FROM projects p
LEFT JOIN LATERAL (SELECT name_vi FROM admin_units WHERE level = 'province' AND code = p.province_code LIMIT 1) a
  ON true
WHERE (CAST(:project AS text) IS NULL AND EXISTS (SELECT 1 FROM clearance_parcels c WHERE c.project_id = p.id)
       OR p.uid = :project)
  AND {in_place}
ORDER BY p.uid
"""


def clearance_report(conn: Connection, project_uid: str | None, week: str | None, place: Place | None = None) -> Report:
    """Clearance figures at the end of an ISO week and the parcels that reached each stage during it, for all the
    report's projects in four statements (layers/clearance.py's grouped figures and REACHED_SQL), not per project.

    `place` narrows the projects to a province, zone or park as every report does (layers/places.py).
    """
    start, end = parse_week(week)
    place = place or Place()
    check_place(conn, place)
    if project_uid:
        project_row(conn, project_uid)  # an unknown project is a 404 naming it
    sql = CLEARANCE_PROJECTS_SQL.format(in_place=project_in_place("p", place))
    projects = conn.execute(text(sql), {"project": project_uid, **place_params(conn, place)}).all()
    all_figures = clearance_of(conn, projects, end, history=False)
    ids = [p.id for p in projects]
    reached = (
        {r.project_id: r for r in conn.execute(REACHED_SQL, {"projects": ids, "a": start, "b": end})} if ids else {}
    )
    rows = []
    for project in projects:
        figures = all_figures[project.id]
        row = {
            "project_uid": project.uid,
            "name_vi": figures.name_vi,
            "province_code": project.province_code,
            "province_name_vi": project.province_name_vi,
            "zone_uid": project.zone_uid,
            "park_uid": project.park_uid,
            "week_start": start,
            "week_end": end,
            "parcels": figures.parcels,
            "total_ha": round(figures.total_ha, 4),
            "households_affected": figures.households_affected,
            "households_to_resettle": figures.households_to_resettle,
            "households_resettled": figures.households_resettled,
            "cleared_ha": round(figures.cleared_ha, 4),
            "handed_over_ha": round(figures.handed_over_ha, 4),
            "approved_vnd": figures.approved_vnd,
            "paid_vnd": figures.paid_vnd,
            "enforcement_parcels": figures.enforcement_parcels,
        }
        for count in figures.by_stage:
            row[f"parcels_at_{count.stage}"] = count.parcels
        for stage in DATED_STAGES:
            row[f"reached_{stage}_this_week"] = int(reached[project.id]._mapping[stage]) if project.id in reached else 0
        rows.append(row)
    iso = start.isocalendar()
    return Report(
        "clearance",
        "Tiến độ giải phóng mặt bằng / Land-clearance progress",
        CLEARANCE_COLUMNS,
        rows,
        {
            "week": f"{iso.year}-W{iso.week:02d}",
            "week_start": start.isoformat(),
            "week_end": end.isoformat(),
            "project": project_uid,
            "province": place.province,
            "zone": place.zone,
            "park": place.park,
        },
    )
