"""Plan comparison on a zone drawn by hand: areas added, removed and kept, against pyproj's geodesic areas."""

from datetime import date

import pytest
from pyproj import Geod
from shapely.geometry import box
from sqlalchemy import text

from gis.errors import InvalidInput, NotFound
from layers.revisions import compare, list_decisions, resolve_moment

GEOD = Geod(ellps="WGS84")


def ha(geom) -> float:
    """Geodesic area in ha, independently of PostGIS."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4


# A test zone near Hà Tĩnh: decision 1 draws a 0.02° × 0.02° zone with an industrial area in its west half;
# decision 2 doubles the zone eastwards, moves the industrial area 0.005° east and adds a logistics area.
ZONE_1 = box(106.00, 18.00, 106.02, 18.02)
ZONE_2 = box(106.00, 18.00, 106.04, 18.02)
IND_1 = box(106.000, 18.000, 106.010, 18.010)
IND_2 = box(106.005, 18.000, 106.015, 18.010)
LOG_2 = box(106.030, 18.010, 106.040, 18.020)


@pytest.fixture
def drawn_zone(db_conn):
    ids = {}
    for number, day in (("T-1/QĐ-TEST", "2010-01-01"), ("T-2/QĐ-TEST", "2020-06-01")):
        ids[number] = db_conn.execute(
            text(
                "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, "
                "authority_name_vi, kind, zone_uid) VALUES (:n, 'Quyết định thử nghiệm', :d, :d, 'prime_minister', "
                "'Thủ tướng Chính phủ', 'approve_plan', 'KKT-TEST') RETURNING id"
            ),
            {"n": number, "d": day},
        ).scalar_one()
    d1, d2 = ids["T-1/QĐ-TEST"], ids["T-2/QĐ-TEST"]
    zone_sql = text(
        "INSERT INTO economic_zones (uid, name_vi, zone_type, province_code, valid_from, valid_to, decision_id, geom) "
        "VALUES ('KKT-TEST', 'Khu kinh tế thử', 'coastal', 'HA_TINH', :f, :t, :d, ST_Multi(ST_GeomFromText(:g, 4326)))"
    )
    db_conn.execute(zone_sql, {"f": "2010-01-01", "t": "2020-06-01", "d": d1, "g": ZONE_1.wkt})
    db_conn.execute(zone_sql, {"f": "2020-06-01", "t": None, "d": d2, "g": ZONE_2.wkt})
    area_sql = text(
        "INSERT INTO functional_areas (uid, name_vi, zone_uid, area_type, valid_from, valid_to, decision_id, geom) "
        "VALUES (:u, :n, 'KKT-TEST', :k, :f, :t, :d, ST_Multi(ST_GeomFromText(:g, 4326)))"
    )
    db_conn.execute(
        area_sql,
        {
            "u": "T-CN",
            "n": "Khu công nghiệp thử",
            "k": "industrial",
            "f": "2010-01-01",
            "t": "2020-06-01",
            "d": d1,
            "g": IND_1.wkt,
        },
    )
    db_conn.execute(
        area_sql,
        {
            "u": "T-CN",
            "n": "Khu công nghiệp thử",
            "k": "industrial",
            "f": "2020-06-01",
            "t": None,
            "d": d2,
            "g": IND_2.wkt,
        },
    )
    db_conn.execute(
        area_sql,
        {
            "u": "T-LOG",
            "n": "Khu logistics thử",
            "k": "logistics_port",
            "f": "2020-06-01",
            "t": None,
            "d": d2,
            "g": LOG_2.wkt,
        },
    )
    return db_conn


def test_compare_two_decisions_known_answer(drawn_zone):
    result = compare(drawn_zone, "KKT-TEST", "T-1/QĐ-TEST", "T-2/QĐ-TEST")
    rows = {r.kind: r for r in result.rows}
    assert set(rows) == {"zone_boundary", "industrial", "logistics_port"}
    zone, ind, log = rows["zone_boundary"], rows["industrial"], rows["logistics_port"]
    # By hand: the zone gains its east half and loses nothing.
    assert zone.from_ha == pytest.approx(ha(ZONE_1), rel=1e-6)
    assert zone.added_ha == pytest.approx(ha(box(106.02, 18.00, 106.04, 18.02)), rel=1e-6)
    assert zone.removed_ha == pytest.approx(0, abs=1e-6)
    # The industrial area slides half its width east: a strip of 0.005° leaves, another arrives, half is kept.
    assert ind.removed_ha == pytest.approx(ha(box(106.000, 18.000, 106.005, 18.010)), rel=1e-6)
    assert ind.added_ha == pytest.approx(ha(box(106.010, 18.000, 106.015, 18.010)), rel=1e-6)
    assert ind.kept_ha == pytest.approx(ha(box(106.005, 18.000, 106.010, 18.010)), rel=1e-6)
    assert ind.net_ha == pytest.approx(ha(IND_2) - ha(IND_1), abs=1e-4)
    assert log.from_ha == 0 and log.added_ha == pytest.approx(ha(LOG_2), rel=1e-6)
    assert (log.label_vi, log.label_en) == ("Khu logistics, cảng", "Logistics / port")
    # The decisions travel with the table, Vietnamese intact.
    assert result.before.decision.number == "T-1/QĐ-TEST" and result.after.on == date(2020, 6, 1)
    assert result.before.decision.authority_name_vi == "Thủ tướng Chính phủ"
    changes = {f["id"]: f for f in result.features}
    assert set(changes) == {"zone_boundary:added", "industrial:added", "industrial:removed", "logistics_port:added"}
    assert changes["industrial:removed"]["properties"]["area_ha"] == pytest.approx(ind.removed_ha, abs=1e-4)


def test_compare_by_dates_and_reverse(drawn_zone):
    forward = {r.kind: r for r in compare(drawn_zone, "KKT-TEST", "2015-01-01", "2021-01-01").rows}
    backward = {r.kind: r for r in compare(drawn_zone, "KKT-TEST", "2021-01-01", "2015-01-01").rows}
    assert backward["industrial"].added_ha == pytest.approx(forward["industrial"].removed_ha)
    assert backward["logistics_port"].removed_ha == pytest.approx(ha(LOG_2), rel=1e-6)
    same = compare(drawn_zone, "KKT-TEST", "2021-01-01", "2021-01-01")
    assert all(
        r.added_ha == pytest.approx(0, abs=1e-6) and r.removed_ha == pytest.approx(0, abs=1e-6) for r in same.rows
    )


def test_decisions_of_a_zone_oldest_first(drawn_zone):
    assert [d.number for d in list_decisions(drawn_zone, "KKT-TEST")] == ["T-1/QĐ-TEST", "T-2/QĐ-TEST"]
    demo = [d.number for d in list_decisions(drawn_zone, "KKTCK-AG", plan_only=True)]
    assert demo == ["QHC KKTCK An Giang (trước 2016)", "456/QĐ-TTg"]


def test_bad_moments_and_zones_say_what_is_wrong(drawn_zone):
    with pytest.raises(NotFound, match="no decision numbered '999/QĐ-TTg'"):
        resolve_moment(drawn_zone, "999/QĐ-TTg", "from")
    with pytest.raises(InvalidInput, match="not a real date"):
        resolve_moment(drawn_zone, "2020-02-30", "to")
    with pytest.raises(InvalidInput, match="required"):
        resolve_moment(drawn_zone, " ", "to")
    with pytest.raises(NotFound, match="zones are: .*KKTCK-AG"):
        compare(drawn_zone, "KKT-NOWHERE", "2015-01-01", "2020-01-01")
