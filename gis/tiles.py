"""One generic Mapbox Vector Tile builder: PostGIS selects by the tile envelope in the storage CRS and encodes."""

from dataclasses import dataclass

from sqlalchemy import Connection, LargeBinary, Select, Table, and_, func, literal, literal_column, select
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


def tile_statement(layer: TileLayer, tile: TileAddress) -> Select:
    """One statement returning (mvt bytes, candidates found, features drawn) for a layer of a tile.

    The envelope is transformed into the storage CRS so the GiST index on the column is used.
    """
    envelope = func.ST_TileEnvelope(tile.z, tile.x, tile.y)
    with_margin = func.ST_TileEnvelope(tile.z, tile.x, tile.y, WORLD_3857, BUFFER / EXTENT)
    in_storage = func.ST_Transform(with_margin, layer.storage_srid)
    mvt_geom = func.ST_AsMVTGeom(func.ST_Transform(layer.geometry, 3857), envelope, EXTENT, BUFFER, True)
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
        select(func.ST_AsMVT(literal_column("kept.*"), literal(layer.name), EXTENT, "mvt_geom", "fid",
                             type_=LargeBinary))
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
