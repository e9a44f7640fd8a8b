"""Vector tiles of layers: spec-limited attributes, the same filters as items, ETags that follow the data."""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import Connection, Date, DateTime, Float, Numeric, String, cast, true

from gis.change_feed import VERSION_SQL
from gis.errors import InvalidInput
from gis.http_cache import revalidated
from gis.tiles import CompiledTile, TileAddress, TileLayer, compile_tile, encode_compiled, encode_layer
from layers.features import FeatureQuery, table_of, where_clause
from layers.registry import layers_visible_to
from layers.spec import Access, LayerSpec

MVT_TYPE = "application/vnd.mapbox-vector-tile"


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


def dataset_layers(access: Access, z: int) -> list[LayerSpec]:
    """The layers of the multi-layer tile at zoom z that this reader may see (before any overview is chosen)."""
    return [s for s in layers_visible_to(access) if s.geometry_column and s.min_zoom <= z <= s.max_zoom]


_COMPILED: dict[tuple[str, str, Access, str], CompiledTile] = {}


def _unfiltered(query: FeatureQuery) -> bool:
    """True when the query adds no condition of its own (the layer's statement is then the same for every request)."""
    return query.bbox is None and query.period is None and not query.equals and query.cql is None


def render_tile(conn: Connection, layers: list[tuple[LayerSpec, FeatureQuery]], tile: TileAddress) -> Tile:
    """Encode each layer and concatenate them (an MVT is a sequence of layers).

    Unfiltered layers (what maps ask for) run a statement compiled once per process and reader access level.
    """
    parts, features, truncated = [], 0, []
    for spec, query in layers:
        if _unfiltered(query):
            key = (spec.table, spec.id, query.access, conn.dialect.name)
            compiled = _COMPILED.get(key)
            if compiled is None:
                compiled = _COMPILED[key] = compile_tile(tile_layer(spec, query), conn.dialect)
            encoded = encode_compiled(conn, compiled, tile)
        else:
            encoded = encode_layer(conn, tile_layer(spec, query), tile)
        parts.append(encoded.data)
        features += encoded.features
        if encoded.truncated:
            truncated.append(spec.id)
    return Tile(b"".join(parts), features, truncated)


def data_version(conn: Connection, specs: list[LayerSpec]) -> str:
    """A token that changes whenever any of the layers' tables change (bumped by triggers)."""
    return tables_version(conn, [s.tracked_table for s in specs])


def tables_version(conn: Connection, tables: list[str]) -> str:
    """A token that changes whenever any of these tables change (their layer_changes counters)."""
    rows = conn.exec_driver_sql(VERSION_SQL, {"tables": tables}).all()
    return version_token(dict(rows))


def version_token(versions: dict[str, int]) -> str:
    """The versions as one token, the same whether read from the database or from the change feed."""
    return ",".join(f"{name}:{version}" for name, version in sorted(versions.items()))


def tile_etag(version: str, *parts: object) -> str:
    """Strong ETag from the data version and everything that shaped the tile."""
    digest = hashlib.sha256("|".join([version, *map(str, parts)]).encode()).hexdigest()[:32]
    return f'"{digest}"'


def tile_key(
    version: str, tile: TileAddress, query_items: list[tuple[str, str]], layer_ids: list[str], access: Access
) -> tuple[str, tuple]:
    """The ETag (version, tile, query, layers) and the tile-cache key (the ETag and the reader's access)."""
    etag = tile_etag(version, tile, sorted(query_items), layer_ids)
    return etag, (access, etag)


def tile_headers(etag: str, access: Access) -> dict[str, str]:
    """Revalidate every time against a strong ETag; public tiles (the same for every anonymous reader) are shared."""
    return revalidated(etag, shared=access is Access.public)


def tile_reply(etag: str, tile: Tile, access: Access) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a tile: 204 when empty, X-Tile-Truncated when a cap cut a layer."""
    headers = tile_headers(etag, access)
    if tile.truncated_layers:
        headers["X-Tile-Truncated"] = ",".join(tile.truncated_layers)
    if not tile.data:
        return 204, headers, b""
    return 200, {**headers, "Content-Type": MVT_TYPE}, tile.data


class TileCache:
    """Encoded tiles of this process, least recently used dropped first, keyed by what shaped them.

    Keys hold the layers' change version (see data_version), so an edit makes the next request miss and re-render:
    nothing is ever served stale and nothing expires by time. Thread-safe (sync routes run in a thread pool).
    """

    def __init__(self, max_tiles: int) -> None:
        self.max_tiles = max_tiles
        self._tiles: OrderedDict[tuple, Tile] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> Tile | None:
        """The tile stored under key (now the most recently used), or None."""
        with self._lock:
            tile = self._tiles.get(key)
            if tile is None:
                self.misses += 1
                return None
            self._tiles.move_to_end(key)
            self.hits += 1
            return tile

    def put(self, key: tuple, tile: Tile) -> None:
        """Store a tile, dropping the least recently used beyond max_tiles (a size of 0 stores nothing)."""
        if self.max_tiles <= 0:
            return
        with self._lock:
            self._tiles[key] = tile
            self._tiles.move_to_end(key)
            while len(self._tiles) > self.max_tiles:
                self._tiles.popitem(last=False)

    def __len__(self) -> int:
        """How many tiles are stored."""
        return len(self._tiles)
