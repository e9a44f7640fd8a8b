"""folium maps that load nothing from a CDN: every script and stylesheet comes from the app's own /static.

folium writes CDN links by default (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers, plugins). The
subclasses here point those links at the npm packages the set-up installs (served at /static/npm/<package>/...),
drop the two stylesheets we do not ship (Bootstrap 3 glyphicons, folium's marker rotation), and `compose_page`
adds the page's own panel, configuration and scripts. folium builds the document and the map; the interactive
parts that folium has no element for (vector tiles, URL state, swipe, language switch) are plain JavaScript in
maps/static/map_*.js, started by a MacroElement after the map exists.
"""

import base64
import hashlib
import re
from urllib.parse import urlsplit

import folium
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from maps.pages import script_json

NPM = "/static/npm"
APP = "/static/app"


def npm(path: str) -> str:
    """URL of a file of an installed npm package, e.g. npm('leaflet/dist/leaflet.js')."""
    return f"{NPM}/{path}"


class OfflineMap(folium.Map):
    """folium.Map whose Leaflet, jQuery, Bootstrap and icon fonts come from the app."""

    default_js = [
        ("leaflet", npm("leaflet/dist/leaflet.js")),
        ("jquery", npm("jquery/dist/jquery.min.js")),
        ("bootstrap", npm("bootstrap/dist/js/bootstrap.bundle.min.js")),
        ("awesome_markers", npm("leaflet.awesome-markers/dist/leaflet.awesome-markers.min.js")),
    ]
    default_css = [
        ("leaflet_css", npm("leaflet/dist/leaflet.css")),
        ("bootstrap_css", npm("bootstrap/dist/css/bootstrap.min.css")),
        ("awesome_markers_font_css", npm("@fortawesome/fontawesome-free/css/all.min.css")),
        ("awesome_markers_css", npm("leaflet.awesome-markers/dist/leaflet.awesome-markers.css")),
    ]


class PageScripts(JSCSSMixin, MacroElement):
    """The page's own scripts and styles, and the call that hands them the map once folium has made it."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ZoneAtlasMaps.start({{ this.start|tojson }}, {{ this._parent.get_name() }},
                JSON.parse(document.getElementById("za-config").textContent));
        {% endmacro %}
        """
    )

    def __init__(self, start: str, scripts: list[tuple[str, str]], styles: list[tuple[str, str]]):
        super().__init__()
        self._name = "PageScripts"
        self.start = start
        self.default_js = scripts
        self.default_css = styles


COMMON_JS = [
    ("vectorgrid", npm("leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js")),
    ("proj4", npm("proj4/dist/proj4.js")),
    ("map_base", f"{APP}/map_base.js"),
    ("date_input", f"{APP}/date_input.js"),
    ("map_common", f"{APP}/map_common.js"),
    ("map_measure", f"{APP}/map_measure.js"),
    ("map_lifecycle", f"{APP}/map_lifecycle.js"),
]
COMMON_CSS = [
    ("map_base_css", f"{APP}/map_base.css"),
    ("map_css", f"{APP}/map.css"),
    ("map_lifecycle_css", f"{APP}/map_lifecycle.css"),
]


def compose_page(*, title: str, page: str, config: dict, panel_html: str, extra_js: list[tuple[str, str]] = ()) -> str:
    """A whole map page: folium's document and map, our panel and header, the config, and the page script."""
    m = OfflineMap(
        location=[16.0, 106.0],
        zoom_start=6,
        tiles=None,
        control_scale=False,
        zoom_control=True,
        prefer_canvas=False,
        attribution_control=True,
    )
    root = m.get_root()
    root.title = title
    root.header.add_child(
        Element('<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">')
    )
    root.html.add_child(Element(panel_html))
    root.html.add_child(Element(f'<script type="application/json" id="za-config">{script_json(config)}</script>'))
    scripts = [*COMMON_JS, *extra_js, (f"map_{page}", f"{APP}/map_{page}.js")]
    PageScripts(page, scripts, COMMON_CSS).add_to(m)
    return root.render()


INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)


def content_security_policy(html: str, basemap_url: str | None) -> str:
    """The app's policy, with folium's inline scripts allowed by their SHA-256 (not 'unsafe-inline').

    folium writes the map's set-up as inline script; each such block is hashed here, so the browser runs
    exactly those and nothing injected. The basemap's host, if any, is added to img-src.
    """
    hashes = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs").lower()
        if "src=" in attrs or "application/json" in attrs:
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body").encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    images = "'self' data: blob:"
    if basemap_url and basemap_url.startswith(("http://", "https://")):
        parts = urlsplit(basemap_url)
        images += f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}"  # {s}.tile… sub-domains
    return (
        f"default-src 'self'; script-src 'self' {' '.join(sorted(set(hashes)))}; "
        f"style-src 'self' 'unsafe-inline'; img-src {images}; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
