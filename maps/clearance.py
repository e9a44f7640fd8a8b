"""Land clearance (/maps/clearance, staff only): parcels by stage as tiles, figures and a progress chart per project."""

from sqlalchemy import Connection

from layers.clearance import projects_with_clearance
from layers.registry import get_layer
from layers.search import places
from layers.spec import Access
from maps.folium_offline import compose_page, npm
from maps.layer_config import common_config
from maps.pages import render

PAGE = "clearance"


def clearance_page(conn: Connection, access: Access, basemap_url: str | None, *, editor: bool = False) -> str:
    """The page: projects with parcels (names and extents only); parcels come as tiles, figures from the API."""
    layers = [get_layer("clearance_parcels"), get_layer("projects")]
    config = common_config(conn, page=PAGE, access=access, basemap_url=basemap_url, places=places(conn), layers=layers)
    config["projects"] = projects_with_clearance(conn)
    return compose_page(
        title="Giải phóng mặt bằng / Land clearance — Zone Atlas",
        page=PAGE,
        config=config,
        panel_html=render("map_panel_clearance.html", page=PAGE, editor=editor),
        extra_js=[("chartjs", npm("chart.js/dist/chart.umd.min.js"))],
    )
