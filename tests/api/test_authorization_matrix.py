"""Every route × every role: status codes, and internal fields or values never in what anonymous readers get.

Routes are enumerated from the app itself, so a new route is swept automatically; one whose path or required
query parameters have no sample value here fails with a message saying what to add.
"""

import json
import re

import mapbox_vector_tile
import morecantile
import pytest
from sqlalchemy import text

from layers.registry import LAYERS

ROLES = ("anonymous", "viewer", "editor", "admin")
PUBLIC, INTERNAL = "projects", "clearance_parcels"
INTERNAL_NAMES = {name for spec in LAYERS.values() for name in spec.internal_fields}
TILE: dict[str, str] = {}  # filled by the `ids` fixture: a zoom-14 tile holding a clearance parcel
PATH_SAMPLES = {"tile_matrix_set_id": "WebMercatorQuad", "zone_uid": "KKT-VA", "token_id": "999999"}
UID_SAMPLES = {"park": "KCN-VA1", "plot": "KCN-VA1-CN1", "project": "PRJ-VA2"}
QUERY_SAMPLES = {"q": "Vũng Áng", "zone": "KKTCK-AG", "from": "456/QĐ-TTg", "to": "456/QĐ-TTg"}


def _owner_names() -> set[str]:
    """People's names from the demo clearance parcels (internal): they must never reach anonymous readers."""
    from gis.settings import PROJECT_ROOT

    document = json.loads((PROJECT_ROOT / "data/demo/clearance_parcels.geojson").read_text(encoding="utf-8"))
    names = {f["properties"].get("owner_name") for f in document["features"]}
    return {n for n in names if n and " " in n and not n.startswith("UBND")}


OWNER_NAMES = _owner_names()


@pytest.fixture(scope="module")
def ids(engine):
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM "
                "clearance_parcels ORDER BY id LIMIT 1) p"
            )
        ).one()
        tile = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 14)
        TILE.update(tile_matrix_set_id="WebMercatorQuad", z="14", x=str(tile.x), y=str(tile.y))
        return {
            PUBLIC: conn.execute(text("SELECT id FROM projects WHERE uid = 'PRJ-VA2'")).scalar_one(),
            INTERNAL: conn.execute(text("SELECT min(id) FROM clearance_parcels")).scalar_one(),
        }


def _routes(client):
    """(method, path template, required query parameters) for every operation in the app."""
    schema = client.app.openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            required = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")]
            yield method.upper(), path, required
    for route in client.app.routes:  # pages kept out of the OpenAPI document (login, logout)
        if getattr(route, "include_in_schema", True) is False and hasattr(route, "methods"):
            for method in route.methods - {"HEAD"}:
                yield method, route.path, []


def _fill(path: str, collection: str, ids: dict) -> str:
    """A concrete URL for a path template, or a failure naming the parameter that needs a sample."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "collection_id":
            return collection
        if name == "feature_id":
            return str(ids[collection])
        if name in TILE and "/tiles/" in path and "{z}" in path:
            return TILE[name]
        if name in PATH_SAMPLES:
            return PATH_SAMPLES[name]
        if name == "uid":
            kind = next((k for k in UID_SAMPLES if k in path), None)
            assert kind, f"add a uid sample for {path} in test_authorization_matrix.UID_SAMPLES"
            return UID_SAMPLES[kind]
        raise AssertionError(f"add a sample value for path parameter '{name}' ({path}) in the matrix test")

    return re.sub(r"\{([^}]+)\}", value, path)


def _json_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _json_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _json_keys(v)}
    return set()


def _assert_nothing_internal(response, where: str) -> None:
    """What an anonymous reader received holds no internal field and no internal value."""
    media = response.headers.get("content-type", "")
    if "mapbox-vector-tile" in media:
        for layer_name, layer in mapbox_vector_tile.decode(response.content).items():
            assert layer_name != INTERNAL, where
            public = set(LAYERS[layer_name].public_fields) | {LAYERS[layer_name].id_column}
            for feature in layer["features"]:
                assert set(feature["properties"]) <= public, (where, set(feature["properties"]) - public)
        return
    body = response.content.decode("utf-8", errors="replace")
    if "json" in media:
        leaked = _json_keys(response.json()) & INTERNAL_NAMES
        assert not leaked, (where, leaked)
    for name in OWNER_NAMES:
        assert name not in body, (where, name)


def test_every_get_route_for_every_role(client, staff, ids):
    swept = 0
    for method, path, required in _routes(client):
        if method != "GET" or path in ("/docs", "/redoc", "/docs/oauth2-redirect", "/openapi.json"):
            continue
        missing = [q for q in required if q not in QUERY_SAMPLES]
        assert not missing, f"add samples for query parameters {missing} of {path} in the matrix test"
        params = {q: QUERY_SAMPLES[q] for q in required}
        collections = (PUBLIC, INTERNAL) if "{collection_id}" in path else (None,)
        for collection in collections:
            url = _fill(path, collection or "", ids)
            for role in ROLES:
                response = client.get(url, params=params, headers=staff[role])
                where = f"{role} GET {url}"
                assert response.status_code < 500, (where, response.text[:500])
                if collection == INTERNAL:
                    expected = {"anonymous": 401}.get(role)
                    if expected:
                        assert response.status_code == 401, where
                        assert response.headers["www-authenticate"].startswith("Bearer"), where
                    else:
                        assert response.status_code not in (401, 403), where
                if role == "anonymous" and response.status_code < 300:
                    _assert_nothing_internal(response, where)
                swept += 1
    assert swept > 100


def test_exports_of_public_layers_carry_no_internal_fields(client, staff):
    for role in ROLES:
        response = client.get(f"/collections/{PUBLIC}/items", params={"f": "csv"}, headers=staff[role])
        assert response.status_code == 200
        header = response.content.decode("utf-8-sig").splitlines()[0]
        assert ("policy_decision_id" in header) is (role != "anonymous"), role
    assert client.get(f"/collections/{INTERNAL}/items", params={"f": "csv"}).status_code == 401
    staff_csv = client.get(f"/collections/{INTERNAL}/items", params={"f": "csv"}, headers=staff["viewer"])
    assert staff_csv.status_code == 200 and "owner_name" in staff_csv.text.splitlines()[0]


def test_collections_list_and_multi_layer_tiles_hide_internal_layers_from_anonymous(client, staff, ids):
    for role in ROLES:
        listed = [c["id"] for c in client.get("/collections", headers=staff[role]).json()["collections"]]
        assert (INTERNAL in listed) is (role != "anonymous"), role
        tile = client.get("/tiles/WebMercatorQuad/{z}/{x}/{y}".format(**TILE), headers=staff[role])
        assert tile.status_code == 200
        layers = mapbox_vector_tile.decode(tile.content)
        assert layers, role
        assert (INTERNAL in layers) is (role != "anonymous"), role
        if role != "anonymous":
            fields = set().union(*(f["properties"] for f in layers[INTERNAL]["features"]))
            assert fields <= set(LAYERS[INTERNAL].at_zoom(int(TILE["z"])).tile_fields)  # merged below the detail zoom


def test_a_public_layer_shows_internal_fields_only_to_staff(client, staff, ids):
    for role in ROLES:
        feature = client.get(f"/collections/{PUBLIC}/items/{ids[PUBLIC]}", headers=staff[role]).json()
        assert ("policy_decision_id" in feature["properties"]) is (role != "anonymous"), role


WRITE_EXPECTED = {"anonymous": 401, "viewer": 403}


@pytest.mark.parametrize("collection", [PUBLIC, INTERNAL])
def test_write_routes_for_every_role(client, staff, ids, edits, collection):
    item = f"/collections/{collection}/items/{ids[collection]}"
    calls = [
        ("POST", f"/collections/{collection}/items", {"type": "Feature", "properties": {}}, (422,)),
        ("PUT", item, {"type": "Feature", "geometry": None, "properties": {}}, (422,)),  # body checked first
        ("PATCH", item, {"type": "Feature", "properties": {}}, (412,)),
        ("DELETE", item, None, (412,)),
    ]
    for method, url, body, editor_status in calls:
        for role in ROLES:
            response = client.request(
                method,
                url,
                headers={**staff[role], "Content-Type": "application/geo+json", "If-Match": '"0"'},  # stale
                content=None if body is None else json.dumps(body),
            )
            expected = WRITE_EXPECTED.get(role)
            if expected:
                assert response.status_code == expected, (role, method, url, response.text)
            else:
                assert response.status_code in editor_status, (role, method, url, response.text)


def test_history_and_account_routes_for_every_role(client, staff, ids):
    expectations = [
        ("GET", f"/collections/{PUBLIC}/items/{ids[PUBLIC]}/history", {"anonymous": 401}, 200),
        ("GET", f"/collections/{INTERNAL}/items/{ids[INTERNAL]}/history", {"anonymous": 401}, 200),
        ("GET", "/auth/me", {"anonymous": 401}, 200),
        ("GET", "/auth/tokens", {"anonymous": 401}, 200),
        ("DELETE", "/auth/tokens/999999", {"anonymous": 401}, 404),
        ("GET", "/auth/users", {"anonymous": 401, "viewer": 403, "editor": 403}, 200),
    ]
    for method, url, refused, allowed in expectations:
        for role in ROLES:
            response = client.request(method, url, headers=staff[role])
            assert response.status_code == refused.get(role, allowed), (role, method, url, response.text)


def test_every_write_route_refuses_anonymous_callers(client, staff, ids):
    for method, path, _ in _routes(client):
        if method in ("GET", "HEAD", "OPTIONS") or path in ("/auth/token", "/login", "/logout"):
            continue
        url = _fill(path, PUBLIC, ids)
        response = client.request(method, url, content=b"{}", headers={"Content-Type": "application/json"})
        assert response.status_code == 401, (method, url, response.status_code, response.text[:300])
