"""Imports: the validation report, all-or-nothing writes, versions under a decision, the audit log, bad files.

Every test runs in `db_conn` (rolled back afterwards); the malformed-input tests assert the message a person reads
and that no row of the layer changed.
"""

import json
import sqlite3
import struct
import zipfile
from datetime import date
from pathlib import Path

import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, box
from sqlalchemy import text

from gis.errors import InvalidInput, NotFound, Unprocessable
from gis.io import CsvOptions, read_vector
from layers.imports import ImportOptions, apply_import, plan_import

TO_9209 = Transformer.from_crs("EPSG:4326", "EPSG:9209", always_xy=True)
TABLES = ("border_gates", "land_plots", "audit_log")


def gate(uid: str, lon: float = 105.2, lat: float = 18.4, **props) -> dict:
    properties = {
        "uid": uid,
        "name_vi": f"Cửa khẩu thử {uid}",
        "gate_class": "secondary",
        "mode": "road",
        "province_code": "HA_TINH",
    } | props
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": None if lon is None else {"type": "Point", "coordinates": [lon, lat]},
    }


def geojson(tmp_path: Path, features: list[dict], name: str = "gates.geojson") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def refused_file(conn, layer: str, path: Path, words: str, **options) -> None:
    """A file-level fault: InvalidInput (or NotFound) naming the problem, nothing written."""
    before = counts(conn)
    with pytest.raises((InvalidInput, NotFound)) as caught:
        plan_import(conn, layer, path, ImportOptions(**options))
    assert words in str(caught.value)
    assert counts(conn) == before


def refused_features(conn, layer: str, path: Path, kind: str, words: str, **options) -> None:
    """A feature-level fault: listed in the report with where it is; apply refuses; nothing written."""
    before = counts(conn)
    plan = plan_import(conn, layer, path, ImportOptions(**options))
    assert not plan.report.ok
    matching = [p for p in plan.report.problems if p.kind == kind and words in p.message]
    assert matching, plan.report.text()
    assert "REFUSED, nothing written" in plan.report.text()
    with pytest.raises(InvalidInput, match="nothing was written"):
        apply_import(conn, plan)
    assert counts(conn) == before


# --- what a good import does ------------------------------------------------------------------------------------


def test_new_gates_are_written_with_diacritics_and_audited(db_conn, tmp_path):
    before = counts(db_conn)
    path = geojson(
        tmp_path, [gate("CK-THU-1", 105.21, 18.41), gate("CK-THU-2", 105.22, 18.42, name_vi="Cửa khẩu Đồng Văn")]
    )
    plan = plan_import(db_conn, "border_gates", path, ImportOptions())
    assert plan.report.ok and plan.report.creates == 2 and plan.report.updates == 0
    assert plan.report.field_mapping["name_vi"] == "name_vi"
    apply_import(db_conn, plan)
    after = counts(db_conn)
    assert after["border_gates"] == before["border_gates"] + 2
    assert after["audit_log"] == before["audit_log"] + 2
    row = db_conn.execute(text("SELECT name_vi, ST_X(geom), ST_Y(geom) FROM border_gates WHERE uid = 'CK-THU-2'")).one()
    assert row == ("Cửa khẩu Đồng Văn", pytest.approx(105.22), pytest.approx(18.42))
    audit = db_conn.execute(
        text("SELECT action, after->>'name_vi' FROM audit_log WHERE feature_uid = 'CK-THU-2'")
    ).one()
    assert audit == ("create", "Cửa khẩu Đồng Văn")


def test_dry_run_reports_and_writes_nothing(db_conn, tmp_path):
    before = counts(db_conn)
    plan = plan_import(db_conn, "border_gates", geojson(tmp_path, [gate("CK-THU-3")]), ImportOptions(dry_run=True))
    assert plan.report.ok and "dry run, nothing written" in plan.report.text()
    assert counts(db_conn) == before


def test_existing_gate_is_updated_in_place_with_before_and_after(db_conn, tmp_path):
    original = db_conn.execute(text("SELECT id, name_vi, notes FROM border_gates WHERE uid = 'CK-CAU-TREO'")).one()
    properties = {"uid": "CK-CAU-TREO", "name_vi": "Cửa khẩu Cầu Treo (sửa)"}
    path = geojson(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "Point", "coordinates": [105.160144, 18.390175]},
            }
        ],
    )
    plan = plan_import(db_conn, "border_gates", path, ImportOptions())
    assert plan.report.ok and plan.report.updates == 1
    apply_import(db_conn, plan)
    name, notes = db_conn.execute(
        text("SELECT name_vi, notes FROM border_gates WHERE id = :id"), {"id": original.id}
    ).one()
    assert name == "Cửa khẩu Cầu Treo (sửa)" and notes == original.notes  # fields not in the file are kept
    before, after = db_conn.execute(
        text("SELECT before->>'name_vi', after->>'name_vi' FROM audit_log WHERE feature_uid = 'CK-CAU-TREO'")
    ).one()
    assert (before, after) == (original.name_vi, "Cửa khẩu Cầu Treo (sửa)")


def test_versioned_import_closes_and_opens_versions_from_the_decision_date(db_conn, tmp_path):
    number, effective = "658/QĐ-BQLKKT", date(2024, 12, 10)
    uid, park = db_conn.execute(
        text(
            "SELECT uid, park_uid FROM land_plots WHERE valid_to IS NULL AND valid_from < :d AND park_uid IS NOT NULL "
            "ORDER BY uid LIMIT 1"
        ),
        {"d": effective},
    ).one()
    square = box(106.30, 18.05, 106.301, 18.051)
    features = [
        {"type": "Feature", "properties": {"uid": uid, "status": "leased"}, "geometry": square.__geo_interface__},
        {
            "type": "Feature",
            "properties": {
                "uid": "LO-MOI-1",
                "code": "CN-MỚI-1",
                "park_uid": park,
                "planning_function": "industrial",
                "status": "available",
            },
            "geometry": box(106.31, 18.05, 106.311, 18.051).__geo_interface__,
        },
    ]
    before = counts(db_conn)
    plan = plan_import(
        db_conn, "land_plots", geojson(tmp_path, features, "plots.geojson"), ImportOptions(decision=number)
    )
    assert plan.report.ok, plan.report.text()
    assert (plan.report.creates, plan.report.updates) == (1, 1)
    apply_import(db_conn, plan)
    versions = db_conn.execute(
        text("SELECT valid_from, valid_to, status FROM land_plots WHERE uid = :uid ORDER BY valid_from"), {"uid": uid}
    ).all()
    assert versions[-2].valid_to == effective
    assert (versions[-1].valid_from, versions[-1].valid_to, versions[-1].status) == (effective, None, "leased")
    new = db_conn.execute(
        text(
            "SELECT valid_from, d.number FROM land_plots p JOIN decisions d ON d.id = p.decision_id "
            "WHERE uid = 'LO-MOI-1'"
        )
    ).one()
    assert tuple(new) == (effective, number)
    assert counts(db_conn)["land_plots"] == before["land_plots"] + 2
    decisions = (
        db_conn.execute(
            text(
                "SELECT DISTINCT d.number FROM audit_log a JOIN decisions d "
                "ON d.id = a.decision_id WHERE a.feature_uid IN (:a, 'LO-MOI-1')"
            ),
            {"a": uid},
        )
        .scalars()
        .all()
    )
    assert decisions == [number]


def test_vn2000_survey_csv_with_northing_first_lands_where_pyproj_says(db_conn, tmp_path):
    lon, lat = 105.160144, 18.390175
    east, north = TO_9209.transform(lon, lat)
    path = tmp_path / "survey.csv"
    path.write_text(
        "uid,name_vi,gate_class,mode,province_code,X,Y\n"
        f"CK-KHAO-SAT,Mốc khảo sát Cầu Treo,crossing,road,HA_TINH,{north:.3f},{east:.3f}\n",
        encoding="utf-8",
    )
    plan = plan_import(
        db_conn,
        "border_gates",
        path,
        ImportOptions(crs=9209, csv=CsvOptions(x_column="X", y_column="Y", northing_first=True)),
    )
    assert plan.report.ok, plan.report.text()
    apply_import(db_conn, plan)
    x, y = db_conn.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM border_gates WHERE uid = 'CK-KHAO-SAT'")).one()
    assert abs(x - lon) * 111_320 * 0.95 < 0.01 and abs(y - lat) * 110_574 < 0.01


def test_exported_shapefile_reimports_through_the_short_field_names(client, db_conn, tmp_path):
    response = client.get("/collections/border_gates/items", params={"f": "shp", "crs": "EPSG:9209"})
    path = tmp_path / "border_gates.zip"
    path.write_bytes(response.content)
    plan = plan_import(db_conn, "border_gates", path, ImportOptions(dry_run=True))
    assert plan.report.ok, plan.report.text()
    assert plan.report.field_mapping["counterpart_name"] == "counterp01"
    assert plan.report.updates == 8 and plan.report.creates == 0
    assert plan.report.crs.startswith("EPSG:9209")


# --- bad files: refused before any feature is looked at -----------------------------------------------------------


def test_empty_geopackage(db_conn, tmp_path):
    (tmp_path / "empty.gpkg").write_bytes(b"")
    refused_file(db_conn, "border_gates", tmp_path / "empty.gpkg", "empty (0 bytes)")


def test_empty_geojson(db_conn, tmp_path):
    (tmp_path / "empty.geojson").write_bytes(b"")
    refused_file(db_conn, "border_gates", tmp_path / "empty.geojson", "empty (0 bytes)")


def test_oversize_file(db_conn, tmp_path):
    path = geojson(tmp_path, [gate(f"CK-X-{i}") for i in range(50)])
    refused_file(db_conn, "border_gates", path, "import limit", max_bytes=1000)


def shapefile_zip(tmp_path: Path, features: list[dict], name: str = "gates") -> Path:
    folder = tmp_path / f"{name}_parts"
    folder.mkdir()
    source = geojson(tmp_path, features, f"{name}.geojson")
    frame = pyogrio.read_dataframe(source)
    pyogrio.write_dataframe(frame, folder / f"{name}.shp", encoding="UTF-8")
    target = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    return target


def test_truncated_zip(db_conn, tmp_path):
    whole = shapefile_zip(tmp_path, [gate("CK-Z-1")])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    refused_file(db_conn, "border_gates", cut, "damaged or truncated")


def test_zip_without_a_shapefile(db_conn, tmp_path):
    path = tmp_path / "docs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "không có bản đồ")
    refused_file(db_conn, "border_gates", path, "holds no Shapefile")


def test_zip_with_shapefile_missing_its_dbf(db_conn, tmp_path):
    whole = shapefile_zip(tmp_path, [gate("CK-Z-2")])
    partial = tmp_path / "partial.zip"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(partial, "w") as target:
        for member in source.namelist():
            if not member.endswith(".dbf"):
                target.writestr(member, source.read(member))
    refused_file(db_conn, "border_gates", partial, ".dbf missing")


def test_zip_with_two_shapefiles(db_conn, tmp_path):
    first = shapefile_zip(tmp_path, [gate("CK-Z-3")], "a")
    second = shapefile_zip(tmp_path, [gate("CK-Z-4")], "b")
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as target:
        for source_path in (first, second):
            with zipfile.ZipFile(source_path) as source:
                for member in source.namelist():
                    target.writestr(member, source.read(member))
    refused_file(db_conn, "border_gates", both, "holds 2 Shapefiles")


def zip_bomb(tmp_path: Path, unpacked: int, declared: int | None = None) -> Path:
    """A Shapefile zip plus a member of `unpacked` zero bytes, its headers saying `declared` bytes if given."""
    path = shapefile_zip(tmp_path, [gate("CK-Z-5")], "bomb")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(unpacked))
    if declared is not None:  # the uncompressed size in the local and the central header of the last member
        data = bytearray(path.read_bytes())
        struct.pack_into("<I", data, data.rindex(b"PK\x03\x04") + 22, declared)
        struct.pack_into("<I", data, data.rindex(b"PK\x01\x02") + 24, declared)
        path.write_bytes(bytes(data))
    return path


def test_zip_that_unpacks_beyond_the_limit_is_refused_before_inflating(db_conn, tmp_path):
    bomb = zip_bomb(tmp_path, 16 * 1_048_576)
    assert bomb.stat().st_size < 1_048_576  # the file itself is within the limit
    refused_file(
        db_conn, "border_gates", bomb, "the zip unpacks to 16.0 MB; the import limit is 1.0 MB", max_bytes=1_048_576
    )
    # 3 GB declared (the 3 MB zip of zeros): refused from the headers alone, no time spent inflating.
    (tmp_path / "huge").mkdir()
    huge = zip_bomb(tmp_path / "huge", 1000, declared=3 * 1024**3)
    refused_file(db_conn, "border_gates", huge, "the zip unpacks to 3072.0 MB")


def test_zip_member_with_a_wrong_checksum_is_damaged(db_conn, tmp_path):
    path = zip_bomb(tmp_path, 1000)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, data.rindex(b"PK\x01\x02") + 16, 12345)  # the CRC-32 the central header records
    path.write_bytes(bytes(data))
    refused_file(db_conn, "border_gates", path, "damaged")  # checksums are still checked


def test_zip_with_a_password_is_refused_with_the_reason(db_conn, tmp_path):
    path = zip_bomb(tmp_path, 1000)
    data = bytearray(path.read_bytes())
    flags = data.rindex(b"PK\x01\x02") + 8  # general-purpose flags of the last member: bit 0, encrypted
    struct.pack_into("<H", data, flags, struct.unpack_from("<H", data, flags)[0] | 1)
    path.write_bytes(bytes(data))
    refused_file(db_conn, "border_gates", path, "zeros.bin in the zip cannot be unpacked")


def test_unsupported_file_type(db_conn, tmp_path):
    (tmp_path / "plots.xlsx").write_bytes(b"PK\x03\x04 not really")
    refused_file(db_conn, "border_gates", tmp_path / "plots.xlsx", "unsupported file type '.xlsx'")


def test_geojson_that_is_not_json(db_conn, tmp_path):
    (tmp_path / "broken.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    refused_file(db_conn, "border_gates", tmp_path / "broken.geojson", "GDAL cannot")


def test_geojson_in_a_legacy_encoding(db_conn, tmp_path):
    body = json.dumps(
        {"type": "FeatureCollection", "features": [gate("CK-ENC", name_vi="Cà Mau Đông")]}, ensure_ascii=False
    )
    (tmp_path / "cp1258.geojson").write_bytes(body.encode("cp1258"))
    refused_file(db_conn, "border_gates", tmp_path / "cp1258.geojson", "not UTF-8 text")


def test_csv_in_a_legacy_encoding(db_conn, tmp_path):
    (tmp_path / "gates.csv").write_bytes("uid,name_vi,wkt\nCK-1,Cà Mau,POINT (105 18)\n".encode("cp1258"))
    refused_file(db_conn, "border_gates", tmp_path / "gates.csv", "not UTF-8 text (byte 0x")


def test_csv_without_geometry_columns(db_conn, tmp_path):
    (tmp_path / "gates.csv").write_text("uid,name_vi\nCK-1,Cửa khẩu\n", encoding="utf-8")
    refused_file(db_conn, "border_gates", tmp_path / "gates.csv", "no geometry column")


def test_csv_with_bad_wkt(db_conn, tmp_path):
    (tmp_path / "gates.csv").write_text("uid,name_vi,wkt\nCK-1,Cửa khẩu,POINT (105\n", encoding="utf-8")
    refused_file(db_conn, "border_gates", tmp_path / "gates.csv", "line 2: column 'wkt' is not WKT")


def test_csv_with_coordinates_that_are_not_numbers(db_conn, tmp_path):
    (tmp_path / "gates.csv").write_text("uid,name_vi,x,y\nCK-1,Cửa khẩu,105.2,mười tám\n", encoding="utf-8")
    refused_file(db_conn, "border_gates", tmp_path / "gates.csv", "line 2: coordinates")


def test_geopackage_without_geometry_is_not_spatial(db_conn, tmp_path):
    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(__import__("pandas").DataFrame({"uid": ["CK-1"], "name_vi": ["Cửa khẩu"]}), path)
    refused_file(db_conn, "border_gates", path, "has no geometry (not a spatial file)")


def test_geojson_whose_features_have_no_geometry(db_conn, tmp_path):
    path = geojson(tmp_path, [gate("CK-N-1", None), gate("CK-N-2", None)])
    refused_file(db_conn, "border_gates", path, "no feature has a geometry")


def test_truncated_geopackage(db_conn, tmp_path):
    whole = tmp_path / "whole.gpkg"
    pyogrio.write_dataframe(pyogrio.read_dataframe(geojson(tmp_path, [gate("CK-T-1")])), whole)
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(whole.read_bytes()[:2048])
    refused_file(db_conn, "border_gates", cut, "GDAL cannot")


def test_projected_csv_without_crs_lists_the_provinces_vn2000_zone_first(db_conn, tmp_path):
    east, north = TO_9209.transform(105.160144, 18.390175)
    (tmp_path / "survey.csv").write_text(
        f"uid,name_vi,gate_class,mode,province_code,x,y\nCK-S,Mốc,crossing,road,HA_TINH,{east},{north}\n",
        encoding="utf-8",
    )
    refused_file(
        db_conn,
        "border_gates",
        tmp_path / "survey.csv",
        "Likely VN-2000 systems: EPSG:9209 (VN-2000 / TM-3 105-30, the system of HA_TINH)",
    )


def test_declared_crs_that_contradicts_the_file(db_conn, tmp_path):
    path = tmp_path / "gates.gpkg"
    frame = pyogrio.read_dataframe(geojson(tmp_path, [gate("CK-C-1")])).to_crs(9209)
    pyogrio.write_dataframe(frame, path)
    refused_file(
        db_conn, "border_gates", path, "the file says EPSG:9209 (VN-2000 / TM-3 105-30) but EPSG:9208", crs=9208
    )


def test_unsupported_crs_in_the_file(db_conn, tmp_path):
    path = tmp_path / "utm.gpkg"
    pyogrio.write_dataframe(pyogrio.read_dataframe(geojson(tmp_path, [gate("CK-U-1")])).to_crs(32648), path)
    refused_file(db_conn, "border_gates", path, "is not one of the supported systems")


def test_multi_layer_geopackage_without_a_choice(db_conn, tmp_path):
    path = tmp_path / "two.gpkg"
    frame = pyogrio.read_dataframe(geojson(tmp_path, [gate("CK-M-1")]))
    pyogrio.write_dataframe(frame, path, layer="first")
    pyogrio.write_dataframe(frame, path, layer="second", append=True)
    refused_file(db_conn, "border_gates", path, "has 2 layers (first, second)")


def test_versioned_layer_needs_a_decision(db_conn, tmp_path):
    path = geojson(
        tmp_path,
        [{"type": "Feature", "properties": {"uid": "X"}, "geometry": box(106, 18, 106.01, 18.01).__geo_interface__}],
        "plots.geojson",
    )
    refused_file(db_conn, "land_plots", path, "is versioned: name the decision")


def test_unknown_decision(db_conn, tmp_path):
    path = geojson(
        tmp_path,
        [{"type": "Feature", "properties": {"uid": "X"}, "geometry": box(106, 18, 106.01, 18.01).__geo_interface__}],
        "plots.geojson",
    )
    refused_file(db_conn, "land_plots", path, "no decision '999/QĐ-XYZ'", decision="999/QĐ-XYZ")


def test_empty_feature_collection(db_conn, tmp_path):
    refused_file(db_conn, "border_gates", geojson(tmp_path, []), "holds no features")


def test_shapefile_declaring_utf8_with_legacy_bytes(db_conn, tmp_path):
    whole = shapefile_zip(tmp_path, [gate("CK-E-1", name_vi="Cua khau Dong Van")])
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(broken, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            if member.endswith(".dbf"):
                data = data.replace(b"Cua khau Dong Van", "Cà Mau Đông Văn".encode("cp1258").ljust(17, b" "))
            target.writestr(member, data)
    refused_file(db_conn, "border_gates", broken, "text in the file is not UTF-8")


def test_defaults_for_an_unknown_field(db_conn, tmp_path):
    refused_file(
        db_conn, "border_gates", geojson(tmp_path, [gate("CK-D-1")]), "unknown field colour", defaults={"colour": "red"}
    )


def test_sqlite_file_that_is_not_a_geopackage(db_conn, tmp_path):
    path = tmp_path / "plain.gpkg"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE t (a integer)")
    refused_file(db_conn, "border_gates", path, "GDAL cannot")


# --- bad features: listed in the report, nothing written ----------------------------------------------------------


def plots_file(tmp_path: Path, geometries: list, **props) -> Path:
    features = []
    for index, geometry in enumerate(geometries, start=1):
        properties = {
            "uid": f"LO-THU-{index}",
            "code": f"T{index}",
            "park_uid": "KCN-VA1",
            "planning_function": "industrial",
            "status": "available",
        } | props
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": None if geometry is None else geometry.__geo_interface__,
            }
        )
    return geojson(tmp_path, features, "plots.geojson")


def test_self_intersecting_polygon_is_reported_with_its_location(db_conn, tmp_path):
    bowtie = Polygon([(106.30, 18.05), (106.31, 18.06), (106.31, 18.05), (106.30, 18.06)])
    path = plots_file(tmp_path, [box(106.32, 18.05, 106.321, 18.051), bowtie])
    refused_features(
        db_conn, "land_plots", path, "invalid_geometry", "Self-intersection[106.305 18.055]", decision="658/QĐ-BQLKKT"
    )
    plan = plan_import(db_conn, "land_plots", path, ImportOptions(decision="658/QĐ-BQLKKT"))
    assert plan.report.problems[0].where == "feature #2 (LO-THU-2)"


def test_wrong_geometry_type(db_conn, tmp_path):
    refused_features(
        db_conn,
        "land_plots",
        plots_file(tmp_path, [Point(106.3, 18.05)]),
        "geometry_type",
        "the geometry is a Point; 'land_plots' holds Polygon features",
        decision="658/QĐ-BQLKKT",
    )


def test_feature_outside_vietnam(db_conn, tmp_path):
    refused_features(
        db_conn, "border_gates", geojson(tmp_path, [gate("CK-PARIS", 2.35, 48.85)]), "outside", "outside Vietnam"
    )


def test_feature_outside_its_province(db_conn, tmp_path):
    db_conn.execute(
        text(
            "UPDATE admin_units SET geom = ST_Multi(ST_MakeEnvelope(105.0, 17.8, 106.6, 18.8, 4326)) "
            "WHERE code = 'HA_TINH' AND valid_to IS NULL"
        )
    )
    path = geojson(tmp_path, [gate("CK-HT-1", 105.3, 18.3), gate("CK-HT-2", 104.9, 10.6)])
    refused_features(db_conn, "border_gates", path, "outside", "outside the province HA_TINH")


def test_duplicate_uid_in_the_file(db_conn, tmp_path):
    path = geojson(tmp_path, [gate("CK-DUP", 105.2, 18.4), gate("CK-DUP", 105.3, 18.4)])
    refused_features(db_conn, "border_gates", path, "duplicate", "uid 'CK-DUP' appears again (first at feature #1")


def test_duplicate_plot_code_against_the_database(db_conn, tmp_path):
    taken = db_conn.execute(
        text("SELECT code FROM land_plots WHERE park_uid = 'KCN-VA1' AND valid_to IS NULL ORDER BY code LIMIT 1")
    ).scalar_one()
    path = plots_file(tmp_path, [box(106.32, 18.05, 106.321, 18.051)], code=taken)
    refused_features(
        db_conn, "land_plots", path, "duplicate", f"code '{taken}' in KCN-VA1 is already used", decision="658/QĐ-BQLKKT"
    )


def test_missing_required_column(db_conn, tmp_path):
    feature = gate("CK-R-1")
    del feature["properties"]["gate_class"]
    refused_features(
        db_conn, "border_gates", geojson(tmp_path, [feature]), "missing_field", "required field 'gate_class' is missing"
    )


def test_required_value_empty_in_one_row(db_conn, tmp_path):
    path = geojson(tmp_path, [gate("CK-R-2"), gate("CK-R-3", province_code="")])
    refused_features(db_conn, "border_gates", path, "missing_field", "required field 'province_code' is empty")


def test_unknown_status_value(db_conn, tmp_path):
    refused_features(
        db_conn,
        "land_plots",
        plots_file(tmp_path, [box(106.32, 18.05, 106.321, 18.051)], status="sold"),
        "unknown_value",
        "'sold' is not an allowed value of 'status'",
        decision="658/QĐ-BQLKKT",
    )


def test_unknown_lookup_code(db_conn, tmp_path):
    refused_features(
        db_conn,
        "border_gates",
        geojson(tmp_path, [gate("CK-L-1", gate_class="mega")]),
        "unknown_value",
        "'mega' is not an allowed value of 'gate_class'",
    )


def test_number_that_is_not_a_number(db_conn, tmp_path):
    refused_features(
        db_conn,
        "land_plots",
        plots_file(tmp_path, [box(106.32, 18.05, 106.321, 18.051)], land_rent_usd_m2="năm mươi"),
        "bad_value",
        "'năm mươi' is not a valid numeric",
        decision="658/QĐ-BQLKKT",
    )


def test_decision_older_than_the_current_version(db_conn, tmp_path):
    uid = db_conn.execute(text("SELECT uid FROM land_plots WHERE valid_to IS NULL ORDER BY uid LIMIT 1")).scalar_one()
    path = geojson(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": {"uid": uid, "status": "leased"},
                "geometry": box(106.32, 18.05, 106.321, 18.051).__geo_interface__,
            }
        ],
        "plots.geojson",
    )
    refused_features(
        db_conn,
        "land_plots",
        path,
        "version",
        "not before the decision's effective date 2004-05-10",
        decision="1663/QĐ-UBND",
    )


def test_one_feature_without_geometry(db_conn, tmp_path):
    path = geojson(tmp_path, [gate("CK-G-1"), gate("CK-G-2", None)])
    refused_features(db_conn, "border_gates", path, "geometry_missing", "has no geometry")


def test_text_longer_than_the_column(db_conn, tmp_path):
    refused_features(
        db_conn,
        "border_gates",
        geojson(tmp_path, [gate("CK-LONG", country="VNM")]),
        "bad_value",
        "field 'country' holds at most 2 characters",
    )


def test_date_that_is_not_a_date(db_conn, tmp_path):
    refused_features(
        db_conn,
        "border_gates",
        geojson(tmp_path, [gate("CK-DATE", opened_on="30/02/2020")]),
        "bad_value",
        "'30/02/2020' is not a valid date",
    )


def test_one_bad_feature_stops_all_the_good_ones(db_conn, tmp_path):
    good = [gate(f"CK-OK-{i}", 105.2 + i / 100, 18.4) for i in range(5)]
    path = geojson(tmp_path, [*good, gate("CK-BAD", gate_class="mega")])
    refused_features(db_conn, "border_gates", path, "unknown_value", "'mega'")
    assert db_conn.execute(text("SELECT count(*) FROM border_gates WHERE uid LIKE 'CK-OK-%'")).scalar_one() == 0


def test_closed_cad_polylines_become_plots_but_open_ones_are_refused(db_conn, tmp_path):
    path = tmp_path / "plots.dxf"
    closed = shapely.LineString(
        [(106.32, 18.05), (106.321, 18.05), (106.321, 18.051), (106.32, 18.051), (106.32, 18.05)]
    )
    open_line = shapely.LineString([(106.33, 18.05), (106.331, 18.05), (106.331, 18.051)])
    import numpy as np
    from pyogrio.raw import write

    write(
        str(path),
        np.array([shapely.to_wkb(closed), shapely.to_wkb(open_line)], dtype=object),
        [np.array(["plots", "plots"], dtype=object)],
        ["Layer"],
        driver="DXF",
        geometry_type="LineString",
    )
    plan = plan_import(
        db_conn,
        "land_plots",
        path,
        ImportOptions(
            decision="658/QĐ-BQLKKT",
            defaults={
                "uid": "LO-CAD",
                "code": "CAD-1",
                "park_uid": "KCN-VA1",
                "planning_function": "industrial",
                "status": "available",
            },
        ),
    )
    kinds = [(p.kind, p.where) for p in plan.report.problems]
    assert ("geometry_type", "feature #2 (LO-CAD)") in kinds
    assert ("duplicate", "feature #2 (LO-CAD)") in kinds  # the same default uid twice
    assert not any(where == "feature #1 (LO-CAD)" for _, where in kinds)


def test_a_labelled_dxf_export_reads_back_as_its_outlines_without_the_texts(client, tmp_path):
    response = client.get("/collections/industrial_parks/items", params={"f": "dxf", "crs": "EPSG:9209"})
    assert response.status_code == 200
    path = tmp_path / "parks.dxf"
    path.write_bytes(response.content)
    everything = pyogrio.read_dataframe(path)
    texts = everything["SubClasses"].str.contains("AcDbMText").sum()
    assert texts > 0
    table = read_vector(path, max_bytes=10_000_000)
    assert len(table.rows) == len(everything) - texts
    assert all(g.geom_type in ("Polygon", "MultiPolygon") for g in table.geometries)
    assert any(f"{texts} texts (labels)" in note for note in table.notes)


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "kml", "geojson", "csv", "fgb"])
def test_every_export_format_reads_back_as_a_clean_import(client, db_conn, tmp_path, fmt):
    response = client.get("/collections/border_gates/items", params={"f": fmt, "crs": "EPSG:9208"})
    name = response.headers["content-disposition"].split("filename=")[1].strip('"')
    path = tmp_path / name
    path.write_bytes(response.content)
    plan = plan_import(db_conn, "border_gates", path, ImportOptions(dry_run=True, crs=9208 if fmt == "csv" else None))
    assert plan.report.ok, plan.report.text()
    assert (plan.report.creates, plan.report.updates) == (0, 8)
    assert plan.report.field_mapping["name_vi"] in ("name_vi", "Name")
    expected = "EPSG:4326" if fmt == "kml" else "EPSG:9208"  # GeoJSON in VN-2000 carries a 2008-style crs member
    assert plan.report.crs.startswith(expected), plan.report.crs
    stored = dict(db_conn.execute(text("SELECT uid, ST_AsText(geom) FROM border_gates")).all())
    for feature in plan.features:
        assert feature.geometry.distance(shapely.from_wkt(stored[feature.values["uid"]])) < 1e-6
        assert feature.values["name_vi"].startswith(("Cửa khẩu", "Lối mở"))


def test_a_parcel_handed_over_without_the_earlier_dates_is_refused_and_nothing_written(db_conn, tmp_path):
    parcel = db_conn.execute(
        text(
            "SELECT id, project_id, map_sheet, parcel_no, ST_AsGeoJSON(geom) AS geometry FROM clearance_parcels "
            "WHERE notice_issued_on IS NOT NULL AND inventoried_on IS NULL ORDER BY id LIMIT 1"
        )
    ).one()
    properties = {"project_id": parcel.project_id, "map_sheet": parcel.map_sheet, "parcel_no": parcel.parcel_no}
    feature = {
        "type": "Feature",
        "properties": properties | {"handed_over_on": "2026-11-30", "owner_name": "Lê Thị Thuỷ"},
        "geometry": json.loads(parcel.geometry),
    }
    stored = "SELECT owner_name, handed_over_on, xmin::text FROM clearance_parcels WHERE id = :i"
    before = db_conn.execute(text(stored), {"i": parcel.id}).one()
    audits = counts(db_conn)["audit_log"]
    plan = plan_import(db_conn, "clearance_parcels", geojson(tmp_path, [feature], "thua.geojson"), ImportOptions())
    assert plan.report.updates == 1
    with pytest.raises(Unprocessable) as refused:
        apply_import(db_conn, plan)
    said = str(refused.value)
    assert said.startswith("the import was refused, nothing was written: feature #1")
    assert "Đã bàn giao mặt bằng / Handed over" in said and "Đã chi trả / Compensation paid" in said
    assert db_conn.execute(text(stored), {"i": parcel.id}).one() == before
    assert counts(db_conn)["audit_log"] == audits
