"""Exports of a layer, or of a whole zone, to files: the items endpoint's selectable, streamed in batches.

PostGIS transforms the geometry to the output CRS and hands it over as WKB (or WKT, or GeoJSON). For the GDAL
formats the rows arrive as Arrow record batches straight from COPY (gis.pg_arrow: no Python per row); GeoJSON
and CSV come from a server-side cursor. Each batch is written and dropped, so memory does not grow with the
layer. File axis order is always east/north (x = longitude or easting), as GIS and CAD files expect; only
GeoJSON follows the OGC `crs` rule of the items endpoint (EPSG:4326 is latitude first there).
"""

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from gis.crs import WGS84, CrsRef, epsg_uri, is_geographic
from gis.errors import InvalidInput, NotFound
from gis.formats import FORMATS, FileFormat, file_format
from gis.io import (
    DBF_TEXT_BYTES,
    csv_text,
    shapefile_field_names,
    truncate_utf8,
    write_batches,
    write_dxf,
    zip_files,
)
from gis.pg_arrow import ArrowColumn, arrow_schema, csv_expression, query_batches
from layers.features import FeatureQuery, Period, feature_json, order_by, selected_fields, table_of, where_clause
from layers.registry import get_layer
from layers.spec import Access, LayerSpec

BATCH_SIZE = 5_000
# The field that names a feature, in order of preference: KML shows names; CAD users want the short plot code.
KML_LABEL_FIELDS = ("name_vi", "code", "parcel_no", "number", "uid")
DXF_LABEL_FIELDS = ("code", "name_vi", "parcel_no", "number", "uid")
DXF_POINT_TEXT_M = 25.0  # text height of a point's or a line's label, in metres
METRES_PER_DEGREE = 111_320.0  # at the equator: converts that height for a CRS in degrees (a label, not a measure)
Progress = Callable[[str, int, int], None]
FILE_CRS84 = CrsRef(WGS84, True, "http://www.opengis.net/def/crs/OGC/1.3/CRS84")


@dataclass
class ExportOptions:
    """Format details: CSV geometry as WKT or x/y columns, and a byte-order mark for Excel."""

    csv_geometry: str = "wkt"
    csv_bom: bool = False
    batch_size: int = BATCH_SIZE  # rows per batch for GeoJSON and CSV (the GDAL formats read COPY in blocks)


@dataclass
class ExportResult:
    """The written file and what a person should know about it."""

    path: Path
    filename: str
    media_type: str
    count: int
    notes: list[str] = field(default_factory=list)


ExportColumn = ArrowColumn  # one output field: its name, the SQL expression that reads it and its Arrow type


def export_columns(spec: LayerSpec, fields: Sequence[str]) -> list[ExportColumn]:
    """The id and the selected fields, typed for files (exact integers, floats, dates, booleans, text)."""
    table = table_of(spec)
    columns = [ExportColumn("id", table.c[spec.id_column], pa.int64())]
    for name in fields:
        column = table.c[name]
        kind = column.type
        if isinstance(kind, Boolean):
            columns.append(ExportColumn(name, column, pa.bool_()))
        elif isinstance(kind, BigInteger):
            columns.append(ExportColumn(name, column, pa.int64()))
        elif isinstance(kind, Integer):
            columns.append(ExportColumn(name, column, pa.int32()))
        elif (
            isinstance(kind, Numeric)
            and not isinstance(kind, Float)
            and kind.scale == 0
            and (kind.precision or 99) <= 18
        ):
            columns.append(ExportColumn(name, cast(column, BigInteger), pa.int64()))
        elif isinstance(kind, Numeric):
            columns.append(ExportColumn(name, cast(column, Float(53)), pa.float64()))
        elif isinstance(kind, DateTime):
            columns.append(ExportColumn(name, column, pa.timestamp("s", tz="UTC")))
        elif isinstance(kind, Date):
            columns.append(ExportColumn(name, column, pa.date32()))
        else:
            columns.append(ExportColumn(name, cast(column, Text), pa.string()))
    return columns


def export_condition(spec: LayerSpec, query: FeatureQuery, extra: Sequence[ColumnElement] = ()) -> ColumnElement:
    """The items endpoint's condition plus any extra ones (a zone's members)."""
    return and_(where_clause(spec, query), *extra)


def export_statement(
    spec: LayerSpec,
    query: FeatureQuery,
    columns: Sequence[ColumnElement],
    condition: ColumnElement,
    limit: int | None,
) -> Select:
    """One ordered statement over the layer; no default page size (limit only when the caller gives one)."""
    statement = (
        select(*columns)
        .select_from(table_of(spec))
        .where(condition)
        .order_by(*order_by(spec, query))
        .offset(query.offset)
    )
    return statement.limit(limit) if limit is not None else statement


def geometry_in(spec: LayerSpec, epsg: int) -> ColumnElement:
    """The geometry column transformed by PostGIS into the output CRS (east/north order)."""
    geom = table_of(spec).c[spec.geometry_column]
    return geom if epsg == spec.storage_srid else func.ST_Transform(geom, epsg)


def stream_batches(conn: Connection, statement: Select, batch_size: int) -> Iterator[list]:
    """Rows in batches from a server-side cursor: only one batch is ever held in memory."""
    result = conn.execute(statement, execution_options={"stream_results": True, "max_row_buffer": batch_size})
    try:
        yield from result.partitions(batch_size)
    finally:
        result.close()


def count_matching(
    conn: Connection, spec: LayerSpec, condition: ColumnElement, query: FeatureQuery, limit: int | None
) -> int:
    """How many rows the export will write (for progress and numberMatched)."""
    total = conn.execute(select(func.count()).select_from(table_of(spec)).where(condition)).scalar_one()
    total = max(total - query.offset, 0)
    return total if limit is None else min(total, limit)


def export_layer(
    conn: Connection,
    spec: LayerSpec,
    query: FeatureQuery,
    fmt: str | FileFormat,
    crs: CrsRef,
    folder: Path,
    *,
    limit: int | None = None,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
    extra: Sequence[ColumnElement] = (),
) -> ExportResult:
    """Write the features the query selects to folder/<layer><suffix> in the format and CRS asked for."""
    form = fmt if isinstance(fmt, FileFormat) else file_format(fmt)
    options = options or ExportOptions()
    if not spec.visible_to(query.access):
        raise NotFound(f"no layer '{spec.id}'")
    if spec.geometry_column is None and form.key not in ("csv", "geojson"):
        raise InvalidInput(f"'{spec.id}' has no geometry; export it as csv or geojson")
    fields = selected_fields(spec, query)
    condition = export_condition(spec, query, extra)
    total = count_matching(conn, spec, condition, query, limit)
    target = folder / f"{spec.id}{form.suffix}"
    notes: list[str] = []
    epsg = crs.epsg
    if form.wgs84_only and epsg != WGS84:
        notes.append(
            f"{form.label} is always WGS84 (EPSG:4326, longitude/latitude); the requested EPSG:{epsg} was not applied"
        )
        epsg = WGS84

    def report(done: int) -> None:
        if progress:
            progress(spec.id, done, total)

    writer = {
        "geojson": _write_geojson,
        "csv": _write_csv,
        "shp": _write_shapefile,
        "dxf": _write_dxf,
    }.get(form.key, _write_gdal)
    count = writer(conn, spec, query, fields, condition, limit, form, epsg, crs, target, options, report, notes)
    return ExportResult(target, target.name, form.media_type, count, notes)


Writer = Callable[..., int]


def _counting(batches: Iterator[list], report: Callable[[int], None]) -> Iterator[list]:
    """Pass batches of rows through, reporting how many rows went by."""
    done = 0
    report(0)
    for rows in batches:
        done += len(rows)
        report(done)
        yield rows


@dataclass
class RowStream:
    """A query's rows on their way to a file as Arrow batches: how many went by, and what stopped them, if anything.

    GDAL reports a failing stream only as "Error while accessing batch from stream"; `passing_errors` raises the
    stream's own error (a database error, say) in its place.
    """

    columns: list[ExportColumn]
    reader: pa.RecordBatchReader | None = None
    rows: int = 0
    error: BaseException | None = None

    @contextmanager
    def passing_errors(self) -> Iterator[None]:
        """Run a writer; if the stream failed, raise the stream's error rather than the writer's report of it."""
        try:
            yield
        except Exception:
            if self.error is not None:
                raise self.error from None
            raise


def _row_stream(
    conn: Connection, statement: Select, columns: list[ExportColumn], report: Callable[[int], None]
) -> RowStream:
    """The statement's rows as a lazy Arrow stream (see gis.pg_arrow), counted as they pass."""
    stream = RowStream(columns)

    def batches() -> Iterator[pa.RecordBatch]:
        report(0)
        try:
            for batch in query_batches(conn, statement, columns):
                stream.rows += batch.num_rows
                report(stream.rows)
                yield batch
        except Exception as exc:
            stream.error = exc
            raise

    stream.reader = pa.RecordBatchReader.from_batches(arrow_schema(columns), batches())
    return stream


def _stream_for_gdal(conn, spec, query, fields, condition, limit, epsg, report) -> RowStream:
    """The id, the fields and the geometry as WKB ('geom') for a GDAL writer."""
    columns = export_columns(spec, fields)
    if spec.geometry_column:
        columns.append(ExportColumn("geom", func.ST_AsBinary(geometry_in(spec, epsg)), pa.binary()))
    statement = export_statement(spec, query, [csv_expression(c) for c in columns], condition, limit)
    return _row_stream(conn, statement, columns, report)


def _write_gdal(conn, spec, query, fields, condition, limit, form, epsg, crs, target, options, report, notes) -> int:
    """GeoPackage, FlatGeobuf, KML: one Arrow stream into GDAL."""
    stream = _stream_for_gdal(conn, spec, query, fields, condition, limit, epsg, report)
    dataset_options = None
    if form.key == "kml":
        label = label_field(fields, KML_LABEL_FIELDS)
        dataset_options = {"NameField": label} if label else None
    with stream.passing_errors():
        write_batches(
            target,
            stream.reader,
            driver=form.driver,
            layer=spec.id,
            geometry_type=spec.geometry_type,
            epsg=epsg,
            dataset_options=dataset_options,
        )
    return stream.rows


def _dbf_text(values: pa.Array) -> tuple[pa.Array, int]:
    """Text cut to 254 UTF-8 bytes (a DBF limit) without splitting a character, and how many values were cut."""
    too_long = pc.fill_null(pc.greater(pc.binary_length(values), DBF_TEXT_BYTES), False)
    count = pc.sum(too_long).as_py() or 0
    if not count:
        return values, 0
    texts = values.to_pylist()
    for index in pc.indices_nonzero(too_long).to_pylist():
        texts[index] = truncate_utf8(texts[index])
    return pa.array(texts, type=values.type), count


def _write_shapefile(
    conn, spec, query, fields, condition, limit, form, epsg, crs, target, options, report, notes
) -> int:
    """A zipped Shapefile: .shp/.shx/.dbf/.prj, a UTF-8 .cpg, and fields.csv + README.txt for the short names."""
    stream = _stream_for_gdal(conn, spec, query, fields, condition, limit, epsg, report)
    fields_only = stream.columns[:-1] if spec.geometry_column else stream.columns
    mapping = shapefile_field_names([c.name for c in fields_only])
    cut = {"values": 0}
    schema = pa.schema([pa.field(mapping.get(f.name, f.name), f.type) for f in stream.reader.schema])

    def shortened() -> Iterator[pa.RecordBatch]:
        for batch in stream.reader:
            arrays = []
            for array in batch.columns:
                if pa.types.is_string(array.type):
                    array, count = _dbf_text(array)
                    cut["values"] += count
                arrays.append(array)
            yield pa.record_batch(arrays, schema=schema)

    folder = target.parent / f"{spec.id}_shp"
    folder.mkdir()
    shp = folder / f"{spec.id}.shp"
    with stream.passing_errors():
        write_batches(
            shp,
            pa.RecordBatchReader.from_batches(schema, shortened()),
            driver=form.driver,
            layer=spec.id,
            geometry_type=spec.geometry_type,
            epsg=epsg,
            encoding="UTF-8",
        )
    cpg = folder / f"{spec.id}.cpg"
    cpg.write_text("UTF-8", encoding="ascii")
    fields_csv = "field,shapefile_field\r\n" + "".join(f"{k},{v}\r\n" for k, v in mapping.items())
    renamed = {k: v for k, v in mapping.items() if k != v}
    readme = [
        f"{spec.title_vi} / {spec.title_en} ({spec.id}), {stream.rows} features, CRS EPSG:{epsg}.",
        "Text is UTF-8 (see the .cpg file).",
        "DBF field names hold at most 10 characters. Rule: names of 10 characters or fewer are kept; longer",
        "ones are cut to 10 characters, or to 8 characters plus a counter 01, 02... when that name is taken.",
        "fields.csv lists every field with its Shapefile name.",
    ]
    readme += [f"  {k} -> {v}" for k, v in renamed.items()]
    if cut["values"]:
        readme.append(
            f"{cut['values']} text values longer than 254 bytes were shortened (a DBF limit); "
            "use GeoPackage for full text."
        )
        notes.append(f"{cut['values']} text values were shortened to 254 bytes (Shapefile limit)")
    parts = [(p, p.name) for p in sorted(folder.iterdir())]
    zip_files(parts, target, {"fields.csv": fields_csv, "README.txt": "\r\n".join(readme) + "\r\n"})
    for path, _ in parts:
        path.unlink()
    folder.rmdir()
    if renamed:
        notes.append("field names shortened for the DBF: " + ", ".join(f"{k}->{v}" for k, v in renamed.items()))
    return stream.rows


def label_field(fields: Sequence[str], preference: Sequence[str]) -> str | None:
    """The first exported field that names a feature, in the format's order of preference."""
    return next((f for f in preference if f in fields), None)


def dxf_label(spec: LayerSpec, geom: ColumnElement, label: str, epsg: int) -> tuple[ColumnElement, ColumnElement]:
    """An OGR LABEL style (GDAL writes it as MTEXT) for a feature's label, and the point inside it where it goes.

    The text is centred (p:5) on a point on the surface (inside a polygon, on a line, the point itself). Its
    height, in the CRS's units, is an eighth of the side of a square of the polygon's area, lowered until the
    label fits the polygon's width (a character ~0.6 of the height); points and lines get DXF_POINT_TEXT_M metres.
    """
    text_value = cast(table_of(spec).c[label], Text)
    escaped = func.replace(func.replace(text_value, "\\", "\\\\"), '"', '\\"')
    fixed = DXF_POINT_TEXT_M / METRES_PER_DEGREE if is_geographic(epsg) else DXF_POINT_TEXT_M
    chars = func.greatest(func.char_length(text_value), 1)
    height = case(
        (
            func.ST_Dimension(geom) == 2,
            func.least(
                func.sqrt(func.ST_Area(geom)) / 8.0,
                (func.ST_XMax(geom) - func.ST_XMin(geom)) / (0.6 * chars),
            ),
        ),
        else_=fixed,
    )
    style = case(
        (
            func.nullif(text_value, "").is_not(None),
            func.format('LABEL(f:"Arial",t:"%s",s:%sg,p:5)', escaped, func.round(cast(height, Numeric), 8)),
        )
    )
    return style, func.ST_AsBinary(func.ST_PointOnSurface(geom))


def _write_dxf(conn, spec, query, fields, condition, limit, form, epsg, crs, target, options, report, notes) -> int:
    """DXF through GDAL: one DXF layer per type (the legend's field); each feature's label as a text inside it."""
    table = table_of(spec)
    by_field = spec.legend.by_field if spec.legend.by_field in spec.fields_for(query.access) else None
    layer_name = (
        func.concat(spec.id + "-", func.coalesce(cast(table.c[by_field], Text), "none"))
        if by_field
        else func.concat(spec.id)
    )
    geom = geometry_in(spec, epsg)
    columns = [
        ExportColumn("Layer", layer_name, pa.string()),
        ExportColumn("geom", func.ST_AsBinary(geom), pa.binary()),
    ]
    label = label_field(fields, DXF_LABEL_FIELDS)
    if label is not None:
        style, point = dxf_label(spec, geom, label, epsg)
        columns += [ExportColumn("OGR_STYLE", style, pa.string()), ExportColumn("label_at", point, pa.binary())]
    statement = export_statement(spec, query, [csv_expression(c) for c in columns], condition, limit)
    notes.append(f"DXF layers are named {spec.id}-<{by_field}>" if by_field else f"DXF layer {spec.id}")
    if label is not None:
        notes.append(f"each feature's {label} is a text (MTEXT) inside it, on the feature's DXF layer")
    return write_dxf(target, _row_stream(conn, statement, columns, report).reader, spec.geometry_type)


def _write_geojson(conn, spec, query, fields, condition, limit, form, epsg, crs, target, options, report, notes) -> int:
    """A FeatureCollection built from the items endpoint's own PostGIS GeoJSON, all matching features."""
    statement = export_statement(spec, query, [cast(feature_json(spec, fields, crs), Text)], condition, limit)
    count = 0
    with target.open("w", encoding="utf-8") as out:
        head = {"type": "FeatureCollection", "name": spec.id}
        if crs.uri != FILE_CRS84.uri:  # the GeoJSON 2008 member GDAL and QGIS read; RFC 7946 files are CRS84
            head["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs.epsg}"}}
        out.write(json.dumps(head)[:-1] + ',"features":[')
        for rows in _counting(stream_batches(conn, statement, options.batch_size), report):
            for (feature,) in rows:
                out.write(("," if count else "") + feature)
                count += 1
        tail = {
            "numberReturned": count,
            "numberMatched": query.offset + count if limit is None else None,
            "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if tail["numberMatched"] is None:
            tail["numberMatched"] = query.offset + count_matching(conn, spec, condition, query, None)
        out.write("]," + json.dumps(tail)[1:])
    return count


def _write_csv(conn, spec, query, fields, condition, limit, form, epsg, crs, target, options, report, notes) -> int:
    """CSV in UTF-8: the fields, then the geometry as WKT or, for points, x and y columns."""
    columns = export_columns(spec, fields)
    expressions = [c.expression for c in columns]
    header = [c.name for c in columns]
    if spec.geometry_column:
        geom = geometry_in(spec, epsg)
        if options.csv_geometry == "xy":
            if spec.geometry_type != "Point":
                raise InvalidInput(
                    f"geometry=xy needs a point layer; '{spec.id}' holds {spec.geometry_type} "
                    "features: use geometry=wkt"
                )
            expressions += [func.ST_X(geom), func.ST_Y(geom)]
            header += ["x", "y"]
        elif options.csv_geometry == "wkt":
            expressions.append(func.ST_AsText(geom))
            header.append("wkt")
        else:
            raise InvalidInput(f"geometry must be wkt or xy, not '{options.csv_geometry}'")
    statement = export_statement(spec, query, expressions, condition, limit)
    count = 0
    with target.open("w", encoding="utf-8-sig" if options.csv_bom else "utf-8", newline="") as out:
        out.writelines(csv_text([header]))

        def rows() -> Iterator[list]:
            nonlocal count
            for batch in _counting(stream_batches(conn, statement, options.batch_size), report):
                count += len(batch)
                yield from batch

        out.writelines(csv_text(rows()))
    notes.append(f"CRS EPSG:{epsg}; x = longitude/easting, y = latitude/northing" if spec.geometry_column else "")
    return count


# --- a whole zone ---------------------------------------------------------------------------------------------

ZONE_LAYERS = (
    "economic_zones",
    "functional_areas",
    "industrial_parks",
    "land_plots",
    "border_gates",
    "projects",
    "clearance_parcels",
    "logistics_centres",
    "transport_nodes",
    "transport_lines",
    "decisions",
)


def zone_members(conn: Connection, zone_uid: str, period: Period | None) -> dict[str, list[ColumnElement]]:
    """Per layer, the extra conditions that pick what belongs to the zone (its versions valid then)."""
    zones = get_layer("economic_zones")
    zt = table_of(zones)
    at = FeatureQuery(access=Access.internal, period=period)
    zone_rows = select(zt.c.geom).where(where_clause(zones, at), zt.c.uid == zone_uid)
    if conn.execute(select(func.count()).select_from(zone_rows.subquery())).scalar_one() == 0:
        when = f" valid on {period.start}" if period and period.start else ""
        raise NotFound(f"no economic zone '{zone_uid}'{when}")
    outline = select(func.ST_Union(zt.c.geom)).where(where_clause(zones, at), zt.c.uid == zone_uid).scalar_subquery()
    parks = table_of(get_layer("industrial_parks"))
    projects = table_of(get_layer("projects"))
    members: dict[str, list[ColumnElement]] = {}
    for layer_id in ZONE_LAYERS:
        table = table_of(get_layer(layer_id))
        if layer_id == "economic_zones":
            members[layer_id] = [table.c.uid == zone_uid]
        elif layer_id == "land_plots":
            members[layer_id] = [
                or_(
                    table.c.zone_uid == zone_uid,
                    table.c.park_uid.in_(select(parks.c.uid).where(parks.c.zone_uid == zone_uid)),
                )
            ]
        elif layer_id == "clearance_parcels":
            members[layer_id] = [table.c.project_id.in_(select(projects.c.id).where(projects.c.zone_uid == zone_uid))]
        elif "zone_uid" in table.c:
            members[layer_id] = [table.c.zone_uid == zone_uid]
        else:
            members[layer_id] = [func.ST_Intersects(table.c.geom, outline)]
    return members


def export_zone(
    conn: Connection,
    zone_uid: str,
    access: Access,
    period: Period | None,
    crs: CrsRef,
    folder: Path,
    progress: Progress | None = None,
) -> ExportResult:
    """One GeoPackage with a layer per kind of thing in the zone: the zone, its areas, parks, plots, gates…"""
    members = zone_members(conn, zone_uid, period)
    target = folder / f"zone_{_safe(zone_uid)}.gpkg"
    total, written = 0, []
    for layer_id, extra in members.items():
        spec = get_layer(layer_id)
        if not spec.visible_to(access):
            continue
        query = FeatureQuery(access=access, period=period)

        def report(done: int, _id: str = layer_id) -> None:
            if progress:
                progress(_id, done, -1)

        stream = _stream_for_gdal(
            conn,
            spec,
            query,
            selected_fields(spec, query),
            export_condition(spec, query, extra),
            None,
            crs.epsg,
            report,
        )
        with stream.passing_errors():
            write_batches(
                target,
                stream.reader,
                driver="GPKG",
                layer=layer_id,
                geometry_type=spec.geometry_type,
                epsg=crs.epsg,
                append=target.exists(),
            )
        total += stream.rows
        written.append(f"{layer_id} {stream.rows}")
    notes = [f"CRS EPSG:{crs.epsg} ({epsg_uri(crs.epsg)})", "layers: " + ", ".join(written)]
    return ExportResult(target, target.name, FORMATS["gpkg"].media_type, total, notes)


def _safe(text: str) -> str:
    """A file-name-safe version of an identifier."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)
