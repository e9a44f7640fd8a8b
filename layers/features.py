"""One feature query per request, built from a layer spec: the same selectable feeds items, tiles and exports."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    JSON,
    Connection,
    Float,
    Integer,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from gis import models
from gis.cql import FilterContext, cql_properties, to_sql
from gis.crs import CrsRef
from gis.errors import InvalidInput, NotFound
from gis.tabular import coerce_value
from layers.spec import Access, LayerSpec

WGS84 = 4326
GEOGRAPHIC = (4326, 4756)


@dataclass(frozen=True)
class BBox:
    """A bounding box in a stated CRS, already in x/y (lon/lat or easting/northing) order."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    srid: int = WGS84


@dataclass(frozen=True)
class Period:
    """A date or a closed/open interval; None at either end means open."""

    start: date | None
    end: date | None

    @property
    def is_instant(self) -> bool:
        """True for a single date."""
        return self.start is not None and self.start == self.end


@dataclass(frozen=True)
class FeatureQuery:
    """Everything that selects features of a layer, independent of the output format."""

    access: Access = Access.public
    bbox: BBox | None = None
    period: Period | None = None
    equals: dict[str, str] = field(default_factory=dict)
    cql: dict | None = None
    filter_srid: int = WGS84
    filter_flip: bool = False
    properties: Sequence[str] | None = None
    sortby: Sequence[tuple[str, bool]] = ()
    limit: int = 100
    offset: int = 0


def table_of(spec: LayerSpec) -> Table:
    """The SQLAlchemy table behind a layer."""
    return models.Base.metadata.tables[spec.table]


def visible_columns(spec: LayerSpec, access: Access) -> dict[str, ColumnElement]:
    """Allow-listed property columns a reader may see, filter and sort on."""
    table = table_of(spec)
    return {name: table.c[name] for name in spec.fields_for(access)}


def selected_fields(spec: LayerSpec, query: FeatureQuery) -> list[str]:
    """Fields to return: the requested ones (checked) or all visible ones, in spec order."""
    visible = spec.fields_for(query.access)
    if query.properties is None:
        return list(visible)
    unknown = [p for p in query.properties if p not in visible]
    if unknown:
        raise InvalidInput(f"unknown property {', '.join(unknown)}; properties are: {', '.join(visible)}")
    return [p for p in visible if p in query.properties]


def queryable_columns(spec: LayerSpec, query: FeatureQuery) -> dict[str, ColumnElement]:
    """The columns the query's filters may use (the layer's queryables), refusing any other property by name."""
    table = table_of(spec)
    allowed = spec.queryables_for(query.access)
    geometry = {"geom", "geometry"} if spec.geometry_column else set()
    used = set(query.equals) | (cql_properties(query.cql) - geometry)
    listed = ", ".join(allowed)
    for name in sorted(used - set(allowed)):
        if name in spec.fields_for(query.access):
            raise InvalidInput(f"'{name}' cannot be used in filters of '{spec.id}'; queryable properties are: {listed}")
        raise InvalidInput(f"unknown property '{name}'; queryable properties of '{spec.id}' are: {listed}")
    return {name: table.c[name] for name in allowed}


def where_clause(spec: LayerSpec, query: FeatureQuery, *, named: bool = False) -> ColumnElement[bool]:
    """All the query's conditions on the layer's table, with bound values only.

    named gives the bbox's values fixed parameter names (bbox_minx …), so a compiled statement can be reused with
    another bbox; only for statements holding one condition (two would clash).
    """
    table = table_of(spec)
    columns = queryable_columns(spec, query)
    geom = table.c[spec.geometry_column] if spec.geometry_column else None
    conditions: list[ColumnElement[bool]] = [_period_condition(spec, table, query.period)]
    conditions.append(public_rows(spec, query.access))
    if query.bbox is not None:
        if geom is None:
            raise InvalidInput(f"'{spec.id}' has no geometry, so bbox does not apply")
        conditions.append(func.ST_Intersects(geom, _envelope(query.bbox, spec.storage_srid, named)))
    for name, raw in query.equals.items():
        conditions.append(columns[name] == coerce_value(raw, columns[name].type, f"property '{name}'"))
    if query.cql is not None:
        ctx = FilterContext(columns, geom, spec.storage_srid, query.filter_srid, query.filter_flip)
        conditions.append(to_sql(query.cql, ctx))
    return and_(*conditions)


def public_rows(spec: LayerSpec, access: Access) -> ColumnElement[bool]:
    """Staff-only rows (e.g. a decision not yet published) are left out for anonymous readers."""
    if spec.public_rows is None or access is Access.internal:
        return true()
    return table_of(spec).c[spec.public_rows].is_(True)


def _period_condition(spec: LayerSpec, table: Table, period: Period | None) -> ColumnElement[bool]:
    """Versioned layers show the versions valid in the period; without one, the current versions."""
    if not spec.versioned:
        return true()
    if period is None:
        return table.c.valid_to.is_(None)
    if period.is_instant:
        return table.c.valid_during.op("@>")(period.start)
    return table.c.valid_during.op("&&")(func.daterange(period.start, period.end, literal_column("'[]'")))


def _envelope(bbox: BBox, storage_srid: int, named: bool = False) -> ColumnElement:
    """The bbox as a polygon in the storage CRS, so the spatial index on the column is used."""
    values = _bbox_values(bbox)
    corners = [bindparam(k, values[k], type_=Float) if named else values[k] for k in BBOX_PARAMS]
    envelope = func.ST_MakeEnvelope(*corners, bbox.srid)
    if bbox.srid == storage_srid:
        return envelope
    segment = bindparam("bbox_segment", values["bbox_segment"], type_=Float) if named else values["bbox_segment"]
    return func.ST_Transform(func.ST_Segmentize(envelope, segment), storage_srid)


BBOX_PARAMS = ("bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy")


def _bbox_values(bbox: BBox) -> dict[str, float]:
    """The bbox's bound values by parameter name (see where_clause's named)."""
    return {
        "bbox_minx": bbox.minx,
        "bbox_miny": bbox.miny,
        "bbox_maxx": bbox.maxx,
        "bbox_maxy": bbox.maxy,
        "bbox_segment": _segment(bbox),
    }


def _segment(bbox: BBox) -> float:
    """Densify a transformed envelope so its edges follow the curvature of the target CRS."""
    return max(bbox.maxx - bbox.minx, bbox.maxy - bbox.miny) / 32 or 1.0


def order_by(spec: LayerSpec, query: FeatureQuery) -> list[ColumnElement]:
    """Sort keys from sortby (checked against visible fields), then the id for stable paging."""
    table = table_of(spec)
    columns = visible_columns(spec, query.access)
    keys = []
    for name, descending in query.sortby:
        if name not in columns:
            raise InvalidInput(f"cannot sort by '{name}'; sortable properties are: {', '.join(columns)}")
        keys.append(columns[name].desc() if descending else columns[name].asc())
    keys.append(table.c[spec.id_column].asc())
    return keys


def output_geometry(spec: LayerSpec, crs: CrsRef) -> ColumnElement:
    """The geometry in the output CRS and axis order."""
    geom = table_of(spec).c[spec.geometry_column]
    if crs.epsg != spec.storage_srid:
        geom = func.ST_Transform(geom, crs.epsg)
    if not crs.lonlat_order:
        geom = func.ST_FlipCoordinates(geom)
    return geom


def feature_json(spec: LayerSpec, fields: list[str], crs: CrsRef) -> ColumnElement:
    """One GeoJSON Feature as JSON, built by PostgreSQL from allow-listed columns."""
    table = table_of(spec)
    pairs: list[ColumnElement] = []
    for name in fields:
        pairs += [literal(name), table.c[name]]
    geometry: ColumnElement = null()
    if spec.geometry_column:
        digits = 7 if crs.epsg in GEOGRAPHIC else 3
        geometry = cast(func.ST_AsGeoJSON(output_geometry(spec, crs), digits), JSON)
    return func.json_build_object(
        literal("type"),
        literal("Feature"),
        literal("id"),
        table.c[spec.id_column],
        literal("geometry"),
        geometry,
        literal("properties"),
        func.json_build_object(*pairs),
    )


@dataclass
class FeaturePage:
    """One page of features as GeoJSON text pieces, and the total that matched."""

    features: list[str]
    number_matched: int


def page_statements(spec: LayerSpec, query: FeatureQuery, crs: CrsRef, *, named: bool = False) -> tuple[Select, Select]:
    """The page query and the count query, sharing one condition (also used by the benchmark's floor).

    named: bbox, limit and offset as fixed parameter names, so the compiled statements can be reused (fetch_page).
    """
    table = table_of(spec)
    condition = where_clause(spec, query, named=named)
    fields = selected_fields(spec, query)
    page = (
        select(cast(feature_json(spec, fields, crs), Text))
        .select_from(table)
        .where(condition)
        .order_by(*order_by(spec, query))
        .limit(bindparam("page_limit", query.limit, type_=Integer) if named else query.limit)
        .offset(bindparam("page_offset", query.offset, type_=Integer) if named else query.offset)
    )
    return page, select(func.count()).select_from(table).where(condition)


@dataclass(frozen=True)
class CompiledPage:
    """The page and count statements of one query shape, compiled once to driver SQL with their bound values."""

    page_sql: str
    page_params: dict
    count_sql: str
    count_params: dict


_COMPILED_PAGES: dict[tuple, CompiledPage] = {}


def _page_shape(conn: Connection, spec: LayerSpec, query: FeatureQuery, crs: CrsRef) -> tuple | None:
    """What decides the SQL text of a bbox-or-nothing query (values aside); None for other filters."""
    if query.period is not None or query.equals or query.cql is not None:
        return None
    return (
        spec.id,
        query.access,
        None if query.bbox is None else query.bbox.srid,
        None if query.properties is None else tuple(query.properties),
        tuple(query.sortby),
        crs.epsg,
        crs.lonlat_order,
        conn.dialect.name,
    )


def _compiled_page(conn: Connection, spec: LayerSpec, query: FeatureQuery, crs: CrsRef, shape: tuple) -> CompiledPage:
    """The compiled statements of a query shape, compiled on first use in this process."""
    compiled = _COMPILED_PAGES.get(shape)
    if compiled is None:
        page, count = page_statements(spec, query, crs, named=True)
        page_c, count_c = page.compile(dialect=conn.dialect), count.compile(dialect=conn.dialect)
        compiled = _COMPILED_PAGES[shape] = CompiledPage(
            str(page_c), dict(page_c.params), str(count_c), dict(count_c.params)
        )
    return compiled


def fetch_page(conn: Connection, spec: LayerSpec, query: FeatureQuery, crs: CrsRef) -> FeaturePage:
    """Run the page query and the count with the same conditions.

    Queries by bbox only (what maps ask) run statements compiled once per shape: building and cache-keying them
    costs more Python time than PostGIS spends on a small page. The SQL is the same as page_statements'.
    """
    shape = _page_shape(conn, spec, query, crs)
    if shape is None:
        page, count = page_statements(spec, query, crs)
        run_page, run_count = (lambda: conn.execute(page).scalars()), (lambda: conn.execute(count).scalar_one())
    else:
        compiled = _compiled_page(conn, spec, query, crs, shape)
        values = {"page_limit": query.limit, "page_offset": query.offset}
        if query.bbox is not None:
            values.update(_bbox_values(query.bbox))
        page_params = {**compiled.page_params, **{k: v for k, v in values.items() if k in compiled.page_params}}
        count_params = {**compiled.count_params, **{k: v for k, v in values.items() if k in compiled.count_params}}
        run_page = lambda: conn.exec_driver_sql(compiled.page_sql, page_params).scalars()  # noqa: E731
        run_count = lambda: conn.exec_driver_sql(compiled.count_sql, count_params).scalar_one()  # noqa: E731
    features = list(run_page())
    if len(features) < query.limit and (features or query.offset == 0):
        return FeaturePage(features, query.offset + len(features))  # a short page is the last one: no count needed
    return FeaturePage(features, run_count())


def fetch_one(conn: Connection, spec: LayerSpec, feature_id: str, access: Access, crs: CrsRef) -> str:
    """One feature by id (any version), or NotFound."""
    table = table_of(spec)
    id_column = table.c[spec.id_column]
    key = coerce_value(feature_id, id_column.type, "feature id") if feature_id.isdigit() else None
    if key is None:
        raise NotFound(f"no feature '{feature_id}' in '{spec.id}'")
    fields = list(spec.fields_for(access))
    row = conn.execute(
        select(cast(feature_json(spec, fields, crs), Text))
        .select_from(table)
        .where(id_column == key, public_rows(spec, access))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no feature '{feature_id}' in '{spec.id}'")
    return row


def layer_extent(conn: Connection, spec: LayerSpec) -> tuple[list[float] | None, list[date | None] | None]:
    """Spatial extent in WGS84 and, for versioned layers, the temporal extent, in one scan of the table."""
    table = table_of(spec)
    columns: list[ColumnElement] = []
    if spec.geometry_column:
        extent = func.ST_Extent(table.c[spec.geometry_column])  # PostgreSQL computes the repeated aggregate once
        columns += [func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent), func.ST_YMax(extent)]
    if spec.versioned:
        columns += [func.min(table.c.valid_from), func.max(table.c.valid_to), func.bool_or(table.c.valid_to.is_(None))]
    if not columns:
        return None, None
    row = list(conn.execute(select(*columns)).one())
    bbox = None
    if spec.geometry_column:
        box, row = row[:4], row[4:]
        bbox = None if box[0] is None else [round(float(v), 7) for v in box]
    interval = None
    if spec.versioned:
        start, end, still_open = row
        interval = [start, None if still_open else end]
    return bbox, interval
