"""CQL2 filters that used to crash the parser or PostgreSQL: each answers 400 with a message on every path."""

import json
import os
import subprocess
import sys

import pytest

from gis.cql import parse_filter
from gis.errors import InvalidInput

DEEP_PARENS = "(" * 3000 + "status = 'a'" + ")" * 3000  # overflowed the native parser's stack (segfault)
DEEP_NOT = "NOT " * 1000 + "status = 'a'"  # RecursionError in the walker
BAD_BBOX = '{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[1,"a",3,4]}]}'
FAR_POINT = '{"op":"s_within","args":[{"property":"geom"},{"type":"Point","coordinates":[1e300,1e300]}]}'
VN2000_TM3 = "http://www.opengis.net/def/crs/EPSG/0/9209"
PATHS = [
    "/collections/land_plots/items",
    "/collections/land_plots/items?f=csv",
    "/collections/land_plots/tiles/WebMercatorQuad/14/13000/7500",
]


def _nested_json(depth: int) -> str:
    condition = {"op": "=", "args": [{"property": "status"}, "a"]}
    return '{"op":"not","args":[' * depth + json.dumps(condition) + "]}" * depth


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filter": DEEP_PARENS}, "nested 3000 levels deep; the limit is 64"),
        ({"filter": DEEP_NOT}, "nested 1000 levels deep; the limit is 64"),
        ({"filter": "area_ha = " + "-" * 500 + "1"}, "the limit is 64"),
        ({"filter": "area_ha = " + "1 + " * 2000 + "1"}, "the limit is 64"),
        ({"filter": _nested_json(500), "filter-lang": "cql2-json"}, "the limit is 64"),
        ({"filter": "status IN (" + ", ".join(["'ab'"] * 4000) + ")"}, "the limit is 20000"),
        ({"filter": "status = 1"}, "property 'status' (text) with 1"),
        ({"filter": "status BETWEEN 1 AND 'z'"}, "property 'status' (text)"),
        ({"filter": "area_ha = 'abc'"}, "property 'area_ha' (a number) with \"abc\" (text)"),
        ({"filter": "geom = 1"}, "property 'geom' (a geometry)"),
        ({"filter": "status IN (1, 2)"}, "property 'status' (text)"),
        ({"filter": "area_ha LIKE '5%'"}, "property 'area_ha' (a number)"),
        ({"filter": "CASEI(area_ha) = 'x'"}, "takes text"),
        ({"filter": "T_AFTER(status, DATE('2024-01-01'))"}, "property 'status' (text)"),
        ({"filter": "S_INTERSECTS(status, POINT(105 10))"}, "property 'status' is not a geometry"),
        ({"filter": "status = area_ha"}, "property 'area_ha' (a number)"),
        ({"filter": "area_ha > 1e999"}, "too large"),
        ({"filter": '{"op":"=","args":[]}', "filter-lang": "cql2-json"}, "needs 2 operand(s)"),
        ({"filter": '{"op":"isnull","args":[]}', "filter-lang": "cql2-json"}, "needs 1 operand(s)"),
        ({"filter": BAD_BBOX, "filter-lang": "cql2-json"}, "4 or 6 numbers"),
        ({"filter": "S_INTERSECTS(geom, POINT(200 100))"}, "outside longitude -180..180 / latitude -90..90"),
        ({"filter": "S_INTERSECTS(geom, POINT(99999999 99999999))", "filter-crs": VN2000_TM3}, "outside EPSG:9209's"),
        ({"filter": FAR_POINT, "filter-lang": "cql2-json", "filter-crs": VN2000_TM3}, "outside EPSG:9209's"),
    ],
)
def test_bad_filters_answer_400_naming_the_problem(client, path, params, expected):
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "InvalidInput"
    assert expected in response.json()["description"]


def test_filters_within_the_limits_still_work(client):
    nested = "(" * 60 + "status = 'available'" + ")" * 60
    plain = client.get("/collections/land_plots/items", params={"filter": "status = 'available'", "limit": 1000})
    deep = client.get("/collections/land_plots/items", params={"filter": nested, "limit": 1000})
    assert plain.status_code == deep.status_code == 200, deep.text
    found = {f["id"] for f in deep.json()["features"]}
    assert found == {f["id"] for f in plain.json()["features"]} and len(found) > 0
    assert all(f["properties"]["status"] == "available" for f in deep.json()["features"])
    params = {"filter": "date_signed > '2024-01-01'", "limit": 1000}
    dated = client.get("/collections/decisions/items", params=params)
    assert dated.status_code == 200 and dated.json()["features"]
    assert all(f["properties"]["date_signed"] > "2024-01-01" for f in dated.json()["features"])
    assert client.get("/collections/decisions/items", params={"filter": "date_signed > 'soon'"}).status_code == 400


def test_a_nul_character_in_a_filter_is_refused_before_the_database():
    with pytest.raises(InvalidInput, match="NUL"):
        parse_filter("status = 'a\x00b'", None)


def test_the_cli_refuses_a_deep_filter_with_a_message(database_url, engine, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "api", "export", "land_plots", "--filter", DEEP_PARENS, "-o", str(tmp_path / "p.gpkg")],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr  # bad input, not a crash (-11)
    assert "nested 3000 levels deep; the limit is 64" in done.stderr
    assert not (tmp_path / "p.gpkg").exists()
