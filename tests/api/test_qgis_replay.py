"""QGIS edits through OGC API – Features as its OAPIF provider sends the requests (see docs/qgis.md).

The provider asks OPTIONS for the allowed methods, then POSTs `application/geo+json` (with `Content-Crs` when the
layer's CRS is not CRS84) and reads the new id from `Location`, changes with PUT or `application/merge-patch+json`
PATCH bodies without "type", and DELETEs, always with HTTP Basic, never If-Match nor any custom header. The requests
are replayed here against the server as users run it; the database is checked by SQL after each step.
"""

import json
import os
import subprocess
import sys

import httpx
import pytest
from pyproj import Transformer
from sqlalchemy import text

from gis.settings import Settings
from tests import accounts

staff = accounts.staff
edits = accounts.edits

PASSWORD = "mật-khẩu-QGIS-đủ-dài"
D_CREATE = ("7/2029/QĐ-BQL-THỬ", "2029-01-01")  # the decision the test plot is created under
D_EDIT = ("9/2029/QĐ-BQL-THỬ", "2029-07-01")  # the decision the QGIS connection edits under
VN2000_HA_TINH = "http://www.opengis.net/def/crs/EPSG/0/9209"  # as QgsCoordinateReferenceSystem::toOgcUri() writes
RING = [(106.3390, 18.0690), (106.3400, 18.0690), (106.3400, 18.0700), (106.3390, 18.0700), (106.3390, 18.0690)]
MOVED = [(lon + 0.0005, lat) for lon, lat in RING]  # the same square, about 53 m further east
TO_VN2000 = Transformer.from_crs("EPSG:4326", "EPSG:9209", always_xy=True)
PLOT = {
    "uid": "TEST-QGIS-CN77",
    "code": "CN77",
    "name_vi": "Lô đất QGIS CN77",
    "park_uid": "KCN-VA1",
    "planning_function": "industrial",
    "status": "available",
    "land_rent_usd_m2": 52,
}


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "api", "users", *args], capture_output=True, text=True, env=env, timeout=60
    )


def add_decision(engine, number: str, effective: str) -> int:
    with engine.begin() as conn:
        return conn.execute(
            text(
                "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
                "VALUES (:n, 'Quyết định thử QGIS', :d, :d, 'provincial_committee', 'local_revision') RETURNING id"
            ),
            {"n": number, "d": effective},
        ).scalar_one()


def rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def polygon_vn2000(ring) -> dict:
    """A polygon in VN-2000 / TM-3 Hà Tĩnh (easting, northing), as QGIS sends it for a layer in that CRS."""
    return {"type": "Polygon", "coordinates": [[list(TO_VN2000.transform(lon, lat)) for lon, lat in ring]]}


def qgis_feature(fields: list[str], values: dict, geometry: dict) -> dict:
    """What QgsJsonExporter writes for a new QGIS feature: every layer field (null unless typed in), no id."""
    return {"type": "Feature", "geometry": geometry, "properties": {name: values.get(name) for name in fields}}


@pytest.fixture
def qgis_account(engine, database_url, edits):
    """An editor, and a personal token bound to D_EDIT issued by the CLI as the docs say."""
    accounts.make_user(engine, "qgis_analyst", "editor", PASSWORD)
    ids = {number: add_decision(engine, number, day) for number, day in (D_CREATE, D_EDIT)}
    refused = cli(database_url, "token", "qgis_analyst", "--decision", "404/2099/QĐ-KHÔNG-CÓ")
    assert refused.returncode != 0
    assert "no decision '404/2099/QĐ-KHÔNG-CÓ'" in refused.stderr + refused.stdout
    issued = {}
    for number, _ in (D_CREATE, D_EDIT):
        made = cli(database_url, "token", "qgis_analyst", "--decision", number, "--name", f"QGIS {number}")
        assert made.returncode == 0, made.stderr
        issued[number] = made.stdout.strip()
    listed = cli(database_url, "tokens", "qgis_analyst").stdout
    assert f"QGIS {D_EDIT[0]}" in listed and f"decision {D_EDIT[0]}" in listed
    return ids, issued


def test_qgis_edits_a_versioned_plot_under_the_tokens_decision(live_server, engine, qgis_account):
    ids, token = qgis_account
    creator = httpx.Client(base_url=live_server, auth=httpx.BasicAuth("qgis_analyst", token[D_CREATE[0]]))
    # Any user name goes with a token (QGIS needs one in the form): the token says who it is.
    qgis = httpx.Client(base_url=live_server, auth=httpx.BasicAuth("anything", token[D_EDIT[0]]), timeout=30)
    items = "/collections/land_plots/items"

    # Connecting: QGIS reads a page of items and asks what it may do.
    page = qgis.get(items, params={"limit": 10})
    assert page.status_code == 200, page.text
    fields = list(page.json()["features"][0]["properties"])
    allow_items = qgis.options(items)
    assert allow_items.status_code == 204
    assert "POST" in [m.strip() for m in allow_items.headers["allow"].split(",")]
    allow_one = [m.strip() for m in qgis.options(f"{items}/unknown_id").headers["allow"].split(",")]
    assert {"PUT", "PATCH", "DELETE"} <= set(allow_one)
    anonymous = [m.strip() for m in httpx.options(f"{live_server}{items}").headers["allow"].split(",")]
    assert "POST" not in anonymous and "GET" in anonymous

    # 1. A plot drawn in VN-2000 and saved (the token of the first decision): POST, id read from Location.
    created = creator.post(
        items,
        content=json.dumps(qgis_feature(fields, PLOT, polygon_vn2000(RING))),
        headers={"Content-Type": "application/geo+json", "Content-Crs": VN2000_HA_TINH},
    )
    assert created.status_code == 201, created.text
    first = int(created.headers["location"].rsplit("/items/", 1)[1])
    version = (
        "SELECT id, valid_from::text, valid_to::text, decision_id, status FROM land_plots WHERE uid = :u ORDER BY id"
    )
    assert rows(engine, version, u=PLOT["uid"]) == [(first, "2029-01-01", None, ids[D_CREATE[0]], "available")]
    # Stored in WGS84 where it was drawn (a corner within 0.5 m), whatever CRS it was sent in.
    corner = rows(
        engine,
        "SELECT ST_X(ST_PointN(ST_ExteriorRing(geom), 1)), ST_Y(ST_PointN(ST_ExteriorRing(geom), 1)) "
        "FROM land_plots WHERE id = :i",
        i=first,
    )[0]
    assert corner == pytest.approx(RING[0], abs=5e-6)

    # 2. The analyst moves the plot (geometry PATCH) under the token's decision: the version is closed, one opened.
    moved = qgis.patch(
        f"{items}/{first}",
        content=json.dumps({"geometry": polygon_vn2000(MOVED)}),
        headers={"Content-Type": "application/merge-patch+json", "Content-Crs": VN2000_HA_TINH},
    )
    assert moved.status_code == 200, moved.text
    versions = rows(engine, version, u=PLOT["uid"])
    assert len(versions) == 2
    second = versions[1][0]
    assert versions == [
        (first, "2029-01-01", "2029-07-01", ids[D_CREATE[0]], "available"),
        (second, "2029-07-01", None, ids[D_EDIT[0]], "available"),
    ]

    # 3. …and, in the same save, its status: QGIS still names the id it read, which now names the closed version.
    # Without If-Match the change goes to the version this decision opened, amended in place (no empty version).
    leased = qgis.patch(
        f"{items}/{first}",
        content=json.dumps({"properties": {"status": "leased"}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert leased.status_code == 200, leased.text
    assert rows(engine, version, u=PLOT["uid"])[1] == (second, "2029-07-01", None, ids[D_EDIT[0]], "leased")

    # 4. A PUT (QGIS without PATCH support sends the whole feature back, read-only fields included).
    current = qgis.get(f"{items}/{second}").json()
    current["properties"]["name_vi"] = "Lô đất QGIS CN77 (đã đo lại)"
    replaced = qgis.put(
        f"{items}/{second}",
        content=json.dumps({k: v for k, v in current.items() if k in ("type", "geometry", "properties")}),
        headers={"Content-Type": "application/geo+json"},
    )
    assert replaced.status_code == 200, replaced.text
    after_put = rows(
        engine, "SELECT id, name_vi, status, valid_to FROM land_plots WHERE uid = :u ORDER BY id", u=PLOT["uid"]
    )
    assert after_put[1] == (second, "Lô đất QGIS CN77 (đã đo lại)", "leased", None)
    assert len(after_put) == 2

    # 5. Delete: the version this decision opened goes; the one before stays closed on the decision's date.
    deleted = qgis.delete(f"{items}/{first}")
    assert deleted.status_code == 204, deleted.text
    assert rows(engine, version, u=PLOT["uid"]) == [(first, "2029-01-01", "2029-07-01", ids[D_CREATE[0]], "available")]

    audit = rows(
        engine,
        "SELECT action, feature_id, decision_id, if_match, username FROM audit_log "
        "WHERE layer_id = 'land_plots' AND feature_uid = :u ORDER BY id",
        u=PLOT["uid"],
    )
    d1, d2 = ids[D_CREATE[0]], ids[D_EDIT[0]]
    assert audit == [
        ("create", str(first), d1, None, "qgis_analyst"),
        ("update", str(second), d2, None, "qgis_analyst"),
        ("update", str(second), d2, None, "qgis_analyst"),
        ("update", str(second), d2, None, "qgis_analyst"),
        ("delete", str(second), d2, None, "qgis_analyst"),
    ]
    history = qgis.get(f"{items}/{first}/history").json()["entries"]
    assert [(e["action"], e["decision"], e["if_match"]) for e in history][-1] == ("delete", D_EDIT[0], None)


def test_an_if_match_that_is_sent_is_still_checked(live_server, engine, qgis_account):
    ids, token = qgis_account
    qgis = httpx.Client(base_url=live_server, auth=httpx.BasicAuth("qgis_analyst", token[D_CREATE[0]]))
    created = qgis.post(
        "/collections/land_plots/items",
        content=json.dumps({"type": "Feature", "geometry": polygon_vn2000(RING), "properties": PLOT}),
        headers={"Content-Type": "application/geo+json", "Content-Crs": VN2000_HA_TINH},
    )
    assert created.status_code == 201, created.text
    path = httpx.URL(created.headers["location"]).path
    stale = qgis.patch(
        path,
        content=json.dumps({"properties": {"status": "leased"}}),
        headers={"Content-Type": "application/merge-patch+json", "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert rows(engine, "SELECT status FROM land_plots WHERE uid = :u", u=PLOT["uid"]) == [("available",)]
    # An explicit Decision header wins over the token's decision.
    named = qgis.patch(
        path,
        content=json.dumps({"properties": {"status": "leased"}}),
        headers={"Content-Type": "application/merge-patch+json", "Decision": "9/2029/Q%C4%90-BQL-TH%E1%BB%AC"},
    )
    assert named.status_code == 200, named.text
    assert rows(engine, "SELECT decision_id FROM land_plots WHERE uid = :u AND valid_to IS NULL", u=PLOT["uid"]) == [
        (ids[D_EDIT[0]],)
    ]


def test_qgis_edits_an_unversioned_layer_with_the_account_password(live_server, engine, edits):
    accounts.make_user(engine, "qgis_gates", "editor", PASSWORD)
    qgis = httpx.Client(base_url=live_server, auth=httpx.BasicAuth("qgis_gates", PASSWORD), timeout=30)
    items = "/collections/border_gates/items"
    fields = list(qgis.get(items, params={"limit": 10}).json()["features"][0]["properties"])
    gate = {
        "uid": "TEST-CK-QGIS",
        "name_vi": "Cửa khẩu phụ Thử Nghiệm",
        "name_en": "Test gate",
        "gate_class": "secondary",
        "mode": "road",
        "country": "VN",
        "province_code": "DONG_THAP",
    }
    # EPSG:4326 is latitude first: QGIS swaps the axes of what it sends (hasAxisInverted).
    created = qgis.post(
        items,
        content=json.dumps(qgis_feature(fields, gate, {"type": "Point", "coordinates": [10.80, 105.60]})),
        headers={"Content-Type": "application/geo+json", "Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
    )
    assert created.status_code == 201, created.text
    key = int(created.headers["location"].rsplit("/items/", 1)[1])
    point = "SELECT ST_X(geom), ST_Y(geom), name_en FROM border_gates WHERE id = :k"
    assert rows(engine, point, k=key)[0] == (pytest.approx(105.60), pytest.approx(10.80), "Test gate")

    current = qgis.get(f"{items}/{key}").json()
    current["properties"]["name_en"] = "Renamed in QGIS"
    put = qgis.put(
        f"{items}/{key}",
        content=json.dumps({k: v for k, v in current.items() if k in ("type", "geometry", "properties")}),
        headers={"Content-Type": "application/geo+json"},
    )
    assert put.status_code == 200, put.text
    assert rows(engine, point, k=key)[0][2] == "Renamed in QGIS"
    patched = qgis.patch(
        f"{items}/{key}",
        content=json.dumps({"geometry": {"type": "Point", "coordinates": [105.61, 10.81]}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    assert rows(engine, point, k=key)[0] == (pytest.approx(105.61), pytest.approx(10.81), "Renamed in QGIS")
    assert qgis.delete(f"{items}/{key}").status_code == 204
    assert rows(engine, point, k=key) == []
    audit = rows(
        engine,
        "SELECT action, decision_id, if_match, username FROM audit_log "
        "WHERE layer_id = 'border_gates' AND feature_id = :k ORDER BY id",
        k=str(key),
    )
    assert audit == [(action, None, None, "qgis_gates") for action in ("create", "update", "update", "delete")]


# --- HTTP Basic and API keys -------------------------------------------------------------------------------------


def test_basic_challenge_wrong_passwords_and_api_keys(database_url, engine, edits):
    from fastapi.testclient import TestClient

    from api.app import create_app

    accounts.make_user(engine, "qgis_basic", "editor", PASSWORD)
    app = create_app(Settings(DATABASE_URL=database_url, LOGIN_MAX_FAILURES=3))
    with TestClient(app) as api:
        anonymous = api.post("/collections/border_gates/items", content=b"{}")
        assert anonymous.status_code == 401
        challenges = anonymous.headers.get_list("www-authenticate")
        assert challenges[0].startswith("Bearer") and challenges[1].startswith('Basic realm="Zone Atlas"')
        browser = api.post("/collections/border_gates/items", content=b"{}", headers={"Sec-Fetch-Site": "same-origin"})
        assert not any(c.startswith("Basic") for c in browser.headers.get_list("www-authenticate"))

        assert api.get("/auth/me", auth=("qgis_basic", PASSWORD)).json()["username"] == "qgis_basic"
        accounts.notified(api, engine, "users")
        hits = app.state.token_cache.hits
        assert api.get("/auth/me", auth=("qgis_basic", PASSWORD)).status_code == 200
        assert app.state.token_cache.hits == hits + 1  # the second request did not hash the password again
        # A browser adds Basic credentials it once had by itself, like a cookie: its writes get the origin check.
        cross = api.post(
            "/collections/border_gates/items",
            content=b"{}",
            auth=("qgis_basic", PASSWORD),
            headers={
                "Sec-Fetch-Site": "cross-site",
                "Origin": "https://evil.example",
                "Content-Type": "application/json",
            },
        )
        assert cross.status_code == 403 and "must come from this site" in cross.json()["description"]

        for _ in range(3):
            wrong = api.get("/auth/me", auth=("qgis_basic", "not-the-password"))
            assert wrong.status_code == 401
            assert "wrong account name or password" in wrong.json()["description"]
        locked = api.get("/auth/me", auth=("qgis_basic", "not-the-password"))
        assert locked.status_code == 429  # failed Basic sign-ins count like failed form sign-ins
        assert api.post("/auth/token", data={"username": "qgis_basic", "password": "x" * 9}).status_code == 429

        assert api.get("/auth/me", headers={"Authorization": "Basic !!!"}).status_code == 401
        assert api.get("/auth/me", headers={"Authorization": "Digest x"}).status_code == 401
        token = accounts.bearer(engine, accounts.make_user(engine, "qgis_key", "viewer"))["Authorization"][7:]
        assert api.get("/auth/me", headers={"X-API-Key": token}).json()["username"] == "qgis_key"
        assert api.get("/auth/me", headers={"X-API-Key": "za_unknown"}).status_code == 401


def test_tokens_list_and_accept_their_decision(client, engine, edits):
    number, _ = D_EDIT
    decision_id = add_decision(engine, number, "2029-07-01")
    user = accounts.make_user(engine, "qgis_lists", "editor")
    headers = accounts.bearer(engine, user)
    made = client.post("/auth/tokens", json={"name": "QGIS", "decision": number}, headers=headers)
    assert made.status_code == 201, made.text
    assert (made.json()["decision"], made.json()["decision_id"]) == (number, decision_id)
    unknown = client.post("/auth/tokens", json={"name": "QGIS", "decision": "0/0000/KHÔNG"}, headers=headers)
    assert unknown.status_code == 422 and "no decision '0/0000/KHÔNG'" in unknown.json()["description"]
    listed = {t["name"]: t for t in client.get("/auth/tokens", headers=headers).json()}
    assert (listed["QGIS"]["decision"], listed["QGIS"]["decision_id"]) == (number, decision_id)
    assert listed["tests"]["decision"] is None
    assert rows(engine, "SELECT decision_id FROM api_tokens WHERE id = :i", i=made.json()["id"]) == [(decision_id,)]


def test_options_lists_the_writes_only_to_editors_of_editable_layers(client, staff):
    def allowed(path: str, role: str) -> set[str]:
        response = client.options(path, headers=staff[role])
        assert response.status_code == 204, response.text
        return {m.strip() for m in response.headers["allow"].split(",")}

    for role in ("anonymous", "viewer"):
        assert allowed("/collections/border_gates/items", role) == {"GET", "HEAD", "OPTIONS"}
        assert allowed("/collections/border_gates/items/1", role) == {"GET", "HEAD", "OPTIONS"}
    for role in ("editor", "admin"):
        assert allowed("/collections/border_gates/items", role) == {"GET", "HEAD", "POST", "OPTIONS"}
        assert allowed("/collections/border_gates/items/1", role) == {
            "GET",
            "HEAD",
            "PUT",
            "PATCH",
            "DELETE",
            "OPTIONS",
        }
    assert client.options("/collections/clearance_parcels/items").status_code == 401  # internal: sign in first
    assert client.options("/collections/no_such_layer/items", headers=staff["editor"]).status_code == 404
