"""POST /api/imports and `zoneatlas import`: editors only, report first, all or nothing, audited."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text


def gate(uid: str, lon: float = 105.2, lat: float = 18.4, **props) -> dict:
    properties = {
        "uid": uid,
        "name_vi": f"Cửa khẩu thử {uid}",
        "gate_class": "secondary",
        "mode": "road",
        "province_code": "HA_TINH",
    } | props
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode("utf-8")


def gate_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM border_gates")).scalar_one()


def post(client, headers, body: bytes, name: str = "gates.geojson", **form):
    return client.post(
        "/api/imports",
        headers=headers,
        data={"layer": "border_gates", **form},
        files={"file": (name, body, "application/octet-stream")},
    )


def test_only_editors_may_import(client, staff, engine, edits):
    before = gate_count(engine)
    body = collection(gate("CK-HTTP-0"))
    assert post(client, staff["anonymous"], body).status_code == 401
    refused = post(client, staff["viewer"], body)
    assert refused.status_code == 403 and "editor" in refused.json()["description"]
    assert gate_count(engine) == before


def test_dry_run_returns_the_report_and_writes_nothing(client, staff, engine, edits):
    before = gate_count(engine)
    response = post(client, staff["editor"], collection(gate("CK-HTTP-1")), dry_run="true")
    assert response.status_code == 200
    report = response.json()
    assert report["dry_run"] and not report["written"] and report["creates"] == 1
    assert report["field_mapping"]["name_vi"] == "name_vi"
    assert "dry run, nothing written" in report["text"]
    assert gate_count(engine) == before


def test_editor_import_is_written_visible_and_audited_under_the_editors_name(client, staff, engine, edits):
    before = gate_count(engine)
    response = post(client, staff["editor"], collection(gate("CK-HTTP-2", name_vi="Cửa khẩu Đắk Per")))
    assert response.status_code == 200, response.text
    assert response.json()["written"] and response.json()["creates"] == 1
    assert gate_count(engine) == before + 1
    items = client.get("/collections/border_gates/items", params={"uid": "CK-HTTP-2"}).json()
    assert items["features"][0]["properties"]["name_vi"] == "Cửa khẩu Đắk Per"
    with engine.connect() as conn:
        who = conn.execute(text("SELECT username, action FROM audit_log WHERE feature_uid = 'CK-HTTP-2'")).one()
    assert tuple(who) == ("test_editor", "create")


def test_problems_answer_422_with_the_report_and_nothing_is_written(client, staff, engine, edits):
    before = gate_count(engine)
    response = post(client, staff["editor"], collection(gate("CK-HTTP-3"), gate("CK-HTTP-4", gate_class="mega")))
    assert response.status_code == 422
    body = response.json()
    assert "nothing was written" in body["description"]
    problems = body["report"]["problems"]
    assert problems == [{"kind": "unknown_value", "where": "feature #2 (CK-HTTP-4)", "message": problems[0]["message"]}]
    assert "'mega' is not an allowed value of 'gate_class'" in problems[0]["message"]
    assert gate_count(engine) == before


def test_bad_files_answer_400_with_the_reason(client, staff, engine, edits):
    before = gate_count(engine)
    empty = post(client, staff["editor"], b"")
    assert empty.status_code == 400 and "empty (0 bytes)" in empty.json()["description"]
    broken = post(client, staff["editor"], b"PK\x03\x04\x14\x00\x00", name="gates.zip")
    assert broken.status_code == 400 and "damaged or truncated" in broken.json()["description"]
    projected = post(
        client, staff["editor"], b"uid,name_vi,x,y\nCK-1,M\xe1\xbb\x91c,463895.3,2034107.6\n", name="survey.csv"
    )
    assert projected.status_code == 400 and "Likely VN-2000 systems" in projected.json()["description"]
    declared = post(
        client,
        staff["editor"],
        b"uid,name_vi,gate_class,mode,province_code,x,y\n"
        b"CK-HTTP-5,M\xe1\xbb\x91c,crossing,road,HA_TINH,463895.3,2034107.6\n",
        name="survey.csv",
        crs="EPSG:9209",
        dry_run="true",
    )
    assert declared.status_code == 200 and declared.json()["crs"].startswith("EPSG:9209")
    assert gate_count(engine) == before


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "api", *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_dry_run_prints_the_report_and_writes_nothing(database_url, engine, tmp_path: Path, edits):
    path = tmp_path / "gates.geojson"
    path.write_bytes(collection(gate("CK-CLI-1"), gate("CK-CLI-1", 105.3, 18.5)))
    before = gate_count(engine)
    done = run_cli(database_url, "import", "border_gates", str(path), "--dry-run")
    assert done.returncode == 2
    assert "uid 'CK-CLI-1' appears again" in done.stdout and "REFUSED, nothing written" in done.stdout
    path.write_bytes(collection(gate("CK-CLI-1")))
    done = run_cli(database_url, "import", "border_gates", str(path), "--dry-run")
    assert done.returncode == 0 and "would create 1" in done.stdout and "dry run, nothing written" in done.stdout
    assert gate_count(engine) == before


def test_cli_import_writes_versions_under_a_decision_and_names_the_user(database_url, engine, staff, tmp_path, edits):
    path = tmp_path / "plots.geojson"
    square = {
        "type": "Polygon",
        "coordinates": [[[106.32, 18.05], [106.321, 18.05], [106.321, 18.051], [106.32, 18.051], [106.32, 18.05]]],
    }
    path.write_bytes(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": square,
                        "properties": {
                            "uid": "LO-CLI-1",
                            "code": "CLI-1",
                            "park_uid": "KCN-VA1",
                            "planning_function": "industrial",
                            "status": "available",
                            "name_vi": "Lô thử nghiệm",
                        },
                    }
                ],
            },
            ensure_ascii=False,
        ).encode("utf-8")
    )
    refused = run_cli(database_url, "import", "land_plots", str(path))
    assert refused.returncode == 2 and "is versioned: name the decision" in refused.stderr
    done = run_cli(
        database_url, "import", "land_plots", str(path), "--decision", "658/QĐ-BQLKKT", "--user", "test_editor"
    )
    assert done.returncode == 0, done.stderr
    assert "created 1" in done.stdout and "result: written" in done.stdout
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.valid_from, a.username FROM land_plots p JOIN audit_log a "
                "ON a.feature_uid = p.uid WHERE p.uid = 'LO-CLI-1'"
            )
        ).one()
    assert row[0].isoformat() == "2024-12-10" and row[1] == "test_editor"
