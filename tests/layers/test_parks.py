"""Park figures computed from plots and projects built by hand; expected values from pyproj areas and arithmetic."""

import pytest
from sqlalchemy import text

from gis.errors import InvalidInput, NotFound
from layers.parks import park_summaries, park_summary
from tests import land_data as ld

PARK = "KCN-TEST-PARK"


@pytest.fixture
def park(db_conn):
    """A park with plots of every status, a non-leasable leased plot, three projects and a gate 3 km west."""
    built = ld.decision(db_conn)
    side = {"A": 200, "B": 300, "C": 250, "D": 150, "E": 100, "G": 120}
    squares = {}
    x = 0.0
    for name, metres in side.items():
        squares[name] = ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, x), metres)
        x += metres + 50
    boundary = ld.around(*squares.values(), margin=0.002)
    ld.park(
        db_conn,
        built,
        PARK,
        boundary,
        power_kv=110,
        water_m3_day=5000,
        wastewater_m3_day=4000,
        developer="Công ty Phát triển Hạ tầng Thử",
        land_rent_usd_m2_min=1,
        land_rent_usd_m2_max=999,
    )
    ld.plot(db_conn, built, "P-A", squares["A"], PARK, status="available", rent=40)
    ld.plot(db_conn, built, "P-B", squares["B"], PARK, status="available", rent=55, function="services")
    ld.plot(db_conn, built, "P-C", squares["C"], PARK, status="leased", rent=60)
    ld.plot(db_conn, built, "P-D", squares["D"], PARK, status="reserved", rent=30)
    ld.plot(db_conn, built, "P-E", squares["E"], PARK, status="not_cleared", rent=45)
    ld.plot(db_conn, built, "P-G", squares["G"], PARK, status="leased", rent=None, function="green")
    one = ld.project(db_conn, "PR-T1", "Công ty TNHH Thử Nghiệm", park_uid=PARK)
    two = ld.project(db_conn, "PR-T2", "CÔNG TY TNHH THU NGHIEM", plots=("P-C",))  # same investor, no accents
    ld.project(db_conn, "PR-T3", "Công ty Đã Dừng", park_uid=PARK, status="terminated")
    ld.figures(db_conn, one, 2023, 100, 10)
    ld.figures(db_conn, one, 2024, 150, 20)
    ld.figures(db_conn, two, 2024, 50, 0)
    gate_at = ld.offset(boundary.bounds[0], (boundary.bounds[1] + boundary.bounds[3]) / 2, 270, 3000)
    ld.gate(db_conn, "CK-TEST-PARK", "Cửa khẩu Thử", gate_at)
    return {"squares": squares, "boundary": boundary, "gate": gate_at}


def test_areas_and_occupancy_are_computed_from_the_plots(db_conn, park):
    area = {name: ld.geodesic_area_ha(polygon) for name, polygon in park["squares"].items()}
    leasable = area["A"] + area["B"] + area["C"] + area["D"] + area["E"]  # green (G) is not leasable
    summary = park_summary(db_conn, PARK)
    assert summary["plots"] == 6
    assert summary["plots_area_ha"] == pytest.approx(sum(area.values()), abs=0.001)
    assert summary["leasable_ha"] == pytest.approx(leasable, abs=0.001)
    assert summary["leased_ha"] == pytest.approx(area["C"], abs=0.001)  # the leased green plot does not count
    assert summary["available_ha"] == pytest.approx(area["A"] + area["B"], abs=0.001)
    assert summary["reserved_ha"] == pytest.approx(area["D"], abs=0.001)
    assert summary["not_cleared_ha"] == pytest.approx(area["E"], abs=0.001)
    # By hand: C = 6.25 ha of 4 + 9 + 6.25 + 2.25 + 1 = 22.5 ha leasable → 27.8 %.
    assert leasable == pytest.approx(22.5, abs=0.01)
    assert summary["occupancy_pct"] == pytest.approx(27.8, abs=0.05)
    assert summary["park_area_ha"] == pytest.approx(ld.geodesic_area_ha(park["boundary"]), abs=0.01)


def test_rent_range_tenants_workers_and_capacities(db_conn, park):
    summary = park_summary(db_conn, PARK)
    # Only plots on offer now: 40 (A) and 55 (B); the typed park range 1–999 is ignored.
    assert (summary["rent_usd_m2_min"], summary["rent_usd_m2_max"]) == (40.0, 55.0)
    assert summary["projects"] == 2  # PR-T1 by park, PR-T2 by its plot; the terminated one is left out
    assert summary["investors"] == 1  # one investor written with and without accents
    assert summary["workers"] == (150 + 20) + (50 + 0)  # latest year of each project
    assert summary["workers_year"] == 2024
    assert (summary["power_kv"], summary["water_m3_day"], summary["wastewater_m3_day"]) == (110, 5000, 4000)
    assert summary["sheet_url"] == f"/land/parks/{PARK}"


def test_distance_to_the_nearest_gate_from_the_park_boundary(db_conn, park):
    nearest = park_summary(db_conn, PARK)["distances"]["border_gate"]
    assert nearest["uid"] == "CK-TEST-PARK"
    expected = ld.geodesic_distance(park["gate"], park["boundary"])
    assert nearest["km"] * 1000 == pytest.approx(expected, abs=1.0)
    assert nearest["km"] == pytest.approx(3.0, abs=0.01)


def test_ranking_lists_every_current_park_and_sorts(db_conn, park):
    parks = park_summaries(db_conn, "-occupancy_pct")
    current = db_conn.execute(text("SELECT count(*) FROM industrial_parks WHERE valid_to IS NULL")).scalar_one()
    assert len(parks) == current
    values = [p["occupancy_pct"] for p in parks if p["occupancy_pct"] is not None]
    assert values == sorted(values, reverse=True)
    listed = next(p for p in parks if p["uid"] == PARK)
    assert listed == park_summary(db_conn, PARK)
    with pytest.raises(InvalidInput, match="cannot sort parks"):
        park_summaries(db_conn, "colour")


def test_unknown_park_is_not_found(db_conn):
    with pytest.raises(NotFound):
        park_summary(db_conn, "KCN-KHONG-CO")
