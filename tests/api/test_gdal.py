"""GDAL's OGC API – Features driver reads the live server: what QGIS and ogr2ogr users will do."""

import json
import subprocess

import pyogrio

from tests.conftest import DATA_DIR

PUBLIC_WITH_GEOMETRY = {
    "economic_zones",
    "functional_areas",
    "industrial_parks",
    "land_plots",
    "border_gates",
    "logistics_centres",
    "transport_nodes",
    "transport_lines",
    "projects",
}


def run(*args: str) -> str:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ogrinfo_lists_every_public_collection(live_server):
    listing = run("ogrinfo", "-ro", "-q", f"OAPIF:{live_server}")
    names = {line.split(":", 1)[1].split("(")[0].strip() for line in listing.splitlines() if ":" in line}
    assert PUBLIC_WITH_GEOMETRY <= names
    assert "clearance_parcels" not in names


def test_ogr2ogr_copies_border_gates_with_vietnamese_names(live_server, tmp_path):
    target = tmp_path / "gates.gpkg"
    run("ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{live_server}", "border_gates")
    copied = pyogrio.read_dataframe(target)
    source = json.loads((DATA_DIR / "demo" / "border_gates.geojson").read_text(encoding="utf-8"))["features"]
    assert len(copied) == len(source)
    assert set(copied["name_vi"]) == {f["properties"]["name_vi"] for f in source}
    assert "Cửa khẩu quốc tế Vĩnh Xương" in set(copied["name_vi"])


def test_ogr2ogr_attribute_filter_matches_the_data_file(live_server, tmp_path):
    target = tmp_path / "international.gpkg"
    run(
        "ogr2ogr",
        "-f",
        "GPKG",
        str(target),
        f"OAPIF:{live_server}",
        "border_gates",
        "-where",
        "gate_class = 'international'",
    )
    copied = pyogrio.read_dataframe(target)
    source = json.loads((DATA_DIR / "demo" / "border_gates.geojson").read_text(encoding="utf-8"))["features"]
    assert set(copied["uid"]) == {
        f["properties"]["uid"] for f in source if f["properties"]["gate_class"] == "international"
    }


def test_gdal_reads_a_cql2_filtered_collection_in_vn2000(live_server, tmp_path):
    """GDAL's GeoJSON driver reads an items URL with filter and crs=EPSG:9209, as scripts do."""
    url = (
        f"{live_server}/collections/border_gates/items?filter=country%20%3D%20%27LA%27"
        "&crs=http://www.opengis.net/def/crs/EPSG/0/9209"
    )
    info = run("ogrinfo", "-ro", "-al", url)
    assert "Cửa khẩu quốc tế Nậm Phao (Lào)" in info
    assert "Feature Count: 1" in info
