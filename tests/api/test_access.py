"""The access rule under abuse: cross-site writes with the session cookie, forged client addresses, login floods,
uploads before authentication, and the session rows sign-ins leave behind."""

import asyncio
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from gis.accounts import issue_token
from gis.settings import Settings
from tests import accounts
from tests.api.test_imports_http import collection, gate, gate_count
from tests.api.test_tiles import vinhomes_tile
from tests.conftest import served_app

EVIL = "https://evil.example"


def _sign_in(browser: TestClient, username: str) -> None:
    """Sign in through the login form, as a person does: the client keeps the session cookie."""
    page = browser.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        "/login",
        data={"username": username, "password": accounts.PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert "zoneatlas_session" in browser.cookies


def _import(browser: TestClient, headers: dict[str, str], uid: str) -> httpx.Response:
    """Upload one new border gate."""
    return browser.post(
        "/api/imports",
        headers=headers,
        data={"layer": "border_gates"},
        files={"file": ("gates.geojson", collection(gate(uid)), "application/octet-stream")},
    )


def _personal_tokens(engine, username: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id "
                "WHERE u.username = :u AND t.kind = 'personal'"
            ),
            {"u": username},
        ).scalar_one()


def test_a_cross_site_import_with_the_session_cookie_is_refused_and_writes_nothing(settings, engine, staff, edits):
    accounts.make_user(engine, "access_csrf_editor", "editor")
    with TestClient(create_app(settings)) as browser:
        _sign_in(browser, "access_csrf_editor")
        before = gate_count(engine)
        refused = _import(browser, {"Origin": EVIL}, "CK-CSRF-1")
        assert refused.status_code == 403, refused.text
        assert "this site's own pages" in refused.json()["description"]
        assert gate_count(engine) == before
        # a browser's own signal that the request comes from another site, without Origin, is refused too
        assert _import(browser, {"Sec-Fetch-Site": "cross-site"}, "CK-CSRF-2").status_code == 403
        assert _import(browser, {}, "CK-CSRF-3").status_code == 403  # no sign of where it came from
        assert gate_count(engine) == before
        written = _import(browser, {"Origin": "http://testserver"}, "CK-CSRF-4")
        assert written.status_code == 200, written.text
        assert gate_count(engine) == before + 1
        # a bearer token cannot be sent by another site's page, so it is accepted from any origin
        bearer = _import(browser, {**staff["editor"], "Origin": EVIL}, "CK-CSRF-5")
        assert bearer.status_code == 200, bearer.text
        assert gate_count(engine) == before + 2


def test_cookie_writes_pass_with_same_origin_signals_or_a_trusted_origin(database_url, engine, edits):
    accounts.make_user(engine, "access_csrf_viewer", "viewer")
    trusting = Settings(DATABASE_URL=database_url, TRUSTED_ORIGINS="https://cong-thong-tin.example.vn/")
    with TestClient(create_app(trusting)) as browser:
        _sign_in(browser, "access_csrf_viewer")

        def create(headers: dict[str, str]) -> int:
            return browser.post("/auth/tokens", json={"name": "trình duyệt"}, headers=headers).status_code

        assert create({"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}) == 403
        assert create({"Origin": "null"}) == 403
        assert create({"Referer": f"{EVIL}/trap.html"}) == 403
        assert _personal_tokens(engine, "access_csrf_viewer") == 0
        assert create({"Sec-Fetch-Site": "same-origin"}) == 201
        assert create({"Referer": "http://testserver/maps/zones"}) == 201
        assert create({"Origin": "https://cong-thong-tin.example.vn"}) == 201
        assert _personal_tokens(engine, "access_csrf_viewer") == 3
        assert browser.get("/auth/tokens", headers={"Origin": EVIL}).status_code == 200  # reads are not writes


def test_the_login_and_logout_forms_still_work_with_the_origin_check(settings, engine, edits):
    accounts.make_user(engine, "access_forms", "viewer")
    with TestClient(create_app(settings)) as browser:
        _sign_in(browser, "access_forms")
        assert browser.get("/auth/me").json()["username"] == "access_forms"
        page = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        out = browser.post("/logout", data={"csrf_token": csrf}, headers={"Origin": "http://testserver"})
        assert out.status_code == 200 and "Mật khẩu / Password" in out.text  # followed to the login page
        assert browser.get("/auth/me").status_code == 401


def test_an_anonymous_upload_is_refused_before_its_body_is_read(settings):
    """150 MB announced and streamed: the 401 comes after at most the first chunk, not after the whole upload."""
    app = create_app(settings)  # an anonymous request needs no database
    boundary = "zoneatlas-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="layer"\r\n\r\nborder_gates\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.geojson"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = b" " * (1024 * 1024)
    chunks = [head, *([chunk] * 150), tail]
    pulled = 0
    started: list[int] = []

    async def receive() -> dict:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            started.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/imports",
        "raw_path": b"/api/imports",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
            (b"content-length", str(sum(len(c) for c in chunks)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    began = time.monotonic()
    with ThreadPoolExecutor(1) as thread:  # its own event loop, whatever loop a browser test left running
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    assert started == [401]
    assert pulled <= 1, f"{pulled} of {len(chunks)} body chunks were read before the 401"
    assert time.monotonic() - began < 2


def test_forwarded_addresses_from_an_untrusted_client_do_not_reset_the_lockout(live_server):
    """`zoneatlas serve` believes no X-Forwarded-For by default: ten wrong passwords lock the address out."""
    for attempt in range(10):
        wrong = httpx.post(
            f"{live_server}/auth/token",
            data={"username": "access_xff", "password": "đoán sai"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt + 1}"},
        )
        assert wrong.status_code == 401, wrong.text
    refused = httpx.post(
        f"{live_server}/auth/token",
        data={"username": "access_xff", "password": "đoán sai"},
        headers={"X-Forwarded-For": "198.51.100.77"},
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0


def test_failed_sign_ins_are_counted_per_account_across_addresses(database_url, engine, edits):
    accounts.make_user(engine, "access_spread", "viewer")
    limited = Settings(DATABASE_URL=database_url, LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_SECONDS=600)
    app = create_app(limited)
    with TestClient(app):  # runs the lifespan; the clients below share the app from other addresses
        for n in range(4):  # two per address would lock one address; the account takes twice that from all
            elsewhere = TestClient(app, client=(f"192.0.2.{n}", 40000))
            assert (
                elsewhere.post("/auth/token", data={"username": "access_spread", "password": "sai"}).status_code == 401
            )
        fresh = TestClient(app, client=("192.0.2.200", 40000))
        refused = fresh.post("/auth/token", data={"username": "access_spread", "password": accounts.PASSWORD})
        assert refused.status_code == 429
        assert "too many failed sign-ins" in refused.json()["description"]
        other = fresh.post("/auth/token", data={"username": "access_other_account", "password": "sai"})
        assert other.status_code == 401  # only that account is locked, not the address


def test_successful_sign_ins_are_rate_limited_too(database_url, engine, edits):
    accounts.make_user(engine, "access_flood", "viewer")
    limited = Settings(DATABASE_URL=database_url, LOGIN_MAX_ATTEMPTS=3, LOGIN_WINDOW_SECONDS=600)
    with TestClient(create_app(limited)) as api:
        for _ in range(3):
            assert (
                api.post("/auth/token", data={"username": "access_flood", "password": accounts.PASSWORD}).status_code
                == 200
            )
        refused = api.post("/auth/token", data={"username": "access_flood", "password": accounts.PASSWORD})
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "too many sign-ins from this address" in refused.json()["description"]


def test_password_checks_wait_for_a_free_slot_then_answer_429(database_url, engine, edits):
    accounts.make_user(engine, "access_busy", "viewer")
    one = Settings(DATABASE_URL=database_url, PASSWORD_CHECKS=1)
    with TestClient(create_app(one)) as api:
        gate_ = api.app.state.password_checks
        assert gate_.slots.acquire(timeout=1)  # a sign-in is being checked: the only slot is taken
        try:
            began = time.monotonic()
            busy = api.post("/auth/token", data={"username": "access_busy", "password": accounts.PASSWORD})
            waited = time.monotonic() - began
        finally:
            gate_.slots.release()
        assert busy.status_code == 429 and busy.headers["retry-after"] == "2"
        assert "busy" in busy.json()["description"]
        assert 2.5 < waited < 10
        # a check that frees its slot in time lets the waiting sign-in through
        assert gate_.slots.acquire(timeout=1)
        threading.Timer(0.5, gate_.slots.release).start()
        assert (
            api.post("/auth/token", data={"username": "access_busy", "password": accounts.PASSWORD}).status_code == 200
        )


def test_a_sign_in_deletes_expired_sessions_and_keeps_the_rest(client, engine, edits):
    user = accounts.make_user(engine, "access_sessions", "viewer")
    with engine.begin() as conn:
        expired = issue_token(conn, user, kind="session", name="old", lifetime=timedelta(seconds=-1))
        live = issue_token(conn, user, kind="session", name="current", lifetime=timedelta(hours=1))
        personal = issue_token(conn, user, kind="personal", name="QGIS")
    assert (
        client.post("/auth/token", data={"username": "access_sessions", "password": accounts.PASSWORD}).status_code
        == 200
    )
    with engine.connect() as conn:
        left = set(conn.execute(text("SELECT id FROM api_tokens WHERE user_id = :u"), {"u": user.id}).scalars())
    assert expired.id not in left
    assert {live.id, personal.id} <= left
    assert len(left) == 3  # the two kept and the session just issued


def test_the_tile_fast_path_reads_credentials_as_the_routes_do(client, engine):
    with engine.connect() as conn:
        tile = vinhomes_tile(conn, 13)
    path = f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    anonymous = client.get(path)
    cache = client.app.state.tile_cache
    hits = cache.hits
    forged = client.get(path, headers={"Cookie": "zoneatlas_session=za_x.forged.sig"})
    assert forged.status_code == 200 and forged.content == anonymous.content
    assert cache.hits == hits + 1  # a forged cookie is no credential: answered from the cache like anonymous readers
    basic = client.get(path, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401 and cache.hits == hits + 1  # refused as by the routes, never a cached tile


def test_a_user_name_no_account_can_have_is_a_plain_401(client):
    # (a NUL in the name is refused before, with a 400 naming the field: tests/api/test_malformed_input.py)
    for name in ("x" * 100_000, "tên có dấu cách"):
        refused = client.post("/auth/token", data={"username": name, "password": "bất kỳ"})
        assert refused.status_code == 401, name[:20]
        assert "wrong username or password" in refused.json()["description"]


def test_a_configured_proxy_is_believed_for_the_client_address(database_url, engine):
    """With TRUSTED_PROXIES=127.0.0.1 (nginx on the same machine), X-Forwarded-For names the client: one address
    locked out does not lock out the next; the per-account count still applies."""
    with served_app(database_url, TRUSTED_PROXIES="127.0.0.1", LOGIN_MAX_FAILURES="2", CHANGE_FEED="false") as (
        url,
        _,
    ):

        def sign_in(address: str) -> int:
            return httpx.post(
                f"{url}/auth/token",
                data={"username": "access_proxied", "password": "sai"},
                headers={"X-Forwarded-For": address},
            ).status_code

        assert [sign_in("203.0.113.1") for _ in range(3)] == [401, 401, 429]  # that address is locked out
        assert sign_in("203.0.113.2") == 401  # another client behind the proxy is not
        assert sign_in("203.0.113.3") == 401
        assert sign_in("203.0.113.4") == 429  # the account has had 2 x 2 failures from all addresses
