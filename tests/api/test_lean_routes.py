"""The lean path for items pages and tiles answers exactly as FastAPI's routing does, and refers every refusal."""

import json
from collections.abc import Iterator

import morecantile
import pytest
from fastapi import APIRouter, FastAPI, Header
from fastapi.dependencies.utils import get_dependant
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.lean_routes import LEAN_ROUTES, Unplannable, plan, plan_routes
from api.routes import features
from gis.settings import Settings

TMS = morecantile.tms.get("WebMercatorQuad")
VOLATILE = {"date", "x-request-id"}


@pytest.fixture(scope="module")
def plain(settings: Settings, engine) -> Iterator[TestClient]:
    """The same app with the lean path off: every request goes through FastAPI's routing."""
    with TestClient(create_app(settings.model_copy(update={"lean_routes": False}))) as test_client:
        yield test_client


def comparable(response) -> tuple:
    """Status, headers and body, without what differs between two answers of the same request (time, request id)."""
    volatile = VOLATILE | (
        {"etag", "last-modified"} if "attachment" in response.headers.get("content-disposition", "") else set()
    )
    headers = sorted((k, v) for k, v in response.headers.items() if k not in volatile)  # a download's file is new
    body: object = response.content
    if "json" in response.headers.get("content-type", ""):
        body = json.loads(response.content)
        if isinstance(body, dict):
            body.pop("timeStamp", None)
        headers = [(k, v) for k, v in headers if k != "content-length"]  # the time stamp's length may differ
    return response.status_code, headers, body


def requests(conn) -> list[tuple[str, str]]:
    """(reader, path) pairs covering pages, links, filters, CRS, formats, tiles and every kind of refusal."""
    lon, lat = conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM land_plots "
            "WHERE uid = 'KCN-VHVA-CN4' AND valid_to IS NULL) s"
        )
    ).one()
    box = f"{lon - 0.02:.5f},{lat - 0.02:.5f},{lon + 0.02:.5f},{lat + 0.02:.5f}"
    t14, t6 = TMS.tile(lon, lat, 14), TMS.tile(lon, lat, 6)
    z14, z6 = f"WebMercatorQuad/14/{t14.x}/{t14.y}", f"WebMercatorQuad/6/{t6.x}/{t6.y}"
    items = "/collections/land_plots/items"
    return [
        ("anonymous", f"{items}?bbox={box}&limit=5"),
        ("anonymous", f"{items}?bbox={box}&limit=5&offset=5"),
        ("anonymous", f"{items}?limit=2&f=json"),
        ("anonymous", f"{items}?limit=2&status=available&sortby=-area_ha"),
        ("anonymous", f"{items}?limit=2&filter=status%3D%27available%27&properties=uid,status"),
        ("anonymous", f"{items}?limit=2&crs=http://www.opengis.net/def/crs/EPSG/0/4326"),
        ("anonymous", f"{items}?limit=2&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84&bbox={box}"),
        ("anonymous", f"{items}?limit=3&f=csv"),
        ("anonymous", f"{items}?bbox=1,2,3"),
        ("anonymous", f"{items}?limit=ten"),
        ("anonymous", f"{items}?limit=1&limit=2"),
        ("anonymous", f"{items}?no_such_field=1"),
        ("anonymous", f"{items}?limit=2&notes=x"),
        ("anonymous", "/collections/no_such_layer/items"),
        ("anonymous", "/collections/clearance_parcels/items?limit=2"),
        ("viewer", "/collections/clearance_parcels/items?limit=2"),
        ("bad token", f"{items}?limit=2"),
        ("anonymous", f"/collections/land_plots/tiles/{z14}"),
        ("anonymous", f"/collections/land_plots/tiles/{z14}?datetime=2020-01-01"),
        ("anonymous", f"/collections/land_plots/tiles/{z14}?filter=status%3D%27available%27"),
        ("anonymous", f"/tiles/{z6}"),
        ("viewer", f"/tiles/{z6}"),
        ("anonymous", "/collections/land_plots/tiles/WebMercatorQuad/99/1/1"),
        ("anonymous", "/collections/land_plots/tiles/WebMercatorQuad/14/x/1"),
        ("anonymous", f"/collections/land_plots/tiles/{z14}?foo=1"),
        ("anonymous", "/collections/land_plots/tiles/OtherQuad/1/1/1"),
        ("anonymous", f"/collections/clearance_parcels/tiles/{z14}"),
        ("viewer", f"/collections/clearance_parcels/tiles/{z14}"),
    ]


def headers_for(reader: str, staff) -> dict[str, str]:
    """The request headers of a reader."""
    if reader == "bad token":
        return {"Authorization": "Bearer not-a-token"}
    return staff[reader]


def test_the_lean_path_answers_as_the_routes_do(client, plain, staff, db_conn):
    for reader, path in requests(db_conn):
        headers = headers_for(reader, staff)
        expected = plain.get(path, headers=headers)
        lean = client.app.state.lean_routes
        before = (lean.answered, lean.referred)
        got = client.get(path, headers=headers)
        assert comparable(got) == comparable(expected), (reader, path)
        # a success is answered by the lean path itself; a refusal is handed to the routes, which answer it
        ok = got.status_code < 400
        assert (lean.answered, lean.referred) == (before[0] + ok, before[1] + (not ok)), (reader, path)
    assert plain.app.state.lean_routes.answered == 0


def test_internal_fields_stay_hidden_from_anonymous_readers_on_the_lean_path(client, staff, db_conn):
    internal = {
        name
        for name in db_conn.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = 'land_plots'")
        ).scalars()
    }
    anonymous = client.get("/collections/land_plots/items?limit=50").json()["features"]
    viewer = client.get("/collections/land_plots/items?limit=50", headers=staff["viewer"]).json()["features"]
    public_fields = set().union(*(f["properties"] for f in anonymous))
    staff_fields = set().union(*(f["properties"] for f in viewer))
    assert public_fields < staff_fields <= internal  # staff see more; both only real columns
    assert "notes" in staff_fields and "notes" not in public_fields


def test_a_cached_tile_revalidates_on_the_lean_path(client, db_conn):
    lon, lat = 106.0, 20.9
    tile = TMS.tile(lon, lat, 10)
    path = f"/collections/land_plots/tiles/WebMercatorQuad/10/{tile.x}/{tile.y}"
    first = client.get(path)
    assert first.status_code in (200, 204)
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]


def test_every_lean_route_is_planned_from_its_declaration():
    app = create_app(Settings())
    planned = {(lean.route.path, next(iter(lean.route.methods & {"GET"}))) for lean in plan_routes(app)}
    assert planned == set(LEAN_ROUTES)


def test_a_dependency_reading_a_header_cannot_be_planned():
    def endpoint(x_thing: str | None = Header(None)) -> None:
        return None

    with pytest.raises(Unplannable):
        plan(get_dependant(path="/x", call=endpoint))


def test_an_earlier_route_for_the_same_paths_takes_precedence():
    app = FastAPI()
    special = APIRouter()

    @special.get("/collections/special/items")
    def special_items() -> dict:
        return {}

    app.include_router(special)
    app.include_router(features.router)
    items = next(lean for lean in plan_routes(app) if lean.route.path == "/collections/{collection_id}/items")
    assert [r.path for r in items.shadows] == ["/collections/special/items"]
