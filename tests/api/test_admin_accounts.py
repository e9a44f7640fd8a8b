"""Account administration over /api/accounts: admins only, every change audited, secrets answered once only."""

import json
import re

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from tests import accounts

DECISION = "1076/QĐ-TTg"  # a registered demo decision (data/demo/decisions.csv)
EVIL = "https://evil.example"


def _row(engine, username: str):
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id, role, provinces, active, password_hash FROM users WHERE username = :u"), {"u": username}
        ).one_or_none()


def _audit(engine, username: str) -> list:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT actor_name, account_name, action, details, changed_at FROM account_audit "
                "WHERE account_name = :u ORDER BY id"
            ),
            {"u": username},
        ).all()


def _audit_text(engine) -> str:
    with engine.connect() as conn:
        return json.dumps([list(map(str, r)) for r in conn.execute(text("SELECT * FROM account_audit")).all()])


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM account_audit), "
                "(SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL)"
            )
        ).one()


def _password_ok(stored_hash: str, password: str) -> bool:
    try:
        return PasswordHasher().verify(stored_hash, password)
    except VerificationError:
        return False


def test_only_admins_reach_the_account_api_and_refused_calls_write_nothing(client, engine, staff, edits):
    accounts.make_user(engine, "adm_target", "viewer")
    with engine.connect() as conn:
        token_id = conn.execute(
            text("SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'test_viewer'")
        ).scalar()
    calls = [
        ("GET", "/api/accounts", None),
        ("GET", "/api/accounts/changes", None),
        ("POST", "/api/accounts", {"username": "adm_refused", "role": "editor"}),
        ("PATCH", "/api/accounts/adm_target", {"role": "admin"}),
        ("POST", "/api/accounts/adm_target/password", None),
        ("POST", "/api/accounts/adm_target/tokens", {"name": "x"}),
        ("DELETE", f"/api/accounts/test_viewer/tokens/{token_id}", None),
    ]
    before = _counts(engine)
    for method, url, body in calls:
        for role, status in (("anonymous", 401), ("viewer", 403), ("editor", 403)):
            response = client.request(method, url, json=body, headers=staff[role])
            assert response.status_code == status, (role, method, url, response.text)
    assert _counts(engine) == before
    assert _row(engine, "adm_target").role == "viewer"
    assert _row(engine, "adm_refused") is None


def test_create_an_editor_scoped_to_a_province_with_a_generated_password_shown_once(client, engine, staff, edits):
    created = client.post(
        "/api/accounts",
        json={"username": "adm_ht_editor", "display_name": "Nguyễn Thị Hà", "role": "editor", "provinces": ["HA_TINH"]},
        headers=staff["admin"],
    )
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    password = created.json()["password"]
    row = _row(engine, "adm_ht_editor")
    assert (row.role, row.provinces, row.active) == ("editor", ["HA_TINH"], True)
    assert _password_ok(row.password_hash, password)
    assert client.post("/auth/token", data={"username": "adm_ht_editor", "password": password}).status_code == 200
    [entry] = _audit(engine, "adm_ht_editor")
    assert (entry.actor_name, entry.action) == ("test_admin", "create")
    assert entry.details == {"role": "editor", "provinces": ["HA_TINH"]}
    listed = client.get("/api/accounts", headers=staff["admin"])
    assert listed.status_code == 200
    mine = next(a for a in listed.json() if a["username"] == "adm_ht_editor")
    assert mine["provinces"] == ["HA_TINH"] and mine["display_name"] == "Nguyễn Thị Hà"
    assert mine["last_sign_in"] is not None  # the /auth/token sign-in above left a session row
    assert password not in listed.text and password not in _audit_text(engine)
    assert "password" not in mine and "password_hash" not in json.dumps(listed.json())


def test_a_given_password_is_not_echoed_and_bad_input_writes_nothing(client, engine, staff, edits):
    given = client.post(
        "/api/accounts",
        json={"username": "adm_given", "role": "viewer", "password": "mật-khẩu-riêng-9"},
        headers=staff["admin"],
    )
    assert given.status_code == 201, given.text
    assert "password" not in given.json()
    assert _password_ok(_row(engine, "adm_given").password_hash, "mật-khẩu-riêng-9")
    before = _counts(engine)
    bad = [
        ({"username": "adm_bad", "role": "editor", "provinces": ["ATLANTIS"]}, 400, "ATLANTIS"),
        ({"username": "adm_bad", "role": "editor", "provinces": []}, 400, "at least one province"),
        ({"username": "adm_bad", "role": "chief"}, 400, "role"),
        ({"username": "adm bad", "role": "viewer"}, 400, "username"),
        ({"username": "adm_bad", "role": "viewer", "password": "short"}, 400, "at least 8"),
        ({"username": "ADM_GIVEN", "role": "viewer"}, 409, "already exists"),
    ]
    for body, status, words in bad:
        response = client.post("/api/accounts", json=body, headers=staff["admin"])
        assert response.status_code == status, (body, response.text)
        assert words in response.json()["description"], (body, response.text)
    assert _counts(engine) == before
    assert _row(engine, "adm_bad") is None
    # Kiên Giang merged into An Giang on 2025-07-01 (data/sources/admin_units.csv): stored as its successor
    merged = client.post(
        "/api/accounts",
        json={"username": "adm_merged", "role": "editor", "provinces": ["KIEN_GIANG"]},
        headers=staff["admin"],
    )
    assert merged.status_code == 201, merged.text
    assert _row(engine, "adm_merged").provinces == ["AN_GIANG"]


def test_change_role_provinces_and_active_state_each_audited(client, engine, staff, edits):
    user = accounts.make_user(engine, "adm_change", "viewer")
    token = accounts.bearer(engine, user)
    assert client.get("/auth/me", headers=token).status_code == 200
    changed = client.patch(
        "/api/accounts/adm_change",
        json={"role": "editor", "provinces": ["CAN_THO", "AN_GIANG"]},
        headers=staff["admin"],
    )
    assert changed.status_code == 200, changed.text
    row = _row(engine, "adm_change")
    assert (row.role, row.provinces) == ("editor", ["AN_GIANG", "CAN_THO"])
    assert client.get("/auth/me", headers=token).json()["role"] == "editor"  # the token cache saw the change
    everywhere = client.patch("/api/accounts/adm_change", json={"provinces": None}, headers=staff["admin"])
    assert everywhere.status_code == 200 and _row(engine, "adm_change").provinces is None
    disabled = client.patch("/api/accounts/adm_change", json={"active": False}, headers=staff["admin"])
    assert disabled.status_code == 200 and _row(engine, "adm_change").active is False
    assert client.get("/auth/me", headers=token).status_code == 401  # its tokens were revoked
    enabled = client.patch("/api/accounts/adm_change", json={"active": True}, headers=staff["admin"])
    assert enabled.status_code == 200 and _row(engine, "adm_change").active is True
    actions = [(e.actor_name, e.action, e.details) for e in _audit(engine, "adm_change")]
    assert actions == [
        ("test_admin", "role", {"from": "viewer", "to": "editor"}),
        ("test_admin", "provinces", {"from": None, "to": ["AN_GIANG", "CAN_THO"]}),
        ("test_admin", "provinces", {"from": ["AN_GIANG", "CAN_THO"], "to": None}),
        ("test_admin", "disable", None),
        ("test_admin", "enable", None),
    ]
    recent = client.get("/api/accounts/changes", headers=staff["admin"]).json()
    assert [c["action"] for c in recent if c["account_name"] == "adm_change"][:2] == ["enable", "disable"]


def test_an_admin_cannot_lock_themselves_out(client, engine, staff, edits):
    before = _counts(engine)
    for body in ({"active": False}, {"role": "viewer"}):
        response = client.patch("/api/accounts/test_admin", json=body, headers=staff["admin"])
        assert response.status_code == 409, response.text
    assert _row(engine, "test_admin").role == "admin" and _row(engine, "test_admin").active
    assert _counts(engine) == before


def test_reset_password_answers_a_new_one_once(client, engine, staff, edits):
    accounts.make_user(engine, "adm_reset", "editor")
    reset = client.post("/api/accounts/adm_reset/password", headers=staff["admin"])
    assert reset.status_code == 200, reset.text
    new = reset.json()["password"]
    assert len(new) >= 8
    stored = _row(engine, "adm_reset").password_hash
    assert _password_ok(stored, new) and not _password_ok(stored, accounts.PASSWORD)
    assert client.post("/auth/token", data={"username": "adm_reset", "password": accounts.PASSWORD}).status_code == 401
    assert client.post("/auth/token", data={"username": "adm_reset", "password": new}).status_code == 200
    [entry] = _audit(engine, "adm_reset")
    assert (entry.actor_name, entry.action, entry.details) == ("test_admin", "password_reset", None)
    assert new not in _audit_text(engine)
    assert new not in client.get("/api/accounts", headers=staff["admin"]).text


def test_a_token_bound_to_a_decision_is_listed_with_it_and_revoked(client, engine, staff, edits):
    accounts.make_user(engine, "adm_qgis", "editor")
    made = client.post(
        "/api/accounts/adm_qgis/tokens", json={"name": "QGIS máy bàn", "decision": DECISION}, headers=staff["admin"]
    )
    assert made.status_code == 201, made.text
    value, token_id = made.json()["token"], made.json()["id"]
    with engine.connect() as conn:
        bound = conn.execute(
            text(
                "SELECT d.number, t.token_hash, t.revoked_at FROM api_tokens t "
                "JOIN decisions d ON d.id = t.decision_id WHERE t.id = :id"
            ),
            {"id": token_id},
        ).one()
    assert bound.number == DECISION and bound.revoked_at is None
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {value}"}).json()["username"] == "adm_qgis"
    listed = client.get("/api/accounts", headers=staff["admin"])
    [token] = [t for a in listed.json() if a["username"] == "adm_qgis" for t in a["tokens"]]
    assert (token["id"], token["name"], token["decision_number"], token["revoked_at"]) == (
        token_id,
        "QGIS máy bàn",
        DECISION,
        None,
    )
    assert value not in listed.text and bound.token_hash not in listed.text
    assert "token" not in token and "token_hash" not in token
    revoked = client.delete(f"/api/accounts/adm_qgis/tokens/{token_id}", headers=staff["admin"])
    assert revoked.status_code == 204, revoked.text
    with engine.connect() as conn:
        revoked_at = conn.execute(text("SELECT revoked_at FROM api_tokens WHERE id = :id"), {"id": token_id}).scalar()
    assert revoked_at is not None
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {value}"}).status_code == 401
    assert client.delete(f"/api/accounts/adm_qgis/tokens/{token_id}", headers=staff["admin"]).status_code == 404
    # another account's token cannot be revoked through this account's path
    other = client.get("/api/accounts", headers=staff["admin"]).json()
    viewer_token = next(t for a in other if a["username"] == "test_viewer" for t in a["tokens"] if not t["revoked_at"])
    assert (
        client.delete(f"/api/accounts/adm_qgis/tokens/{viewer_token['id']}", headers=staff["admin"]).status_code == 404
    )
    entries = [(e.action, e.details) for e in _audit(engine, "adm_qgis")]
    assert entries == [
        ("token_create", {"token_id": token_id, "name": "QGIS máy bàn", "decision": DECISION}),
        ("token_revoke", {"token_id": token_id}),
    ]
    assert value not in _audit_text(engine)
    unknown = client.post(
        "/api/accounts/adm_qgis/tokens", json={"name": "x", "decision": "9999/QĐ-XX"}, headers=staff["admin"]
    )
    assert unknown.status_code == 422 and "9999/QĐ-XX" in unknown.json()["description"]


def test_the_page_is_for_admins_and_cookie_writes_need_the_site_origin(settings, client, engine, staff, edits):
    anonymous = client.get("/admin/accounts", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    assert client.get("/admin/accounts", headers=staff["editor"]).status_code == 403
    page = client.get("/admin/accounts", headers=staff["admin"])
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert "Tỉnh Hà Tĩnh / Hà Tĩnh Province" in page.text and DECISION in page.text
    assert not re.search(r"<script>(?!\s*</script>)", page.text)  # no inline script to run: CSP forbids it
    accounts.make_user(engine, "adm_cookie_admin", "admin")
    with TestClient(create_app(settings)) as browser:
        login = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        signed = browser.post(
            "/login",
            data={"username": "adm_cookie_admin", "password": accounts.PASSWORD, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        body = {"username": "adm_by_cookie", "role": "viewer"}
        assert browser.post("/api/accounts", json=body, headers={"Origin": EVIL}).status_code == 403
        assert _row(engine, "adm_by_cookie") is None
        same = browser.post("/api/accounts", json=body, headers={"Sec-Fetch-Site": "same-origin"})
        assert same.status_code == 201, same.text
    assert _audit(engine, "adm_by_cookie")[0].actor_name == "adm_cookie_admin"
