"""Every route × every role: status codes, and internal fields or values never in what anonymous readers get.

Routes are enumerated from the app itself, so a new route is swept automatically; one whose path or required
query parameters have no sample value here fails with a message saying what to add.
"""

import io
import json
import re
import subprocess

import mapbox_vector_tile
import morecantile
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text

from layers.registry import LAYERS
from tests import scopes
from tests.api.test_editing import decision

ROLES = ("anonymous", "viewer", "editor", "admin")
PUBLIC, INTERNAL = "projects", "clearance_parcels"
INTERNAL_NAMES = {name for spec in LAYERS.values() for name in spec.internal_fields}
TILE: dict[str, str] = {}  # filled by the `ids` fixture: a zoom-14 tile holding a clearance parcel
PATH_SAMPLES = {
    "tile_matrix_set_id": "WebMercatorQuad",
    "zone_uid": "KKT-VA",
    "token_id": "999999",
    "username": "test_viewer",
    "decision_id": "1",
}
UID_SAMPLES = {"park": "KCN-VA1", "plot": "KCN-VA1-CN1", "project": "PRJ-VA2"}
# GET routes for editors only (a template to fill in for writing): viewers 403 even on layers they may read.
EDITOR_GETS = {"/api/updates/{collection_id}/template.xlsx"}
BASEMAP_FIELDS = {"land": {"country"}, "lines": {"kind", "countries"}}
QUERY_SAMPLES = {"q": "Vũng Áng", "zone": "KKTCK-AG", "from": "456/QĐ-TTg", "to": "456/QĐ-TTg", "year": "2023"}


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
            if layer_name in BASEMAP_FIELDS:  # the offline base map's own layers (not catalogue layers)
                assert all(set(f["properties"]) <= BASEMAP_FIELDS[layer_name] for f in layer["features"]), where
                continue
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
                if path in EDITOR_GETS:
                    assert response.status_code == WRITE_EXPECTED.get(role, 200), where
                    swept += 1
                    continue
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


def test_base_map_tiles_and_labels_for_every_role(client, staff):
    """The base is public and the same for everyone; labels of an internal layer need staff, of public ones not."""
    tile = "/basemap/tiles/WebMercatorQuad/7/101/60"
    labels = {"bbox": "104.5,10.3,105.5,11.2", "layers": "border_gates,land_plots"}
    bodies = set()
    for role in ROLES:
        response = client.get(tile, headers=staff[role])
        assert response.status_code == 200, role
        bodies.add(response.content)
        answer = client.get("/api/map-labels", params=labels, headers=staff[role])
        assert answer.status_code == 200, role
        _assert_nothing_internal(answer, f"{role} labels")
        internal = client.get("/api/map-labels", params={**labels, "layers": INTERNAL}, headers=staff[role])
        assert internal.status_code == (401 if role == "anonymous" else 400), role  # parcels carry no names
    assert len(bodies) == 1


def test_a_public_layer_shows_internal_fields_only_to_staff(client, staff, ids):
    for role in ROLES:
        feature = client.get(f"/collections/{PUBLIC}/items/{ids[PUBLIC]}", headers=staff[role]).json()
        assert ("policy_decision_id" in feature["properties"]) is (role != "anonymous"), role


WRITE_EXPECTED = {"anonymous": 401, "viewer": 403}
ADMINS_ONLY = {"anonymous": 401, "viewer": 403, "editor": 403}


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


@pytest.mark.parametrize("collection", [PUBLIC, INTERNAL])
def test_spreadsheet_updates_for_every_role(client, staff, collection):
    for role in ROLES:
        response = client.post(
            f"/api/updates/{collection}", headers=staff[role], files={"file": ("a.xlsx", b"not a workbook")}
        )
        assert response.status_code == WRITE_EXPECTED.get(role, 400), (role, response.text)  # editors: not XLSX


def test_history_and_account_routes_for_every_role(client, staff, ids):
    expectations = [
        ("GET", f"/collections/{PUBLIC}/items/{ids[PUBLIC]}/history", {"anonymous": 401}, 200),
        ("GET", f"/collections/{INTERNAL}/items/{ids[INTERNAL]}/history", {"anonymous": 401}, 200),
        ("GET", "/auth/me", {"anonymous": 401}, 200),
        ("GET", "/auth/tokens", {"anonymous": 401}, 200),
        ("DELETE", "/auth/tokens/999999", {"anonymous": 401}, 404),
        ("GET", "/auth/users", {"anonymous": 401, "viewer": 403, "editor": 403}, 200),
        ("GET", "/api/accounts", ADMINS_ONLY, 200),
        ("GET", "/api/accounts/changes", ADMINS_ONLY, 200),
        ("POST", "/api/accounts", ADMINS_ONLY, 400),  # an empty body: refused, nothing created
        ("PATCH", "/api/accounts/test_viewer", ADMINS_ONLY, 400),
        ("POST", "/api/accounts/no_such_user/password", ADMINS_ONLY, 404),
        ("POST", "/api/accounts/test_viewer/tokens", ADMINS_ONLY, 400),
        ("DELETE", "/api/accounts/test_viewer/tokens/999999", ADMINS_ONLY, 404),
        ("GET", "/admin/accounts", {"viewer": 403, "editor": 403}, 200),  # anonymous: the login page
        ("GET", "/workspace", {"viewer": 403}, 200),  # anonymous: the login page
        ("GET", "/dashboard", {}, 200),  # everyone: anonymous readers get the public part
        ("GET", "/tasks", {}, 200),  # staff; anonymous: the login page (see the test below)
        ("GET", "/projects/PRJ-VA2/rent", {}, 200),  # staff; anonymous: the login page
        ("GET", "/api/data-health", {"anonymous": 401}, 200),
        ("GET", "/data-health", {}, 200),  # anonymous: the login page
        ("POST", "/api/workspace/land_plots/split", {"anonymous": 401, "viewer": 403}, 400),  # empty body: refused
        ("POST", "/api/workspace/land_plots/merge", {"anonymous": 401, "viewer": 403}, 400),
        ("POST", "/api/clearance/stages", WRITE_EXPECTED, 400),  # an empty body: refused, nothing written
    ]
    for method, url, refused, allowed in expectations:
        for role in ROLES:
            response = client.request(
                method, url, headers=staff[role], json={} if method in ("POST", "PATCH") else None
            )
            assert response.status_code == refused.get(role, allowed), (role, method, url, response.text)


def test_staff_pages_send_anonymous_readers_to_the_login_page(client, staff):
    """The tasks and rent pages hold internal data: anonymous readers are sent to sign in, staff see the page."""
    for path in ("/tasks", "/projects/PRJ-VA2/rent"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
        for role in ("viewer", "editor", "admin"):
            page = client.get(path, headers=staff[role], follow_redirects=False)
            assert page.status_code == 200 and page.headers["cache-control"] == "no-store", (role, path)
    assert client.get("/projects/PRJ-KHÔNG-CÓ/rent", headers=staff["viewer"]).status_code == 404


def test_enterprises_report_for_every_role(client, staff):
    """Everyone may read the report; anonymous readers get the figures and targets marked public, staff all of them."""
    for role in ROLES:
        for f in ("json", "csv", "xlsx"):
            response = client.get("/api/reports/enterprises", params={"year": 2025, "f": f}, headers=staff[role])
            assert response.status_code == 200, (role, f, response.text[:300])
            if role == "anonymous":
                _assert_nothing_internal(response, f"anonymous enterprises report f={f}")
        body = client.get("/api/reports/enterprises", params={"year": 2025}, headers=staff[role]).json()
        assert body["public_only"] is (role == "anonymous")
        # The demo's 2025 figures are estimates, internal until the final figures: none for anonymous readers.
        assert (body["totals"]["projects_reporting"] == 0) is (role == "anonymous"), role


# The board's documents (issue 16): (path, params, formats, roles refused with 401), and words only staff may read.
DOCUMENTS = [
    ("/api/reports/delayed-projects", {"as_of": "2026-01-01"}, ("xlsx", "pdf"), ()),
    ("/api/reports/clearance", {"week": "2025-W14"}, ("xlsx", "pdf"), ("anonymous",)),
    ("/api/reports/programme", {"year": "2023"}, ("xlsx", "pdf", "docx"), ("anonymous",)),
    ("/api/reports/enterprises", {"year": "2025"}, ("pdf", "docx"), ()),
]
STAFF_ONLY_WORDS = ("Nợ tiền thuê đất", "Rent arrears", "05/KL-BQL", "Kết luận, vi phạm chưa khắc phục")


def _document_text(response) -> str:
    """The words of an XLSX, DOCX or PDF answer, to look for what anonymous readers must not get."""
    media = response.headers["content-type"]
    if media.startswith("application/pdf"):
        got = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=response.content, capture_output=True, check=True
        )
        return got.stdout.decode("utf-8")
    if "spreadsheetml" in media:
        book = load_workbook(io.BytesIO(response.content))
        return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value)
    document = Document(io.BytesIO(response.content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return " ".join([p.text for p in document.paragraphs] + cells)


def test_report_documents_for_every_role(client, staff):
    """Documents follow their JSON's access: staff-only reports refuse anonymous readers in every format, and the
    delayed-projects review's rent arrears and findings reach staff only."""
    for path, params, formats, refused in DOCUMENTS:
        for f in formats:
            for role in ROLES:
                response = client.get(path, params={**params, "f": f}, headers=staff[role])
                where = (role, path, f, response.text[:200] if response.status_code != 200 else "")
                if role in refused:
                    assert response.status_code == 401, where
                    continue
                assert response.status_code == 200, where
                if path.endswith("delayed-projects"):
                    words = _document_text(response)
                    assert any(w in words for w in STAFF_ONLY_WORDS) is (role != "anonymous"), where


def test_enterprises_trend_for_every_role(client, staff):
    """The trend reads as the report does: everyone, anonymous readers only the figures and targets marked public."""
    params = {"from": 2019, "to": 2025}
    for role in ROLES:
        for f in ("json", "csv"):
            response = client.get("/api/reports/enterprises/trend", params={**params, "f": f}, headers=staff[role])
            assert response.status_code == 200, (role, f, response.text[:300])
            if role == "anonymous":
                _assert_nothing_internal(response, f"anonymous enterprises trend f={f}")
        body = client.get("/api/reports/enterprises/trend", params=params, headers=staff[role]).json()
        assert body["public_only"] is (role == "anonymous")
        # 2025's figures are internal estimates: anonymous readers get none of them, staff get every project's.
        assert (body["years"][-1]["projects_reporting"] == 0) is (role == "anonymous"), role
        assert body["years"][-2]["projects_reporting"] > 0, role  # 2024 is final and public


def test_decision_register_writes_for_every_role(client, staff, engine, edits):
    with engine.connect() as conn:
        before = conn.execute(text("SELECT md5(string_agg(d::text, ',' ORDER BY id)) FROM decisions d")).scalar_one()
    stale = {"If-Match": '"0"'}
    pdf = {"file": ("qd.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    calls = [
        ("POST", "/api/decisions", {"json": {}}, 400),  # an empty body: refused, nothing created
        ("PATCH", "/api/decisions/1", {"json": {"notes": "x"}, "headers": stale}, 412),
        ("PUT", "/api/decisions/1/document", {"files": pdf, "headers": stale}, 412),
        ("DELETE", "/api/decisions/1/document", {"headers": stale}, 412),
    ]
    for method, url, kwargs, editor_status in calls:
        for role in ROLES:
            headers = {**staff[role], **kwargs.get("headers", {})}
            response = client.request(method, url, **{**kwargs, "headers": headers})
            expected = WRITE_EXPECTED.get(role, editor_status)
            assert response.status_code == expected, (role, method, url, response.text)
    with engine.connect() as conn:
        after = conn.execute(text("SELECT md5(string_agg(d::text, ',' ORDER BY id)) FROM decisions d")).scalar_one()
        assert after == before
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar_one() == 0


def test_every_write_route_refuses_anonymous_callers(client, staff, ids):
    for method, path, _ in _routes(client):
        if method in ("GET", "HEAD", "OPTIONS") or path in ("/auth/token", "/login", "/logout"):
            continue
        url = _fill(path, PUBLIC, ids)
        response = client.request(method, url, content=b"{}", headers={"Content-Type": "application/json"})
        assert response.status_code == 401, (method, url, response.status_code, response.text[:300])


# --- province scopes: role × scope × layer × write path ---------------------------------------------------------

scoped = scopes.scoped
OUTSIDE = "NINH_BINH"  # no feature of scopes.KNOWN is in Ninh Bình
VERSIONED = {layer for layer, spec in LAYERS.items() if spec.versioned}


def _scope_headers(staff, scoped, role: str, scope: str, province: str | None) -> dict[str, str]:
    """Headers of an account of the role: without provinces, scoped to the feature's province, or to another."""
    if scope == "every":
        return staff[role]
    return scoped[(role, (province or "HA_TINH") if scope == "in" else OUTSIDE)]


def _undo_version(engine, layer: str, old: int, response) -> None:
    """An allowed edit of a versioned demo feature made a new version: remove it and reopen the demo row."""
    new = int(response.headers["location"].rsplit("/", 1)[1])
    if new != old:
        with engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {layer} WHERE id = :new"), {"new": new})
            conn.execute(text(f"UPDATE {layer} SET valid_to = NULL WHERE id = :old"), {"old": old})


def test_edits_for_every_role_scope_and_layer(client, engine, staff, scoped, edits):
    later = decision(engine, "SCOPE-M/2026/QĐ-BQL", "2026-11-01")
    for layer, (_, province) in scopes.KNOWN.items():
        key = scopes.feature_id(engine, layer)
        url = f"/collections/{layer}/items/{key}"
        for role in ("editor", "admin"):
            for scope in ("every", "in", "out"):
                headers = _scope_headers(staff, scoped, role, scope, province)
                allowed = scope == "every" or (scope == "in" and province is not None)
                for method in ("PATCH", "DELETE") if not allowed else ("PATCH",):  # no allowed deletes of demo data
                    etag = client.get(url, headers=staff["editor"]).headers["etag"]
                    response = client.request(
                        method,
                        url,
                        content=json.dumps({"properties": {}}) if method == "PATCH" else None,
                        headers={
                            **headers,
                            "Content-Type": "application/merge-patch+json",
                            "If-Match": etag,
                            "Decision": str(later),
                        },
                    )
                    where = (role, scope, layer, method, response.text[:300])
                    assert response.status_code == (200 if allowed else 403), where
                    if allowed and layer in VERSIONED:
                        _undo_version(engine, layer, key, response)
                    if not allowed:
                        assert "only; " in response.json()["description"], where


def test_imports_for_every_role_and_scope(client, engine, staff, scoped, edits):
    for role in ("editor", "admin"):
        for scope in ("every", "in", "out"):
            uid = f"TEST-SCOPE-{role}-{scope}".upper()
            node = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [106.33, 18.07]},
                "properties": {"uid": uid, "name_vi": "Cảng thử nghiệm", "kind": "seaport", "province_code": "HA_TINH"},
            }
            response = client.post(
                "/api/imports",
                headers=_scope_headers(staff, scoped, role, scope, "HA_TINH"),
                data={"layer": "transport_nodes"},
                files={"file": ("node.geojson", scopes.import_document([node]), "application/octet-stream")},
            )
            assert response.status_code == (403 if scope == "out" else 200), (role, scope, response.text)
            with engine.connect() as conn:
                found = conn.execute(text("SELECT count(*) FROM transport_nodes WHERE uid = :u"), {"u": uid})
                assert found.scalar_one() == (0 if scope == "out" else 1), (role, scope)


# Write routes that change no province data, and why: they need no scope check.
SCOPE_FREE_WRITES = {
    ("POST", "/auth/token"): "signs in",
    ("POST", "/login"): "signs in (browser form)",
    ("POST", "/logout"): "signs out",
    ("POST", "/auth/tokens"): "issues the caller a personal token",
    ("DELETE", "/auth/tokens/{token_id}"): "revokes one of the caller's tokens",
    ("POST", "/api/accounts"): "creates an account (admins only)",
    ("PATCH", "/api/accounts/{username}"): "changes an account's role, provinces or state (admins only)",
    ("POST", "/api/accounts/{username}/password"): "resets a password (admins only)",
    ("POST", "/api/accounts/{username}/tokens"): "issues a token to an account (admins only)",
    ("DELETE", "/api/accounts/{username}/tokens/{token_id}"): "revokes an account's token (admins only)",
}


def _write_routes(routes):
    """(method, path) of every write route, looking inside included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _write_routes(inner.routes)
        for method in set(getattr(route, "methods", None) or ()) & {"POST", "PUT", "PATCH", "DELETE"}:
            yield method, route.path


def _out_of_scope_writes(client, engine, headers) -> dict:
    """For each write route that changes province data: a call that writes Hà Tĩnh data (refused for Ninh Bình)."""
    key = scopes.feature_id(engine, "transport_nodes")  # Cảng Vũng Áng, Hà Tĩnh
    item = f"/collections/transport_nodes/items/{key}"
    read = client.get(item, headers=headers)
    current, etag = read.json(), read.headers["etag"]
    node = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [106.33, 18.07]},
        "properties": {"uid": "TEST-SCOPE-ROUTE", "name_vi": "Cảng thử", "kind": "seaport", "province_code": "HA_TINH"},
    }
    put = {"type": "Feature", "geometry": current["geometry"], "properties": {**node["properties"], "uid": "TN-X"}}
    west, east = _adjacent_plots(engine)  # in park KCN-VA1, Hà Tĩnh
    tags = [client.get(f"/collections/land_plots/items/{k}", headers=headers).headers["etag"] for k in (west, east)]
    across = {"type": "LineString", "coordinates": [[106.3395, 18.0680], [106.3395, 18.0710]]}
    parcel = scopes.feature_id(engine, "clearance_parcels")  # a parcel of PRJ-VHVA, Hà Tĩnh
    stage = {"stage": "notice_issued", "date": "2020-01-01", "parcels": [parcel]}
    geojson = {**headers, "Content-Type": "application/geo+json", "If-Match": etag}
    return {
        ("POST", "/collections/{collection_id}/items"): lambda: client.post(
            "/collections/transport_nodes/items", content=json.dumps(node), headers=geojson
        ),
        ("PUT", "/collections/{collection_id}/items/{feature_id}"): lambda: client.put(
            item, content=json.dumps(put), headers=geojson
        ),
        ("PATCH", "/collections/{collection_id}/items/{feature_id}"): lambda: client.patch(
            item, content=json.dumps({"properties": {}}), headers={**geojson, "Content-Type": "application/json"}
        ),
        ("DELETE", "/collections/{collection_id}/items/{feature_id}"): lambda: client.delete(item, headers=geojson),
        ("POST", "/api/decisions"): lambda: client.post(
            "/api/decisions",
            headers=headers,
            json={
                "number": "SCOPE/QĐ-THỬ",
                "title_vi": "Quyết định thử",
                "date_signed": "2026-01-05",
                "date_effective": "2026-01-05",
                "authority": "management_board",
                "kind": "regulation",
            },
        ),
        ("PATCH", "/api/decisions/{decision_id}"): lambda: client.patch(
            "/api/decisions/1", headers=headers, json={"notes": "ngoài phạm vi"}
        ),
        ("PUT", "/api/decisions/{decision_id}/document"): lambda: client.put(
            "/api/decisions/1/document",
            headers=headers,
            files={"file": ("qd.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        ),
        ("DELETE", "/api/decisions/{decision_id}/document"): lambda: client.delete(
            "/api/decisions/1/document", headers=headers
        ),
        ("POST", "/api/imports"): lambda: client.post(
            "/api/imports",
            headers=headers,
            data={"layer": "transport_nodes"},
            files={"file": ("n.geojson", scopes.import_document([node]), "application/octet-stream")},
        ),
        ("POST", "/api/workspace/{collection_id}/split"): lambda: client.post(
            "/api/workspace/land_plots/split",
            json={"id": west, "line": across, "decision": "1076/QĐ-TTg", "if_match": tags[0]},
            headers=headers,
        ),
        ("POST", "/api/workspace/{collection_id}/merge"): lambda: client.post(
            "/api/workspace/land_plots/merge",
            json={"ids": [west, east], "decision": "1076/QĐ-TTg", "if_matches": tags},
            headers=headers,
        ),
        ("POST", "/api/updates/{collection_id}"): lambda: client.post(
            "/api/updates/transport_nodes", headers=headers, files={"file": ("n.xlsx", _node_sheet(client, headers))}
        ),
        ("POST", "/api/clearance/stages"): lambda: client.post("/api/clearance/stages", json=stage, headers=headers),
    }


def _adjacent_plots(engine) -> tuple[int, int]:
    """Two plots of park KCN-VA1 (Hà Tĩnh) sharing an edge, written by SQL (the edits fixture deletes them)."""
    insert = text(
        "INSERT INTO land_plots (uid, code, park_uid, planning_function, status, valid_from, decision_id, geom) "
        "SELECT :uid, :uid, 'KCN-VA1', 'industrial', 'available', date_effective, id, "
        "ST_MakeEnvelope(:x, 18.0690, :x + 0.001, 18.0700, 4326) FROM decisions WHERE number = '1076/QĐ-TTg' "
        "RETURNING id"
    )
    with engine.begin() as conn:
        west = conn.execute(insert, {"uid": "TEST-SCOPE-W", "x": 106.3390}).scalar_one()
        east = conn.execute(insert, {"uid": "TEST-SCOPE-E", "x": 106.3400}).scalar_one()
    return west, east


def _node_sheet(client, headers) -> bytes:
    """The transport nodes' template with Cảng Vũng Áng's capacity changed."""
    template = client.get("/api/updates/transport_nodes/template.xlsx", headers=headers)
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = workbook.worksheets[0]
    columns = {sheet.cell(2, c).value: c for c in range(1, sheet.max_column + 1)}
    [row] = [
        r
        for r in range(3, sheet.max_row + 1)
        if sheet.cell(r, columns["uid"]).value == scopes.KNOWN["transport_nodes"][0]
    ]
    sheet.cell(row, columns["capacity_note"]).value = "thay đổi ngoài phạm vi"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_every_write_route_refuses_out_of_scope_writes_or_changes_no_province_data(client, engine, scoped, edits):
    routes = set(_write_routes(client.app.routes))
    documented = {(m.upper(), p) for m, p, _ in _routes(client) if m in ("POST", "PUT", "PATCH", "DELETE")}
    assert documented <= routes, documented - routes  # the walk sees every route the API documents
    headers = scoped[("editor", OUTSIDE)]
    calls = _out_of_scope_writes(client, engine, headers)
    for route in sorted(routes):
        if route in SCOPE_FREE_WRITES:
            continue
        assert route in calls, (
            f"{route} is a write route the scope test does not know: add a call writing Hà Tĩnh data to "
            "_out_of_scope_writes (it must answer 403), or list it in SCOPE_FREE_WRITES saying why it changes no "
            "province data"
        )
        response = calls[route]()
        assert response.status_code == 403, (route, response.text[:300])
        assert "may change data in Ninh Bình only" in response.json()["description"], route
    with engine.connect() as conn:
        written = conn.execute(text("SELECT count(*) FROM transport_nodes WHERE uid = 'TEST-SCOPE-ROUTE'"))
        assert written.scalar_one() == 0
