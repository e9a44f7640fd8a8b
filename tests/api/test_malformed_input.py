"""Input classes that used to answer 500: refused with 400 where they enter, for every route; a 500 is JSON."""

import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

NUL_PATHS = [
    "/api/plots/a%00b",
    "/api/projects/%00",
    "/api/parks/x%00/summary",
    "/land/plots/%00",
    "/api/exports/zones/%00",
    "/collections/land_plots/items/%00",
    "/collections/la%00nd_plots/items",
]
NUL_QUERIES = [
    ("/collections/land_plots/items?status=%00", "query parameter 'status'"),
    ("/api/land/available?status=a%00", "query parameter 'status'"),
    ("/collections/land_plots/items?sta%00tus=1", "query parameter 'sta%00tus'"),
    ("/tiles/WebMercatorQuad/0/0/0?datetime=%00", "query parameter 'datetime'"),
]


def _refused(response, where: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "InvalidInput"
    assert where in body["description"] and "NUL character" in body["description"]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_byte_in_the_path_is_refused(client, path):
    _refused(client.get(path), "the path")


@pytest.mark.parametrize(("url", "where"), NUL_QUERIES)
def test_a_nul_byte_in_a_query_parameter_is_refused(client, url, where):
    _refused(client.get(url), where)


def test_a_nul_byte_in_a_form_field_is_refused(client):
    response = client.post("/auth/token", data={"username": "admin\x00", "password": "x"})
    _refused(response, "form field 'username'")


@pytest.mark.parametrize(
    ("name", "problem"),
    [(r"a\u0000b", "NUL character"), (r"x\ud800", "lone surrogate"), (r"\ud83d\ude00 ok", None)],
)
def test_json_body_text_the_database_cannot_store_is_refused_for_any_route(client, staff, name, problem):
    body = '{"name": "' + name + '"}'  # JSON escapes, as a client sends them
    response = client.post(
        "/auth/tokens", content=body, headers={**staff["editor"], "Content-Type": "application/json"}
    )
    if problem is None:  # an escaped surrogate pair is an ordinary character
        assert response.status_code == 201, response.text
        assert response.json()["name"] == "\U0001f600 ok"
    else:
        assert response.status_code == 400, response.text
        assert f"name in the body holds a {problem}" in response.json()["description"]


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "PUT"])
def test_a_nul_byte_in_the_decision_header_is_refused(client, staff, method):
    headers = {**staff["editor"], "Decision": "%00", "If-Match": '"x"', "Content-Type": "application/geo+json"}
    response = client.request(method, "/collections/land_plots/items/1", headers=headers, content=b"{}")
    _refused(response, "the Decision header")


@pytest.mark.parametrize("media", ["application/geo+json", "application/merge-patch+json", "application/json"])
def test_edit_bodies_nested_deeper_than_the_limit_are_refused(client, staff, media):
    body = '{"a":' * 100_000 + "1" + "}" * 100_000
    for method, path in [("POST", "/collections/land_plots/items"), ("PATCH", "/collections/land_plots/items/1")]:
        headers = {**staff["editor"], "Content-Type": media, "If-Match": '"x"'}
        response = client.request(method, path, headers=headers, content=body)
        assert response.status_code == 400, response.text
        assert response.json()["description"] == "the request body is nested 100000 levels deep; the limit is 64"


def test_a_body_within_the_nesting_limit_reaches_the_route(client, staff, edits):
    body = '{"type": "Feature", "properties": {"a": [[[[1]]]]}, "geometry": null}'
    headers = {**staff["editor"], "Content-Type": "application/geo+json"}
    response = client.post("/collections/land_plots/items", headers=headers, content=body)
    assert response.status_code in (400, 422) and "nested" not in response.text  # refused by the edit rules


def test_an_unexpected_error_answers_json_in_the_ogc_form_and_is_logged(settings, engine, caplog):
    app = create_app(settings)

    @app.get("/test-only/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/test-only/fails")
        after = client.get("/collections/land_plots/items?limit=1")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "InternalError" and "X-Request-ID" in response.json()["description"]
    assert response.headers["x-request-id"]
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)
    assert after.status_code == 200


@pytest.mark.parametrize("field", ["decision", "layer", "crs"])
def test_a_nul_byte_in_a_multipart_form_field_is_refused(client, staff, edits, field):
    data = {"layer": "border_gates", "dry_run": "true", field: "456/QĐ-TTg\x00"}
    files = {"file": ("gates.csv", "name_vi,wkt\nCửa khẩu A\x00,POINT(106 18)\n".encode(), "text/csv")}
    response = client.post("/api/imports", headers=staff["editor"], data=data, files=files)
    _refused(response, f"form field '{field}'")
