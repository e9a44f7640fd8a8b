"""Available land: known answers built by hand (pyproj on the ellipsoid), never read back from the code under test."""

from decimal import Decimal

import pytest
from sqlalchemy import text

from gis.errors import InvalidInput
from layers.land import LandQuery, available_plots, plot_by_uid
from tests import land_data as ld

PARK = "KCN-TEST-LAND"


def uids(conn, **query) -> list[str]:
    return [p["uid"] for p in available_plots(conn, LandQuery(**query)).plots]


@pytest.fixture
def gate_and_plots(db_conn):
    """A gate and plots whose nearest edge lies 4.9 km and 5.1 km east of it."""
    built = ld.decision(db_conn)
    gate = ld.ORIGIN
    ld.gate(db_conn, "CK-TEST-GATE", "Cửa khẩu Thử Nghiệm", gate, name_en="Test border gate")
    near = ld.square_east_of(*ld.offset(*gate, 90, 4900), 100)
    far = ld.square_east_of(*ld.offset(*gate, 90, 5100), 100)
    ld.park(db_conn, built, PARK, ld.around(near, far))
    ld.plot(db_conn, built, "T-NEAR", near, PARK)
    ld.plot(db_conn, built, "T-FAR", far, PARK)
    return {"built": built, "gate": gate, "near": near, "far": far}


def test_five_km_from_the_gate_keeps_the_plot_at_4_9_and_drops_the_one_at_5_1(db_conn, gate_and_plots):
    assert set(uids(db_conn, park=PARK)) == {"T-NEAR", "T-FAR"}
    assert uids(db_conn, park=PARK, max_km={"border_gate": 5.0}) == ["T-NEAR"]
    assert set(uids(db_conn, park=PARK, max_km={"border_gate": 5.2})) == {"T-NEAR", "T-FAR"}
    assert uids(db_conn, park=PARK, max_km={"border_gate": 4.8}) == []


def test_reported_distance_is_the_geodesic_one(db_conn, gate_and_plots):
    found = {p["uid"]: p for p in available_plots(db_conn, LandQuery(park=PARK)).plots}
    for uid, polygon in (("T-NEAR", gate_and_plots["near"]), ("T-FAR", gate_and_plots["far"])):
        nearest = found[uid]["distances"]["border_gate"]
        assert nearest["uid"] == "CK-TEST-GATE"
        expected = ld.geodesic_distance(gate_and_plots["gate"], polygon)
        assert nearest["km"] * 1000 == pytest.approx(expected, abs=1.0)
    assert found["T-NEAR"]["distances"]["border_gate"]["km"] == pytest.approx(4.9, abs=0.002)
    assert found["T-FAR"]["sheet_url"] == "/land/plots/T-FAR"
    assert found["T-FAR"]["park"]["uid"] == PARK


def test_sort_by_distance_and_by_area(db_conn, gate_and_plots):
    built = gate_and_plots["built"]
    big = ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 7000), 300)
    ld.plot(db_conn, built, "T-BIG", big, PARK)
    assert uids(db_conn, park=PARK, sort="distance_border_gate") == ["T-NEAR", "T-FAR", "T-BIG"]
    assert uids(db_conn, park=PARK, sort="distance_border_gate", descending=True) == ["T-BIG", "T-FAR", "T-NEAR"]
    assert uids(db_conn, park=PARK, sort="area", descending=True)[0] == "T-BIG"


def test_nearest_is_exact_where_degrees_would_pick_the_wrong_gate(db_conn):
    """North 10 km is 0.0903° away, east 9.5 km is 0.0917° at 21.5°N: planar KNN alone would pick north."""
    built = ld.decision(db_conn)
    centre = (104.5, 21.5)
    ld.gate(db_conn, "CK-TEST-NORTH", "Cửa khẩu Phía Bắc", ld.offset(*centre, 0, 10_000))
    ld.gate(db_conn, "CK-TEST-EAST", "Cửa khẩu Phía Đông", ld.offset(*centre, 90, 9_500))
    tiny = ld.square_east_of(*centre, 2)
    ld.park(db_conn, built, PARK, ld.around(tiny))
    ld.plot(db_conn, built, "T-CENTRE", tiny, PARK)
    nearest = available_plots(db_conn, LandQuery(park=PARK)).plots[0]["distances"]["border_gate"]
    assert nearest["uid"] == "CK-TEST-EAST"
    assert nearest["km"] == pytest.approx(9.5 - 0.002, abs=0.003)


def test_gate_by_name_ignores_accents_and_foreign_gates_do_not_count(db_conn, gate_and_plots):
    # A Lao gate right next to the plots is not a Vietnamese border gate: distances stay to the VN gate.
    ld.gate(db_conn, "LA-TEST", "Cửa khẩu Lào Thử", ld.offset(*ld.ORIGIN, 90, 5200), country="LA")
    ld.gate(db_conn, "CK-TEST-OTHER", "Cửa khẩu Khác", ld.offset(*ld.ORIGIN, 90, 12_000))
    found = {p["uid"]: p for p in available_plots(db_conn, LandQuery(park=PARK)).plots}
    assert found["T-FAR"]["distances"]["border_gate"]["uid"] == "CK-TEST-GATE"
    # Restricted by name, the distance is to the named gate (the nearer one no longer counts).
    named = available_plots(
        db_conn, LandQuery(park=PARK, names={"border_gate": "cua khau KHAC"}, max_km={"border_gate": 8.0})
    ).plots
    assert {p["uid"] for p in named} == {"T-NEAR", "T-FAR"}
    assert {p["distances"]["border_gate"]["uid"] for p in named} == {"CK-TEST-OTHER"}
    assert uids(db_conn, park=PARK, names={"border_gate": "thu nghiem"}, max_km={"border_gate": 5}) == ["T-NEAR"]
    with pytest.raises(InvalidInput, match="no border gate named like"):
        available_plots(db_conn, LandQuery(names={"border_gate": "không có cửa khẩu này"}))


def test_rent_bound_is_inclusive_and_plots_without_rent_never_match(db_conn):
    built = ld.decision(db_conn)
    a = ld.square_east_of(*ld.ORIGIN, 100)
    b = ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 300), 100)
    c = ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 600), 100)
    ld.park(db_conn, built, PARK, ld.around(a, b, c))
    ld.plot(db_conn, built, "T-50", a, PARK, rent=50.00)
    ld.plot(db_conn, built, "T-5001", b, PARK, rent=50.01)
    ld.plot(db_conn, built, "T-NORENT", c, PARK, rent=None)
    assert uids(db_conn, park=PARK, max_rent=Decimal("50")) == ["T-50"]
    assert set(uids(db_conn, park=PARK, max_rent=Decimal("50.01"))) == {"T-50", "T-5001"}
    assert uids(db_conn, park=PARK, max_rent=Decimal("49.99")) == []
    assert len(uids(db_conn, park=PARK)) == 3
    assert uids(db_conn, park=PARK, sort="rent") == ["T-50", "T-5001", "T-NORENT"]  # unknown rent sorts last


def test_area_bounds_are_inclusive_at_the_stored_hectares(db_conn):
    built = ld.decision(db_conn)
    small = ld.square_east_of(*ld.ORIGIN, 200)
    large = ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 500), 400)
    ld.park(db_conn, built, PARK, ld.around(small, large))
    ld.plot(db_conn, built, "T-SMALL", small, PARK)
    ld.plot(db_conn, built, "T-LARGE", large, PARK)
    stored = dict(db_conn.execute(text("SELECT uid, area_ha FROM land_plots WHERE park_uid = :p"), {"p": PARK}).all())
    # The stored area is the ellipsoidal one: pyproj agrees to the square metre.
    assert float(stored["T-SMALL"]) == pytest.approx(ld.geodesic_area_ha(small), abs=0.0002)
    assert float(stored["T-SMALL"]) == pytest.approx(4.0, abs=0.001)
    assert float(stored["T-LARGE"]) == pytest.approx(16.0, abs=0.001)
    s, big = stored["T-SMALL"], stored["T-LARGE"]
    step = Decimal("0.0001")
    assert set(uids(db_conn, park=PARK, min_area_ha=s)) == {"T-SMALL", "T-LARGE"}
    assert uids(db_conn, park=PARK, min_area_ha=s + step) == ["T-LARGE"]
    assert uids(db_conn, park=PARK, max_area_ha=s) == ["T-SMALL"]
    assert uids(db_conn, park=PARK, max_area_ha=s - step) == []
    assert uids(db_conn, park=PARK, min_area_ha=big, max_area_ha=big) == ["T-LARGE"]
    with pytest.raises(InvalidInput, match="larger than max_area_ha"):
        available_plots(db_conn, LandQuery(min_area_ha=Decimal(5), max_area_ha=Decimal(4)))


def test_only_open_available_versions_are_offered(db_conn):
    built = ld.decision(db_conn)
    a = ld.square_east_of(*ld.ORIGIN, 100)
    b = ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 300), 100)
    ld.park(db_conn, built, PARK, ld.around(a, b))
    ld.plot(db_conn, built, "T-LEASED", a, PARK, status="leased")
    plot_id = ld.plot(db_conn, built, "T-OLD", b, PARK)
    db_conn.execute(text("UPDATE land_plots SET valid_to = '2025-01-01' WHERE id = :i"), {"i": plot_id})
    assert uids(db_conn, park=PARK) == []
    assert plot_by_uid(db_conn, "T-LEASED")["status"] == "leased"  # its sheet still opens


def test_clearance_state_and_clean_land_follow_the_parcels_of_the_plots_projects_and_those_overlapping_it(db_conn):
    built = ld.decision(db_conn)
    plots = {
        name: ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 400 * i), 200)
        for i, name in enumerate(
            ["T-LINKED-PENDING", "T-OVERLAP-PENDING", "T-OVERLAP-DONE", "T-TOUCH", "T-NONE", "T-PARTLY"]
        )
    }
    ld.park(db_conn, built, PARK, ld.around(*plots.values()))
    for uid, polygon in plots.items():
        ld.plot(db_conn, built, uid, polygon, PARK)
    elsewhere = ld.square_east_of(*ld.offset(*ld.ORIGIN, 0, 3000), 50)
    linked = ld.project(db_conn, "P-TEST-LINKED", "Công ty A", plots=("T-LINKED-PENDING",))
    ld.parcel(db_conn, linked, "1", elsewhere, handed_over=False)  # far away, but the plot's own project
    other = ld.project(db_conn, "P-TEST-OTHER", "Công ty B")
    ld.parcel(db_conn, other, "2", plots["T-OVERLAP-PENDING"].buffer(-0.0003), handed_over=False)
    ld.parcel(db_conn, other, "3", plots["T-OVERLAP-DONE"].buffer(-0.0003), handed_over=True)
    touching = plots["T-TOUCH"]
    west = touching.bounds[0]
    ld.parcel(
        db_conn,
        other,
        "4",
        ld.Polygon(
            [
                (west - 0.001, touching.bounds[1]),
                (west, touching.bounds[1]),
                (west, touching.bounds[3]),
                (west - 0.001, touching.bounds[3]),
            ]
        ),
        handed_over=False,
    )
    west_half, east_half = ld.halves(plots["T-PARTLY"].buffer(-0.0003))
    ld.parcel(db_conn, other, "5", west_half, handed_over=True)
    ld.parcel(db_conn, other, "6", east_half, handed_over=False)
    found = available_plots(db_conn, LandQuery(park=PARK)).plots
    # A plot no parcel concerns (T-TOUCH's parcel only touches its edge) has no parcels recorded: not clean land.
    assert {p["uid"]: p["clearance_state"] for p in found} == {
        "T-LINKED-PENDING": "not_handed_over",
        "T-OVERLAP-PENDING": "not_handed_over",
        "T-OVERLAP-DONE": "handed_over",
        "T-TOUCH": "no_parcels",
        "T-NONE": "no_parcels",
        "T-PARTLY": "partly_handed_over",
    }
    assert {p["uid"] for p in found if p["clean"]} == {"T-OVERLAP-DONE"}
    assert next(p for p in found if p["uid"] == "T-NONE")["clearance_state_words"] == {
        "vi": "Chưa ghi nhận thửa GPMB nào",
        "en": "No clearance parcels recorded",
    }
    assert set(uids(db_conn, park=PARK, clean_only=True)) == {"T-OVERLAP-DONE"}


def test_province_covers_provinces_merged_into_it(db_conn):
    built = ld.decision(db_conn)
    a = ld.square_east_of(*ld.ORIGIN, 100)
    ld.park(db_conn, built, PARK, ld.around(a), province="HAU_GIANG")
    ld.plot(db_conn, built, "T-HG", a, PARK)
    assert uids(db_conn, park=PARK, province="CAN_THO") == ["T-HG"]
    assert uids(db_conn, park=PARK, province="HAU_GIANG") == ["T-HG"]
    assert uids(db_conn, park=PARK, province="HA_TINH") == []


def test_filters_by_planning_function_and_refuses_unknown_codes(db_conn):
    built = ld.decision(db_conn)
    a = ld.square_east_of(*ld.ORIGIN, 100)
    b = ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 300), 100)
    ld.park(db_conn, built, PARK, ld.around(a, b))
    ld.plot(db_conn, built, "T-IND", a, PARK, function="industrial")
    ld.plot(db_conn, built, "T-WH", b, PARK, function="warehouse_logistics")
    assert uids(db_conn, park=PARK, planning_functions=("warehouse_logistics",)) == ["T-WH"]
    with pytest.raises(InvalidInput, match="unknown planning function"):
        available_plots(db_conn, LandQuery(planning_functions=("casino",)))
    with pytest.raises(InvalidInput, match="no park"):
        available_plots(db_conn, LandQuery(park="KCN-KHONG-CO"))


def test_demo_count_matches_sql_written_here(db_conn):
    expected = db_conn.execute(
        text("SELECT count(*) FROM land_plots WHERE valid_to IS NULL AND status = 'available'")
    ).scalar_one()
    result = available_plots(db_conn, LandQuery(limit=10_000))
    assert result.number_matched == expected == len(result.plots)
    page = available_plots(db_conn, LandQuery(limit=5, offset=5))
    assert page.number_matched == expected and len(page.plots) == 5


def test_paging_first_measures_each_plot_as_measuring_every_plot_does(db_conn):
    # sorted by area the page is chosen first and only its plots measured; sorted by a distance every plot is
    # measured before sorting: the two paths must give each plot the same clearance state and nearest nodes
    by_area = available_plots(db_conn, LandQuery(limit=10_000)).plots
    by_distance = available_plots(db_conn, LandQuery(limit=10_000, sort="distance_seaport")).plots
    assert len(by_area) > 10

    def measured(plots):
        return {p["uid"]: (p["clearance_state"], p["clean"], p["distances"]) for p in plots}

    assert measured(by_area) == measured(by_distance)
    page = available_plots(db_conn, LandQuery(limit=5, offset=5))
    assert [p["uid"] for p in page.plots] == [p["uid"] for p in by_area[5:10]]
    assert page.number_matched == len(by_area)


def test_clearance_state_reaches_the_parcels_through_indexes_not_a_scan_per_plot(db_conn):
    # migration 0024: an OR of the linked projects' parcels and the overlapping ones read the whole parcel table
    # once per plot; with scans discouraged, the state of every plot must come from index scans alone
    def scans() -> tuple[int, int]:
        row = db_conn.execute(
            text(
                "SELECT coalesce(seq_scan, 0), coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
                "WHERE relname = 'clearance_parcels'"
            )
        ).one()
        return int(row[0]), int(row[1])

    db_conn.execute(text("SET LOCAL enable_seqscan = off"))
    seq_before, idx_before = scans()
    db_conn.execute(text("SELECT za_plot_clearance_state(uid, geom) FROM land_plots WHERE valid_to IS NULL")).all()
    seq_after, idx_after = scans()
    plots = db_conn.execute(text("SELECT count(*) FROM land_plots WHERE valid_to IS NULL")).scalar_one()
    assert plots > 100
    assert seq_after == seq_before
    assert idx_after - idx_before >= plots  # at least one index scan per plot
