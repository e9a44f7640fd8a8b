"""The offline base map: loaded once by the set-up, served as vector tiles carrying the countries' outlines.

Expected values come from plain SQL on basemap_features and from the committed region file, independently of the
tile code; the tiles are decoded with mapbox-vector-tile.
"""

import json

import mapbox_vector_tile
import morecantile
import pytest
from shapely.geometry import Point, shape
from sqlalchemy import text

from gis.settings import PROJECT_ROOT
from layers.basemap import basemap_file, load_basemap

TMS = morecantile.tms.get("WebMercatorQuad")
REGION_FILE = basemap_file(PROJECT_ROOT / "data")
CAU_TREO = (105.160144, 18.390175)  # data/sources/border_gates.csv: a SOURCED gate point on the Vietnam–Laos border


def tile_of(lon: float, lat: float, z: int) -> str:
    t = TMS.tile(lon, lat, z)
    return f"/basemap/tiles/WebMercatorQuad/{t.z}/{t.x}/{t.y}"


def countries_in_sql(db_conn, lon: float, lat: float, z: int) -> set[str]:
    t = TMS.tile(lon, lat, z)
    rows = db_conn.execute(
        text(
            "SELECT DISTINCT country FROM basemap_features WHERE kind = 'land' "
            "AND ST_Intersects(geom, ST_TileEnvelope(:z, :x, :y))"
        ),
        {"z": t.z, "x": t.x, "y": t.y},
    )
    return set(rows.scalars())


def test_tiles_carry_the_outlines_of_vietnam_and_cambodia(client, db_conn):
    lon, lat = 105.0, 10.7  # the An Giang border, Tịnh Biên to Vĩnh Xương
    response = client.get(tile_of(lon, lat, 7))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layers = mapbox_vector_tile.decode(response.content)
    assert set(layers) == {"land", "lines"}
    drawn = {f["properties"]["country"] for f in layers["land"]["features"]}
    assert drawn == countries_in_sql(db_conn, lon, lat, 7) >= {"VN", "KH"}
    borders = {
        f["properties"].get("countries") for f in layers["lines"]["features"] if f["properties"]["kind"] == "border"
    }
    assert "KH|VN" in borders
    assert any(f["properties"]["kind"] == "coastline" for f in layers["lines"]["features"])
    for feature in layers["land"]["features"]:  # public reference data: no other attribute travels
        assert set(feature["properties"]) == {"country"}


def test_every_neighbour_of_the_boards_gates_is_in_the_base(db_conn):
    # The borders the gates sit on: Vietnam's with Cambodia, Laos and China, from the region file itself.
    features = json.loads(REGION_FILE.read_text(encoding="utf-8"))["features"]
    in_file = {f["properties"]["countries"] for f in features if f["properties"]["kind"] == "border"}
    assert {"KH|VN", "LA|VN", "CN|VN"} <= in_file
    stored = set(
        db_conn.execute(text("SELECT DISTINCT countries FROM basemap_features WHERE kind = 'border'")).scalars()
    )
    assert stored == in_file
    assert all(f["properties"]["source"].startswith("OpenStreetMap contributors (ODbL)") for f in features)


def test_the_vietnam_laos_border_passes_within_half_a_kilometre_of_cau_treo(db_conn):
    # A 1:10m Natural Earth border misses the gate by about 1.8 km; the OSM-derived one by about 0.4 km (docs/maps.md).
    metres = db_conn.execute(
        text(
            "SELECT ST_Distance(ST_Transform(ST_Collect(geom), 4326)::geography, "
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) FROM basemap_features "
            "WHERE kind = 'border' AND countries = 'LA|VN'"
        ),
        {"lon": CAU_TREO[0], "lat": CAU_TREO[1]},
    ).scalar_one()
    assert metres < 500


def test_land_pieces_match_the_file_and_the_vietnamese_gates_stand_on_vietnamese_land(db_conn):
    features = json.loads(REGION_FILE.read_text(encoding="utf-8"))["features"]
    vietnam = next(
        shape(f["geometry"])
        for f in features
        if f["properties"]["kind"] == "land" and f["properties"]["country"] == "VN"
    )
    # Areas in the stored CRS (Web Mercator): cutting into pieces must keep every square metre.
    area_file = db_conn.execute(
        text("SELECT ST_Area(ST_Transform(ST_GeomFromText(:wkt, 4326), 3857))"), {"wkt": vietnam.wkt}
    ).scalar_one()
    area_stored = db_conn.execute(
        text("SELECT sum(ST_Area(geom)) FROM basemap_features WHERE kind = 'land' AND country = 'VN'")
    ).scalar_one()
    assert area_stored == pytest.approx(area_file, rel=1e-6)
    assert vietnam.contains(Point(*CAU_TREO)) or vietnam.distance(Point(*CAU_TREO)) < 0.005
    assert db_conn.execute(text("SELECT max(ST_NPoints(geom)) FROM basemap_features")).scalar_one() <= 256


def test_a_repeated_load_changes_nothing_and_a_new_file_replaces_the_base(db_conn, tmp_path):
    before = db_conn.execute(text("SELECT count(*), max(id) FROM basemap_features")).one()
    assert load_basemap(db_conn, REGION_FILE) is None
    assert db_conn.execute(text("SELECT count(*), max(id) FROM basemap_features")).one() == before
    square = {"type": "Polygon", "coordinates": [[[105, 10], [106, 10], [106, 11], [105, 11], [105, 10]]]}
    other = tmp_path / "region.geojson"
    other.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kind": "land", "country": "VN", "source": "test"},
                        "geometry": square,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert load_basemap(db_conn, other) == 1
    assert db_conn.execute(text("SELECT count(*) FROM basemap_features")).scalar_one() == 1


def test_a_file_without_source_or_kind_is_refused_and_nothing_changes(db_conn, tmp_path):
    before = db_conn.execute(text("SELECT count(*) FROM basemap_features")).scalar_one()
    bad = tmp_path / "region.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kind": "sea"},
                        "geometry": {"type": "Point", "coordinates": [105, 10]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="kind must be one of"):
        load_basemap(db_conn, bad)
    assert db_conn.execute(text("SELECT count(*) FROM basemap_features")).scalar_one() == before


def test_open_sea_is_an_empty_tile_and_the_etag_revalidates(client):
    assert client.get(tile_of(115.5, 3.0, 8)).status_code == 204  # the South China Sea, outside the region
    first = client.get(tile_of(105.0, 10.7, 9))
    assert first.status_code == 200
    again = client.get(tile_of(105.0, 10.7, 9), headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/basemap/tiles/WebMercatorQuad/17/0/0", "up to zoom 16"),
        ("/basemap/tiles/WebMercatorQuad/3/9/0", "outside WebMercatorQuad"),
        ("/basemap/tiles/WorldCRS84Quad/3/1/1", "is not offered"),
        ("/basemap/tiles/WebMercatorQuad/3/1/1?bbox=1,2,3,4", "unknown parameter bbox"),
    ],
)
def test_bad_tile_requests_are_refused_with_a_sentence(client, path, words):
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert words in response.json()["description"]
