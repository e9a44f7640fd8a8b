"""Pure pyproj checks of gis.crs (no database): vn2000.md test vectors, URI parsing, axis order, lookups."""

import csv
from pathlib import Path

import pytest

from gis import crs
from gis.errors import InvalidInput

LOOKUPS = Path(__file__).resolve().parents[2] / "data" / "lookups"

# Copied from data/reference/vn2000.md, independently of gis.crs.TEST_VECTORS.
DOC_VECTORS = [
    ("Vũng Áng bay", 18.11222, 106.39083, 9209, 594081.1, 2003540.1),
    ("Cầu Treo gate", 18.390175, 105.160144, 9209, 463895.3, 2034107.6),
    ("Formosa Hà Tĩnh", 18.040731, 106.428567, 9209, 598114.9, 1995647.3),
    ("Tân Châu", 10.77389, 105.23694, 9208, 553055.2, 1191489.6),
    ("Tịnh Biên gate", 10.613, 104.949, 9208, 521577.3, 1173659.6),
    ("Tân Phú Thạnh IP", 9.968, 105.735, 5897, 580390.2, 1102406.3),
    ("Gián Khẩu IP", 20.308, 105.903, 5897, 594108.4, 2246605.5),
]


@pytest.mark.parametrize("name,lat,lon,epsg,easting,northing", DOC_VECTORS, ids=[v[0] for v in DOC_VECTORS])
def test_wgs84_to_vn2000_tm3_matches_doc(name, lat, lon, epsg, easting, northing):
    x, y = crs.transformer(4326, epsg).transform(lon, lat)
    assert x == pytest.approx(easting, abs=0.1)
    assert y == pytest.approx(northing, abs=0.1)


@pytest.mark.parametrize("name,lat,lon,epsg,easting,northing", DOC_VECTORS, ids=[v[0] for v in DOC_VECTORS])
def test_vn2000_tm3_back_to_wgs84(name, lat, lon, epsg, easting, northing):
    back_lon, back_lat = crs.transformer(epsg, 4326).transform(easting, northing)
    assert back_lon == pytest.approx(lon, abs=2e-6)  # 0.1 m of table rounding is ~1e-6 degrees
    assert back_lat == pytest.approx(lat, abs=2e-6)


def test_module_vectors_equal_doc():
    assert [(v.name, v.lat, v.lon, v.epsg, v.easting, v.northing) for v in crs.TEST_VECTORS] == DOC_VECTORS


def test_datum_shift_wgs84_to_vn2000_geographic():
    lon, lat = crs.transformer(4326, 4756).transform(106.39083, 18.11222)
    assert lat == pytest.approx(18.11322, abs=1e-5)
    assert lon == pytest.approx(106.38898, abs=1e-5)


def test_datum_shift_is_not_ignored():
    # Same ellipsoid, so a missing datum shift would give ~200 m W / ~110 m N differences of zero.
    lon, lat = crs.transformer(4326, 4756).transform(106.39083, 18.11222)
    assert abs(lon - 106.39083) > 0.0015 and abs(lat - 18.11222) > 0.0008


def test_transformer_is_cached_and_lon_lat_ordered():
    assert crs.transformer(4326, 9209) is crs.transformer(4326, 9209)
    x, y = crs.transformer(4326, 3857).transform(105.0, 10.0)
    assert x == pytest.approx(11688546.53, abs=0.01)


@pytest.mark.parametrize(
    "text,epsg,lonlat",
    [
        ("http://www.opengis.net/def/crs/EPSG/0/9209", 9209, True),
        ("https://www.opengis.net/def/crs/EPSG/0/9209", 9209, True),
        ("EPSG:9209", 9209, True),
        ("epsg:5897", 5897, True),
        ("urn:ogc:def:crs:EPSG::9209", 9209, True),
        ("urn:ogc:def:crs:EPSG:9.8.15:9209", 9209, True),
        ("[EPSG:9208]", 9208, True),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", 4326, False),
        ("EPSG:4756", 4756, False),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, True),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326, True),
        ("CRS84", 4326, True),
        (" EPSG:3857 ", 3857, True),
    ],
)
def test_parse_crs_uri_forms(text, epsg, lonlat):
    ref = crs.parse_crs_uri(text)
    assert (ref.epsg, ref.lonlat_order) == (epsg, lonlat)
    assert ref.uri in crs.supported_crs_uris()


def test_parse_crs84_keeps_crs84_uri():
    assert crs.parse_crs_uri("CRS84").uri == crs.CRS84_URI
    assert crs.parse_crs_uri("EPSG:4326").uri == crs.epsg_uri(4326)


@pytest.mark.parametrize("text", ["EPSG:32648", "EPSG:6957", "foo", "", "http://example.com/crs/9209"])
def test_parse_crs_uri_rejects_with_supported_list(text):
    with pytest.raises(InvalidInput) as err:
        crs.parse_crs_uri(text)
    message = str(err.value)
    assert "CRS84" in message and "EPSG:9209" in message and "EPSG:5897" in message
    assert "6957 (" not in message  # deprecated codes are never offered


def test_deprecated_tm3_message_points_to_current_codes():
    with pytest.raises(InvalidInput, match="deprecated"):
        crs.parse_crs_uri("http://www.opengis.net/def/crs/EPSG/0/6956")


def test_epsg_uri():
    assert crs.epsg_uri(9209) == "http://www.opengis.net/def/crs/EPSG/0/9209"


@pytest.mark.parametrize(
    "code,northing_first", [(4326, True), (4756, True), (9209, False), (5897, False), (3405, False), (3857, False)]
)
def test_axis_order(code, northing_first):
    assert crs.axis_is_northing_first(code) is northing_first


def test_supported_epsg_equals_crs_choices_csv():
    with open(LOOKUPS / "crs_choices.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epsg"]) for r in rows] == list(crs.SUPPORTED_EPSG)
    assert {r["epsg"]: r["name"] for r in rows} == {str(c): crs.crs_name(c) for c in crs.SUPPORTED_EPSG}
    assert not {6956, 6957, 6958, 6959} & set(crs.SUPPORTED_EPSG)


def test_central_meridians_decode_sexagesimal():
    assert crs.central_meridian(9208) == 104.75
    assert crs.central_meridian(9209) == 105.5
    assert crs.central_meridian(5899) == 107.75


def test_guess_zones_cau_treo_with_location_hint():
    e, n = 463895.3, 2034107.6
    zones = crs.guess_vn2000_zones(e - 500, n - 500, e + 500, n + 500, near=(105.2, 18.4))
    assert zones[0] == 9209


def test_guess_zones_cau_treo_without_hint():
    e, n = 463895.3, 2034107.6
    zones = crs.guess_vn2000_zones(e - 500, n - 500, e + 500, n + 500)
    assert 9209 in zones[:5]
    assert set(zones) <= set(crs.VN2000_TM3)


def test_guess_zones_rejects_non_vietnamese_coordinates():
    assert crs.guess_vn2000_zones(100, 100, 200, 200) == []
    assert crs.guess_vn2000_zones(463895.3, 5_000_000, 463895.3, 5_000_000) == []


def test_lookup_csvs_are_well_formed():
    def read(name):
        with open(LOOKUPS / f"{name}.csv", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    landuse = {r["code"]: r for r in read("landuse_codes")}
    required = (
        "LUC LUK LUN BHK NHK CLN RSX RPH RDD NTS LMU NKH ONT ODT TSC DGD DYT DVH DTT SKK SKN SKT SKC "
        "TMD SKS SKX DGT DTL DNL DBV DKG DCH DSH DKV DRA DCK TON NTD SON MNC PNK CSD BCS DCS NCS CQP CAN"
    )
    assert set(required.split()) <= set(landuse)
    assert all(r["circular"] and r["name_vi"] for r in landuse.values())
    assert landuse["SKK"]["name_vi"] == "Đất khu công nghiệp"
    functions = {r["code"]: r for r in read("planning_functions")}
    assert {c for c, r in functions.items() if r["leasable"] == "true"} == {
        "industrial",
        "warehouse_logistics",
        "services",
        "non_tariff",
    }
    assert len(functions) == 13
    gates = {r["code"]: int(r["rank"]) for r in read("gate_classes")}
    assert gates == {"international": 1, "main": 2, "secondary": 3, "crossing": 4}


def test_mekong_delta_points_follow_proj_choice_of_epsg_5194():
    # PROJ applies EPSG:5194 (not the official 6960) inside 104.24-107.11E 9.35-11.04N; the vn2000.md
    # vectors there were computed that way and PostGIS does the same. A change here moves them ~0.8 m.
    from pyproj.transformer import TransformerGroup

    group = TransformerGroup(4326, 9208, always_xy=True)
    by_name = {t.description: t for t in group.transformers}
    official = next(t for name, t in by_name.items() if "VN-2000 to WGS 84 (2)" in name)
    x_default, _ = crs.transformer(4326, 9208).transform(105.23694, 10.77389)
    x_official, _ = official.transform(105.23694, 10.77389)
    assert 0.5 < abs(x_official - x_default) < 1.0
    x_north, _ = crs.transformer(4326, 9209).transform(106.39083, 18.11222)
    x_north_official, _ = next(
        t for t in TransformerGroup(4326, 9209, always_xy=True).transformers if "(2)" in t.description
    ).transform(106.39083, 18.11222)
    assert x_north == pytest.approx(x_north_official, abs=0.001)
