"""The schema enforces what the board's data must satisfy, in the database itself."""

from datetime import date

import pytest
from pyproj import Geod, Transformer
from shapely import Polygon
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gis.crs import check_postgis_matches_pyproj
from layers.plans import plan_as_of, plan_under_decision
from layers.projects import delayed_project_uids


def _decision(conn, number: str, effective: str) -> int:
    return conn.execute(
        text(
            "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
            "VALUES (:n, 'Quyết định thử', :d, :d, 'provincial_committee', 'approve_plan') RETURNING id"
        ),
        {"n": number, "d": effective},
    ).scalar_one()


def _square_utm(lon: float, lat: float, side_m: float) -> Polygon:
    """A square of known metric size built in UTM 48N, returned in WGS84."""
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    to_wgs = Transformer.from_crs(32648, 4326, always_xy=True)
    x, y = to_utm.transform(lon, lat)
    corners = [(x, y), (x + side_m, y), (x + side_m, y + side_m), (x, y + side_m)]
    return Polygon([to_wgs.transform(cx, cy) for cx, cy in corners])


def _zone(conn, uid, decision_id, valid_from, valid_to, polygon, name="Khu kinh tế thử nghiệm"):
    return conn.execute(
        text(
            "INSERT INTO economic_zones (uid, name_vi, zone_type, province_code, valid_from, valid_to, "
            "decision_id, geom) VALUES (:uid, :name, 'coastal', 'HA_TINH', :vf, :vt, :d, "
            "ST_Multi(ST_GeomFromText(:wkt, 4326))) RETURNING id"
        ),
        {"uid": uid, "name": name, "vf": valid_from, "vt": valid_to, "d": decision_id, "wkt": polygon.wkt},
    ).scalar_one()


def test_every_geometry_column_has_a_gist_index(db_conn):
    rows = db_conn.execute(
        text(
            """
            SELECT c.table_name, c.column_name,
                   EXISTS (SELECT 1 FROM pg_index i
                           JOIN pg_class t ON t.oid = i.indrelid
                           JOIN pg_class ix ON ix.oid = i.indexrelid
                           JOIN pg_am am ON am.oid = ix.relam
                           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)
                           WHERE t.relname = c.table_name AND a.attname = c.column_name
                             AND am.amname = 'gist') AS indexed
            FROM information_schema.columns c
            WHERE c.table_schema = 'public' AND c.udt_name = 'geometry'
            """
        )
    ).all()
    assert len(rows) >= 11
    assert [r for r in rows if not r.indexed] == []


def test_geometry_columns_are_wgs84_with_the_expected_types(db_conn):
    types = {
        r.f_table_name: (r.srid, r.type)
        for r in db_conn.execute(text("SELECT f_table_name, srid, type FROM geometry_columns"))
    }
    assert types["economic_zones"] == (4326, "MULTIPOLYGON")
    assert types["land_plots"] == (4326, "POLYGON")
    assert types["clearance_parcels"] == (4326, "POLYGON")
    assert types["border_gates"] == (4326, "POINT")
    assert types["transport_lines"] == (4326, "MULTILINESTRING")


def test_invalid_geometry_is_rejected_not_repaired(db_conn):
    decision = _decision(db_conn, "1/QĐ-TEST", "2020-01-01")
    bowtie = Polygon([(106.0, 18.0), (106.01, 18.01), (106.01, 18.0), (106.0, 18.01)])
    with pytest.raises(IntegrityError, match="ck_economic_zones_geom_valid"):
        with db_conn.begin_nested():
            _zone(db_conn, "TEST-BOWTIE", decision, "2020-01-01", None, bowtie)


def test_area_is_computed_on_the_ellipsoid(db_conn):
    decision = _decision(db_conn, "2/QĐ-TEST", "2020-01-01")
    square = _square_utm(106.35, 18.05, 1000.0)  # 1 km x 1 km in UTM: 100 ha up to the UTM scale factor
    zone_id = _zone(db_conn, "TEST-SQUARE", decision, "2020-01-01", None, square)
    area_ha = float(
        db_conn.execute(text("SELECT area_ha FROM economic_zones WHERE id = :i"), {"i": zone_id}).scalar_one()
    )
    lons, lats = zip(*square.exterior.coords, strict=True)
    geod_area_m2, _ = Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)
    assert area_ha == pytest.approx(abs(geod_area_m2) / 10_000, rel=1e-4)
    assert area_ha == pytest.approx(100.0, rel=1e-3)  # agrees with the metric construction to 0.1 %


def test_two_versions_of_one_thing_cannot_overlap_in_time(db_conn):
    decision = _decision(db_conn, "3/QĐ-TEST", "2010-01-01")
    square = _square_utm(106.35, 18.05, 500.0)
    _zone(db_conn, "TEST-OVERLAP", decision, "2010-01-01", "2016-01-01", square)
    with pytest.raises(IntegrityError, match="ex_economic_zones_uid_no_overlap"):
        with db_conn.begin_nested():
            _zone(db_conn, "TEST-OVERLAP", decision, "2015-06-01", None, square)


def test_plan_as_of_a_date_and_under_a_decision(db_conn):
    old = _decision(db_conn, "10/QĐ-TEST", "2010-05-01")
    new = _decision(db_conn, "20/QĐ-TEST", "2016-03-22")
    small, large = _square_utm(106.35, 18.05, 1000.0), _square_utm(106.35, 18.05, 2000.0)
    v1 = _zone(db_conn, "TEST-PLAN", old, "2010-05-01", "2016-03-22", small)
    v2 = _zone(db_conn, "TEST-PLAN", new, "2016-03-22", None, large)

    assert [v.id for v in plan_as_of(db_conn, "TEST-PLAN", date(2016, 3, 21))] == [v1]
    assert [v.id for v in plan_as_of(db_conn, "TEST-PLAN", date(2016, 3, 22))] == [v2]
    assert plan_as_of(db_conn, "TEST-PLAN", date(2009, 1, 1)) == []
    under_old = plan_under_decision(db_conn, "TEST-PLAN", "10/QĐ-TEST")
    assert [(v.id, v.decision) for v in under_old] == [(v1, "10/QĐ-TEST")]
    assert [v.area_ha for v in plan_under_decision(db_conn, "TEST-PLAN", "20/QĐ-TEST")] == [
        pytest.approx(400.0, rel=1e-3)
    ]


def test_plan_query_uses_the_validity_index(db_conn):
    db_conn.execute(text("SET LOCAL enable_seqscan = off"))
    plan = (
        db_conn.execute(text("EXPLAIN SELECT id FROM functional_areas WHERE valid_during @> DATE '2020-01-01'"))
        .scalars()
        .all()
    )
    assert any("ix_functional_areas_valid_during" in line or "ex_functional_areas" in line for line in plan), plan


def test_clearance_stage_is_derived_from_stage_dates_and_ordered(db_conn):
    project = db_conn.execute(
        text(
            "INSERT INTO projects (uid, name_vi, investor, sector, status, province_code, geom) VALUES "
            "('TEST-P', 'Dự án thử', 'Công ty thử', 'công nghiệp', 'irc_issued', 'HA_TINH', "
            "ST_SetSRID(ST_MakePoint(106.35, 18.05), 4326)) RETURNING id"
        )
    ).scalar_one()
    parcel = _square_utm(106.35, 18.05, 30.0)
    insert = text(
        "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, notice_issued_on, inventoried_on, "
        "plan_approved_on, geom) VALUES (:p, :no, '12', :n, :i, :a, ST_GeomFromText(:wkt, 4326)) RETURNING stage"
    )
    stage = db_conn.execute(
        insert, {"p": project, "no": "101", "n": "2024-01-10", "i": "2024-03-01", "a": "2024-06-01", "wkt": parcel.wkt}
    ).scalar_one()
    assert stage == "plan_approved"
    with pytest.raises(IntegrityError, match="ck_clearance_parcels_stage_order"):
        with db_conn.begin_nested():
            db_conn.execute(
                insert, {"p": project, "no": "102", "n": "2024-05-10", "i": "2024-03-01", "a": None, "wkt": parcel.wkt}
            )


def test_delay_is_derived_from_milestones(db_conn):
    def project(uid: str, status: str, committed: str, actual: str | None) -> None:
        pid = db_conn.execute(
            text(
                "INSERT INTO projects (uid, name_vi, investor, sector, status, province_code, geom) VALUES "
                "(:u, 'Dự án', 'NĐT', 'logistics', :s, 'HA_TINH', ST_SetSRID(ST_MakePoint(106.3, 18.0), 4326)) "
                "RETURNING id"
            ),
            {"u": uid, "s": status},
        ).scalar_one()
        db_conn.execute(
            text("INSERT INTO project_milestones VALUES (:p, 'operation_start', :c, :a)"),
            {"p": pid, "c": committed, "a": actual},
        )

    project("T-MISSED", "under_construction", "2025-01-01", None)
    project("T-LATE", "operating", "2025-01-01", "2025-04-01")
    project("T-ONTIME", "operating", "2025-01-01", "2024-12-15")
    project("T-ENDED", "terminated", "2025-01-01", None)

    delayed = {u for u in delayed_project_uids(db_conn, date(2025, 6, 1)) if u.startswith("T-")}
    assert delayed == {"T-MISSED", "T-LATE"}
    before = {u for u in delayed_project_uids(db_conn, date(2024, 12, 1)) if u.startswith("T-")}
    assert before == set()


def test_writes_bump_the_layer_change_version(db_conn):
    def version() -> int:
        return db_conn.execute(
            text("SELECT version FROM layer_changes WHERE table_name = 'economic_zones'")
        ).scalar_one()

    before = version()
    decision = _decision(db_conn, "4/QĐ-TEST", "2020-01-01")
    _zone(db_conn, "TEST-BUMP", decision, "2020-01-01", None, _square_utm(106.3, 18.0, 100.0))
    assert version() == before + 1


def test_vietnamese_text_round_trips(db_conn):
    name = "Khu kinh tế cửa khẩu quốc tế Cầu Treo – Sơn Kim 1, Hương Sơn, Hà Tĩnh (đường 8A)"
    decision = _decision(db_conn, "439/QĐ-TTg-TEST", "2026-03-16")
    zid = _zone(db_conn, "TEST-VI", decision, "2026-03-16", None, _square_utm(105.2, 18.4, 100.0), name)
    stored = db_conn.execute(text("SELECT name_vi FROM economic_zones WHERE id = :i"), {"i": zid}).scalar_one()
    assert stored == name
    assert (
        db_conn.execute(
            text("SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")
        ).scalar_one()
        == "UTF8"
    )


def test_search_folding_ignores_diacritics_case_and_d_stroke(db_conn):
    fold = db_conn.execute(text("SELECT za_fold('Cửa khẩu quốc tế CẦU TREO, Đồng Đăng')")).scalar_one()
    assert fold == "cua khau quoc te cau treo, dong dang"
    found = (
        db_conn.execute(
            text(
                "SELECT name_vi FROM border_gates WHERE za_fold(name_vi) LIKE '%' || za_fold('cau treo') || '%' "
                "AND country = 'VN'"
            )
        )
        .scalars()
        .all()
    )
    assert found == ["Cửa khẩu quốc tế Cầu Treo"]


def test_postgis_transforms_match_pyproj_for_every_offered_crs(db_conn):
    assert check_postgis_matches_pyproj(db_conn) == []


def test_enterprise_figures_keep_estimate_and_final_once_per_period(db_conn):
    project = db_conn.execute(text("SELECT id FROM projects WHERE uid = 'PRJ-GK-MAY'")).scalar_one()
    insert = (
        "INSERT INTO enterprise_figures (project_id, year, period_kind, period, basis, revenue_vnd) "
        "VALUES (:p, 2031, :kind, :period, :basis, 1)"
    )
    db_conn.execute(text(insert), {"p": project, "kind": "quarter", "period": 2, "basis": "estimate"})
    db_conn.execute(text(insert), {"p": project, "kind": "quarter", "period": 2, "basis": "final"})  # both kept
    for kind, period, basis, constraint in [
        ("quarter", 2, "final", "uq_enterprise_figures_period"),
        ("quarter", 5, "final", "ck_enterprise_figures_period"),
        ("year", 3, "final", "ck_enterprise_figures_period"),
        ("month", 1, "guess", "ck_enterprise_figures_basis"),
    ]:
        with pytest.raises(IntegrityError, match=constraint), db_conn.begin_nested():
            db_conn.execute(text(insert), {"p": project, "kind": kind, "period": period, "basis": basis})


def test_a_stage_date_needs_the_date_of_the_stage_before_it(db_conn):
    project = db_conn.execute(text("SELECT id FROM projects ORDER BY id LIMIT 1")).scalar_one()
    parcel = _square_utm(106.35, 18.05, 30.0)
    insert = text(
        "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, notice_issued_on, compensation_paid_on, "
        "handed_over_on, geom) VALUES (:p, :no, 'T-SEQ', :n, :c, :h, ST_GeomFromText(:wkt, 4326))"
    )
    # handed over and paid, with a notice but no inventory and no approved plan
    with pytest.raises(IntegrityError, match="ck_clearance_parcels_stage_sequence_compensation_paid"):
        with db_conn.begin_nested():
            db_conn.execute(
                insert, {"p": project, "no": "1", "n": "2024-01-10", "c": None, "h": None, "wkt": parcel.wkt}
            )
            db_conn.execute(
                text(
                    "UPDATE clearance_parcels SET compensation_paid_on = '2024-06-01' "
                    "WHERE map_sheet = 'T-SEQ' AND parcel_no = '1'"
                )
            )
    with pytest.raises(IntegrityError, match="ck_clearance_parcels_stage_sequence_handed_over"):
        with db_conn.begin_nested():
            db_conn.execute(
                insert, {"p": project, "no": "2", "n": None, "c": None, "h": "2024-09-01", "wkt": parcel.wkt}
            )
    with db_conn.begin_nested():  # every earlier date present: accepted (and one with no dates at all)
        db_conn.execute(
            text(
                "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, notice_issued_on, inventoried_on, "
                "plan_approved_on, compensation_paid_on, handed_over_on, geom) VALUES (:p, '3', 'T-SEQ', "
                "'2024-01-10', '2024-02-10', '2024-03-10', '2024-04-10', '2024-05-10', ST_GeomFromText(:wkt, 4326))"
            ),
            {"p": project, "wkt": parcel.wkt},
        )
        db_conn.execute(insert, {"p": project, "no": "4", "n": None, "c": None, "h": None, "wkt": parcel.wkt})
