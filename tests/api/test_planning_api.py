"""The planners' API and map pages over HTTP: search, decisions, revision comparison, clearance, reports, pages.

The comparison table is checked against an independent computation: the two plans fetched as GeoJSON from the
OGC items endpoint, unioned and differenced by shapely, measured on the ellipsoid by pyproj.Geod.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable

import pytest
from pyproj import Geod
from shapely.geometry import shape
from shapely.ops import unary_union
from sqlalchemy import text

from gis.settings import Settings
from layers.spec import Access
from maps.clearance import clearance_page
from maps.projects import projects_page
from maps.revisions import revisions_page
from maps.zones import zones_page

GEOD = Geod(ellps="WGS84")
OLD_AG = "QHC KKTCK An Giang (trước 2016)"
PAGES = ("/maps/zones", "/maps/revisions", "/maps/projects")
ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def geodesic_ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4 if not geom.is_empty else 0.0


def independent_changes(get_json: Callable[[str, dict], dict], zone: str, day_a: str, day_b: str) -> dict:
    """Per functional-area type (and the zone boundary): from, to, added, removed ha, from the items API."""

    def plan(day: str) -> dict[str, object]:
        areas = get_json(
            "/collections/functional_areas/items", {"f": "geojson", "zone_uid": zone, "datetime": day, "limit": 1000}
        )
        zones = get_json("/collections/economic_zones/items", {"f": "geojson", "uid": zone, "datetime": day})
        parts = defaultdict(list)
        for f in areas["features"]:
            parts[f["properties"]["area_type"]].append(shape(f["geometry"]))
        for f in zones["features"]:
            parts["zone_boundary"].append(shape(f["geometry"]))
        return {kind: unary_union(geoms) for kind, geoms in parts.items()}

    a, b = plan(day_a), plan(day_b)
    empty = unary_union([])
    out = {}
    for kind in set(a) | set(b):
        ga, gb = a.get(kind, empty), b.get(kind, empty)
        out[kind] = {
            "from_ha": geodesic_ha(ga),
            "to_ha": geodesic_ha(gb),
            "added_ha": geodesic_ha(gb.difference(ga)),
            "removed_ha": geodesic_ha(ga.difference(gb)),
        }
    return out


def client_json(client):
    def get(path: str, params: dict) -> dict:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    return get


# --- search -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["cau treo", "CAU TREO", "Cầu Treo", "  cầu   TREO "])
def test_search_ignores_case_and_diacritics(client, query):
    body = client.get("/api/search", params={"q": query}).json()
    names = [h["name_vi"] for h in body["hits"]]
    assert names[0] == "Khu kinh tế cửa khẩu quốc tế Cầu Treo"
    assert "Cửa khẩu quốc tế Cầu Treo" in names
    zone = body["hits"][0]
    assert zone["layer"] == "economic_zones" and zone["uid"] == "KKTCK-CT"
    minx, miny, maxx, maxy = zone["bbox"]
    assert 105 < minx < maxx < 105.5 and 18.2 < miny < maxy < 18.7


def test_search_d_stroke_and_plot_codes(client):
    assert any(h["uid"] == "KKTCK-AG" for h in client.get("/api/search", params={"q": "an giang"}).json()["hits"])
    hits = client.get("/api/search", params={"q": "cn4", "limit": 100}).json()["hits"]
    plots = [h for h in hits if h["layer"] == "land_plots"]
    exact = [h for h in plots if h["uid"].endswith("-CN4")]
    assert len(exact) >= 3 and plots[: len(exact)] == exact  # the exact code first, then CN40, CN41…
    assert all(h["context"] for h in plots)  # the park, so CN4 of one park is told from CN4 of another
    # 'đ' folds to 'd' and a typed '%' is a character, not a wildcard
    assert client.get("/api/search", params={"q": "đô thị"}).json()["hits"]
    assert client.get("/api/search", params={"q": "%%"}).json()["hits"] == []


@pytest.mark.parametrize("query", ["Hoàn Sơn", "hoan son", "KHU CÔNG NGHIỆP HOÀN SƠN"])
def test_search_finds_a_name_as_the_documents_spell_it_through_its_alias(client, db_conn, query):
    # "Hoành Sơn" folds to "hoanh son", which does not contain "hoan son": only the alias can find it
    assert db_conn.execute(text("SELECT strpos(za_fold('Hoành Sơn'), za_fold(:q))"), {"q": query}).scalar() == 0
    hits = client.get("/api/search", params={"q": query}).json()["hits"]
    assert hits[0]["layer"] == "industrial_parks" and hits[0]["uid"] == "KCN-HS"
    assert hits[0]["name_vi"] == "Khu công nghiệp Hoành Sơn"
    assert hits[0]["alias"] == "Khu công nghiệp Hoàn Sơn"  # the page shows which spelling matched


def test_an_exact_alias_ranks_first_and_a_name_match_names_no_alias(client):
    hits = client.get("/api/search", params={"q": "khu cong nghiep ninh phuc"}).json()["hits"]
    assert (hits[0]["uid"], hits[0]["alias"]) == ("KCN-KHANH-PHU", "Khu công nghiệp Ninh Phúc")  # its former name
    by_name = client.get("/api/search", params={"q": "Khánh Phú"}).json()["hits"]
    assert any(h["uid"] == "KCN-KHANH-PHU" and h["alias"] is None for h in by_name)


def test_an_alias_finds_only_the_thing_it_belongs_to(client, db_conn):
    count = db_conn.execute(text("SELECT count(*) FROM search_aliases WHERE za_fold(alias) LIKE '%hoan son%'"))
    assert count.scalar_one() == 1
    hits = client.get("/api/search", params={"q": "hoan son", "layer": "projects"}).json()["hits"]
    assert hits == []  # the alias belongs to the park, not to a project


def test_search_rejects_short_queries(client):
    response = client.get("/api/search", params={"q": "a"})
    assert response.status_code == 400
    assert "at least 2 characters" in response.json()["description"]


# --- decisions and revisions ------------------------------------------------------------------------------


def test_decisions_of_a_zone(client):
    body = client.get("/api/decisions", params={"zone": "KKTCK-CT", "plan_only": "true"}).json()
    rows = body["decisions"]
    assert [d["number"] for d in rows] == ["162/2007/QĐ-TTg", "439/QĐ-TTg"]
    assert rows[1]["date_effective"] == "2026-03-16" and rows[1]["authority_name_vi"] == "Thủ tướng Chính phủ"
    everything = client.get("/api/decisions", params={"zone": "KKTCK-CT"}).json()["decisions"]
    assert len(everything) > len(rows)
    missing = client.get("/api/decisions", params={"zone": "KKT-ATLANTIS"})
    assert missing.status_code == 404 and "KKTCK-AG" in missing.json()["description"]


@pytest.mark.parametrize(
    ("zone", "a", "b", "day_a", "day_b"),
    [
        ("KKTCK-AG", OLD_AG, "456/QĐ-TTg", "2009-06-15", "2016-03-22"),
        ("KKTCK-CT", "2020-01-01", "439/QĐ-TTg", "2020-01-01", "2026-03-16"),
    ],
)
def test_compare_matches_an_independent_computation(client, zone, a, b, day_a, day_b):
    response = client.get("/api/revisions/compare", params={"zone": zone, "from": a, "to": b})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    expected = independent_changes(client_json(client), zone, day_a, day_b)
    got = {row["kind"]: row for row in body["summary"]}
    assert set(got) == set(expected)
    for kind, numbers in expected.items():
        for key, value in numbers.items():
            assert got[kind][key] == pytest.approx(value, rel=1e-4, abs=0.01), (kind, key)
    assert body["to"]["date"] == day_b and body["type"] == "FeatureCollection"
    added = {f["properties"]["kind"] for f in body["features"] if f["properties"]["change"] == "added"}
    assert added == {k for k, v in expected.items() if v["added_ha"] >= 0.01}


def test_compare_reports_the_decisions(client):
    body = client.get("/api/revisions/compare", params={"zone": "KKTCK-AG", "from": OLD_AG, "to": "456/QĐ-TTg"}).json()
    assert body["from"]["decision"]["number"] == OLD_AG
    assert body["to"]["decision"]["date_signed"] == "2016-03-22"
    assert body["to"]["decision"]["authority"] == "prime_minister"
    assert body["zone"]["name_vi"] == "Khu kinh tế cửa khẩu An Giang"


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"zone": "KKTCK-AG", "from": "999/QĐ-TTg", "to": "456/QĐ-TTg"}, 404, "no decision numbered '999/QĐ-TTg'"),
        ({"zone": "KKTCK-AG", "from": "2016-02-30", "to": "456/QĐ-TTg"}, 400, "not a real date"),
        ({"zone": "KKTCK-AG", "to": "456/QĐ-TTg"}, 400, "from"),
        ({"zone": "NOWHERE", "from": "2010-01-01", "to": "2020-01-01"}, 404, "no economic zone 'NOWHERE'"),
    ],
)
def test_compare_bad_input(client, params, status, words):
    response = client.get("/api/revisions/compare", params=params)
    assert response.status_code == status
    assert words in response.json()["description"]


# --- popups -------------------------------------------------------------------------------------------------


def test_plot_popup_clearance_only_for_staff(client, staff, db_conn):
    uid = "KCN-VHVA-CN22"
    anonymous = client.get(f"/api/plots/{uid}").json()
    assert anonymous["park"]["uid"] == "KCN-VHVA" and anonymous["name_vi"] == "Lô đất công nghiệp CN22"
    assert "clearance" not in anonymous
    mine = client.get(f"/api/plots/{uid}", headers=staff["viewer"]).json()
    expected = db_conn.execute(
        text(
            "SELECT count(*) FROM clearance_parcels c JOIN land_plots p ON ST_Intersects(c.geom, p.geom) "
            "AND NOT ST_Touches(c.geom, p.geom) WHERE p.uid = :u AND p.valid_to IS NULL"
        ),
        {"u": uid},
    ).scalar_one()
    assert mine["clearance"]["parcels"] == expected > 0
    assert client.get("/api/plots/NO-SUCH-PLOT").status_code == 404


def test_project_popup_lists_its_plots(client, db_conn):
    uid = db_conn.execute(
        text(
            "SELECT p.uid FROM projects p JOIN project_plots pp ON pp.project_id = p.id GROUP BY p.uid "
            "ORDER BY count(*) DESC, p.uid LIMIT 1"
        )
    ).scalar_one()
    expected = set(
        db_conn.execute(
            text("SELECT pp.plot_uid FROM project_plots pp JOIN projects p ON p.id = pp.project_id WHERE p.uid = :u"),
            {"u": uid},
        ).scalars()
    )
    body = client.get(f"/api/projects/{uid}").json()
    assert {p["uid"] for p in body["plots"]} == expected


# --- clearance and reports ----------------------------------------------------------------------------------


def test_clearance_is_for_staff_only(client, staff, db_conn):
    anonymous = client.get("/api/projects/PRJ-VA2/clearance")
    assert anonymous.status_code == 401 and "sign in" in anonymous.json()["description"]
    assert client.get("/api/reports/clearance", params={"week": "2025-W14"}).status_code == 401
    body = client.get("/api/projects/PRJ-VA2/clearance", params={"as_of": "2025-06-30"}, headers=staff["viewer"]).json()
    sums = db_conn.execute(
        text(
            "SELECT count(*), sum(households_affected), sum(area_ha) FILTER (WHERE handed_over_on <= '2025-06-30'), "
            "sum(compensation_paid_vnd) FILTER (WHERE compensation_paid_on <= '2025-06-30') "
            "FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE p.uid = 'PRJ-VA2'"
        )
    ).one()
    assert body["parcels"] == sums[0] and body["households_affected"] == sums[1]
    assert body["handed_over_ha"] == pytest.approx(float(sums[2]), abs=1e-4)
    assert body["paid_vnd"] == int(sums[3])
    assert body["name_vi"] == "Nhà máy nhiệt điện Vũng Áng 2 (2×665 MW)"
    bad = client.get("/api/projects/PRJ-VA2/clearance", params={"as_of": "30/06/2025"}, headers=staff["viewer"])
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["description"]
    assert client.get("/api/projects/PRJ-NONE/clearance", headers=staff["viewer"]).status_code == 404


def test_weekly_clearance_report_csv(client, staff, db_conn):
    response = client.get("/api/reports/clearance", params={"week": "2025-W14", "f": "csv"}, headers=staff["viewer"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "gpmb-2025-W14.csv" in response.headers["content-disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = {r["project_uid"]: r for r in csv.DictReader(io.StringIO(raw.lstrip("\ufeff")))}
    # every project with parcels: Vũng Áng's two and the two of the border-gate land (Xuân Tô, Cầu Treo)
    assert set(rows) == {"PRJ-VA2", "PRJ-VHVA", "PRJ-XT-HT", "PRJ-CT-LOG-HT"}
    handed = db_conn.execute(
        text(
            "SELECT count(*) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
            "WHERE p.uid = 'PRJ-VA2' AND handed_over_on BETWEEN '2025-03-31' AND '2025-04-06'"
        )
    ).scalar_one()
    assert int(rows["PRJ-VA2"]["reached_handed_over_this_week"]) == handed
    assert rows["PRJ-VA2"]["name_vi"] == "Nhà máy nhiệt điện Vũng Áng 2 (2×665 MW)"
    bad = client.get("/api/reports/clearance", params={"week": "W14"}, headers=staff["viewer"])
    assert bad.status_code == 400 and "2025-W14" in bad.json()["description"]


@pytest.mark.parametrize(
    ("place", "where"),
    [
        ({"province": "HA_TINH"}, "p.province_code = 'HA_TINH'"),
        (
            {"zone": "KKT-VA"},
            "p.zone_uid = 'KKT-VA' OR p.park_uid IN (SELECT uid FROM industrial_parks WHERE zone_uid = 'KKT-VA')",
        ),
        ({"park": "KCN-VHVA"}, "p.park_uid = 'KCN-VHVA'"),
        ({"province": "NINH_BINH"}, "p.province_code = 'NINH_BINH'"),
    ],
)
def test_weekly_clearance_report_narrowed_to_a_province_zone_or_park(client, staff, db_conn, place, where):
    expected = db_conn.execute(
        text(
            "SELECT p.uid, sum(c.area_ha) FILTER (WHERE c.handed_over_on <= '2025-04-06') AS handed, "
            f"count(*) AS parcels FROM projects p JOIN clearance_parcels c ON c.project_id = p.id WHERE {where} "
            "GROUP BY p.uid"
        )
    ).all()
    params = {"week": "2025-W14", **place}
    body = client.get("/api/reports/clearance", params=params, headers=staff["viewer"]).json()
    rows = {r["project_uid"]: r for r in body["rows"]}
    assert set(rows) == {r.uid for r in expected}
    for r in expected:
        assert rows[r.uid]["parcels"] == r.parcels
        assert rows[r.uid]["handed_over_ha"] == pytest.approx(float(r.handed or 0), abs=1e-3)
        assert rows[r.uid]["province_name_vi"] == "Tỉnh Hà Tĩnh"
    assert {k: body[k] for k in place} == place
    assert client.get("/api/reports/clearance", params=params).status_code == 401


def test_weekly_clearance_report_refuses_an_unknown_place(client, staff):
    for params, message in (
        ({"park": "KCN-NOWHERE"}, "park 'KCN-NOWHERE' is not known"),
        ({"province": "Hà Tĩnh"}, "province must be a code"),
    ):
        response = client.get("/api/reports/clearance", params=params, headers=staff["viewer"])
        assert response.status_code == 400 and message in response.json()["description"]


def test_delayed_projects_report_json_and_csv(client, db_conn):
    expected = db_conn.execute(
        text(
            "SELECT count(*) FROM project_milestones m JOIN projects p ON p.id = m.project_id "
            "WHERE p.status <> 'terminated' AND m.committed_on < '2026-01-01' AND "
            "(m.actual_on IS NULL OR (m.actual_on > m.committed_on AND m.actual_on <= '2026-01-01'))"
        )
    ).scalar_one()
    body = client.get("/api/reports/delayed-projects", params={"as_of": "2026-01-01"}).json()
    assert len(body["rows"]) == expected > 0
    response = client.get(
        "/api/reports/delayed-projects", params={"as_of": "2026-01-01"}, headers={"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == expected
    assert "Trung tâm thương mại – dịch vụ cửa khẩu Cầu Treo (hư cấu)" in {r["name_vi"] for r in rows}
    refused = client.get("/api/reports/delayed-projects", params={"f": "docx"})
    assert refused.status_code == 400 and "f must be one of json, csv, xlsx, pdf" in refused.json()["description"]


# --- the pages ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_elsewhere(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assets = ASSET.findall(html)
    assert any(a.endswith("leaflet/dist/leaflet.js") for a in assets)
    outside = [a for a in assets if re.match(r"^(https?:)?//", a)]
    assert outside == []
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert len(response.content) < 300_000
    policy = response.headers["content-security-policy"]
    assert "'sha256-" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_clearance_page_sends_anonymous_readers_to_login(client, staff):
    response = client.get("/maps/clearance?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fmaps%2Fclearance%3Fx%3D1"
    page = client.get("/maps/clearance", headers=staff["viewer"])
    assert page.status_code == 200 and "PRJ-VHVA" in page.text


def test_basemap_setting_reaches_the_page_and_its_policy(settings):
    from fastapi.testclient import TestClient

    from api.app import create_app

    custom = settings.model_copy(update={"basemap_url": "https://tiles.example.org/{z}/{x}/{y}.png"})
    with TestClient(create_app(custom)) as other:
        response = other.get("/maps/zones")
    assert '"basemap": "https://tiles.example.org/{z}/{x}/{y}.png"' in response.text
    assert "img-src 'self' data: blob: https://tiles.example.org" in response.headers["content-security-policy"]


def test_no_remote_basemap_unless_configured(database_url, monkeypatch):
    """A board's offline network gets the app's own base only: no tile server is asked for or allowed by default."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    monkeypatch.delenv("BASEMAP_URL", raising=False)
    default = Settings(DATABASE_URL=database_url)
    assert default.basemap_url is None
    with TestClient(create_app(default)) as plain:
        response = plain.get("/maps/zones")
    assert '"basemap": null' in response.text and "openstreetmap" not in response.text
    assert "img-src 'self' data: blob:;" in response.headers["content-security-policy"] + ";"


def test_page_html_does_not_grow_with_the_data(db_conn):
    """No page embeds a layer: 5,000 more parcels and plots leave every page the same size (and < 300 KB)."""
    render = {"zones": zones_page, "revisions": revisions_page, "clearance": clearance_page, "projects": projects_page}
    before = {name: len(fn(db_conn, Access.internal, None).encode()) for name, fn in render.items()}
    decision, project = db_conn.execute(
        text("SELECT (SELECT id FROM decisions LIMIT 1), (SELECT id FROM projects WHERE uid = 'PRJ-VA2')")
    ).one()
    db_conn.execute(
        text(
            "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, geom) "
            "SELECT :p, 'S' || i, 'S1', ST_MakeEnvelope(106.5 + (i % 100) * 0.0002, 18.5 + (i / 100) * 0.0002, "
            "106.5 + (i % 100) * 0.0002 + 0.00015, 18.5 + (i / 100) * 0.0002 + 0.00015, 4326) "
            "FROM generate_series(1, 5000) AS i"
        ),
        {"p": project},
    )
    db_conn.execute(
        text(
            "INSERT INTO land_plots (uid, code, name_vi, zone_uid, planning_function, status, valid_from, decision_id, "
            "geom) SELECT 'SCALE-' || i, 'S' || i, 'Lô ' || i, 'KKT-VA', "
            "(SELECT code FROM planning_functions LIMIT 1), "
            "'available', '2020-01-01', :d, ST_MakeEnvelope(106.6 + (i % 100) * 0.0002, 18.6 + (i / 100) * 0.0002, "
            "106.6 + (i % 100) * 0.0002 + 0.00015, 18.6 + (i / 100) * 0.0002 + 0.00015, 4326) "
            "FROM generate_series(1, 5000) AS i"
        ),
        {"d": decision},
    )
    after = {name: len(fn(db_conn, Access.internal, None).encode()) for name, fn in render.items()}
    # Equal to the byte, except that the clearance page names each project's parcel count and extent (digits).
    assert {name: abs(after[name] - before[name]) < 50 for name in render} == dict.fromkeys(render, True)
    assert {name: after[name] for name in render if name != "clearance"} == {
        name: before[name] for name in render if name != "clearance"
    }
    assert max(after.values()) < 300_000
