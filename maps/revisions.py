"""The plan over time (/maps/revisions): a zone's plan under one decision, or two side by side with a swipe."""

from sqlalchemy import Connection

from layers.registry import get_layer
from layers.search import places
from layers.spec import Access
from maps.folium_offline import compose_page
from maps.layer_config import common_config
from maps.pages import render

PAGE = "revisions"


def revisions_page(conn: Connection, access: Access, basemap_url: str | None, *, editor: bool = False) -> str:
    """The page: zones to choose from; decisions, plans and the change table come from the API."""
    layers = [get_layer("economic_zones"), get_layer("functional_areas")]
    config = common_config(conn, page=PAGE, access=access, basemap_url=basemap_url, places=places(conn), layers=layers)
    return compose_page(
        title="Điều chỉnh quy hoạch / Plan revisions — Zone Atlas",
        page=PAGE,
        config=config,
        panel_html=render("map_panel_revisions.html", page=PAGE, editor=editor),
    )
