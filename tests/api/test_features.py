"""OGC API – Features over the demo data: answers checked against the data files, pyproj and SQL written here."""

import hashlib
import json

import httpx
import pytest
from pyproj import Geod, Transformer
from sqlalchemy import text

from tests.conftest import DATA_DIR

PUBLIC = {
    "economic_zones",
    "functional_areas",
    "industrial_parks",
    "land_plots",
    "border_gates",
    "logistics_centres",
    "transport_nodes",
    "transport_lines",
    "projects",
    "decisions",
    "issuing_boards",  # the board named on sheets: name, address, contacts (public by design)
}


def demo_features(name: str) -> list[dict]:
    return json.loads((DATA_DIR / "demo" / f"{name}.geojson").read_text(encoding="utf-8"))["features"]


def gates_by_uid() -> dict[str, dict]:
    return {f["properties"]["uid"]: f for f in demo_features("border_gates")}


def get_items(client, collection: str, **params):
    response = client.get(f"/collections/{collection}/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_conformance_declares_core_crs_and_filtering(client):
    classes = client.get("/conformance").json()["conformsTo"]
    for part in (
        "ogcapi-features-1/1.0/conf/core",
        "ogcapi-features-1/1.0/conf/geojson",
        "ogcapi-features-2/1.0/conf/crs",
        "ogcapi-features-3/1.0/conf/filter",
        "cql2/1.0/conf/cql2-text",
        "cql2/1.0/conf/cql2-json",
        "ogcapi-tiles-1/1.0/conf/mvt",
    ):
        assert any(c.endswith(part) for c in classes), part


def test_collections_describe_every_public_layer(client):
    body = client.get("/collections").json()
    documents = {c["id"]: c for c in body["collections"]}
    assert set(documents) == PUBLIC
    gates = documents["border_gates"]
    assert gates["title_vi"] == "Cửa khẩu" and gates["title_en"] == "Border gates"
    assert "http://www.opengis.net/def/crs/EPSG/0/9209" in gates["crs"]
    assert gates["crs"][0] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    lons = [f["geometry"]["coordinates"][0] for f in demo_features("border_gates")]
    minx, _, maxx, _ = gates["extent"]["spatial"]["bbox"][0]
    assert minx == pytest.approx(min(lons)) and maxx == pytest.approx(max(lons))
    assert {link["rel"] for link in gates["links"]} >= {"self", "items", "alternate"}
    zones = documents["economic_zones"]["extent"]["temporal"]["interval"][0]
    assert zones[1] is None  # versions still open


def test_items_are_geojson_with_counts_and_next_links(client, db_conn):
    current = db_conn.execute(text("SELECT count(*) FROM land_plots WHERE valid_to IS NULL")).scalar_one()
    first = client.get("/collections/land_plots/items", params={"limit": 50})
    assert first.headers["content-type"] == "application/geo+json"
    assert first.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    body = first.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == current and body["numberReturned"] == 50
    seen = {f["id"] for f in body["features"]}
    pages = 1
    while nxt := next((link["href"] for link in body["links"] if link["rel"] == "next"), None):
        body = client.get(nxt).json()
        seen |= {f["id"] for f in body["features"]}
        pages += 1
    assert len(seen) == current and pages == -(-current // 50)


def test_limit_is_clamped_and_bad_paging_is_refused(client):
    assert get_items(client, "border_gates", limit=50_000)["numberReturned"] == 8
    for params, words in [
        ({"limit": 0}, "at least 1"),
        ({"limit": "ten"}, "whole number"),
        ({"offset": -1}, "negative"),
        ({"limit": "9" * 5000}, "limit is too large"),
        ({"offset": str(2**63)}, "offset is too large"),
        ({"offset": "-" + "9" * 5000}, "negative"),
    ]:
        response = client.get("/collections/border_gates/items", params=params)
        assert response.status_code == 400 and words in response.json()["description"]
    last = get_items(client, "border_gates", offset=2**63 - 1)  # the largest offset PostgreSQL takes
    assert last["numberReturned"] == 0 and last["features"] == []


def test_bbox_returns_what_a_point_in_box_test_returns(client):
    box = (104.9, 10.5, 105.1, 10.95)
    expected = {
        uid
        for uid, f in gates_by_uid().items()
        if box[0] <= f["geometry"]["coordinates"][0] <= box[2] and box[1] <= f["geometry"]["coordinates"][1] <= box[3]
    }
    body = get_items(client, "border_gates", bbox=",".join(map(str, box)))
    assert {f["properties"]["uid"] for f in body["features"]} == expected
    lat_lon = get_items(client, "border_gates", bbox="10.5,104.9,10.95,105.1", **{"bbox-crs": "EPSG:4326"})
    assert {f["properties"]["uid"] for f in lat_lon["features"]} == expected


def test_bbox_in_vn2000_selects_the_same_gates(client):
    to_tm3 = Transformer.from_crs(4326, 9209, always_xy=True)
    x, y = to_tm3.transform(105.160144, 18.390175)  # Cầu Treo gate
    box = f"{x - 2000},{y - 2000},{x + 2000},{y + 2000}"
    body = get_items(client, "border_gates", bbox=box, **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/9209"})
    assert {f["properties"]["uid"] for f in body["features"]} == {"CK-CAU-TREO", "LA-NAM-PHAO"}


@pytest.mark.parametrize("epsg", [9209, 9208, 5897, 3405])
def test_output_in_vn2000_matches_pyproj(client, epsg):
    response = client.get("/collections/border_gates/items", params={"crs": f"EPSG:{epsg}"})
    assert response.headers["content-crs"] == f"<http://www.opengis.net/def/crs/EPSG/0/{epsg}>"
    to_vn = Transformer.from_crs(4326, epsg, always_xy=True)
    source = gates_by_uid()
    for feature in response.json()["features"]:
        lon, lat = source[feature["properties"]["uid"]]["geometry"]["coordinates"]
        easting, northing = to_vn.transform(lon, lat)
        assert feature["geometry"]["coordinates"] == pytest.approx([easting, northing], abs=0.01)


def test_epsg_4326_output_is_latitude_first(client):
    body = get_items(client, "border_gates", crs="http://www.opengis.net/def/crs/EPSG/0/4326", uid="CK-CAU-TREO")
    assert body["features"][0]["geometry"]["coordinates"] == pytest.approx([18.390175, 105.160144])


def test_unsupported_crs_names_the_supported_ones(client):
    response = client.get("/collections/border_gates/items", params={"crs": "EPSG:6957"})
    assert response.status_code == 400
    assert "9209" in response.json()["description"]
    response = client.get("/collections/border_gates/items", params={"crs": "EPSG:2000"})
    assert response.status_code == 400 and "Supported" in response.json()["description"]


def test_cql2_text_and_json_agree_with_the_data_file(client):
    expected = {uid for uid, f in gates_by_uid().items() if f["properties"]["gate_class"] == "international"}
    as_text = get_items(client, "border_gates", filter="gate_class = 'international'")
    as_json = get_items(
        client,
        "border_gates",
        **{
            "filter": json.dumps({"op": "=", "args": [{"property": "gate_class"}, "international"]}),
            "filter-lang": "cql2-json",
        },
    )
    assert {f["properties"]["uid"] for f in as_text["features"]} == expected
    assert {f["properties"]["uid"] for f in as_json["features"]} == expected


def test_cql2_like_in_between_and_null(client):
    like = get_items(client, "border_gates", filter="name_vi LIKE 'Cửa khẩu quốc tế%'")
    assert {f["properties"]["name_vi"] for f in like["features"]} == {
        f["properties"]["name_vi"]
        for f in demo_features("border_gates")
        if f["properties"]["name_vi"].startswith("Cửa khẩu quốc tế")
    }
    within = get_items(client, "border_gates", filter="country IN ('KH', 'LA')")
    assert {f["properties"]["country"] for f in within["features"]} == {"KH", "LA"}
    plots = get_items(client, "land_plots", filter="area_ha BETWEEN 5 AND 10", limit=1000)
    assert plots["numberMatched"] > 0
    assert all(5 <= f["properties"]["area_ha"] <= 10 for f in plots["features"])
    unopened = get_items(client, "border_gates", filter="opened_on IS NULL")
    assert all(f["properties"]["opened_on"] is None for f in unopened["features"])


def test_s_dwithin_on_the_ellipsoid(client):
    geod = Geod(ellps="WGS84")
    centre = (104.99, 10.64)
    distances = {
        uid: geod.inv(centre[0], centre[1], *f["geometry"]["coordinates"])[2] for uid, f in gates_by_uid().items()
    }
    radius = 5_500
    expected = {uid for uid, d in distances.items() if d <= radius}
    assert expected and len(expected) < len(distances)
    body = get_items(client, "border_gates", filter=f"S_DWITHIN(geom, POINT({centre[0]} {centre[1]}), {radius})")
    assert {f["properties"]["uid"] for f in body["features"]} == expected


def test_spatial_and_temporal_predicates(client):
    polygon = "POLYGON((104.9 10.5, 105.1 10.5, 105.1 10.7, 104.9 10.7, 104.9 10.5))"
    inside = get_items(client, "border_gates", filter=f"S_WITHIN(geom, {polygon})")
    assert {f["properties"]["uid"] for f in inside["features"]} == {"CK-TINH-BIEN", "KH-PHNOM-DEN"}
    after = get_items(client, "decisions", filter="T_AFTER(date_signed, DATE('2024-01-01'))", limit=1000)
    assert after["numberMatched"] > 0
    assert all(f["properties"]["date_signed"] > "2024-01-01" for f in after["features"])


def test_datetime_selects_the_versions_valid_then(client):
    def zone(when: str | None) -> dict:
        params = {"uid": "KKTCK-CT"} | ({"datetime": when} if when else {})
        features = get_items(client, "economic_zones", **params)["features"]
        assert len(features) == 1
        return features[0]["properties"]

    assert zone("2020-01-01")["valid_to"] == "2026-03-16"
    assert zone("2026-03-16")["valid_from"] == "2026-03-16"
    assert zone(None)["valid_to"] is None
    both = get_items(client, "economic_zones", uid="KKTCK-CT", datetime="2020-01-01/2026-12-31")
    assert both["numberMatched"] == 2
    everything = get_items(client, "economic_zones", datetime="../..")
    assert everything["numberMatched"] > get_items(client, "economic_zones")["numberMatched"]


def test_properties_and_sortby(client):
    body = get_items(client, "land_plots", properties="code,area_ha", sortby="-area_ha", limit=20)
    assert all(set(f["properties"]) == {"code", "area_ha"} for f in body["features"])
    areas = [f["properties"]["area_ha"] for f in body["features"]]
    assert areas == sorted(areas, reverse=True)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"bbox": "1,2,3"}, "4 or 6"),
        ({"bbox": "105,11,104,10"}, "lower corner"),
        ({"bbox": "a,b,c,d"}, "numbers"),
        ({"bbox": "1e999,10,105,11"}, "numbers"),
        ({"bbox": "nan,10,105,11"}, "numbers"),
        ({"datetime": "yesterday"}, "RFC 3339"),
        ({"datetime": "2020-01-01/2010-01-01"}, "ends before"),
        ({"filter": "gate_class = = 'x'"}, "1:14"),
        ({"filter": "colour = 'red'"}, "unknown property 'colour'"),
        ({"filter": "x", "filter-lang": "ecql"}, "not supported"),
        ({"properties": "colour"}, "unknown property"),
        ({"sortby": "colour"}, "cannot sort by 'colour'"),
        ({"colour": "red"}, "unknown parameter or property colour"),
        ({"opened_on": "not-a-date"}, "not a valid date"),
        ({"filter": "S_DWITHIN(geom, POINT(105 10), 'far')"}, "distance"),
    ],
)
def test_bad_input_is_a_readable_400(client, params, words):
    response = client.get("/collections/border_gates/items", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] and words in body["description"]


def test_unknown_collection_and_feature_are_404(client):
    assert client.get("/collections/parcels/items").status_code == 404
    assert client.get("/collections/border_gates/items/999999").status_code == 404
    assert client.get("/collections/border_gates/items/abc").status_code == 404


def test_internal_layers_and_fields_stay_hidden_from_anonymous_readers(client):
    for path in (
        "/collections/clearance_parcels",
        "/collections/clearance_parcels/items",
        "/collections/clearance_parcels/queryables",
        "/collections/clearance_parcels/tiles/WebMercatorQuad/14/13073/7332",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer"), path
    assert "clearance_parcels" not in [c["id"] for c in client.get("/collections").json()["collections"]]
    projects = get_items(client, "projects", limit=100)
    assert all("policy_decision_id" not in f["properties"] for f in projects["features"])
    assert "policy_decision_id" not in client.get("/collections/projects/queryables").json()["properties"]
    refused = client.get("/collections/projects/items", params={"filter": "policy_decision_id > 0"})
    assert refused.status_code == 400


def _project_with_a_policy_decision(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id, policy_decision_id FROM projects WHERE policy_decision_id IS NOT NULL ORDER BY id LIMIT 1")
        ).one()


def _set_policy_decision(engine, project_id: int, decision_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE projects SET policy_decision_id = :d WHERE id = :p"), {"d": decision_id, "p": project_id}
        )


def test_etag_reveals_nothing_of_the_row_and_follows_every_write(client, staff, engine):
    project_id, decision_id = _project_with_a_policy_decision(engine)
    path = f"/collections/projects/items/{project_id}"
    anonymous = client.get(path).headers["etag"]
    assert client.get(path).headers["etag"] == anonymous  # stable for the same reader
    staff_tag = client.get(path, headers=staff["viewer"]).headers["etag"]
    assert client.get(path, headers=staff["viewer"]).headers["etag"] == staff_tag
    assert anonymous.startswith('"') and anonymous.endswith('"')  # strong
    # What an anonymous reader could rebuild: the row as JSON with every possible internal decision id, hashed.
    with engine.connect() as conn:
        rebuilt = conn.execute(
            text(
                "SELECT md5(x), encode(sha256(convert_to(x, 'UTF8')), 'hex') FROM ("
                "  SELECT jsonb_set(to_jsonb(p), '{policy_decision_id}', coalesce(to_jsonb(d.id), 'null'))::text AS x"
                "  FROM projects p, (SELECT id FROM decisions UNION ALL SELECT NULL) d WHERE p.id = :p) t"
            ),
            {"p": project_id},
        ).all()
    candidates = {h for row in rebuilt for h in row} | {hashlib.md5(client.get(path).content).hexdigest()}
    assert len(rebuilt) > 2
    assert not any(c in tag for c in candidates for tag in (anonymous, staff_tag))
    # An edit of an internal field alone changes the tag every reader sees.
    with engine.connect() as conn:
        other = conn.execute(text("SELECT min(id) FROM decisions WHERE id <> :d"), {"d": decision_id}).scalar_one()
    try:
        _set_policy_decision(engine, project_id, other)
        assert client.get(path).headers["etag"] != anonymous
        assert client.get(path, headers=staff["viewer"]).headers["etag"] != staff_tag
    finally:
        _set_policy_decision(engine, project_id, decision_id)


def test_head_on_an_item_gives_the_get_headers_without_a_body(client, staff):
    fid = get_items(client, "border_gates", uid="CK-CAU-TREO")["features"][0]["id"]
    path = f"/collections/border_gates/items/{fid}"
    for headers in ({}, staff["viewer"]):
        got, head = client.get(path, headers=headers), client.head(path, headers=headers)
        assert head.status_code == 200 and head.content == b""
        for name in ("etag", "content-type", "content-crs", "vary"):
            assert head.headers[name] == got.headers[name], name
    assert client.head("/collections/border_gates/items/999999").status_code == 404


def test_one_feature_keeps_vietnamese_text(client):
    listing = get_items(client, "border_gates", uid="CK-CAU-TREO")
    fid = listing["features"][0]["id"]
    feature = client.get(f"/collections/border_gates/items/{fid}").json()
    assert feature["properties"]["name_vi"] == "Cửa khẩu quốc tế Cầu Treo"
    assert feature["geometry"]["coordinates"] == pytest.approx([105.160144, 18.390175])


def test_decisions_have_no_geometry(client):
    body = get_items(client, "decisions", number="439/QĐ-TTg")
    assert body["features"][0]["geometry"] is None
    assert body["features"][0]["properties"]["date_signed"] == "2026-03-16"


def test_html_pages_use_assets_served_by_the_app(client):
    for path in ("/", "/collections", "/collections/border_gates", "/collections/border_gates/items"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
    page = client.get("/collections/border_gates?f=html").text
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page and "http" not in page.split("<main>")[0].replace(
        'lang="vi"', ""
    )
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/app/collection.js").status_code == 200
    fid = get_items(client, "border_gates", uid="CK-TINH-BIEN")["features"][0]["id"]
    item = client.get(f"/collections/border_gates/items/{fid}", params={"f": "html"}).text
    assert "Cửa khẩu quốc tế Tịnh Biên" in item


def test_f_parameter_and_accept_header_choose_the_encoding(client):
    assert client.get("/collections/border_gates/items?f=json").headers["content-type"] == "application/json"
    assert (
        client.get("/collections/border_gates/items", headers={"Accept": "application/geo+json"}).headers[
            "content-type"
        ]
        == "application/geo+json"
    )
    assert client.get("/collections?f=xml").status_code == 400


def test_filter_crs_reads_literals_in_vn2000(client):
    to_tm3 = Transformer.from_crs(4326, 9209, always_xy=True)
    x, y = to_tm3.transform(105.160144, 18.390175)  # Cầu Treo gate, in VN-2000 / TM-3 105-30 metres
    square = (
        f"POLYGON(({x - 300} {y - 300}, {x + 300} {y - 300}, {x + 300} {y + 300}, {x - 300} {y + 300}, "
        f"{x - 300} {y - 300}))"
    )
    body = get_items(
        client,
        "border_gates",
        filter=f"S_INTERSECTS(geom, {square})",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/9209"},
    )
    assert {f["properties"]["uid"] for f in body["features"]} == {"CK-CAU-TREO"}


def test_curl_i_reads_an_items_etag_from_the_served_app(live_server):
    fid = httpx.get(f"{live_server}/collections/border_gates/items", params={"limit": 1}).json()["features"][0]["id"]
    url = f"{live_server}/collections/border_gates/items/{fid}"
    got, head = httpx.get(url), httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == str(len(got.content))
