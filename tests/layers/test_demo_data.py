"""The demo data set holds what the issue asks for, with areas that match the published figures."""

import csv
from datetime import date

import pytest
from sqlalchemy import text

from gis.settings import PROJECT_ROOT
from layers.plans import plan_as_of, plan_under_decision
from layers.projects import delayed_project_uids

PLACES = PROJECT_ROOT / "data" / "reference" / "places.csv"  # the domain reference list, copied into the repo


def scalar(conn, sql: str, **params):
    return conn.execute(text(sql), params).scalar_one()


def zone_area(conn, uid: str, on: str) -> float:
    """Ellipsoidal area computed here, independently of the stored area_ha column."""
    return float(
        scalar(
            conn,
            "SELECT ST_Area(geom::geography) / 1e4 FROM economic_zones "
            "WHERE uid = :u AND valid_during @> CAST(:d AS date)",
            u=uid,
            d=on,
        )
    )


@pytest.mark.parametrize(
    ("uid", "on", "published_ha"),
    [
        ("KKTCK-AG", "2020-01-01", 30729.8),  # QĐ 456/QĐ-TTg (2016)
        ("KKTCK-AG", "2015-01-01", 26583.0),  # the earlier general plan
        ("KKTCK-CT", "2020-01-01", 56684.4),  # QĐ 162/2007/QĐ-TTg
        ("KKTCK-CT", "2026-06-01", 56685.0),  # QĐ 439/QĐ-TTg (16/3/2026)
        ("KKT-VA", "2020-01-01", 22781.0),
    ],
)
def test_zone_areas_match_the_published_figures(db_conn, uid, on, published_ha):
    assert zone_area(db_conn, uid, on) == pytest.approx(published_ha, rel=0.01)


def test_vinhomes_vung_ang_park_and_its_lots(db_conn):
    area = float(
        scalar(
            db_conn,
            "SELECT ST_Area(geom::geography) / 1e4 FROM industrial_parks WHERE uid = 'KCN-VHVA' AND valid_to IS NULL",
        )
    )
    assert area == pytest.approx(964.84, rel=0.01)
    codes = set(
        db_conn.execute(text("SELECT code FROM land_plots WHERE park_uid = 'KCN-VHVA' AND valid_to IS NULL")).scalars()
    )
    assert {"CN4", "CN5"} <= codes


def test_revision_chains_draw_different_plans(db_conn):
    old = plan_under_decision(db_conn, "KKTCK-CT", "162/2007/QĐ-TTg")
    new = plan_under_decision(db_conn, "KKTCK-CT", "439/QĐ-TTg")
    old_zone = [v for v in old if v.layer == "economic_zones"]
    new_zone = [v for v in new if v.layer == "economic_zones"]
    assert [v.decision for v in old_zone] == ["162/2007/QĐ-TTg"]
    assert [v.decision for v in new_zone] == ["439/QĐ-TTg"]
    assert {v.id for v in old if v.layer == "functional_areas"} != {v.id for v in new if v.layer == "functional_areas"}
    ag_before = plan_as_of(db_conn, "KKTCK-AG", date(2016, 3, 21))
    ag_after = plan_as_of(db_conn, "KKTCK-AG", date(2016, 3, 22))
    assert [v.decision for v in ag_after if v.layer == "economic_zones"] == ["456/QĐ-TTg"]
    assert [v.decision for v in ag_before if v.layer == "economic_zones"] != ["456/QĐ-TTg"]
    superseded = scalar(
        db_conn,
        "SELECT s.number FROM decisions d JOIN decisions s ON s.id = d.supersedes_id WHERE d.number = '439/QĐ-TTg'",
    )
    assert superseded == "162/2007/QĐ-TTg"


def test_border_gates_and_their_counterparts(db_conn):
    rows = {
        r.name_vi: r
        for r in db_conn.execute(
            text(
                "SELECT g.name_vi, g.gate_class, g.counterpart_country, c.country AS other_country, c.counterpart_uid "
                "= g.uid AS mutual FROM border_gates g LEFT JOIN border_gates c ON c.uid = g.counterpart_uid "
                "WHERE g.country = 'VN'"
            )
        )
    }
    expected = {
        "Cửa khẩu quốc tế Tịnh Biên": ("international", "KH"),
        "Cửa khẩu quốc tế Vĩnh Xương": ("international", "KH"),
        "Cửa khẩu Khánh Bình": ("main", "KH"),
        "Cửa khẩu quốc tế Cầu Treo": ("international", "LA"),
    }
    for name, (gate_class, country) in expected.items():
        assert name in rows, name
        assert (rows[name].gate_class, rows[name].counterpart_country) == (gate_class, country)
        assert rows[name].other_country == country and rows[name].mutual


def test_names_keep_their_diacritics_as_in_the_reference_places_list(db_conn):
    with open(PLACES, encoding="utf-8") as handle:
        gates = [
            row["name_vi"]
            for row in csv.DictReader(handle)
            if row["kind"] == "border_gate" and row["province"] in ("An Giang", "Hà Tĩnh")
        ]
    stored = set(db_conn.execute(text("SELECT name_vi FROM border_gates")).scalars())
    assert set(gates) <= stored


def test_hau_giang_and_ninh_binh_content(db_conn):
    centres = "SELECT count(*) FROM logistics_centres WHERE province_code = 'HAU_GIANG' AND status = :s"
    assert scalar(db_conn, centres, s="planned") == 3  # the three centres of the plan
    assert scalar(db_conn, centres, s="proposed") == 2  # and two candidate sites (issue 17)
    refs = set(db_conn.execute(text("SELECT coalesce(ref, name_vi) FROM transport_lines")).scalars())
    assert {"QL61C", "ĐT931"} <= refs
    assert scalar(db_conn, "SELECT count(*) FROM transport_lines WHERE kind = 'canal' AND name_vi LIKE '%Xà No%'") == 1
    clusters = set(
        db_conn.execute(
            text("SELECT uid FROM industrial_parks WHERE kind = 'industrial_cluster' AND valid_to IS NULL")
        ).scalars()
    )
    assert {"CCN-TAN-TIEN", "CCN-TAN-THANH"} <= clusters
    ninh_binh = set(
        db_conn.execute(text("SELECT name_vi FROM industrial_parks WHERE province_code = 'NINH_BINH'")).scalars()
    )
    assert any("Gián Khẩu" in n for n in ninh_binh) and any("Khánh Phú" in n for n in ninh_binh)


def test_plots_projects_and_statuses(db_conn):
    statuses = dict(
        db_conn.execute(text("SELECT status, count(*) FROM land_plots WHERE valid_to IS NULL GROUP BY status")).all()
    )
    assert set(statuses) == {"available", "reserved", "leased", "not_cleared"}
    assert sum(statuses.values()) >= 200
    project_statuses = dict(db_conn.execute(text("SELECT status, count(*) FROM projects GROUP BY status")).all())
    # 25 + the Thành Công plant (anchor_projects.csv) + the two border-gate clearance projects (clearance_projects.csv)
    assert sum(project_statuses.values()) == 28
    assert set(project_statuses) == {"policy_approved", "irc_issued", "under_construction", "operating", "terminated"}


def test_border_gate_land_an_giang_parks_and_lots_in_the_gates_own_areas(db_conn):
    parks = dict(
        db_conn.execute(
            text("SELECT uid, zone_uid FROM industrial_parks WHERE valid_to IS NULL AND province_code = 'AN_GIANG'")
        ).all()
    )
    assert parks == {"KCN-XUAN-TO": "KKTCK-AG", "KCN-BINH-HOA": None, "KCN-BINH-LONG": None, "KCN-VAM-CONG": None}
    # Xuân Tô lies inside the zone's functional area of the same name
    inside = scalar(
        db_conn,
        "SELECT ST_Within(p.geom, a.geom) FROM industrial_parks p, functional_areas a "
        "WHERE p.uid = 'KCN-XUAN-TO' AND p.valid_to IS NULL AND a.uid = 'KKTCK-AG-TB-CN' AND a.valid_to IS NULL",
    )
    assert inside
    # zone-level lots (no park) lie inside the open version of the area they are laid out in
    outside = scalar(
        db_conn,
        "SELECT count(*) FROM land_plots p JOIN functional_areas a ON a.valid_to IS NULL "
        "AND p.uid LIKE a.uid || '-%' WHERE p.valid_to IS NULL AND p.park_uid IS NULL "
        "AND a.uid IN ('KKTCK-AG-TB-LOG', 'KKTCK-AG-VX-CN', 'KKTCK-CT-LOG') AND NOT ST_Within(p.geom, a.geom)",
    )
    lots = scalar(
        db_conn,
        "SELECT count(*) FROM land_plots WHERE valid_to IS NULL AND park_uid IS NULL "
        "AND zone_uid IN ('KKTCK-AG', 'KKTCK-CT') AND status = 'available'",
    )
    assert outside == 0 and lots >= 10
    # every invented record says so; the gates' logistics areas are logistics centres with their source
    flagged = scalar(
        db_conn,
        "SELECT bool_and(geometry_illustrative AND source LIKE '%illustrative%') FROM land_plots "
        "WHERE park_uid IN ('KCN-XUAN-TO', 'KCN-BINH-HOA') OR uid LIKE 'KKTCK-CT-LOG-%'",
    )
    assert flagged
    centres = set(db_conn.execute(text("SELECT uid FROM logistics_centres WHERE source LIKE 'http%'")).scalars())
    assert {"LC-AG-TINH-BIEN", "LC-AG-VINH-XUONG", "LC-CT-CAU-TREO"} <= centres


def test_anchor_tenants_and_aliases_are_loaded(db_conn):
    tenant = db_conn.execute(text("SELECT park_uid, status, notes FROM projects WHERE uid = 'PRJ-TC-GIAN-KHAU'")).one()
    assert tenant.park_uid == "KCN-GIAN-KHAU" and tenant.status == "operating" and "ILLUSTRATIVE" in tenant.notes
    vines = db_conn.execute(text("SELECT park_uid, source FROM projects WHERE uid = 'PRJ-VINES'")).one()
    assert vines.park_uid == "KCN-VA1" and vines.source.startswith("https://")
    aliases = dict(db_conn.execute(text("SELECT alias, uid FROM search_aliases")).all())
    assert aliases["Khu công nghiệp Hoàn Sơn"] == "KCN-HS"
    assert aliases["Hyundai Thành Công"] == "PRJ-TC-GIAN-KHAU"


def test_delayed_projects_agree_with_a_hand_written_rule(db_conn):
    as_of = date(2026, 11, 1)
    by_hand = set(
        db_conn.execute(
            text(
                "SELECT DISTINCT p.uid FROM projects p, project_milestones m WHERE m.project_id = p.id "
                "AND p.status <> 'terminated' AND m.committed_on < :d "
                "AND (m.actual_on IS NULL OR (m.actual_on > m.committed_on AND m.actual_on <= :d))"
            ),
            {"d": as_of},
        ).scalars()
    )
    assert len(by_hand) >= 5
    assert delayed_project_uids(db_conn, as_of) == by_hand


def test_plots_do_not_overlap_and_lie_in_their_parks(db_conn):
    overlaps = scalar(
        db_conn,
        """
        SELECT count(*) FROM land_plots a JOIN land_plots b
          ON a.id < b.id AND a.valid_during && b.valid_during AND ST_Intersects(a.geom, b.geom)
        WHERE a.uid NOT LIKE 'GEN-%' AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 1""",
    )
    assert overlaps == 0
    outside = scalar(
        db_conn,
        """
        SELECT count(*) FROM land_plots p JOIN industrial_parks k
          ON k.uid = p.park_uid AND k.valid_to IS NULL
        WHERE p.valid_to IS NULL AND NOT ST_Within(p.geom, ST_Buffer(k.geom, 0.00001))""",
    )
    assert outside == 0


def test_clearance_parcels_carry_stage_histories_for_both_projects(db_conn):
    rows = db_conn.execute(
        text(
            "SELECT p.uid, count(*) AS parcels, count(DISTINCT c.stage) AS stages, "
            "count(c.notice_issued_on) AS with_notice, count(c.handed_over_on) AS handed_over "
            "FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
            "WHERE p.uid IN ('PRJ-VHVA', 'PRJ-VA2') GROUP BY p.uid"
        )
    ).all()
    by_project = {r.uid: r for r in rows}
    assert set(by_project) == {"PRJ-VHVA", "PRJ-VA2"}
    assert sum(r.parcels for r in rows) >= 150
    all_stages = set(db_conn.execute(text("SELECT DISTINCT stage FROM clearance_parcels")).scalars())
    assert all_stages == {
        "not_started",
        "notice_issued",
        "inventoried",
        "plan_approved",
        "compensation_paid",
        "handed_over",
    }
    assert all(r.with_notice > r.handed_over > 0 for r in rows)


@pytest.mark.parametrize(
    "table",
    [
        "economic_zones",
        "functional_areas",
        "industrial_parks",
        "land_plots",
        "border_gates",
        "logistics_centres",
        "transport_nodes",
        "transport_lines",
        "projects",
        "clearance_parcels",
        "programmes",
        "programme_tasks",
    ],
)
def test_every_record_says_what_is_illustrative(db_conn, table):
    missing = scalar(db_conn, f"SELECT count(*) FROM {table} WHERE source IS NULL OR source = ''")
    assert missing == 0


def test_merged_provinces_keep_their_old_names_for_older_records(db_conn):
    def name_on(code: str, on: str) -> str | None:
        return db_conn.execute(
            text("SELECT name_vi FROM admin_units WHERE code = :c AND valid_during @> CAST(:d AS date)"),
            {"c": code, "d": on},
        ).scalar_one_or_none()

    assert name_on("HAU_GIANG", "2024-01-01") is not None
    assert name_on("HAU_GIANG", "2025-07-01") is None
    assert name_on("KIEN_GIANG", "2025-07-01") is None
    assert name_on("AN_GIANG", "2025-07-01") is not None
    merged = scalar(db_conn, "SELECT merged_into FROM admin_units WHERE code = 'HAU_GIANG'")
    assert merged == "CAN_THO"
