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


NATIONAL = {"parcels": 3000, "plots": 400, "parks": 40, "projects": 500, "provinces": "all"}
PROVINCES_2025 = 34  # provinces and centrally-run cities since 1 July 2025
GEN_PROJECTS = "projects p WHERE p.uid LIKE 'GEN-%'"
GEN_FIGURES = "enterprise_figures f JOIN projects p ON p.id = f.project_id WHERE p.uid LIKE 'GEN-%'"


def test_national_run_writes_the_counts_asked_for_in_every_province(db_conn: Connection):
    already_named = scalar(db_conn, "SELECT count(DISTINCT code) FROM admin_units WHERE level = 'province'")
    counts = generate_scale_data(db_conn, seed=3, **NATIONAL)

    assert scalar(db_conn, "SELECT count(*) FROM industrial_parks WHERE uid LIKE 'GEN-%'") == 40
    assert scalar(db_conn, "SELECT count(*) FROM land_plots WHERE uid LIKE 'GEN-%'") == 400
    assert scalar(db_conn, f"SELECT count(*) FROM {GEN_PROJECTS}") == 500
    assert scalar(db_conn, f"SELECT count(*) FROM {GEN_PARCELS}") == 3000
    # one clearance site per ~700 parcels (ceil(3000 / 700) = 5), every other project a tenant of a park
    assert scalar(db_conn, f"SELECT count(DISTINCT c.project_id) FROM {GEN_PARCELS}") == 5
    assert scalar(db_conn, f"SELECT count(*) FROM {GEN_PROJECTS} AND p.park_uid IS NOT NULL") == 495
    # spread: a zone and at least one park in each of the 34 provinces, every park holding at least one plot
    assert scalar(db_conn, "SELECT count(DISTINCT province_code) FROM economic_zones WHERE uid LIKE 'GEN-%'") == 34
    assert scalar(db_conn, "SELECT count(DISTINCT province_code) FROM industrial_parks WHERE uid LIKE 'GEN-%'") == 34
    empty_parks = """SELECT count(*) FROM industrial_parks k WHERE k.uid LIKE 'GEN-%'
                     AND NOT EXISTS (SELECT 1 FROM land_plots l WHERE l.park_uid = k.uid)"""
    assert scalar(db_conn, empty_parks) == 0
    # a project's province is its zone's, and a tenant's park lies in that zone
    misplaced = f"""SELECT count(*) FROM {GEN_PROJECTS} AND NOT EXISTS (
        SELECT 1 FROM economic_zones z WHERE z.uid = p.zone_uid AND z.province_code = p.province_code)"""
    assert scalar(db_conn, misplaced) == 0
    wrong_park = f"""SELECT count(*) FROM {GEN_PROJECTS} AND p.park_uid IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM industrial_parks k WHERE k.uid = p.park_uid AND k.zone_uid = p.zone_uid)"""
    assert scalar(db_conn, wrong_park) == 0
    # every province is named: those admin_units lacked got a row, and only those
    assert scalar(db_conn, "SELECT count(DISTINCT code) FROM admin_units WHERE level = 'province'") >= PROVINCES_2025
    unnamed = f"""SELECT count(DISTINCT p.province_code) FROM {GEN_PROJECTS} AND NOT EXISTS (
        SELECT 1 FROM admin_units a WHERE a.code = p.province_code AND a.level = 'province' AND a.valid_to IS NULL)"""
    assert scalar(db_conn, unnamed) == 0
    added = scalar(db_conn, "SELECT count(DISTINCT code) FROM admin_units WHERE level = 'province'") - already_named
    assert counts["admin_units"] == added > 0


def test_national_run_writes_yearly_figures_from_the_year_each_project_started(db_conn: Connection):
    generate_scale_data(db_conn, seed=3, **NATIONAL)
    # expected rows per project from its milestones alone: operating since its actual operation start, under
    # construction since its actual construction start, through 2025; no figures for any other status
    expected = """SELECT coalesce(sum(2025 - extract(year FROM m.actual_on)::int + 1), 0) FROM project_milestones m
        JOIN projects p ON m.project_id = p.id AND p.uid LIKE 'GEN-%'
        WHERE (p.status = 'operating' AND m.milestone = 'operation_start')
           OR (p.status = 'under_construction' AND m.milestone = 'construction_start')"""
    written = f"SELECT count(*) FROM {GEN_FIGURES}"
    assert scalar(db_conn, expected) > 500  # tenants report for several years each
    assert scalar(db_conn, written) == scalar(db_conn, expected)
    per_project = f"""SELECT count(*) FROM {GEN_PROJECTS} AND p.status IN ('operating', 'under_construction')
        AND (SELECT count(*) FROM enterprise_figures f WHERE f.project_id = p.id AND f.period_kind = 'year')
         <> (SELECT 2025 - extract(year FROM m.actual_on)::int + 1 FROM project_milestones m WHERE m.project_id = p.id
             AND m.milestone = CASE p.status WHEN 'operating' THEN 'operation_start' ELSE 'construction_start' END)"""
    assert scalar(db_conn, per_project) == 0
    other_status = f"""SELECT count(*) FROM {GEN_FIGURES}
                       AND p.status NOT IN ('operating', 'under_construction')"""
    assert scalar(db_conn, other_status) == 0
    revenue_while_building = f"""SELECT count(*) FROM {GEN_FIGURES}
                                 AND p.status = 'under_construction' AND f.revenue_vnd IS NOT NULL"""
    assert scalar(db_conn, revenue_while_building) == 0
    last_year = f"""SELECT DISTINCT f.basis FROM {GEN_FIGURES}
                    AND f.year = 2025"""
    assert db_conn.execute(text(last_year)).scalars().all() == ["estimate"]
    operating_revenue = f"""SELECT count(*) FROM {GEN_FIGURES}
                            AND p.status = 'operating' AND NOT (f.revenue_vnd > 0 AND f.workers_domestic >= 0)"""
    assert scalar(db_conn, operating_revenue) == 0


def test_national_run_is_reproducible_and_bad_sizes_write_nothing(db_conn: Connection):
    projects = f"""SELECT md5(string_agg(p.uid || p.province_code || encode(ST_AsEWKB(p.geom), 'hex'), ','
                   ORDER BY p.uid)) FROM {GEN_PROJECTS}"""
    figures = f"""SELECT md5(string_agg(concat_ws('|', p.uid, f.year, f.revenue_vnd, f.implemented_capital_usd), ','
                  ORDER BY p.uid, f.year)) FROM {GEN_FIGURES}"""
    generate_scale_data(db_conn, seed=3, **NATIONAL)
    first = (scalar(db_conn, projects), scalar(db_conn, figures), fingerprints(db_conn))
    generate_scale_data(db_conn, seed=3, **NATIONAL)
    assert (scalar(db_conn, projects), scalar(db_conn, figures), fingerprints(db_conn)) == first
    before = gen_counts(db_conn)

    with pytest.raises(ValueError, match="unknown province code"):
        generate_scale_data(db_conn, seed=3, **{**NATIONAL, "provinces": "HA_TINH,ATLANTIS"})
    with pytest.raises(ValueError, match="every park needs a plot"):
        generate_scale_data(db_conn, seed=3, **{**NATIONAL, "parks": 401})
    assert gen_counts(db_conn) == before
    assert scalar(db_conn, projects) == first[0]


def test_one_board_run_stays_in_its_provinces(db_conn: Connection):
    generate_scale_data(db_conn, seed=3, **{**NATIONAL, "provinces": "bac_ninh, HA_TINH"})
    provinces = f"SELECT DISTINCT p.province_code FROM {GEN_PROJECTS} ORDER BY 1"
    assert db_conn.execute(text(provinces)).scalars().all() == ["BAC_NINH", "HA_TINH"]
    parks = "SELECT DISTINCT province_code FROM industrial_parks WHERE uid LIKE 'GEN-%' ORDER BY 1"
    assert db_conn.execute(text(parks)).scalars().all() == ["BAC_NINH", "HA_TINH"]
