"""Clearance figures on three parcels set up by hand, and the weekly report and CSV built from them."""

import csv
import io
import json
from datetime import date

import pytest
from pyproj import Geod
from shapely.geometry import box, shape
from sqlalchemy import text

from gis.errors import InvalidInput, NotFound
from gis.settings import PROJECT_ROOT
from layers.clearance import plot_clearance, project_clearance
from layers.reports import clearance_report, delayed_projects_report, parse_week

GEOD = Geod(ellps="WGS84")
P1 = box(106.100, 18.100, 106.101, 18.101)
P2 = box(106.101, 18.100, 106.102, 18.101)
P3 = box(106.102, 18.100, 106.103, 18.101)


def ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4


@pytest.fixture
def project(db_conn):
    pid = db_conn.execute(
        text(
            "INSERT INTO projects (uid, name_vi, investor, sector, status, province_code, geom) VALUES "
            "('PRJ-TEST', 'Dự án thử Kỳ Anh', 'Công ty thử', 'công nghiệp', 'irc_issued', 'HA_TINH', "
            "ST_SetSRID(ST_MakePoint(106.1, 18.1), 4326)) RETURNING id"
        )
    ).scalar_one()
    parcel = text(
        "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, owner_name, households_affected, "
        "households_to_resettle, compensation_approved_vnd, compensation_paid_vnd, notice_issued_on, inventoried_on, "
        "plan_approved_on, compensation_paid_on, handed_over_on, enforcement_on, geom) VALUES (:p, :no, '7', "
        "'Nguyễn Văn Đức', :aff, :res, :appr, :paid, :n, :i, :a, :c, :h, :e, ST_GeomFromText(:g, 4326))"
    )
    # Parcel 1 is handed over on 2024-03-10; parcel 2 is paid on 2024-02-20; parcel 3 only got its notice.
    db_conn.execute(
        parcel,
        {
            "p": pid,
            "no": "1",
            "aff": 3,
            "res": 2,
            "appr": 500_000_000,
            "paid": 500_000_000,
            "n": "2024-01-02",
            "i": "2024-01-20",
            "a": "2024-02-01",
            "c": "2024-02-15",
            "h": "2024-03-10",
            "e": None,
            "g": P1.wkt,
        },
    )
    db_conn.execute(
        parcel,
        {
            "p": pid,
            "no": "2",
            "aff": 1,
            "res": 1,
            "appr": 200_000_000,
            "paid": 150_000_000,
            "n": "2024-01-02",
            "i": "2024-01-25",
            "a": "2024-02-01",
            "c": "2024-02-20",
            "h": None,
            "e": "2024-02-05",
            "g": P2.wkt,
        },
    )
    db_conn.execute(
        parcel,
        {
            "p": pid,
            "no": "3",
            "aff": 2,
            "res": 0,
            "appr": None,
            "paid": None,
            "n": "2024-03-05",
            "i": None,
            "a": None,
            "c": None,
            "h": None,
            "e": None,
            "g": P3.wkt,
        },
    )
    return db_conn


def test_figures_on_a_date_known_answer(project):
    f = project_clearance(project, "PRJ-TEST", date(2024, 2, 29))
    assert (f.parcels, f.households_affected, f.households_to_resettle) == (3, 6, 3)
    assert f.households_resettled == 0  # nothing handed over yet on 29 Feb
    assert f.cleared_ha == pytest.approx(ha(P1) + ha(P2), abs=2e-4)  # both paid by then
    assert f.handed_over_ha == 0
    assert (f.approved_vnd, f.paid_vnd, f.enforcement_parcels) == (700_000_000, 650_000_000, 1)
    stages = {s.stage: s.parcels for s in f.by_stage}
    assert stages == {
        "not_started": 1,
        "notice_issued": 0,
        "inventoried": 0,
        "plan_approved": 0,
        "compensation_paid": 2,
        "handed_over": 0,
    }
    later = project_clearance(project, "PRJ-TEST", date(2024, 12, 31))
    assert later.households_resettled == 2 and later.handed_over_ha == pytest.approx(ha(P1), abs=2e-4)
    assert later.total_ha == pytest.approx(ha(P1) + ha(P2) + ha(P3), abs=2e-4)
    assert {s.stage: s.parcels for s in later.by_stage}["notice_issued"] == 1


def test_history_is_cumulative_per_stage(project):
    f = project_clearance(project, "PRJ-TEST", date(2024, 12, 31))
    notices = [(p.on, p.parcels) for p in f.history["notice_issued"]]
    assert notices == [(date(2024, 1, 2), 2), (date(2024, 3, 5), 3)]
    paid = f.history["compensation_paid"]
    assert [(p.on, p.parcels) for p in paid] == [(date(2024, 2, 15), 1), (date(2024, 2, 20), 2)]
    assert paid[-1].ha == pytest.approx(ha(P1) + ha(P2), abs=2e-4)
    assert [p.on for p in f.history["handed_over"]] == [date(2024, 3, 10)]
    assert project_clearance(project, "PRJ-TEST", date(2024, 1, 1)).history["notice_issued"] == []


def test_demo_project_figures_match_the_data_file(db_conn):
    """An independent path: the demo GeoJSON file summed in Python, areas by pyproj."""
    features = json.loads((PROJECT_ROOT / "data" / "demo" / "clearance_parcels.geojson").read_text("utf-8"))
    mine = [
        f["properties"] | {"geom": shape(f["geometry"])}
        for f in features["features"]
        if f["properties"]["project_uid"] == "PRJ-VHVA"
    ]
    on = "2025-06-30"
    done = [p for p in mine if p["handed_over_on"] and p["handed_over_on"] <= on]
    f = project_clearance(db_conn, "PRJ-VHVA", date.fromisoformat(on))
    assert f.parcels == len(mine)
    assert f.households_affected == sum(p["households_affected"] for p in mine)
    assert f.households_resettled == sum(p["households_to_resettle"] for p in done)
    assert f.handed_over_ha == pytest.approx(sum(ha(p["geom"]) for p in done), abs=5e-3)
    assert f.paid_vnd == sum(
        p["compensation_paid_vnd"] or 0 for p in mine if p["compensation_paid_on"] and p["compensation_paid_on"] <= on
    )
    assert f.history["handed_over"][-1].parcels == len(done)


def test_plot_clearance_counts_overlapping_parcels(project):
    db_conn = project
    decision = db_conn.execute(text("SELECT id FROM decisions LIMIT 1")).scalar_one()
    db_conn.execute(
        text(
            "INSERT INTO land_plots (uid, code, name_vi, zone_uid, planning_function, status, valid_from, decision_id, "
            "geom) VALUES ('T-PLOT', 'CN99', 'Lô thử CN99', 'KKT-VA', (SELECT code FROM planning_functions LIMIT 1), "
            "'not_cleared', '2020-01-01', :d, ST_GeomFromText(:g, 4326))"
        ),
        {"d": decision, "g": box(106.1000, 18.100, 106.1015, 18.101).wkt},
    )
    status = plot_clearance(db_conn, "T-PLOT")
    # Parcel 1 lies inside, parcel 2 half inside, parcel 3 only touches: two parcels, 1/1.5 of the area handed over.
    assert status["parcels"] == 2
    assert status["by_stage"] == {"compensation_paid": 1, "handed_over": 1}
    assert status["handed_over_share"] == pytest.approx(1 / 1.5, rel=1e-3)


def test_weekly_report_and_csv(project):
    report = clearance_report(project, "PRJ-TEST", "2024-W08")  # Monday 19 Feb – Sunday 25 Feb 2024
    assert report.parameters["week_start"] == "2024-02-19" and report.parameters["week_end"] == "2024-02-25"
    (row,) = report.rows
    assert row["reached_compensation_paid_this_week"] == 1  # parcel 2 on 20 Feb
    assert row["reached_notice_issued_this_week"] == 0
    assert row["parcels_at_compensation_paid"] == 2 and row["paid_vnd"] == 650_000_000
    raw = report.as_csv()
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert rows[0]["name_vi"] == "Dự án thử Kỳ Anh" and rows[0]["week_end"] == "2024-02-25"


def test_week_parsing_and_errors(project):
    assert parse_week("2025W01") == (date(2024, 12, 30), date(2025, 1, 5))
    with pytest.raises(InvalidInput, match="ISO week such as 2025-W14"):
        parse_week("2025-14")
    with pytest.raises(InvalidInput, match="2021 has no week 53"):
        parse_week("2021-W53")
    with pytest.raises(NotFound, match="no project 'PRJ-NONE'"):
        clearance_report(project, "PRJ-NONE", "2024-W08")


def test_delayed_projects_report_matches_sql(db_conn):
    on = date(2026, 1, 1)
    report = delayed_projects_report(db_conn, on)
    expected = db_conn.execute(
        text(
            "SELECT p.uid, m.milestone FROM project_milestones m JOIN projects p ON p.id = m.project_id "
            "WHERE p.status <> 'terminated' AND m.committed_on < :d AND "
            "((m.actual_on IS NULL) OR (m.actual_on > m.committed_on AND m.actual_on <= :d))"
        ),
        {"d": on},
    ).all()
    assert sorted((r["project_uid"], r["milestone"]) for r in report.rows) == sorted(map(tuple, expected))
    assert report.parameters["projects"] == len({uid for uid, _ in expected})
