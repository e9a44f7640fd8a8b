"""A layer's declared queryables are what its readers may filter on: listed by /queryables, enforced everywhere."""

import json

import pytest

PROJECT_QUERYABLES = {
    "uid",
    "name_vi",
    "name_en",
    "investor",
    "sector",
    "status",
    "province_code",
    "zone_uid",
    "park_uid",
    "geom",
}
PARCEL_QUERYABLES = {"project_id", "parcel_no", "map_sheet", "commune_code", "landuse_code", "stage", "geom"}


def test_queryables_list_exactly_the_declared_ones_the_reader_may_see(client, staff):
    anonymous = client.get("/collections/projects/queryables").json()["properties"]
    assert set(anonymous) == PROJECT_QUERYABLES
    assert "investor_country" not in anonymous and "capital_vnd" not in anonymous  # readable, but not queryable
    parcels = client.get("/collections/clearance_parcels/queryables", headers=staff["viewer"]).json()["properties"]
    assert set(parcels) == PARCEL_QUERYABLES  # owner_name is visible to staff but not a queryable
    decisions = client.get("/collections/decisions/queryables").json()["properties"]
    assert set(decisions) == {
        *("number", "kind", "authority", "plan_level", "zone_uid", "date_signed", "date_effective"),
        "project_uid",  # the project a land-recovery or compensation decision names (data health)
    }
    assert decisions["date_signed"]["format"] == "date"


@pytest.mark.parametrize(
    "params",
    [
        {"filter": "investor_country = 'JP'"},
        {
            "filter": json.dumps({"op": "=", "args": [{"property": "investor_country"}, "JP"]}),
            "filter-lang": "cql2-json",
        },
        {"filter": "status = 'operating' AND capital_vnd > 0"},
        {"investor_country": "JP"},
    ],
)
def test_filters_on_readable_but_not_queryable_fields_are_400_naming_the_queryables(client, params):
    response = client.get("/collections/projects/items", params=params)
    assert response.status_code == 400, response.text
    description = response.json()["description"]
    assert "cannot be used in filters of 'projects'" in description
    assert "queryable properties are: uid, name_vi, name_en, investor, sector, status" in description


def test_the_same_rule_holds_for_exports_and_tiles(client):
    export = client.get(
        "/collections/projects/items", params={"f": "csv", "filter": "sector <> 'x' OR capital_vnd = 1"}
    )
    assert export.status_code == 400 and "'capital_vnd' cannot be used in filters" in export.json()["description"]
    tile = client.get("/collections/projects/tiles/WebMercatorQuad/8/203/113", params={"filter": "source = 'x'"})
    assert tile.status_code == 400 and "'source' cannot be used in filters" in tile.json()["description"]


def test_queryable_filters_still_answer(client):
    japanese = client.get("/collections/projects/items", params={"filter": "investor LIKE '%Nhật%' OR status = 'x'"})
    assert japanese.status_code == 200
    by_status = client.get("/collections/projects/items", params={"status": "operating", "limit": 1000}).json()
    assert by_status["numberMatched"] > 0
    assert {f["properties"]["status"] for f in by_status["features"]} == {"operating"}
