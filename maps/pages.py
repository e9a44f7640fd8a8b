"""HTML pages of the OGC API (landing, collections, items) with small maps drawn by Leaflet served by the app."""

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import Connection

from gis.accounts import User
from layers.labels import Words, day, field_label, layer_value_labels, shown
from layers.spec import LayerSpec
from maps.history import history_labels

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@lru_cache
def environment() -> Environment:
    """The Jinja environment (autoescaping on: names and notes come from data)."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def render(template: str, **context: Any) -> str:
    """Render one template."""
    return environment().get_template(template).render(**context)


# Characters that end or re-enter a script element in HTML (`</script>`, `<!--<script>`) or, for U+2028/2029, end a
# line in older JavaScript: written as JSON \u escapes, which JSON.parse reads back unchanged.
SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: Any) -> str:
    """JSON (a value, or JSON text) safe to embed in a <script> element, whatever strings it holds."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.translate(SCRIPT_ESCAPES)


def landing_page(body: dict, layers: list[LayerSpec]) -> str:
    """The landing page for people."""
    root = next((link["href"] for link in body["links"] if link["rel"] == "self"), "/").split("?")[0].rstrip("/")
    return render("landing.html", title="Zone Atlas", body=body, layers=layers, root=root or "/")


def collections_page(documents: list[dict]) -> str:
    """The list of layers for people."""
    return render("collections.html", title="Collections", documents=documents)


def collection_page(spec: LayerSpec, document: dict, items_view: bool = False) -> str:
    """One layer with a map of its features fetched from the items endpoint."""
    bbox = document.get("extent", {}).get("spatial", {}).get("bbox", [None])[0]
    items_url = f"/collections/{spec.id}/items?f=geojson&limit=1000"
    return render(
        "collection.html",
        title=spec.title,
        spec=spec,
        document=document,
        items_url=items_url,
        bbox_json=json.dumps(bbox),
        items_view=items_view,
    )


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YES_NO = {True: "Có / Yes", False: "Không / No"}


def shown_value(value: Any, words: dict[Any, Words]) -> str | Markup:
    """A property as people read it: a code in words, a date dd/mm/yyyy, yes/no, a logo as its image."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return YES_NO[value]
    if value in words:
        return shown(words[value])
    if isinstance(value, str) and ISO_DATE.match(value):
        return day(value)
    if isinstance(value, str) and value.startswith("data:image/"):
        return Markup('<img class="logo" src="{}" alt="">').format(value)
    return str(value)


def shown_properties(conn: Connection, spec: LayerSpec, props: dict[str, Any]) -> list[tuple[str, str, str | Markup]]:
    """Every property as (name, label, value in words): no field name or vocabulary code is shown raw."""
    words = layer_value_labels(conn, spec)
    return [(name, shown(field_label(name)), shown_value(value, words.get(name, {}))) for name, value in props.items()]


def item_page(conn: Connection, spec: LayerSpec, feature_text: str, user: User | None = None) -> str:
    """One feature with its properties and a small map; for staff, its history (fetched by the page's script)."""
    feature = json.loads(feature_text)
    props = feature.get("properties") or {}
    heading = props.get("name_vi") or props.get("code") or props.get("number") or f"{spec.title_vi} {feature['id']}"
    return render(
        "item.html",
        title=str(heading),
        heading=heading,
        spec=spec,
        properties=shown_properties(conn, spec, props),
        feature_json=script_json(feature_text),
        user=user,
        history_url=None if user is None else f"/collections/{spec.id}/items/{feature['id']}/history",
        history_labels_json=None if user is None else script_json(history_labels(conn, spec)),
        rent_url=_rent_url(spec, props, user),
    )


def _rent_url(spec: LayerSpec, props: dict, user: User | None) -> str | None:
    """A project's land rent and compliance page, linked for staff from the project's item page."""
    if user is None or spec.id != "projects" or not props.get("uid"):
        return None
    return f"/projects/{quote(str(props['uid']), safe='')}/rent"
