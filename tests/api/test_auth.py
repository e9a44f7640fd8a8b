"""Signing in and hardening: hashed passwords and tokens, login page with CSRF, rate limit, limits, headers, CLI."""

import hashlib
import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import text

from api.app import create_app
from gis.settings import Settings
from tests import accounts


def _user(engine, name, role="viewer"):
    return accounts.make_user(engine, name, role)


def test_passwords_are_stored_as_argon2_hashes(engine, edits):
    _user(engine, "auth_hash_check")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE username = 'auth_hash_check'")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert accounts.PASSWORD not in stored


def test_password_flow_gives_a_bearer_token_stored_only_as_its_hash(client, engine, edits):
    _user(engine, "auth_oauth", "editor")
    response = client.post("/auth/token", data={"username": "auth_oauth", "password": accounts.PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["role"] == "editor"
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "auth_oauth", "display_name": "Cán bộ editor", "role": "editor"}
    digest = hashlib.sha256(body["access_token"].encode()).hexdigest()
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM api_tokens WHERE token_hash = :t"), {"t": body["access_token"]}
            ).scalar_one()
            == 0
        )
        assert (
            conn.execute(text("SELECT kind FROM api_tokens WHERE token_hash = :d"), {"d": digest}).scalar_one()
            == "session"
        )


def test_wrong_password_and_bad_tokens_are_401_with_a_challenge(client, engine, edits):
    _user(engine, "auth_wrong")
    wrong = client.post("/auth/token", data={"username": "auth_wrong", "password": "not the password"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    assert client.post("/auth/token", data={"username": "nobody", "password": "x" * 10}).status_code == 401
    for header in ("Bearer za_madeup", "Bearer ", "Basic dXNlcjpwYXNz"):
        response = client.get("/collections", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_personal_tokens_can_be_listed_and_revoked(client, engine, edits):
    user = _user(engine, "auth_personal")
    headers = accounts.bearer(engine, user)
    created = client.post("/auth/tokens", json={"name": "QGIS trên máy tính"}, headers=headers)
    assert created.status_code == 201
    token = created.json()["token"]
    qgis = {"Authorization": f"Bearer {token}"}
    assert client.get("/collections/clearance_parcels", headers=qgis).status_code == 200
    listed = client.get("/auth/tokens", headers=qgis).json()
    assert "QGIS trên máy tính" in [t["name"] for t in listed]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert client.delete(f"/auth/tokens/{created.json()['id']}", headers=headers).status_code == 204
    assert client.get("/collections/clearance_parcels", headers=qgis).status_code == 401


def test_a_disabled_account_loses_its_tokens(client, engine, edits):
    from gis.accounts import set_active

    user = _user(engine, "auth_disabled")
    headers = accounts.bearer(engine, user)
    accounts.notified(client, engine, "users", "api_tokens")  # so the lookup below is remembered
    assert client.get("/auth/me", headers=headers).status_code == 200
    assert client.app.state.token_cache.get(client.app.state.change_feed, headers["Authorization"][7:]) is not None
    with engine.begin() as conn:
        set_active(conn, "auth_disabled", False)
    accounts.notified(client, engine, "users")
    assert client.get("/auth/me", headers=headers).status_code == 401
    assert (
        client.post("/auth/token", data={"username": "auth_disabled", "password": accounts.PASSWORD}).status_code == 401
    )


def _login_form(client, next_url="/"):
    page = client.get("/login", params={"next": next_url})
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return page, csrf


def test_token_lookups_are_cached_until_accounts_change_or_the_token_expires(client, engine, edits):
    from datetime import UTC, datetime, timedelta

    from gis.accounts import issue_token

    user = _user(engine, "auth_cached")
    with engine.begin() as conn:
        soon = issue_token(conn, user, kind="session", name="short", lifetime=timedelta(seconds=3))
    accounts.notified(client, engine, "api_tokens")
    headers = {"Authorization": f"Bearer {soon.token}"}
    cache = client.app.state.token_cache
    assert client.get("/auth/me", headers=headers).status_code == 200
    with engine.connect() as conn:  # noting last_used_at is bookkeeping: it must not invalidate every cached token
        version = conn.execute(text("SELECT version FROM layer_changes WHERE table_name = 'api_tokens'")).scalar_one()
    hits = cache.hits
    assert client.get("/auth/me", headers=headers).status_code == 200
    assert cache.hits == hits + 1  # answered without a database lookup
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT version FROM layer_changes WHERE table_name = 'api_tokens'")).scalar_one()
            == version
        )
    with engine.begin() as conn:  # a role change is seen at once (after its notification)
        conn.execute(text("UPDATE users SET role = 'editor' WHERE username = 'auth_cached'"))
    accounts.notified(client, engine, "users")
    assert client.get("/auth/me", headers=headers).json()["role"] == "editor"
    time.sleep(max(0.0, (soon.expires_at - datetime.now(UTC)).total_seconds()) + 0.1)
    assert client.get("/auth/me", headers=headers).status_code == 401  # expired, though nothing changed


def test_browser_login_sets_an_httponly_samesite_cookie_and_logout_ends_it(settings, engine, edits):
    _user(engine, "auth_browser", "viewer")
    with TestClient(create_app(settings)) as browser:
        page, csrf = _login_form(browser, "/collections/clearance_parcels?f=json")
        assert "Đăng nhập / Sign in" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        response = browser.post(
            "/login",
            data={
                "username": "auth_browser",
                "password": accounts.PASSWORD,
                "csrf_token": csrf,
                "next": "/collections/clearance_parcels?f=json",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/collections/clearance_parcels?f=json"
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("zoneatlas_session="))
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
        assert browser.get("/collections/clearance_parcels").status_code == 200
        _, csrf = _login_form(browser)
        assert browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
        assert browser.get("/collections/clearance_parcels").status_code == 401


def test_login_form_without_the_csrf_token_is_refused(settings, engine, edits):
    _user(engine, "auth_csrf")
    with TestClient(create_app(settings)) as browser:
        _login_form(browser)
        response = browser.post(
            "/login",
            data={"username": "auth_csrf", "password": accounts.PASSWORD, "csrf_token": "forged"},
            follow_redirects=False,
        )
        assert response.status_code == 400
        assert "zoneatlas_session" not in response.headers.get("set-cookie", "")


def test_login_never_redirects_off_site(settings, engine, edits):
    _user(engine, "auth_redirect")
    with TestClient(create_app(settings)) as browser:
        _, csrf = _login_form(browser)
        response = browser.post(
            "/login",
            data={
                "username": "auth_redirect",
                "password": accounts.PASSWORD,
                "csrf_token": csrf,
                "next": "//evil.example/steal",
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_a_forged_session_cookie_is_anonymous(client):
    response = client.get("/collections/clearance_parcels", headers={"Cookie": "zoneatlas_session=za_x.forged.sig"})
    assert response.status_code == 401


def test_secure_cookies_outside_development(database_url, engine, edits):
    _user(engine, "auth_secure")
    prod = Settings(DATABASE_URL=database_url, ZONEATLAS_ENV="production", SECRET_KEY="s" * 40)
    with TestClient(create_app(prod), base_url="https://testserver") as browser:
        _, csrf = _login_form(browser)
        response = browser.post(
            "/login",
            data={"username": "auth_secure", "password": accounts.PASSWORD, "csrf_token": csrf},
            follow_redirects=False,
        )
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("zoneatlas_session="))
        assert "Secure" in cookie


def test_failed_logins_are_rate_limited(database_url, engine, edits):
    _user(engine, "auth_limited")
    limited = Settings(DATABASE_URL=database_url, LOGIN_MAX_FAILURES=3, LOGIN_WINDOW_SECONDS=600)
    with TestClient(create_app(limited)) as api:
        for _ in range(3):
            assert (
                api.post("/auth/token", data={"username": "auth_limited", "password": "wrong-guess"}).status_code == 401
            )
        refused = api.post("/auth/token", data={"username": "auth_limited", "password": accounts.PASSWORD})
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "too many failed sign-ins" in refused.json()["description"]


def test_request_bodies_over_the_limit_are_413(database_url, staff, edits):
    small = Settings(DATABASE_URL=database_url, MAX_BODY_BYTES=1000)
    with TestClient(create_app(small)) as api:
        big = b'{"type": "Feature", "properties": {"notes": "' + b"x" * 5000 + b'"}}'
        response = api.post(
            "/collections/border_gates/items",
            content=big,
            headers={**staff["editor"], "Content-Type": "application/geo+json"},
        )
        assert response.status_code == 413
        assert "larger than the limit of 1000 bytes" in response.text

        def chunks():
            yield big[:800]
            yield big[800:]

        streamed = api.post(
            "/collections/border_gates/items",
            content=chunks(),
            headers={**staff["editor"], "Content-Type": "application/geo+json"},
        )
        assert streamed.status_code == 413


def test_cors_follows_settings(database_url):
    with TestClient(create_app(Settings(DATABASE_URL=database_url, CORS_ORIGINS="https://dautu.example.vn"))) as api:
        allowed = api.options(
            "/collections/border_gates/items",
            headers={
                "Origin": "https://dautu.example.vn",
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "authorization,if-match,content-type",
            },
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://dautu.example.vn"
        other = api.get("/collections", headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in other.headers
    with TestClient(create_app(Settings(DATABASE_URL=database_url))) as api:
        assert (
            "access-control-allow-origin"
            not in api.get("/collections", headers={"Origin": "https://dautu.example.vn"}).headers
        )


def test_production_refuses_the_default_secret(database_url):
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(DATABASE_URL=database_url, ZONEATLAS_ENV="production")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env={**env, "DATABASE_URL": database_url, "ZONEATLAS_ENV": "production"},
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- the CLI, as an admin uses it ---------------------------------------------------------------------------


def _cli(database_url, *args, stdin=None):
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "api", "users", *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_cli_creates_users_tokens_and_disables(database_url, client, engine, edits):
    added = _cli(database_url, "add", "cli_bientap", "--role", "editor", "--display-name", "Nguyễn Văn Biên")
    assert added.returncode == 0, added.stderr
    password = re.search(r"password: (\S+)", added.stdout).group(1)
    assert client.post("/auth/token", data={"username": "cli_bientap", "password": password}).status_code == 200
    typed = _cli(
        database_url, "add", "cli_xem", "--role", "viewer", "--password-stdin", stdin="mật khẩu tự chọn 2024\n"
    )
    assert typed.returncode == 0 and "password:" not in typed.stdout
    assert (
        client.post("/auth/token", data={"username": "cli_xem", "password": "mật khẩu tự chọn 2024"}).status_code == 200
    )
    token = _cli(database_url, "token", "cli_bientap").stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/auth/me", headers=headers).json()["role"] == "editor"
    listing = _cli(database_url, "list").stdout
    assert re.search(r"^cli_bientap\teditor\tactive\tNguyễn Văn Biên\tall provinces$", listing, re.M)
    assert _cli(database_url, "add", "cli_bientap", "--role", "viewer").returncode == 2
    assert _cli(database_url, "add", "cli_bad", "--role", "superuser").returncode != 0
    disabled = _cli(database_url, "disable", "cli_bientap")
    assert disabled.returncode == 0
    accounts.notified(client, engine, "users")
    assert client.get("/auth/me", headers=headers).status_code == 401
    assert re.search(r"^cli_bientap\teditor\tdisabled", _cli(database_url, "list").stdout, re.M)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE username IN ('cli_bientap', 'cli_xem')"))


def test_cli_revokes_a_token(database_url, client, engine, edits):
    _user(engine, "cli_revoke")
    token = _cli(database_url, "token", "cli_revoke", "--name", "QGIS").stdout.strip()
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = _cli(database_url, "tokens", "cli_revoke").stdout
    token_id = re.search(r"^(\d+)\tQGIS\t", listed, re.M).group(1)
    assert _cli(database_url, "revoke", token_id).returncode == 0
    accounts.notified(client, engine, "api_tokens")
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_live_server_serves_the_login_page(live_server):
    page = httpx.get(f"{live_server}/login")
    assert page.status_code == 200 and "Mật khẩu / Password" in page.text
