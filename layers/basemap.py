"""The offline base map: loaded once from data/basemap/, drawn from our own vector tiles under every map page.

Reference geography (land, borders, coastline, country label points) from an open data set, built by
scripts/build_basemap.py. It is not a layer of the catalogue: public, never edited, versioned or exported, and
not listed in /collections. Tiles hold three MVT layers: `land` (polygons, `country`), `lines` (`kind` border or
coastline, `countries` of a border) and nothing else; country names are placed by the label service
(layers/map_labels.py), which reads the `label` points.
"""

import json
from pathlib import Path

from sqlalchemy import Connection, Float, cast, func, or_, select, text

from gis import models
from gis.errors import InvalidInput
from gis.tiles import CompiledTile, TileAddress, TileLayer, compile_tile, encode_compiled
from gis.vocab import BasemapKind
from layers.demo.loader import directory_checksum
from layers.tiles import Tile

LOAD_NAME = "basemap"
FILE = Path("basemap") / "region.geojson"
PIECE_VERTICES = 256  # ST_Subdivide: a tile reads only the pieces under it
TABLE = models.BasemapFeature.__table__
TRACKED_TABLE = "basemap_features"


def basemap_file(data_dir: Path) -> Path:
    """Where the region's geography is kept under the data folder."""
    return data_dir / FILE


def load_basemap(conn: Connection, path: Path) -> int | None:
    """Replace the base map with the file's features (all or nothing); None when the same file is loaded already."""
    if not path.exists():
        raise InvalidInput(f"the base map file {path} is missing: run scripts/build_basemap.py")
    checksum = directory_checksum([path])
    previous = conn.execute(text("SELECT checksum FROM data_loads WHERE name = :n"), {"n": LOAD_NAME}).scalar()
    if previous == checksum:
        return None
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    kinds = {k.value for k in BasemapKind}
    rows = []
    for number, feature in enumerate(features, start=1):
        props = feature["properties"]
        if props.get("kind") not in kinds or not props.get("source"):
            raise InvalidInput(f"{path.name}, feature {number}: kind must be one of {sorted(kinds)}, with a source")
        values = {k: props.get(k) for k in ("kind", "country", "countries", "source")}
        rows.append({**values, "g": json.dumps(feature["geometry"])})
    conn.execute(text("DELETE FROM basemap_features"))
    conn.execute(
        text(
            "INSERT INTO basemap_features (kind, country, countries, source, geom) "
            "SELECT :kind, :country, :countries, :source, "
            f"ST_Subdivide(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326), 3857), {PIECE_VERTICES})"
        ),
        rows,
    )
    conn.execute(
        text(
            "INSERT INTO data_loads (name, checksum, loaded_at) VALUES (:n, :c, now()) "
            "ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, loaded_at = now()"
        ),
        {"n": LOAD_NAME, "c": checksum},
    )
    return conn.execute(text("SELECT count(*) FROM basemap_features")).scalar_one()


def _tile_layer(name: str, kinds: tuple[BasemapKind, ...], attributes: tuple[str, ...]) -> TileLayer:
    """One MVT layer of the base: the pieces of the given kinds, with the given attributes."""
    return TileLayer(
        name=name,
        table=TABLE,
        geometry=TABLE.c.geom,
        id_column=TABLE.c.id,
        attributes={a: TABLE.c[a] for a in attributes},
        condition=or_(*(TABLE.c.kind == k.value for k in kinds)),  # no IN list: compiled once (compile_tile)
        storage_srid=3857,
        feature_cap=20_000,
    )


TILE_LAYERS = (
    _tile_layer("land", (BasemapKind.land,), ("country",)),
    _tile_layer("lines", (BasemapKind.border, BasemapKind.coastline), ("kind", "countries")),
)
_COMPILED: dict[str, CompiledTile] = {}


def render_basemap_tile(conn: Connection, tile: TileAddress) -> Tile:
    """The base map's tile: land then lines, each statement compiled once per process."""
    parts, features, truncated = [], 0, []
    for layer in TILE_LAYERS:
        compiled = _COMPILED.get(layer.name)
        if compiled is None:
            compiled = _COMPILED[layer.name] = compile_tile(layer, conn.dialect)
        encoded = encode_compiled(conn, compiled, tile)
        parts.append(encoded.data)
        features += encoded.features
        if encoded.truncated:
            truncated.append(layer.name)
    return Tile(b"".join(parts), features, truncated)


def country_label_points(conn: Connection) -> list[tuple[str, float, float]]:
    """(country code, lon, lat) of the point where each country's name is written."""
    point = func.ST_Transform(TABLE.c.geom, 4326)
    rows = conn.execute(
        select(TABLE.c.country, cast(func.ST_X(point), Float), cast(func.ST_Y(point), Float))
        .where(TABLE.c.kind == BasemapKind.label.value)
        .order_by(TABLE.c.country)
    )
    return [(code, lon, lat) for code, lon, lat in rows]
