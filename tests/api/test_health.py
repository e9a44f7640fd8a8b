"""Health and landing: what a new user and a monitoring probe see first."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from gis.settings import Settings


def test_health_reports_the_versions_the_database_reports(client, db_conn):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["postgis"] == db_conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    assert body["database"]["postgresql"] == db_conn.execute(text("SHOW server_version")).scalar_one()


def test_health_is_503_when_the_database_is_unreachable_and_tells_only_the_log_why(caplog):
    settings = Settings(DATABASE_URL="postgresql://nobody:nothing@127.0.0.1:9/absent")
    with TestClient(create_app(settings)) as unreachable:
        response = unreachable.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": None, "detail": "database unavailable"}
    for secret in ("127.0.0.1", "9", "nobody", "absent", "connection", "psycopg"):
        assert secret not in response.text, secret
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "api.routes.health")
    assert "127.0.0.1" in logged and "port 9" in logged  # the operator still learns the reason


def test_landing_links_the_docs_and_lists_public_layers(client):
    body = client.get("/", headers={"Accept": "application/json"}).json()
    hrefs = {link["rel"]: link["href"] for link in body["links"]}
    assert hrefs["service-doc"].endswith("/docs") and hrefs["service-desc"].endswith("/openapi.json")
    for rel in ("service-doc", "service-desc", "conformance", "data", "status"):
        assert client.get(hrefs[rel]).status_code == 200, rel
    ids = {c["id"] for c in client.get(hrefs["data"]).json()["collections"]}
    assert "border_gates" in ids and "clearance_parcels" not in ids


def test_landing_page_for_browsers_is_html_in_vietnamese_and_english(client):
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert "Cửa khẩu" in response.text and "Border gates" in response.text


def test_api_docs_load_their_assets_from_the_app(client):
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "'sha256-" in page.headers["content-security-policy"]


def test_landing_links_every_map_page(client):
    body = client.get("/", headers={"Accept": "application/json"}).json()
    maps = [link["href"] for link in body["links"] if link["rel"] == "related"]
    assert {m.rsplit("/", 1)[1] for m in maps} == {"zones", "revisions", "projects", "land", "clearance"}
    for href in maps:
        response = client.get(href, follow_redirects=False)
        assert response.status_code in (200, 303, 307), href  # clearance sends anonymous readers to sign in


def test_head_on_health_answers_like_get_without_a_body(client):
    head = client.head("/health")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == client.get("/health").headers["content-type"]
