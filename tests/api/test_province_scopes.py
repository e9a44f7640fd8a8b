"""Province-scoped accounts: writes outside the account's provinces are 403 with the reason, on every write path.

Known answers by hand: Vũng Áng (park KCN-VA1, zone KKT-VA) is in Hà Tĩnh, zone KKTCK-AG in An Giang, Hậu Giang was
merged into Cần Thơ in 2025 (data/demo/admin_units.geojson); the messages are written out here in full.
"""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from gis.accounts import create_user, set_provinces
from gis.errors import InvalidInput
from layers.registry import LAYERS
from layers.scopes import province_known, provinces_of
from tests import scopes
from tests.accounts import PASSWORD
from tests.api.test_editing import PLOT_RING, decision, plot

GEOJSON = {"Content-Type": "application/geo+json"}
PATCH = {"Content-Type": "application/merge-patch+json"}
WOULD_BE_IN_AN_GIANG = "account 'scope_ht_bientap' may change data in Hà Tĩnh only; the plot would be in An Giang"
AG_RING = [[105.10, 10.60], [105.101, 10.60], [105.101, 10.601], [105.10, 10.601], [105.10, 10.60]]


def _description(response) -> str:
    return response.json()["description"]


@pytest.fixture(scope="module")
def ht_editor(engine):
    return scopes.scoped_account(engine, "scope_ht_bientap", "editor", ["HA_TINH"])


def test_province_codes_are_checked_and_merged_ones_stored_as_their_successor(db_conn):
    create_user(db_conn, "scope_codes", "editor", PASSWORD)
    user, notes = set_provinces(db_conn, "scope_codes", ["ha_tinh", "HAU_GIANG", "CAN_THO"])
    assert user.provinces == ("CAN_THO", "HA_TINH")
    assert notes == ["HAU_GIANG was merged into CAN_THO: stored as CAN_THO"]
    assert db_conn.execute(text("SELECT provinces FROM users WHERE username = 'scope_codes'")).scalar_one() == [
        "CAN_THO",
        "HA_TINH",
    ]
    with pytest.raises(InvalidInput, match="no province 'DONG_THAP' in admin_units; province codes are: AN_GIANG"):
        set_provinces(db_conn, "scope_codes", ["DONG_THAP"])
    with pytest.raises(InvalidInput, match="at least one province"):
        set_provinces(db_conn, "scope_codes", [])
    user, _ = set_provinces(db_conn, "scope_codes", None)
    assert user.provinces is None


def test_every_editable_layer_has_a_known_province_or_is_shared():
    editable = {spec.id for spec in LAYERS.values() if spec.editable}
    assert editable == set(scopes.KNOWN)  # a new editable layer must say where its province comes from
    assert all(province_known(LAYERS[layer]) for layer in editable)


def test_provinces_of_features_come_from_the_row_or_its_parents(engine, db_conn):
    recorded = {"logistics_centres": "HAU_GIANG"}  # the old code is what the row records
    for layer, (_, province) in scopes.KNOWN.items():
        if province is None:
            continue
        key = scopes.feature_id(engine, layer)
        assert provinces_of(db_conn, LAYERS[layer], key) == {recorded.get(layer, province)}, layer


def test_api_edits_inside_the_scope_pass_and_outside_are_refused_with_nothing_written(
    client, engine, staff, edits, ht_editor
):
    decision(engine, "SCOPE-1/2020/QĐ-BQL", "2020-01-01")
    later = decision(engine, "SCOPE-2/2024/QĐ-BQL", "2024-06-01")
    made = {}
    for uid, props, ring in (
        ("TEST-SCOPE-HT", {"code": "SHT1"}, PLOT_RING),
        ("TEST-SCOPE-AG", {"code": "SAG1", "park_uid": None, "zone_uid": "KKTCK-AG"}, AG_RING),
    ):
        body = plot({"uid": uid, **props}, ring=ring, decision="SCOPE-1/2020/QĐ-BQL")
        response = client.post(
            "/collections/land_plots/items", content=json.dumps(body), headers={**GEOJSON, **staff["editor"]}
        )
        assert response.status_code == 201, response.text
        made[uid] = (response.headers["location"].rsplit("/", 1)[1], response.headers["etag"])

    def change(method, uid, body, **headers):
        key, etag = made[uid]
        return client.request(
            method,
            f"/collections/land_plots/items/{key}",
            content=None if body is None else json.dumps(body),
            headers={**PATCH, **ht_editor, "If-Match": etag, "Decision": str(later), **headers},
        )

    before = scopes.audit_count(engine)
    refused = "account 'scope_ht_bientap' may change data in Hà Tĩnh only; this plot is in An Giang"
    patched = change("PATCH", "TEST-SCOPE-AG", {"properties": {"status": "leased"}})
    assert patched.status_code == 403 and _description(patched) == refused
    put = change("PUT", "TEST-SCOPE-AG", plot({"uid": "TEST-SCOPE-AG", "code": "SAG1"}), **GEOJSON)
    assert put.status_code == 403 and _description(put) == refused
    deleted = change("DELETE", "TEST-SCOPE-AG", None)
    assert deleted.status_code == 403 and _description(deleted) == refused
    moved = change("PATCH", "TEST-SCOPE-HT", {"properties": {"park_uid": None, "zone_uid": "KKTCK-AG"}})
    assert moved.status_code == 403
    assert (
        _description(moved)
        == "account 'scope_ht_bientap' may change data in Hà Tĩnh only; the plot would be in An Giang"
    )
    new = plot({"uid": "TEST-SCOPE-AG2", "code": "SAG2", "park_uid": None, "zone_uid": "KKTCK-AG"}, ring=AG_RING)
    new["decision"] = "SCOPE-2/2024/QĐ-BQL"
    created = client.post("/collections/land_plots/items", content=json.dumps(new), headers={**GEOJSON, **ht_editor})
    assert created.status_code == 403
    assert (
        _description(created)
        == "account 'scope_ht_bientap' may change data in Hà Tĩnh only; the plot would be in An Giang"
    )
    assert scopes.audit_count(engine) == before
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT uid, status, zone_uid, valid_to FROM land_plots WHERE uid LIKE 'TEST-SCOPE-%' ORDER BY uid")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("TEST-SCOPE-AG", "available", "KKTCK-AG", None),
        ("TEST-SCOPE-HT", "available", None, None),
    ]
    allowed = change("PATCH", "TEST-SCOPE-HT", {"properties": {"status": "leased"}})
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["properties"]["status"] == "leased"
    assert scopes.audit_count(engine) == before + 1


def test_a_province_merged_in_2025_counts_as_its_successor(client, engine, staff, edits):
    headers = scopes.scoped_account(engine, "scope_hg_bientap", "editor", ["HAU_GIANG"])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT provinces FROM users WHERE username = 'scope_hg_bientap'")).scalar_one()
    assert stored == ["CAN_THO"]

    def patch(layer):
        key = scopes.feature_id(engine, layer)
        etag = client.get(f"/collections/{layer}/items/{key}", headers=staff["editor"]).headers["etag"]
        return client.patch(
            f"/collections/{layer}/items/{key}",
            content=json.dumps({"properties": {}}),
            headers={**PATCH, **headers, "If-Match": etag},
        )

    assert patch("logistics_centres").status_code == 200  # recorded as HAU_GIANG, now Cần Thơ
    refused = patch("transport_nodes")
    assert refused.status_code == 403
    assert _description(refused) == (
        "account 'scope_hg_bientap' may change data in Cần Thơ only; this transport node is in Hà Tĩnh"
    )


def test_decisions_are_changed_only_by_accounts_without_provinces(client, staff, edits, ht_editor):
    body = {
        "type": "Feature",
        "geometry": None,
        "properties": {
            "number": "SCOPE-3/2025/QĐ-UBND",
            "title_vi": "Quyết định thử nghiệm phạm vi tỉnh",
            "date_signed": "2025-01-02",
            "date_effective": "2025-01-02",
            "authority": "provincial_committee",
            "kind": "local_revision",
        },
    }
    refused = client.post("/collections/decisions/items", content=json.dumps(body), headers={**GEOJSON, **ht_editor})
    assert refused.status_code == 403
    assert _description(refused) == (
        "account 'scope_ht_bientap' may change data in Hà Tĩnh only; "
        "'decisions' is shared by every province: only an account without provinces may change it"
    )
    allowed = client.post(
        "/collections/decisions/items", content=json.dumps(body), headers={**GEOJSON, **staff["editor"]}
    )
    assert allowed.status_code == 201, allowed.text


def _node(uid: str, province: str, lon: float, lat: float) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"uid": uid, "name_vi": f"Cảng thử nghiệm {uid}", "kind": "seaport", "province_code": province},
    }


HT_NODES = [_node("TEST-SCOPE-TN1", "HA_TINH", 106.33, 18.07), _node("TEST-SCOPE-TN2", "HA_TINH", 106.34, 18.08)]
AG_NODE = _node("TEST-SCOPE-TN3", "AN_GIANG", 105.10, 10.60)


def _import(client, headers, features):
    return client.post(
        "/api/imports",
        headers=headers,
        data={"layer": "transport_nodes"},
        files={"file": ("nodes.geojson", scopes.import_document(features), "application/octet-stream")},
    )


def _node_uids(engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(text("SELECT uid FROM transport_nodes WHERE uid LIKE 'TEST-SCOPE-%' ORDER BY uid")).scalars()
        )


def test_an_import_with_one_row_outside_the_scope_writes_nothing(client, engine, edits, ht_editor):
    before = scopes.audit_count(engine)
    refused = _import(client, ht_editor, [HT_NODES[0], AG_NODE, HT_NODES[1]])
    assert refused.status_code == 403, refused.text
    assert _description(refused) == (
        "the import was refused, nothing was written: feature #2 (TEST-SCOPE-TN3): account 'scope_ht_bientap' "
        "may change data in Hà Tĩnh only; the transport node would be in An Giang"
    )
    assert _node_uids(engine) == [] and scopes.audit_count(engine) == before
    written = _import(client, ht_editor, HT_NODES)
    assert written.status_code == 200, written.text
    assert _node_uids(engine) == ["TEST-SCOPE-TN1", "TEST-SCOPE-TN2"]


def _cli(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "api", *args], capture_output=True, text=True, env=env, timeout=60)


def test_cli_scopes_accounts_and_a_cli_import_under_a_scoped_account(database_url, engine, edits, tmp_path):
    added = _cli(
        database_url,
        "users",
        "add",
        "scope_cli",
        "--role",
        "editor",
        "--province",
        "HA_TINH",
        "--province",
        "hau_giang",
    )
    assert added.returncode == 0, added.stderr
    assert "HAU_GIANG was merged into CAN_THO: stored as CAN_THO" in added.stdout
    assert "created scope_cli (editor, CAN_THO,HA_TINH)" in added.stdout
    listing = _cli(database_url, "users", "list").stdout
    assert "scope_cli\teditor\tactive\t\tCAN_THO,HA_TINH\n" in listing
    unknown = _cli(database_url, "users", "provinces", "scope_cli", "--province", "HA_NOI")
    assert unknown.returncode == 2 and "no province 'HA_NOI' in admin_units" in unknown.stderr
    assert _cli(database_url, "users", "provinces", "scope_cli").returncode == 2  # neither --province nor --all
    narrowed = _cli(database_url, "users", "provinces", "scope_cli", "--province", "AN_GIANG")
    assert narrowed.returncode == 0 and "scope_cli may change data in: AN_GIANG" in narrowed.stdout
    path = tmp_path / "nodes.geojson"
    path.write_bytes(scopes.import_document(HT_NODES))
    refused = _cli(database_url, "import", "transport_nodes", str(path), "--user", "scope_cli")
    assert refused.returncode != 0
    assert "may change data in An Giang only; the transport node would be in Hà Tĩnh" in refused.stderr
    assert _node_uids(engine) == []
    cleared = _cli(database_url, "users", "provinces", "scope_cli", "--all")
    assert cleared.returncode == 0 and "scope_cli may change data in: all provinces" in cleared.stdout
    assert _cli(database_url, "import", "transport_nodes", str(path), "--user", "scope_cli").returncode == 0
    assert _node_uids(engine) == ["TEST-SCOPE-TN1", "TEST-SCOPE-TN2"]
