"""Debian's nginx with the shipped config (deploy/nginx) in front of two `zoneatlas serve` processes.

Anonymous tiles and items are stored once for both apps and revalidated on every request; an edit shows on the next
request; a signed-in reader is never answered from the cache and never stored. Nothing here is mocked.
"""

import json
import re
import subprocess
from collections.abc import Iterator

import httpx
import mapbox_vector_tile
import morecantile
import pytest
import yaml
from sqlalchemy import text

from gis.nginx_proxy import TEMPLATE, render, running_proxy
from gis.settings import PROJECT_ROOT
from tests.accounts import PASSWORD
from tests.conftest import served_app

TMS = morecantile.tms.get("WebMercatorQuad")
WHERE = (105.61, 10.81)  # no demo gate within a z14 tile of here
GATE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": list(WHERE)},
    "properties": {
        "uid": "TEST-CK-PROXY",
        "name_vi": "Cửa khẩu thử nghiệm bộ đệm",
        "name_en": "Before the edit",
        "gate_class": "main",
        "mode": "road",
        "country": "VN",
        "province_code": "DONG_THAP",
        "notes": "ghi chú nội bộ: staff only",
    },
}


@pytest.fixture(scope="module")
def proxy(database_url, engine) -> Iterator[tuple[str, list[str]]]:
    """nginx on a free port in front of two app processes; yields its URL and the apps' URLs."""
    with served_app(database_url) as (first, _), served_app(database_url) as (second, _):
        with running_proxy([first, second]) as nginx:
            yield nginx.url, [first, second]


@pytest.fixture
def gate(proxy, staff, edits) -> Iterator[str]:
    """A border gate created through the proxy by an editor; its item path (removed by `edits` afterwards)."""
    url, _ = proxy
    created = httpx.post(
        f"{url}/collections/border_gates/items",
        content=json.dumps(GATE),
        headers={"Content-Type": "application/geo+json", **staff["editor"]},
    )
    assert created.status_code == 201, created.text
    return httpx.URL(created.headers["location"]).path


def tile_path() -> str:
    tile = TMS.tile(*WHERE, 14)
    return f"/collections/border_gates/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"


def names_in_tile(response: httpx.Response) -> dict[str, str]:
    """uid → name_en of the gates in a tile."""
    assert response.status_code == 200, response.text
    features = mapbox_vector_tile.decode(response.content)["border_gates"]["features"]
    return {f["properties"]["uid"]: f["properties"]["name_en"] for f in features}


def gates_in_tile_by_sql(engine) -> set[str]:
    """The gates nginx's tile must hold, from PostGIS directly (morecantile's bounds, not the app's)."""
    west, south, east, north = TMS.bounds(TMS.tile(*WHERE, 14))
    with engine.connect() as conn:
        return set(
            conn.execute(
                text("SELECT uid FROM border_gates WHERE ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))"),
                {"w": west, "s": south, "e": east, "n": north},
            ).scalars()
        )


def test_an_anonymous_tile_is_stored_once_and_revalidated_on_every_request(proxy, gate, engine):
    url, apps = proxy
    first = httpx.get(url + tile_path())
    assert first.headers["x-cache-status"] == "MISS"
    assert set(names_in_tile(first)) == gates_in_tile_by_sql(engine) == {"TEST-CK-PROXY"}
    assert first.headers["cache-control"] == "public, no-cache"  # browsers revalidate too
    assert "x-accel-expires" not in first.headers  # nginx's store mark stays between nginx and the app
    # Both app processes are asked in turn (round robin); each answers nginx's If-None-Match with a 304.
    again = [httpx.get(url + tile_path()) for _ in range(4)]
    assert {r.headers["x-cache-status"] for r in again} == {"REVALIDATED"}
    assert {r.content for r in again} == {first.content}
    assert {r.headers["etag"] for r in again} == {first.headers["etag"]}
    # The ETag nginx stored is what each app would send itself.
    assert {httpx.get(app + tile_path()).headers["etag"] for app in apps} == {first.headers["etag"]}
    # A cookie that is no credential (the login form's) changes nothing: the stored copy still serves.
    other = httpx.get(url + tile_path(), cookies={"zoneatlas_csrf": "x"})
    assert other.headers["x-cache-status"] == "REVALIDATED" and other.content == first.content
    # A browser holding the tile gets nginx's 304.
    assert httpx.get(url + tile_path(), headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_an_edit_through_the_proxy_is_seen_on_the_next_anonymous_request(proxy, gate, staff):
    url, _ = proxy
    assert names_in_tile(httpx.get(url + tile_path()))["TEST-CK-PROXY"] == "Before the edit"
    item = httpx.get(url + gate, headers={"Accept": "application/geo+json"})
    assert item.json()["properties"]["name_en"] == "Before the edit"
    stored = httpx.get(url + gate, headers={"Accept": "application/geo+json"})
    assert stored.headers["x-cache-status"] == "REVALIDATED" and stored.content == item.content
    for round_ in range(3):  # whichever app the edit and the next reads land on
        name = f"After edit {round_}"
        edit = httpx.patch(
            url + gate,
            content=json.dumps({"properties": {"name_en": name}}),
            headers={"Content-Type": "application/merge-patch+json", **staff["editor"]},
        )
        assert edit.status_code == 200, edit.text
        assert "x-cache-status" not in edit.headers  # a PATCH never touches the cache
        tile = httpx.get(url + tile_path())
        assert tile.headers["x-cache-status"] == "EXPIRED"  # the apps answered 200: the stored copy was replaced
        assert names_in_tile(tile)["TEST-CK-PROXY"] == name
        read = httpx.get(url + gate, headers={"Accept": "application/geo+json"})
        assert read.headers["x-cache-status"] == "EXPIRED"
        assert read.json()["properties"]["name_en"] == name


def test_the_html_item_page_is_stored_apart_from_json_and_follows_edits(proxy, gate, staff):
    url, _ = proxy
    page = httpx.get(url + gate, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "Before the edit" in page.text
    data = httpx.get(url + gate, headers={"Accept": "application/geo+json"})
    assert data.headers["x-cache-status"] == "MISS"  # another key: Accept is part of it
    assert data.json()["properties"]["name_en"] == "Before the edit"
    edit = httpx.patch(
        url + gate,
        content=json.dumps({"properties": {"name_en": "Renamed page"}}),
        headers={"Content-Type": "application/merge-patch+json", **staff["editor"]},
    )
    assert edit.status_code == 200, edit.text
    again = httpx.get(url + gate, headers={"Accept": "text/html"})
    assert "Renamed page" in again.text and "Before the edit" not in again.text


@pytest.mark.parametrize("credential", ["bearer", "x-api-key", "cookie"])
def test_a_signed_in_reader_is_never_answered_from_the_cache_nor_stored(proxy, gate, staff, credential):
    url, _ = proxy
    token = staff["viewer"]["Authorization"].removeprefix("Bearer ")
    if credential == "bearer":
        signed_in, cookies = {"Authorization": f"Bearer {token}"}, None
    elif credential == "x-api-key":
        signed_in, cookies = {"X-API-Key": token}, None
    else:
        signed_in, cookies = {}, {"zoneatlas_session": session_cookie(url, staff)}
    accept = {"Accept": "application/geo+json"}
    # Signed in first: bypassed and not stored, so the anonymous request after it is a miss without staff notes.
    staff_copy = httpx.get(url + gate, headers={**accept, **signed_in}, cookies=cookies)
    assert staff_copy.headers["x-cache-status"] == "BYPASS"
    assert staff_copy.json()["properties"]["notes"] == GATE["properties"]["notes"]
    assert staff_copy.headers["cache-control"] == "private, no-cache"
    public = httpx.get(url + gate, headers=accept)
    assert public.headers["x-cache-status"] == "MISS"
    assert "notes" not in public.json()["properties"] and "staff only" not in public.text
    assert httpx.get(url + gate, headers=accept).headers["x-cache-status"] == "REVALIDATED"
    # Now that an anonymous copy is stored, the signed-in reader still gets the app's own answer.
    staff_again = httpx.get(url + gate, headers={**accept, **signed_in}, cookies=cookies)
    assert staff_again.headers["x-cache-status"] == "BYPASS"
    assert staff_again.json()["properties"]["notes"] == GATE["properties"]["notes"]
    # A signed-in reader's own validator reaches the app, which answers 304 itself.
    held = httpx.get(
        url + gate, headers={**accept, **signed_in, "If-None-Match": staff_copy.headers["etag"]}, cookies=cookies
    )
    assert held.status_code == 304 and held.headers["x-cache-status"] == "BYPASS"
    # The same for a tile of an internal layer: the anonymous reader is refused, staff get it, nothing is stored.
    internal = "/collections/clearance_parcels/tiles/WebMercatorQuad/14/0/0"
    assert httpx.get(url + internal, headers=signed_in, cookies=cookies).status_code == 204
    refused = httpx.get(url + internal)
    assert refused.status_code in (401, 404) and refused.headers["x-cache-status"] == "MISS"


def session_cookie(url: str, staff) -> str:
    """Sign the viewer in through the proxy with the login form, as a browser does; the session cookie's value."""
    with httpx.Client(base_url=url) as browser:
        form = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf is not None, form.text[:500]
        signed = browser.post(
            "/login",
            data={"username": staff.users["viewer"].username, "password": PASSWORD, "csrf_token": csrf[1]},
        )
        assert signed.status_code in (200, 303), signed.text[:500]
        cookie = browser.cookies.get("zoneatlas_session")
        assert cookie
        return cookie


def test_docker_compose_runs_the_same_config_with_every_placeholder_filled():
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    proxy = compose["services"]["proxy"]
    assert proxy["profiles"] == ["scale"]
    assert "./deploy/nginx/zoneatlas.conf:/etc/nginx/templates/zoneatlas.conf.template:ro" in proxy["volumes"]
    rendered = render(TEMPLATE.read_text(), proxy["environment"])
    upstreams = re.findall(r"server (app-replica-\d):8000;", rendered)
    assert upstreams == ["app-replica-1", "app-replica-2"]
    assert all(compose["services"][name]["profiles"] == ["scale"] for name in upstreams)
    with pytest.raises(ValueError, match="ZA_CACHE_DIR"):
        render(TEMPLATE.read_text(), {"ZA_LISTEN": "80", "ZA_APP_SERVERS": "server a:1;"})


def test_docker_compose_file_is_valid_for_compose_itself():
    """Compose's own parser (Debian's docker-compose, no engine needed) accepts the file and the replica's script."""
    for profile in ([], ["--profile", "scale"]):
        run = subprocess.run(
            ["docker-compose", "-f", str(PROJECT_ROOT / "docker-compose.yml"), *profile, "config"],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
        )
        assert run.returncode == 0, run.stderr
    services = yaml.safe_load(run.stdout)["services"]
    assert set(services) == {"db", "app", "app-replica-1", "app-replica-2", "proxy", "db-replica"}
    assert services["app-replica-2"]["environment"] == services["app-replica-1"]["environment"]  # the YAML anchor
    script = services["db-replica"]["command"][0].replace("$$", "$")  # compose's escape for a literal $
    assert subprocess.run(["bash", "-n", "-c", script], capture_output=True).returncode == 0
    assert "pg_basebackup -h db " in script and " -R " in script  # streams from the `db` service, as a standby
