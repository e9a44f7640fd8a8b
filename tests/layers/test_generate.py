"""The scale-data generator writes valid, non-overlapping, reproducible GEN- rows and leaves other rows alone."""

from datetime import date

import pytest
from sqlalchemy import Connection, text

from layers.demo.generate import generate_scale_data

PARCELS, PLOTS = 2000, 300

GEN_PARCELS = "clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE p.uid LIKE 'GEN-%'"
FINGERPRINTS = {
    "parcels": "SELECT md5(string_agg(encode(ST_AsEWKB(c.geom), 'hex'), ',' "
    f"ORDER BY p.uid, c.map_sheet, c.parcel_no)) FROM {GEN_PARCELS}",
    "plots": "SELECT md5(string_agg(encode(ST_AsEWKB(geom), 'hex'), ',' ORDER BY uid)) "
    "FROM land_plots WHERE uid LIKE 'GEN-%'",
    "parks": "SELECT md5(string_agg(encode(ST_AsEWKB(geom), 'hex'), ',' ORDER BY uid)) "
    "FROM industrial_parks WHERE uid LIKE 'GEN-%'",
}
GEN_COUNTS = {
    "decisions": "SELECT count(*) FROM decisions WHERE number LIKE 'GEN-%'",
    "economic_zones": "SELECT count(*) FROM economic_zones WHERE uid LIKE 'GEN-%'",
    "industrial_parks": "SELECT count(*) FROM industrial_parks WHERE uid LIKE 'GEN-%'",
    "land_plots": "SELECT count(*) FROM land_plots WHERE uid LIKE 'GEN-%'",
    "projects": "SELECT count(*) FROM projects WHERE uid LIKE 'GEN-%'",
    "clearance_parcels": f"SELECT count(*) FROM {GEN_PARCELS}",
}


def scalar(conn: Connection, sql: str):
    return conn.execute(text(sql)).scalar_one()


def fingerprints(conn: Connection) -> dict[str, str]:
    return {name: scalar(conn, sql) for name, sql in FINGERPRINTS.items()}


def gen_counts(conn: Connection) -> dict[str, int]:
    return {name: scalar(conn, sql) for name, sql in GEN_COUNTS.items()}


@pytest.fixture
def generated(db_conn: Connection) -> tuple[Connection, dict[str, int], list[tuple[str, int, int]]]:
    calls: list[tuple[str, int, int]] = []
    counts = generate_scale_data(
        db_conn, parcels=PARCELS, plots=PLOTS, seed=1, progress=lambda *call: calls.append(call)
    )
    return db_conn, counts, calls


def test_writes_the_counts_asked_for_and_reports_progress(generated):
    conn, counts, calls = generated
    assert counts["clearance_parcels"] == PARCELS
    assert counts["land_plots"] == PLOTS
    assert gen_counts(conn) == {name: counts[name] for name in GEN_COUNTS}
    assert counts["decisions"] >= 1 and counts["economic_zones"] >= 1 and counts["industrial_parks"] >= 1
    assert counts["projects"] >= 3 and counts["project_milestones"] > 0 and counts["project_plots"] > 0
    assert ("clearance_parcels", PARCELS, PARCELS) in calls
    assert ("land_plots", PLOTS, PLOTS) in calls


def test_geometries_are_valid_and_nested(generated):
    conn, _, _ = generated
    for table in ("clearance_parcels", "land_plots", "industrial_parks", "economic_zones", "projects"):
        assert scalar(conn, f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid(geom)") == 0, table
        assert scalar(conn, f"SELECT count(*) FROM {table} WHERE ST_SRID(geom) <> 4326") == 0, table
    plots_outside = """SELECT count(*) FROM land_plots l JOIN industrial_parks k ON k.uid = l.park_uid
                       WHERE l.uid LIKE 'GEN-%' AND NOT ST_Within(l.geom, k.geom)"""
    assert scalar(conn, plots_outside) == 0
    parks_outside = """SELECT count(*) FROM industrial_parks k JOIN economic_zones z ON z.uid = k.zone_uid
                       WHERE k.uid LIKE 'GEN-%' AND NOT ST_Within(k.geom, z.geom)"""
    assert scalar(conn, parks_outside) == 0
    parcel_sizes = f"SELECT min(c.area_ha), max(c.area_ha) FROM {GEN_PARCELS}"
    smallest, largest = conn.execute(text(parcel_sizes)).one()
    assert 0.015 <= smallest and largest <= 0.35  # cadastral parcels of roughly 200-3,000 m²


@pytest.mark.parametrize("table", ["clearance_parcels", "land_plots", "industrial_parks"])
def test_nothing_overlaps(generated, table):
    conn, _, _ = generated
    generated_only = (
        "a.project_id IN (SELECT id FROM projects WHERE uid LIKE 'GEN-%')"
        if table == "clearance_parcels"
        else "a.uid LIKE 'GEN-%' AND b.uid LIKE 'GEN-%' AND a.valid_during && b.valid_during"
    )
    overlapping = f"""SELECT count(*) FROM {table} a JOIN {table} b
                      ON a.id < b.id AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
                      WHERE {generated_only} AND ST_Area(ST_Intersection(a.geom, b.geom)) > 0"""
    assert scalar(conn, overlapping) == 0
    if table == "clearance_parcels":  # neighbours share edges: a cadastre, not scattered squares
        touching = (
            "SELECT count(*) FROM clearance_parcels a JOIN clearance_parcels b ON a.id < b.id "
            "AND ST_Intersects(a.geom, b.geom)"
        )
        assert scalar(conn, touching) > PARCELS


def test_clearance_records_are_consistent(generated):
    conn, _, _ = generated
    out_of_order = f"""SELECT count(*) FROM {GEN_PARCELS} AND NOT (
        coalesce(c.notice_issued_on <= c.inventoried_on, true)
        AND coalesce(c.inventoried_on <= c.plan_approved_on, true)
        AND coalesce(c.plan_approved_on <= c.compensation_paid_on, true)
        AND coalesce(c.compensation_paid_on <= c.handed_over_on, true))"""
    assert scalar(conn, out_of_order) == 0
    gaps = f"""SELECT count(*) FROM {GEN_PARCELS} AND (
        (c.inventoried_on IS NOT NULL AND c.notice_issued_on IS NULL)
        OR (c.plan_approved_on IS NOT NULL AND c.inventoried_on IS NULL)
        OR (c.compensation_paid_on IS NOT NULL AND c.plan_approved_on IS NULL)
        OR (c.handed_over_on IS NOT NULL AND c.compensation_paid_on IS NULL))"""
    assert scalar(conn, gaps) == 0
    households = f"""SELECT count(*) FROM {GEN_PARCELS}
                     AND NOT (c.households_affected >= c.households_to_resettle AND c.households_to_resettle >= 0)"""
    assert scalar(conn, households) == 0
    stages = conn.execute(text(f"SELECT DISTINCT c.stage FROM {GEN_PARCELS}")).scalars().all()
    assert len(stages) >= 4  # a mix of stages, not one
    statuses = conn.execute(text("SELECT DISTINCT status FROM land_plots WHERE uid LIKE 'GEN-%'")).scalars().all()
    assert set(statuses) == {"available", "reserved", "leased", "not_cleared"}


def test_rerun_is_reproducible_replaces_itself_and_spares_other_rows(db_conn: Connection):
    sentinel = db_conn.execute(
        text(
            "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
            "VALUES ('999/QĐ-UBND', 'Quyết định giữ nguyên', :d, :d, 'provincial_committee', 'approve_plan') "
            "RETURNING id"
        ),
        {"d": date(2020, 1, 1)},
    ).scalar_one()
    project = db_conn.execute(
        text(
            "INSERT INTO projects (uid, name_vi, investor, sector, status, province_code, geom) "
            "VALUES ('SENTINEL-1', 'Dự án giữ nguyên', 'Công ty A', 'Cơ khí', 'operating', '89', "
            "ST_GeomFromText('POINT(105 10.6)', 4326)) RETURNING id"
        )
    ).scalar_one()
    db_conn.execute(
        text(
            "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, geom) VALUES (:p, '1', '1', "
            "ST_GeomFromText('POLYGON((105 10.6, 105.001 10.6, 105.001 10.601, 105 10.6))', 4326))"
        ),
        {"p": project},
    )

    first_counts = generate_scale_data(db_conn, parcels=PARCELS, plots=PLOTS, seed=1)
    first = fingerprints(db_conn)
    again_counts = generate_scale_data(db_conn, parcels=PARCELS, plots=PLOTS, seed=1)
    assert again_counts == first_counts
    assert fingerprints(db_conn) == first
    assert gen_counts(db_conn) == {name: first_counts[name] for name in GEN_COUNTS}

    generate_scale_data(db_conn, parcels=PARCELS, plots=PLOTS, seed=2)
    other = fingerprints(db_conn)
    assert all(other[name] != first[name] for name in first)
    assert (
        scalar(
            db_conn,
            "SELECT count(*) FROM clearance_parcels WHERE project_id IN "
            "(SELECT id FROM projects WHERE uid LIKE 'GEN-%')",
        )
        == PARCELS
    )

    assert scalar(db_conn, f"SELECT count(*) FROM decisions WHERE id = {sentinel}") == 1
    assert scalar(db_conn, f"SELECT count(*) FROM projects WHERE id = {project}") == 1
    assert scalar(db_conn, f"SELECT count(*) FROM clearance_parcels WHERE project_id = {project}") == 1
