"""Investment projects (/maps/projects): projects by status, the delayed ones highlighted, the report beside them."""

from sqlalchemy import Connection

from gis.vocab import Milestone
from layers.labels import as_pair, enum_words
from layers.registry import get_layer
from layers.search import places
from layers.spec import Access
from maps.folium_offline import compose_page
from maps.layer_config import common_config
from maps.pages import render

PAGE = "projects"


def projects_page(conn: Connection, access: Access, basemap_url: str | None, *, editor: bool = False) -> str:
    """The page: projects come from the items API, delays from /api/reports/delayed-projects."""
    layers = [get_layer("projects"), get_layer("industrial_parks")]
    config = common_config(conn, page=PAGE, access=access, basemap_url=basemap_url, places=places(conn), layers=layers)
    config["milestone_words"] = {code: as_pair(words) for code, words in enum_words(Milestone).items()}
    return compose_page(
        title="Dự án đầu tư / Investment projects — Zone Atlas",
        page=PAGE,
        config=config,
        panel_html=render("map_panel_projects.html", page=PAGE, editor=editor),
    )
