"""The zone map (/maps/zones): every layer the reader may see, grouped by theme, with search and coordinates."""

from sqlalchemy import Connection

from layers.registry import layers_visible_to
from layers.search import places
from layers.spec import Access
from maps.folium_offline import compose_page
from maps.layer_config import common_config
from maps.pages import render

PAGE = "zones"


def zones_page(conn: Connection, access: Access, basemap_url: str | None, *, editor: bool = False) -> str:
    """The page: catalogue and places in the config, features fetched by the page from the API."""
    layers = [s for s in layers_visible_to(access) if s.geometry_column]
    config = common_config(conn, page=PAGE, access=access, basemap_url=basemap_url, places=places(conn), layers=layers)
    config["default_layers"] = [
        "economic_zones",
        "functional_areas",
        "industrial_parks",
        "land_plots",
        "border_gates",
        "projects",
    ]
    return compose_page(
        title="Bản đồ khu kinh tế / Zone map — Zone Atlas",
        page=PAGE,
        config=config,
        panel_html=render("map_panel_zones.html", page=PAGE, editor=editor),
    )
