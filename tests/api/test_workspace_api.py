"""Split and merge (/api/workspace/{layer}/split|merge): one all-or-nothing change each, audited, checked by SQL."""

import json
import unicodedata

from sqlalchemy import text

from tests.api.test_editing import GEOJSON, decision, plot

# Areas in a metric CRS (UTM 48N covers Vũng Áng, 102°E-108°E), independent of the app's own area_ha column.
AREA = "ST_Area(ST_Transform(geom, 32648))"
# A second square east of PLOT_RING's, sharing its eastern edge (106.3400).
EAST_RING = [[106.3400, 18.0690], [106.3410, 18.0690], [106.3410, 18.0700], [106.3400, 18.0700], [106.3400, 18.0690]]
FAR_RING = [[106.3500, 18.0690], [106.3510, 18.0690], [106.3510, 18.0700], [106.3500, 18.0700], [106.3500, 18.0690]]
ACROSS = {"type": "LineString", "coordinates": [[106.3395, 18.0680], [106.3395, 18.0710]]}  # cuts it north-south


def _sql(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


def _new_plot(client, staff, uid: str, number: str, ring=None) -> tuple[int, str]:
    """A plot of our own (the edits fixture deletes it), created under a decision; its id and ETag."""
    body = plot({"uid": uid, "code": uid[-8:]}, ring=ring, decision=number)
    headers = {**GEOJSON, **staff["editor"]}
    response = client.post("/collections/land_plots/items", content=json.dumps(body), headers=headers)
    assert response.status_code == 201, response.text
    return int(response.headers["location"].rsplit("/", 1)[1]), response.headers["etag"]


def _post(client, headers, action: str, body: dict):
    return client.post(f"/api/workspace/land_plots/{action}", json=body, headers=headers)


def test_split_makes_two_plots_whose_areas_sum_to_the_original_then_merge_joins_them(client, engine, staff, edits):
    decision(engine, "WS-1/2026/QĐ-BQL", "2026-01-10")
    split_under = decision(engine, "WS-2/2026/QĐ-BQL", "2026-02-01")
    merge_under = decision(engine, "WS-3/2026/QĐ-BQL", "2026-03-01")
    key, etag = _new_plot(client, staff, "TEST-WS-SPLIT", "WS-1/2026/QĐ-BQL")
    [[original_area]] = _sql(engine, f"SELECT {AREA} FROM land_plots WHERE id = :k", k=key)

    body = {"id": key, "line": ACROSS, "decision": "WS-2/2026/QĐ-BQL", "if_match": etag}
    response = _post(client, staff["editor"], "split", body)
    assert response.status_code == 200, response.text
    kept, created = (f["id"] for f in response.json()["features"])
    rows = _sql(
        engine,
        f"SELECT id, uid, status, park_uid, decision_id, valid_to, {AREA} AS area FROM land_plots "
        "WHERE id IN (:k, :a, :b) ORDER BY id",
        k=key,
        a=kept,
        b=created,
    )
    by_id = {r.id: r for r in rows}
    assert str(by_id[key].valid_to) == "2026-02-01"  # the version it was closed under the split's decision
    assert by_id[kept].uid == "TEST-WS-SPLIT" and by_id[kept].valid_to is None
    assert by_id[created].uid.startswith("TEST-WS-SPLIT-") and by_id[created].valid_to is None
    assert {by_id[kept].decision_id, by_id[created].decision_id} == {split_under}
    assert by_id[created].park_uid == "KCN-VA1" and by_id[created].status == "available"
    halves = by_id[kept].area + by_id[created].area
    assert abs(halves - original_area) < 1e-6 * original_area
    assert abs(by_id[kept].area - by_id[created].area) < 0.01 * original_area  # the line cut it in the middle
    audit = _sql(
        engine,
        "SELECT action, feature_id, decision_id, username, if_match FROM audit_log "
        "WHERE layer_id = 'land_plots' AND feature_id IN (:a, :b) ORDER BY id",
        a=str(kept),
        b=str(created),
    )
    assert [(a.action, a.feature_id) for a in audit] == [("update", str(kept)), ("create", str(created))]
    assert {a.decision_id for a in audit} == {split_under}
    assert audit[0].if_match == etag and audit[0].username == "test_editor"

    etags = [f["etag"] for f in response.json()["features"]]
    merged = _post(
        client,
        staff["editor"],
        "merge",
        {"ids": [kept, created], "decision": "WS-3/2026/QĐ-BQL", "if_matches": etags},
    )
    assert merged.status_code == 200, merged.text
    [current] = [f["id"] for f in merged.json()["features"]]
    [[area, valid_to]] = _sql(
        engine, f"SELECT {AREA}, valid_to FROM land_plots WHERE uid = 'TEST-WS-SPLIT' AND id = :c", c=current
    )
    assert valid_to is None and abs(area - original_area) < 1e-6 * original_area
    [[closed]] = _sql(engine, "SELECT valid_to FROM land_plots WHERE id = :b", b=created)
    assert str(closed) == "2026-03-01"  # the second plot is closed under the merge's decision, not erased
    actions = _sql(
        engine,
        "SELECT action, decision_id FROM audit_log WHERE layer_id = 'land_plots' AND decision_id = :d ORDER BY id",
        d=merge_under,
    )
    assert [tuple(a) for a in actions] == [("update", merge_under), ("delete", merge_under)]


def test_a_line_that_does_not_cut_the_plot_in_two_is_422_and_nothing_is_written(client, engine, staff, edits):
    decision(engine, "WS-4/2026/QĐ-BQL", "2026-01-10")
    decision(engine, "WS-5/2026/QĐ-BQL", "2026-02-01")
    key, etag = _new_plot(client, staff, "TEST-WS-NOCUT", "WS-4/2026/QĐ-BQL")
    before = _sql(engine, "SELECT count(*) FROM audit_log UNION ALL SELECT count(*) FROM land_plots")
    inside = {"type": "LineString", "coordinates": [[106.3392, 18.0692], [106.3398, 18.0698]]}  # ends inside
    for line in (inside, {"type": "LineString", "coordinates": [[106.36, 18.06], [106.37, 18.07]]}):  # misses it
        body = {"id": key, "line": line, "decision": "WS-5/2026/QĐ-BQL", "if_match": etag}
        response = _post(client, staff["editor"], "split", body)
        assert response.status_code == 422, response.text
        assert "exactly two parts" in response.json()["description"]
    assert _sql(engine, "SELECT count(*) FROM audit_log UNION ALL SELECT count(*) FROM land_plots") == before
    [[valid_to]] = _sql(engine, "SELECT valid_to FROM land_plots WHERE id = :k", k=key)
    assert valid_to is None


def test_plots_that_do_not_share_an_edge_are_not_merged(client, engine, staff, edits):
    decision(engine, "WS-6/2026/QĐ-BQL", "2026-01-10")
    decision(engine, "WS-7/2026/QĐ-BQL", "2026-02-01")
    a, etag_a = _new_plot(client, staff, "TEST-WS-A", "WS-6/2026/QĐ-BQL")
    far, etag_far = _new_plot(client, staff, "TEST-WS-FAR", "WS-6/2026/QĐ-BQL", ring=FAR_RING)
    east, etag_east = _new_plot(client, staff, "TEST-WS-EAST", "WS-6/2026/QĐ-BQL", ring=EAST_RING)
    body = {"ids": [a, far], "decision": "WS-7/2026/QĐ-BQL", "if_matches": [etag_a, etag_far]}
    response = _post(client, staff["editor"], "merge", body)
    assert response.status_code == 422, response.text
    assert "not adjacent" in response.json()["description"]
    closed = "SELECT count(*) FROM land_plots WHERE valid_to IS NOT NULL AND id IN (:a, :f)"
    assert _sql(engine, closed, a=a, f=far) == [(0,)]
    stale = {"ids": [a, east], "decision": "WS-7/2026/QĐ-BQL", "if_matches": [etag_a, '"0"']}
    assert _post(client, staff["editor"], "merge", stale).status_code == 412
    unnamed = {"ids": [a, east], "if_matches": [etag_a, etag_east]}  # a versioned layer needs the decision
    assert _post(client, staff["editor"], "merge", unnamed).status_code == 422
    assert _sql(engine, "SELECT count(*) FROM land_plots WHERE uid LIKE 'TEST-WS-%' AND valid_to IS NOT NULL") == [(0,)]


def test_viewers_get_403_and_anonymous_callers_401(client, staff, engine, edits):
    body = {"id": 1, "line": ACROSS, "decision": "1076/QĐ-TTg", "if_match": '"1"'}
    merge = {"ids": [1, 2], "decision": "1076/QĐ-TTg", "if_matches": ['"1"', '"2"']}
    for action, payload in (("split", body), ("merge", merge)):
        assert _post(client, staff["viewer"], action, payload).status_code == 403
        assert _post(client, {}, action, payload).status_code == 401
    assert client.get("/workspace", headers=staff["viewer"]).status_code == 403
    assert "biên tập viên" in client.get("/workspace", headers=staff["viewer"]).text
    anonymous = client.get("/workspace", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")


def _config(page) -> dict:
    return json.loads(page.text.split('id="ws-config">', 1)[1].split("</script>", 1)[0])


def _field(config: dict, layer_id: str, name: str) -> dict:
    layer = next(layer for layer in config["layers"] if layer["id"] == layer_id)
    return next(f for f in layer["fields"] if f["name"] == name)


def test_the_page_embeds_field_config_and_no_features(client, staff, engine):
    page = client.get("/workspace", headers=staff["editor"])
    assert page.status_code == 200
    assert 'id="ws-config"' in page.text and "leaflet-geoman.min.js" in page.text
    config = _config(page)
    plots = next(layer for layer in config["layers"] if layer["id"] == "land_plots")
    status = _field(config, "land_plots", "status")
    choices = config["vocabularies"][status["vocabulary"]]
    assert status["required"] and {"value": "leased", "vi": "Đã cho thuê", "en": "Leased"} in choices
    assert plots["versioned"] is True and "features" not in json.dumps(config)
    assert len(page.text) < 60_000  # no layer's features embedded


def test_land_use_codes_are_embedded_once_and_named_by_both_fields(client, staff, engine):
    config = _config(client.get("/workspace", headers=staff["editor"]))
    plots, parcels = _field(config, "land_plots", "landuse_code"), _field(config, "clearance_parcels", "landuse_code")
    assert plots["vocabulary"] == parcels["vocabulary"] and "choices" not in plots and "choices" not in parcels
    codes = {row[0] for row in _sql(engine, "SELECT code FROM landuse_codes")}
    assert {c["value"] for c in config["vocabularies"][plots["vocabulary"]]} == codes
    lists = [json.dumps(v, sort_keys=True) for v in config["vocabularies"].values()]
    assert len(lists) == len(set(lists))  # no vocabulary twice under two names
    assert sum(1 for v in config["vocabularies"].values() if {c["value"] for c in v} == codes) == 1


def test_fields_naming_projects_or_decisions_carry_a_reference_not_their_rows(client, staff, engine):
    config = _config(client.get("/workspace", headers=staff["editor"]))
    project = _field(config, "clearance_parcels", "project_id")
    policy = _field(config, "projects", "policy_decision_id")
    assert project["reference"] == {"layer": "projects", "key": "id", "show": "name_vi"} and "vocabulary" not in project
    assert policy["reference"] == {"layer": "decisions", "key": "id", "show": "number"} and "vocabulary" not in policy
    names = {row[0] for row in _sql(engine, "SELECT name_vi FROM projects")}
    numbers = {row[0] for row in _sql(engine, "SELECT number FROM decisions")}
    embedded = json.dumps(config["layers"], ensure_ascii=False) + json.dumps(config["vocabularies"], ensure_ascii=False)
    assert not [n for n in names | numbers if f'"{n}"' in embedded]  # no project's name, no decision's number


def test_the_page_does_not_grow_with_projects_and_decisions(client, staff, engine, edits):
    before = client.get("/workspace", headers=staff["editor"]).content
    try:
        with engine.begin() as conn:  # 300 of each, copied from a demo row so every rule of the table holds
            conn.execute(
                text(
                    "INSERT INTO projects (uid, name_vi, investor, sector, status, province_code, geom) "
                    "SELECT 'WSCFG-' || n, 'Dự án thử cấu hình ' || n, investor, sector, status, province_code, geom "
                    "FROM projects, generate_series(1, 300) AS n WHERE id = (SELECT min(id) FROM projects)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
                    "SELECT 'WSCFG-' || n || '/QĐ-BQL', 'Quyết định thử cấu hình ' || n, date_signed, date_effective, "
                    "authority, kind FROM decisions, generate_series(1, 300) AS n "
                    "WHERE id = (SELECT min(id) FROM decisions)"
                )
            )
        assert _sql(engine, "SELECT count(*) FROM projects WHERE uid LIKE 'WSCFG-%'") == [(300,)]
        after = client.get("/workspace", headers=staff["editor"]).content
        # The size follows the form's fields, never the data (issue 17 added lifecycle and its decision to 5 layers).
        assert abs(len(after) - len(before)) <= 8 and len(after) < 64_000
        assert b"WSCFG-" not in after
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM projects WHERE uid LIKE 'WSCFG-%'"))
            conn.execute(text("DELETE FROM decisions WHERE number LIKE 'WSCFG-%'"))


def test_search_can_keep_one_layer_and_ignores_diacritics(client, staff, engine):
    [(name,)] = _sql(engine, "SELECT name_vi FROM projects WHERE name_vi ~ '[àáảãạăâđèéêìíòóôơùúưỳý]' LIMIT 1")
    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    plain = plain.replace("đ", "d").replace("Đ", "D").lower()
    found = client.get("/api/search", params={"q": plain, "layer": "projects", "limit": 100}, headers=staff["editor"])
    assert found.status_code == 200, found.text
    hits = found.json()["hits"]
    assert {h["layer"] for h in hits} == {"projects"} and name in {h["name_vi"] for h in hits}
    everything = client.get("/api/search", params={"q": "vung ang", "limit": 100}).json()["hits"]
    assert len({h["layer"] for h in everything}) > 1  # without the parameter, every layer as before
    for bad in ("nope", "decisions", "x" * 101, "projects\x00", ""):
        refused = client.get("/api/search", params={"q": "vung ang", "layer": bad}, headers=staff["editor"])
        assert refused.status_code in (400, 422), (bad, refused.text)


def test_the_headers_link_to_the_workspace_for_editors_only(client, staff):
    for path in ("/maps/zones", "/maps/projects", "/maps/clearance", "/workspace"):
        assert 'href="/workspace"' in client.get(path, headers=staff["editor"]).text, path
        assert 'href="/workspace"' not in client.get(path, headers=staff["viewer"]).text, path
    assert 'href="/workspace"' not in client.get("/maps/zones").text
