"""One generic Mapbox Vector Tile builder: PostGIS selects by the tile envelope in the storage CRS and encodes."""

from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Dialect,
    Integer,
    LargeBinary,
    Select,
    Table,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 24


@dataclass(frozen=True)
class TileAddress:
    """A WebMercatorQuad tile."""

    z: int
    x: int
    y: int

    def is_valid(self) -> bool:
        """True when the tile exists in WebMercatorQuad."""
        return 0 <= self.z <= MAX_ZOOM and 0 <= self.x < 2**self.z and 0 <= self.y < 2**self.z


@dataclass
class TileLayer:
    """What one MVT layer is made of: a table, its id and geometry columns, attribute columns and conditions."""

    name: str
    table: Table
    geometry: ColumnElement
    id_column: ColumnElement
    attributes: dict[str, ColumnElement]
    condition: ColumnElement[bool]
    storage_srid: int
    feature_cap: int


@dataclass
class EncodedLayer:
    """The MVT bytes of one layer and whether the feature cap cut it."""

    data: bytes
    features: int
    truncated: bool


WORLD_3857 = literal_column(
    "ST_MakeEnvelope(-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244, 3857)"
)


@dataclass(frozen=True)
class CompiledTile:
    """A layer's tile statement compiled once to driver SQL, with its bound values (the tile's are filled per call).

    Building and cache-keying the statement costs more Python time than PostGIS spends on a small tile, so a layer
    whose statement does not depend on the request (no filter) is compiled once per process and reused.
    """

    sql: str
    params: dict
    feature_cap: int


TILE_Z = bindparam("tile_z", type_=Integer)
TILE_X = bindparam("tile_x", type_=Integer)
TILE_Y = bindparam("tile_y", type_=Integer)


def tile_statement(layer: TileLayer, tile: TileAddress) -> Select:
    """One statement returning (mvt bytes, candidates found, features drawn) for a layer of a tile."""
    return tile_template(layer).params(tile_z=tile.z, tile_x=tile.x, tile_y=tile.y)


def tile_template(layer: TileLayer) -> Select:
    """The tile statement of a layer with the tile's z, x and y as parameters tile_z, tile_x, tile_y.

    The envelope is transformed into the storage CRS so the GiST index on the column is used.
    """
    envelope = func.ST_TileEnvelope(TILE_Z, TILE_X, TILE_Y)
    with_margin = func.ST_TileEnvelope(TILE_Z, TILE_X, TILE_Y, WORLD_3857, BUFFER / EXTENT)
    in_storage = func.ST_Transform(with_margin, layer.storage_srid)
    in_3857 = func.ST_Transform(layer.geometry, 3857)
    # A feature smaller than one tile unit would vanish at this zoom: draw it as a point instead, so no feature
    # in the tile is silently missing (a map that drops small parcels misleads).
    mvt_geom = func.coalesce(
        func.ST_AsMVTGeom(in_3857, envelope, EXTENT, BUFFER, True),
        func.ST_AsMVTGeom(func.ST_PointOnSurface(in_3857), envelope, EXTENT, BUFFER, True),
    )
    columns = [mvt_geom.label("mvt_geom"), layer.id_column.label("fid")]
    columns += [column.label(name) for name, column in layer.attributes.items()]
    candidates = (
        select(*columns)
        .select_from(layer.table)
        .where(and_(func.ST_Intersects(layer.geometry, in_storage), layer.condition))
        .limit(layer.feature_cap + 1)
        .cte("candidates")
    )
    kept = select(candidates).where(candidates.c.mvt_geom.is_not(None)).limit(layer.feature_cap).cte("kept")
    mvt = (
        select(
            func.ST_AsMVT(literal_column("kept.*"), literal(layer.name), EXTENT, "mvt_geom", "fid", type_=LargeBinary)
        )
        .select_from(kept)
        .scalar_subquery()
    )
    total = select(func.count()).select_from(candidates).scalar_subquery()
    kept_count = select(func.count()).select_from(kept).scalar_subquery()
    return select(mvt, total, kept_count)


def encode_layer(conn: Connection, layer: TileLayer, tile: TileAddress) -> EncodedLayer:
    """Encode one layer of a tile and say whether the feature cap cut it."""
    data, found, drawn = conn.execute(tile_statement(layer, tile)).one()
    return EncodedLayer(bytes(data or b""), int(drawn), int(found) > layer.feature_cap)


def compile_tile(layer: TileLayer, dialect: Dialect) -> CompiledTile:
    """Compile a layer's tile statement once (for conditions without expanding parameters, e.g. no IN lists)."""
    compiled = tile_template(layer).compile(dialect=dialect)
    return CompiledTile(str(compiled), dict(compiled.params), layer.feature_cap)


def encode_compiled(conn: Connection, compiled: CompiledTile, tile: TileAddress) -> EncodedLayer:
    """Encode one layer of a tile from its compiled statement: the same SQL as encode_layer, no statement building."""
    params = {**compiled.params, "tile_z": tile.z, "tile_x": tile.x, "tile_y": tile.y}
    data, found, drawn = conn.exec_driver_sql(compiled.sql, params).one()
    return EncodedLayer(bytes(data or b""), int(drawn), int(found) > compiled.feature_cap)
