"""GET /api/map-labels: the names map pages write, chosen like items, worded from layers.labels, placed by PostGIS.

Expected rows and words come from plain SQL on the demo tables and from the words table, not from the label code.
"""

import pytest
from sqlalchemy import text

from layers.labels import COUNTRIES
from layers.map_labels import LABELLED

AN_GIANG_BOX = "104.5,10.3,105.5,11.2"
ALL = ",".join(LABELLED)


def labels(client, headers=None, **params) -> list[dict]:
    response = client.get("/api/map-labels", params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()["labels"]


def test_gate_labels_name_the_counterpart_and_its_country_in_both_languages(client, db_conn):
    rows = db_conn.execute(
        text(
            "SELECT id, name_vi, name_en, counterpart_name, counterpart_country FROM border_gates "
            "WHERE geom && ST_MakeEnvelope(104.5, 10.3, 105.5, 11.2, 4326)"
        )
    ).all()
    assert rows
    found = {
        label["id"]: label for label in labels(client, layers="border_gates", bbox=AN_GIANG_BOX, countries="false")
    }
    assert set(found) == {r.id for r in rows}
    for r in rows:
        vi, en = COUNTRIES[r.counterpart_country]
        assert found[r.id]["vi"] == f"{r.name_vi}\n↔ {r.counterpart_name} ({vi})"
        assert found[r.id]["en"] == f"{r.name_en or r.name_vi}\n↔ {r.counterpart_name} ({en})"
        assert found[r.id]["kind"] == "point"
    tinh_bien = next(label for label in found.values() if "Tịnh Biên" in label["vi"])
    assert "Campuchia" in tinh_bien["vi"] and "Cambodia" in tinh_bien["en"]


def test_area_labels_sit_inside_their_area_with_the_room_it_has(client, db_conn):
    zones = [
        label for label in labels(client, layers="economic_zones", bbox=AN_GIANG_BOX) if label["layer"] != "basemap"
    ]
    assert zones
    for label in zones:
        inside, width = db_conn.execute(
            text(
                "SELECT ST_Contains(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)), "
                "least(ST_XMax(m) - ST_XMin(m), ST_YMax(m) - ST_YMin(m)) "
                "FROM (SELECT geom, ST_Transform(geom, 3857) AS m FROM economic_zones WHERE id = :id) z"
            ),
            {"lon": label["lon"], "lat": label["lat"], "id": label["id"]},
        ).one()
        assert inside, label
        assert 0 < label["size"] <= width  # the widest circle inside fits in the zone's extent
        assert label["kind"] == "area"


def test_labels_follow_the_plan_date_like_items(client, db_conn):
    day = "2015-01-01"
    expected = set(
        db_conn.execute(
            text(
                "SELECT id FROM functional_areas WHERE valid_during @> CAST(:d AS date) "
                "AND geom && ST_MakeEnvelope(104.5, 10.3, 105.5, 11.2, 4326)"
            ),
            {"d": day},
        ).scalars()
    )
    current = set(
        db_conn.execute(
            text(
                "SELECT id FROM functional_areas WHERE valid_to IS NULL "
                "AND geom && ST_MakeEnvelope(104.5, 10.3, 105.5, 11.2, 4326)"
            )
        ).scalars()
    )
    assert expected != current  # the demo changed An Giang's plan since
    then = {
        label["id"]
        for label in labels(client, layers="functional_areas", bbox=AN_GIANG_BOX, datetime=day, countries="false")
    }
    now = {label["id"] for label in labels(client, layers="functional_areas", bbox=AN_GIANG_BOX, countries="false")}
    assert then == expected and now == current


def test_plot_labels_are_codes_and_every_labelled_layer_answers(client, db_conn):
    lon, lat = db_conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM land_plots "
            "WHERE valid_to IS NULL ORDER BY id LIMIT 1) p"
        )
    ).one()
    box = f"{lon - 0.05},{lat - 0.05},{lon + 0.05},{lat + 0.05}"
    found = labels(client, layers=ALL, bbox=box)
    plots = [label for label in found if label["layer"] == "land_plots"]
    codes = set(
        db_conn.execute(
            text(
                "SELECT code FROM land_plots WHERE valid_to IS NULL AND geom && ST_MakeEnvelope(:a, :b, :c, :d, 4326)"
            ),
            {"a": lon - 0.05, "b": lat - 0.05, "c": lon + 0.05, "d": lat + 0.05},
        ).scalars()
    )
    assert {p["vi"] for p in plots} == codes and all(p["vi"] == p["en"] for p in plots)
    priorities = [label["priority"] for label in found]
    assert priorities == sorted(priorities)


def test_countries_are_named_from_the_base_map_in_both_languages(client):
    found = {label["id"]: label for label in labels(client, bbox="100,8,110,24") if label["kind"] == "country"}
    assert {"VN", "KH", "LA", "CN"} <= set(found)
    assert found["VN"]["vi"] == "VIỆT NAM" and found["VN"]["en"] == "VIET NAM"
    assert found["KH"]["vi"] == "CAMPUCHIA" and found["LA"]["vi"] == "LÀO"
    assert not [label for label in labels(client, bbox="100,8,110,24", countries="false") if label["kind"] == "country"]


def test_internal_layers_need_staff_and_unlabelled_layers_are_named(client, staff):
    anonymous = client.get("/api/map-labels", params={"layers": "clearance_parcels", "bbox": AN_GIANG_BOX})
    assert anonymous.status_code == 401
    refused = client.get(
        "/api/map-labels", params={"layers": "clearance_parcels", "bbox": AN_GIANG_BOX}, headers=staff["viewer"]
    )
    assert refused.status_code == 400
    assert "carry no names on the map" in refused.json()["description"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "bbox needs 4 numbers"),
        ({"bbox": "100,0,150,30"}, "at most 40°"),
        ({"bbox": "105,11,104,10"}, "lower corner must come first"),
        ({"bbox": AN_GIANG_BOX, "layers": "nowhere"}, "no layer 'nowhere'"),
        ({"bbox": AN_GIANG_BOX, "layers": "border_gates,border_gates"}, "named twice"),
        ({"bbox": AN_GIANG_BOX, "countries": "maybe"}, "countries must be true or false"),
        ({"bbox": AN_GIANG_BOX, "limit": "5"}, "unknown parameter limit"),
    ],
)
def test_bad_label_requests_are_refused_with_a_sentence(client, params, words):
    response = client.get("/api/map-labels", params=params)
    assert 400 <= response.status_code < 500
    assert words in response.json()["description"]
