"""The weekly clearance report over many projects equals each project's figures computed on its own parcels."""

from collections import Counter
from datetime import date

from sqlalchemy import text

from layers.clearance import DATED_STAGES, clearance_of
from layers.reports import clearance_report

PARCELS_SQL = text(
    "SELECT p.uid, c.area_ha, c.households_affected, c.households_to_resettle, c.compensation_approved_vnd, "
    "c.compensation_paid_vnd, c.notice_issued_on, c.inventoried_on, c.plan_approved_on, c.compensation_paid_on, "
    "c.handed_over_on, c.enforcement_on FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
    "WHERE p.uid = :uid"
)


def by(on: date | None, day: date) -> bool:
    return on is not None and on <= day


def expected_row(conn, uid: str, start: date, end: date) -> dict:
    """One project's report figures from its parcels fetched one by one and summed here."""
    rows = conn.execute(PARCELS_SQL, {"uid": uid}).all()
    stage_of = Counter()
    for r in rows:
        dated = [
            ("handed_over", r.handed_over_on),
            ("compensation_paid", r.compensation_paid_on),
            ("plan_approved", r.plan_approved_on),
            ("inventoried", r.inventoried_on),
            ("notice_issued", r.notice_issued_on),
        ]
        stage_of[next((s for s, d in dated if by(d, end)), "not_started")] += 1
    out = {
        "parcels": len(rows),
        "total_ha": round(sum(float(r.area_ha) for r in rows), 4),
        "households_affected": sum(r.households_affected or 0 for r in rows),
        "households_resettled": sum(r.households_to_resettle or 0 for r in rows if by(r.handed_over_on, end)),
        "cleared_ha": round(sum(float(r.area_ha) for r in rows if by(r.compensation_paid_on, end)), 4),
        "handed_over_ha": round(sum(float(r.area_ha) for r in rows if by(r.handed_over_on, end)), 4),
        "approved_vnd": sum(r.compensation_approved_vnd or 0 for r in rows if by(r.plan_approved_on, end)),
        "paid_vnd": sum(r.compensation_paid_vnd or 0 for r in rows if by(r.compensation_paid_on, end)),
        "enforcement_parcels": sum(1 for r in rows if by(r.enforcement_on, end)),
    }
    for s in ("not_started", *DATED_STAGES):
        out[f"parcels_at_{s}"] = stage_of[s]
    for s in DATED_STAGES:
        out[f"reached_{s}_this_week"] = sum(
            1 for r in rows if getattr(r, f"{s}_on") and start <= getattr(r, f"{s}_on") <= end
        )
    return out


def test_report_of_every_project_equals_each_project_on_its_own(db_conn):
    uids = (
        db_conn.execute(
            text("SELECT DISTINCT p.uid FROM projects p JOIN clearance_parcels c ON c.project_id = p.id ORDER BY 1")
        )
        .scalars()
        .all()
    )
    assert len(uids) >= 3  # the demo data has several projects with parcels: the grouping is exercised
    for week, start, end in (
        ("2025-W26", date(2025, 6, 23), date(2025, 6, 29)),
        ("2024-W10", date(2024, 3, 4), date(2024, 3, 10)),
    ):
        report = clearance_report(db_conn, None, week)
        assert [r["project_uid"] for r in report.rows] == uids
        for row in report.rows:
            expected = expected_row(db_conn, row["project_uid"], start, end)
            assert {k: row[k] for k in expected} == expected, row["project_uid"]


def test_grouped_history_equals_each_project_on_its_own(db_conn):
    projects = db_conn.execute(
        text(
            "SELECT p.id, p.uid, p.name_vi, p.name_en FROM projects p "
            "WHERE EXISTS (SELECT 1 FROM clearance_parcels c WHERE c.project_id = p.id) ORDER BY p.uid"
        )
    ).all()
    on = date(2025, 6, 30)
    figures = clearance_of(db_conn, projects, on)
    for project in projects:
        rows = db_conn.execute(PARCELS_SQL, {"uid": project.uid}).all()
        for stage in DATED_STAGES:
            days = sorted({getattr(r, f"{stage}_on") for r in rows if by(getattr(r, f"{stage}_on"), on)})
            cumulative = [sum(1 for r in rows if by(getattr(r, f"{stage}_on"), d)) for d in days]
            got = figures[project.id].history[stage]
            assert [(p.on, p.parcels) for p in got] == list(zip(days, cumulative, strict=True)), (project.uid, stage)


def test_project_without_parcels_and_no_projects(db_conn):
    bare = db_conn.execute(
        text(
            "SELECT p.id, p.uid, p.name_vi, p.name_en FROM projects p "
            "WHERE NOT EXISTS (SELECT 1 FROM clearance_parcels c WHERE c.project_id = p.id) LIMIT 1"
        )
    ).one()
    (f,) = clearance_of(db_conn, [bare], date(2025, 6, 30)).values()
    assert (f.parcels, f.total_ha, f.paid_vnd) == (0, 0.0, 0)
    assert {s.stage: s.parcels for s in f.by_stage} == dict.fromkeys(("not_started", *DATED_STAGES), 0)
    assert clearance_of(db_conn, [], date(2025, 6, 30)) == {}
    row = clearance_report(db_conn, bare.uid, "2025-W26").rows
    assert row and row[0]["parcels"] == 0 and row[0]["reached_handed_over_this_week"] == 0
