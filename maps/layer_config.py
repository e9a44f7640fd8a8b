"""What a map page's script needs to know about layers, places and coordinate systems, as small JSON.

Nothing here reads features: a page gets only the catalogue (titles, legends, URLs), the places to zoom to and
the proj4 definitions of the provinces' VN-2000 TM-3 zones. Layers come later from the API: small ones as
GeoJSON from /collections/{id}/items, large ones (spec.tiled: a minimum zoom or an overview) as vector tiles.
"""

import warnings
from functools import lru_cache

from pyproj import CRS
from sqlalchemy import Connection

from gis.crs import VN2000_TOWGS84
from gis.vocab import NOT_BUILT, FacilityStatus
from layers.features import table_of
from layers.labels import as_pair, enum_words, field_label, value_labels
from layers.map_labels import LABELLED
from layers.registry import layers_visible_to
from layers.search import Place
from layers.spec import Access, LayerSpec

THEMES = {
    "planning": ("Quy hoạch", "Planning"),
    "investment": ("Đầu tư", "Investment"),
    "transport": ("Giao thông, cửa khẩu", "Transport and gates"),
    "clearance": ("Giải phóng mặt bằng", "Land clearance"),
}

# The attributes a popup shows first, per layer (always filtered through what the reader may see).
POPUP_FIELDS = {
    "functional_areas": ("area_type", "zone_uid", "area_ha", "valid_from"),
    "economic_zones": ("zone_type", "lifecycle", "province_code", "official_area_ha", "area_ha", "valid_from"),
    "industrial_parks": (
        "kind",
        "lifecycle",
        "developer",
        "zone_uid",
        "official_area_ha",
        "area_ha",
        "land_rent_usd_m2_min",
        "land_rent_usd_m2_max",
        "operating_to",
    ),
    "land_plots": ("code", "status", "planning_function", "landuse_code", "area_ha", "land_rent_usd_m2"),
    "border_gates": ("gate_class", "mode", "counterpart_name", "counterpart_country", "opened_on"),
    "logistics_centres": ("status", "operator", "planned_area_ha"),
    "transport_nodes": ("kind", "status", "capacity_note"),
    "transport_lines": ("kind", "ref", "lifecycle", "length_km"),
    "projects": ("investor", "sector", "status", "capital_vnd", "capital_usd", "site_area_ha"),
    "clearance_parcels": (
        "parcel_no",
        "parcels",
        "handed_over",
        "map_sheet",
        "stage",
        "area_ha",
        "households_affected",
        "households_to_resettle",
    ),
}


def lifecycle_steps() -> dict:
    """The lifecycle's steps in words and which of them are not built yet: once per page, for every layer."""
    words = enum_words(FacilityStatus)
    return {"unbuilt": list(NOT_BUILT), "steps": [{"value": value, **as_pair(pair)} for value, pair in words.items()]}


def layer_json(spec: LayerSpec, access: Access) -> dict:
    """One layer as the page script sees it: titles, theme, legend, where to fetch it, what a popup shows."""
    legend = spec.legend
    visible = spec.fields_for(access) + tuple(f for o in spec.overviews_at(0) for f in o.fields_for(access))
    return {
        "id": spec.id,
        "title_vi": spec.title_vi,
        "title_en": spec.title_en,
        "theme": spec.theme,
        "geometry_type": spec.geometry_type,
        "versioned": spec.versioned,
        "mode": "tiles" if spec.tiled else "geojson",
        # Layers dense enough to need an overview (cadastral parcels) are drawn on canvas: tens of thousands of SVG
        # paths cost Chromium more than fetching the tiles (bench/run-map).
        "renderer": "canvas" if spec.overview is not None else "svg",
        "items": f"/collections/{spec.id}/items",
        "tiles": f"/collections/{spec.id}/tiles/WebMercatorQuad/{{z}}/{{x}}/{{y}}",
        "min_zoom": spec.min_zoom,
        "popup_fields": [f for f in POPUP_FIELDS.get(spec.id, ()) if f in visible],
        "lifecycle_field": spec.lifecycle_field,  # proposed → planned → under construction → operating
        "legend": {
            "fill": legend.fill,
            "stroke": legend.stroke,
            "by_field": legend.by_field,
            "classes": [{"value": v, "colour": c, "vi": vi, "en": en} for v, c, vi, en in legend.classes],
            "fill_opacity": legend.fill_opacity,
            "outline": legend.outline,
        },
    }


@lru_cache(maxsize=32)
def proj4_definition(epsg: int) -> str:
    """A proj4 string for proj4js: PROJ's own definition plus VN-2000's EPSG:6960 shift (+towgs84)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "you will lose information": we add the shift back below
        text = CRS.from_epsg(epsg).to_proj4()
    parts = [p for p in text.split() if p not in ("+no_defs", "+type=crs")]
    return " ".join([*parts, VN2000_TOWGS84, "+no_defs"])


def places_json(places: list[Place]) -> list[dict]:
    """Places to zoom to, with their TM-3 EPSG."""
    return [
        {
            "kind": p.kind,
            "code": p.code,
            "name_vi": p.name_vi,
            "name_en": p.name_en,
            "tm3_epsg": p.tm3_epsg,
            "bbox": [round(v, 6) for v in p.bbox],
        }
        for p in places
    ]


def proj4_json(places: list[Place]) -> dict[str, str]:
    """proj4 definitions of every TM-3 zone the places use."""
    return {f"EPSG:{code}": proj4_definition(code) for code in sorted({p.tm3_epsg for p in places if p.tm3_epsg})}


def popup_value_words(conn: Connection, spec: LayerSpec, fields: list[str]) -> dict[str, dict[str, dict]]:
    """The words of every code a layer's popups may show (statuses, kinds, countries, provinces…), by field."""
    found = {}
    columns = table_of(spec).c
    for name in fields:
        if name not in columns:  # a field of the merged overview (parcels, handed_over): counts, not codes
            continue
        words = value_labels(conn, spec, name)
        if words:
            found[name] = {str(code): as_pair(pair) for code, pair in words.items()}
    return found


def common_config(
    conn: Connection,
    *,
    page: str,
    access: Access,
    basemap_url: str | None,
    places: list[Place],
    layers: list[LayerSpec],
) -> dict:
    """What every map page starts from; labels only of the fields the reader's popups show (none of internal ones)."""
    layer_configs = [layer_json(spec, access) for spec in layers]
    for spec, layer in zip(layers, layer_configs, strict=True):
        layer["value_labels"] = popup_value_words(conn, spec, layer["popup_fields"])
    shown = {f for layer in layer_configs for f in layer["popup_fields"]}
    return {
        "page": page,
        "access": access.value,
        "basemap": basemap_url or None,
        "themes": {k: {"vi": vi, "en": en} for k, (vi, en) in THEMES.items()},
        "field_labels": {k: as_pair(field_label(k)) for k in sorted(shown)},
        "layers": layer_configs,
        # layers whose names the page may write (gates and ports on every page, whatever it draws)
        "labelled": [spec.id for spec in layers_visible_to(access) if spec.id in LABELLED],
        "lifecycle": lifecycle_steps(),
        "places": places_json(places),
        "proj4": proj4_json(places),
    }
