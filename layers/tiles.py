"""Vector tiles of layers: spec-limited attributes, the same filters as items, ETags that follow the data."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, Date, DateTime, Float, Numeric, String, cast, select, true

from gis import models
from gis.errors import InvalidInput
from gis.tiles import TileAddress, TileLayer, encode_layer
from layers.features import FeatureQuery, table_of, where_clause
from layers.spec import LayerSpec


@dataclass
class Tile:
    """Encoded tile bytes with what the HTTP layer needs."""

    data: bytes
    features: int
    truncated_layers: list[str]


def check_tile(spec: LayerSpec | None, tile: TileAddress) -> None:
    """Refuse tiles outside WebMercatorQuad or outside the layer's zoom range."""
    if not tile.is_valid():
        raise InvalidInput(
            f"tile {tile.z}/{tile.x}/{tile.y} is outside WebMercatorQuad: zoom 0–24, and x, y from 0 to 2^zoom − 1"
        )
    if spec is not None and not spec.min_zoom <= tile.z <= spec.max_zoom:
        raise InvalidInput(f"'{spec.id}' is tiled from zoom {spec.min_zoom} to {spec.max_zoom}, not {tile.z}")


def tile_layer(spec: LayerSpec, query: FeatureQuery) -> TileLayer:
    """The MVT layer of a spec: tile fields the reader may see, filtered like the items endpoint."""
    table = table_of(spec)
    visible = set(spec.fields_for(query.access)) | {spec.id_column}
    attributes = {}
    for name in spec.tile_fields:
        if name in visible:
            column = table.c[name]
            if isinstance(column.type, Numeric):
                column = cast(column, Float)
            elif isinstance(column.type, Date | DateTime):
                column = cast(column, String)
            attributes[name] = column
    return TileLayer(
        name=spec.id,
        table=table,
        geometry=table.c[spec.geometry_column],
        id_column=table.c[spec.id_column],
        attributes=attributes,
        condition=where_clause(spec, query) if query else true(),
        storage_srid=spec.storage_srid,
        feature_cap=spec.tile_feature_cap,
    )


def render_tile(conn: Connection, layers: list[tuple[LayerSpec, FeatureQuery]], tile: TileAddress) -> Tile:
    """Encode each layer and concatenate them (an MVT is a sequence of layers)."""
    parts, features, truncated = [], 0, []
    for spec, query in layers:
        encoded = encode_layer(conn, tile_layer(spec, query), tile)
        parts.append(encoded.data)
        features += encoded.features
        if encoded.truncated:
            truncated.append(spec.id)
    return Tile(b"".join(parts), features, truncated)


def data_version(conn: Connection, specs: list[LayerSpec]) -> str:
    """A token that changes whenever any of the layers' tables change (bumped by triggers)."""
    changes = models.LayerChange.__table__
    rows = conn.execute(
        select(changes.c.table_name, changes.c.version).where(changes.c.table_name.in_([s.table for s in specs]))
    ).all()
    return ",".join(f"{name}:{version}" for name, version in sorted(rows))


def tile_etag(version: str, *parts: object) -> str:
    """Strong ETag from the data version and everything that shaped the tile."""
    digest = hashlib.sha256("|".join([version, *map(str, parts)]).encode()).hexdigest()[:32]
    return f'"{digest}"'
