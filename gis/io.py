"""Vector files through pyogrio/GDAL: streamed batch writing, Shapefile packaging, and guarded reading.

Writers take a stream of Arrow record batches so memory stays flat however large the layer: GDAL writes each
batch and forgets it. Readers refuse bad files (empty, oversize, damaged zip, not spatial, not UTF-8) with a
message a person can act on, before any row is looked at.
"""

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from gis.errors import InvalidInput
from gis.ogr import ogr

SHAPEFILE_NAME_LENGTH = 10
DBF_TEXT_BYTES = 254


def crs_wkt(epsg: int) -> str:
    """WKT of an EPSG code, as GDAL wants it for a new layer."""
    return CRS.from_epsg(epsg).to_wkt()


# --- writing -------------------------------------------------------------------------------------------------


def write_batches(
    path: Path,
    stream: pa.RecordBatchReader,
    *,
    driver: str,
    layer: str,
    geometry_type: str | None,
    epsg: int | None,
    append: bool = False,
    encoding: str | None = None,
    dataset_options: dict[str, str] | None = None,
    layer_options: dict[str, str] | None = None,
) -> None:
    """Stream Arrow record batches into one layer of a GDAL file; with a geometry type, column 'geom' is WKB."""
    with_geometry = geometry_type is not None
    ogr().write_arrow(
        stream,
        str(path),
        layer=layer,
        driver=driver,
        append=append,
        encoding=encoding,
        geometry_name="geom" if with_geometry else None,
        geometry_type=geometry_type if with_geometry else None,
        crs=crs_wkt(epsg) if (with_geometry and epsg) else None,
        dataset_options=dataset_options,
        layer_options=layer_options,
    )


def write_dxf(path: Path, batches: Iterable[pa.RecordBatch], geometry_type: str) -> int:
    """Write batches of (DXF layer name, WKB, label style, label point WKB) with GDAL's DXF driver; returns features.

    GDAL's DXF writer cannot append, so everything goes in one call. Only those four columns are held in memory
    (DXF entities carry no attributes). A row whose label style is set (an OGR `LABEL(...)` style string, which
    GDAL writes as an MTEXT entity) also gets its label point, on the feature's own DXF layer, after every shape so
    that CAD programs draw the texts on top of the hatches.
    """
    names: list[np.ndarray] = []
    geoms: list[np.ndarray] = []
    styles: list[np.ndarray] = []
    points: list[np.ndarray] = []
    for batch in batches:
        names.append(batch.column(0).to_numpy(zero_copy_only=False))
        geoms.append(batch.column(1).to_numpy(zero_copy_only=False))
        if batch.num_columns > 2:
            styles.append(batch.column(2).to_numpy(zero_copy_only=False))
            points.append(batch.column(3).to_numpy(zero_copy_only=False))
    layer_names = np.concatenate(names) if names else np.array([], dtype=object)
    geometries = np.concatenate(geoms) if geoms else np.array([], dtype=object)
    no_style = np.full(len(layer_names), None, dtype=object)
    label_styles = np.concatenate(styles) if styles else no_style
    labelled = np.array([s is not None for s in label_styles], dtype=bool)
    label_points = np.concatenate(points)[labelled] if points else np.array([], dtype=object)
    all_names = np.concatenate([layer_names, layer_names[labelled]])
    all_geometries = np.concatenate([geometries, label_points])
    all_styles = np.concatenate([no_style, label_styles[labelled]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # DXF has no CRS: the caller states it
        ogr().raw.write(
            str(path),
            all_geometries,
            [all_names, all_styles],
            ["Layer", "OGR_STYLE"],
            driver="DXF",
            geometry_type="Unknown" if labelled.any() else geometry_type,
            crs=None,
        )
    return len(layer_names)


def shapefile_field_names(names: Sequence[str]) -> dict[str, str]:
    """Map field names to unique DBF names of at most 10 characters, deterministically, in the given order.

    Rule: a name of 10 characters or fewer is kept; a longer one is cut to its first 10 characters; if that
    is taken (compared case-insensitively), it is cut to 8 characters plus a two-digit counter 01, 02, …
    """
    mapping: dict[str, str] = {}
    taken = {n.lower() for n in names if len(n) <= SHAPEFILE_NAME_LENGTH}
    for name in names:
        if len(name) <= SHAPEFILE_NAME_LENGTH:
            mapping[name] = name
            continue
        short = name[:SHAPEFILE_NAME_LENGTH]
        counter = 0
        while short.lower() in taken:
            counter += 1
            short = f"{name[: SHAPEFILE_NAME_LENGTH - 2]}{counter:02d}"
        taken.add(short.lower())
        mapping[name] = short
    return mapping


def truncate_utf8(text: str, limit: int = DBF_TEXT_BYTES) -> str:
    """Cut text to at most `limit` UTF-8 bytes without splitting a character (DBF text fields hold 254 bytes)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def zip_files(files: Iterable[tuple[Path, str]], target: Path, extra: dict[str, str] | None = None) -> None:
    """Pack files (path, name in the archive) plus small text members into a zip."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in files:
            archive.write(path, name)
        for name, content in (extra or {}).items():
            archive.writestr(name, content.encode("utf-8"))


# Text a spreadsheet would run as a formula (OWASP "CSV injection"), full-width forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """One value as a CSV cell: numbers stay numbers (plain notation), dates ISO, booleans true/false, and text that
    would start a formula gets a leading apostrophe, so a spreadsheet shows it instead of running it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def csv_text(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV lines (RFC 4180 quoting) from rows of values, every one written by csv_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


# --- reading -------------------------------------------------------------------------------------------------

READ_SUFFIXES = {
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".dxf": "DXF",
    ".csv": "CSV",
    ".zip": "zipped Shapefile",
    ".shp": "Shapefile",
    ".fgb": "FlatGeobuf",
}
TEXT_FORMATS = {".geojson", ".json", ".kml", ".csv"}
WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom", "shape")


@dataclass
class CsvOptions:
    """How to find the geometry in a CSV: a WKT column, or x/y columns (X may be the northing)."""

    wkt_column: str | None = None
    x_column: str | None = None
    y_column: str | None = None
    northing_first: bool = False
    delimiter: str | None = None


@dataclass
class VectorTable:
    """What a file holds, read in full (files are size-limited): rows of properties and shapely geometries."""

    name: str
    kind: str
    columns: list[str]
    rows: list[dict[str, Any]]
    geometries: list[BaseGeometry | None]
    crs: CRS | None
    notes: list[str] = field(default_factory=list)


def check_size(path: Path, max_bytes: int) -> None:
    """Refuse empty and oversize files before GDAL sees them."""
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"{path.name}: the file is empty (0 bytes)")
    if size > max_bytes:
        raise InvalidInput(_over_limit(path.name, "the file is", size, max_bytes))


def _over_limit(name: str, what: str, size: int, max_bytes: int) -> str:
    """The message for a file (or what it unpacks to) over the import limit."""
    return (
        f"{name}: {what} {size / 1_048_576:.1f} MB; the import limit is "
        f"{max_bytes / 1_048_576:.1f} MB (setting IMPORT_MAX_BYTES)"
    )


def read_vector(
    path: Path,
    *,
    max_bytes: int,
    layer: str | None = None,
    csv_options: CsvOptions | None = None,
    display_name: str | None = None,
) -> VectorTable:
    """Read a GPKG, zipped Shapefile, GeoJSON, KML, DXF, FlatGeobuf or CSV file, or say why it cannot be read."""
    name = display_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in READ_SUFFIXES:
        raise InvalidInput(
            f"{name}: unsupported file type '{suffix or '(none)'}'; accepted: "
            + ", ".join(f"{k} ({v})" for k, v in READ_SUFFIXES.items())
        )
    check_size(path, max_bytes)
    kind = READ_SUFFIXES[suffix]
    if suffix in TEXT_FORMATS:
        text = _utf8_text(path, name)
        if suffix == ".csv":
            return _read_csv(text, name, csv_options or CsvOptions())
    gdal_path, encoding = str(path), None
    if suffix == ".zip":
        gdal_path, encoding = _shapefile_in_zip(path, name, max_bytes)
    elif suffix == ".shp":
        encoding = _shapefile_encoding(path.with_suffix(".cpg"))
    return _read_gdal(gdal_path, name, kind, layer, encoding)


def _utf8_text(path: Path, name: str) -> str:
    """The file as UTF-8 text (a BOM is allowed), or where the first byte that is not UTF-8 sits."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"{name}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8 "
            "(Excel: 'CSV UTF-8'; legacy Vietnamese TCVN3/VNI fonts must be converted to Unicode first)"
        ) from None


def _shapefile_in_zip(path: Path, name: str, max_bytes: int) -> tuple[str, str | None]:
    """The /vsizip/ path of the one Shapefile inside a zip, with the encoding its .cpg declares."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
            _check_unpacked(archive, name, max_bytes)
            shp = [m for m in members if m.lower().endswith(".shp") and not m.startswith("__MACOSX")]
            if not shp:
                listing = ", ".join(members) or "nothing"
                raise InvalidInput(f"{name}: the zip holds no Shapefile (.shp); it has: {listing}")
            if len(shp) > 1:
                raise InvalidInput(
                    f"{name}: the zip holds {len(shp)} Shapefiles ({', '.join(shp)}); send one per import"
                )
            stem = shp[0][:-4]
            lower = {m.lower() for m in members}
            missing = [ext for ext in (".dbf", ".shx") if f"{stem}{ext}".lower() not in lower]
            if missing:
                raise InvalidInput(f"{name}: the Shapefile {shp[0]} is incomplete: {' and '.join(missing)} missing")
            cpg = next((m for m in members if m.lower() == f"{stem}.cpg".lower()), None)
            encoding = _encoding_name(archive.read(cpg).decode("ascii", "replace")) if cpg else None
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise InvalidInput(f"{name}: the zip file is damaged or truncated ({exc})") from None
    return f"/vsizip/{path}/{shp[0]}", encoding


def _check_unpacked(archive: zipfile.ZipFile, name: str, max_bytes: int) -> None:
    """Refuse a zip that unpacks beyond the import limit (a zip bomb) before inflating it; then inflate each member,
    counting, to check its checksum: a header that understates a size cannot get more inflated than the limit."""
    declared = sum(info.file_size for info in archive.infolist())
    if declared > max_bytes:
        raise InvalidInput(_over_limit(name, "the zip unpacks to", declared, max_bytes))
    inflated = 0
    for info in archive.infolist():
        try:
            member = archive.open(info)
        except (RuntimeError, NotImplementedError) as exc:  # a password, or a method such as deflate64
            raise InvalidInput(
                f"{name}: {info.filename} in the zip cannot be unpacked ({exc}); zip it again without a password"
            ) from None
        with member:  # a wrong checksum raises BadZipFile at the member's end
            while chunk := member.read(1 << 20):
                inflated += len(chunk)
                if inflated > max_bytes:
                    raise InvalidInput(_over_limit(name, "the zip unpacks to more than", max_bytes, max_bytes))


def _shapefile_encoding(cpg: Path) -> str | None:
    """The encoding a .cpg file declares, if there is one."""
    return _encoding_name(cpg.read_text(encoding="ascii", errors="replace")) if cpg.exists() else None


def _encoding_name(text: str) -> str:
    """Normalise .cpg contents ('UTF-8', '65001', 'utf8') to a Python codec name."""
    value = text.strip().upper()
    return "UTF-8" if value in ("UTF-8", "UTF8", "65001") else value


# A DXF's TEXT and MTEXT entities (read by GDAL as points) are labels of the drawing's features, not features.
DXF_NOT_TEXT = "SubClasses IS NULL OR (SubClasses NOT LIKE '%AcDbText%' AND SubClasses NOT LIKE '%AcDbMText%')"


def _read_gdal(gdal_path: str, name: str, kind: str, layer: str | None, encoding: str | None) -> VectorTable:
    """Read one layer through pyogrio; text must decode as UTF-8 unless the file declares another encoding."""
    pyogrio = ogr()
    errors = pyogrio.errors
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(gdal_path)]
    except (errors.DataSourceError, errors.DataLayerError, OSError) as exc:
        raise InvalidInput(f"{name}: GDAL cannot open it as {kind}: {_gdal_message(exc)}") from None
    if not layers:
        raise InvalidInput(f"{name}: the file holds no layer")
    if layer is None and len(layers) > 1:
        raise InvalidInput(f"{name}: the file has {len(layers)} layers ({', '.join(layers)}); name the one to import")
    if layer is not None and layer not in layers:
        raise InvalidInput(f"{name}: no layer '{layer}'; layers are: {', '.join(layers)}")
    chosen = layer or layers[0]
    try:
        info = pyogrio.read_info(gdal_path, layer=chosen, encoding=encoding)
        if info.get("geometry_type") in (None, "None") and kind != "DXF":
            raise InvalidInput(f"{name}: layer '{chosen}' has no geometry (not a spatial file)")
        where = DXF_NOT_TEXT if kind == "DXF" else None
        meta, _fids, geometry, field_data = pyogrio.raw.read(gdal_path, layer=chosen, encoding=encoding, where=where)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{name}: text in the file is not {encoding or 'UTF-8'} ({exc.reason} at byte {exc.start}); add a .cpg "
            "naming its encoding, or convert it to UTF-8"
        ) from None
    except (errors.DataSourceError, errors.DataLayerError, errors.FieldError, errors.GeometryError, OSError) as exc:
        raise InvalidInput(f"{name}: GDAL cannot read it as {kind}: {_gdal_message(exc)}") from None
    columns = [str(c) for c in meta["fields"]]
    count = len(geometry) if geometry is not None else (len(field_data[0]) if len(field_data) else 0)
    geometries = (
        [_geometry(wkb, f"{name} feature #{i}") for i, wkb in enumerate(geometry, 1)] if geometry is not None else []
    )
    if count and all(g is None or g.is_empty for g in geometries):
        raise InvalidInput(f"{name}: no feature has a geometry (not a spatial file)")
    rows = []
    for index in range(count):
        rows.append({col: _python(field_data[i][index]) for i, col in enumerate(columns)})
    for value in (v for row in rows for v in row.values() if isinstance(v, str)):
        if "\ufffd" in value:
            raise InvalidInput(f"{name}: text in the file is not valid {encoding or 'UTF-8'} (found '{value[:40]}')")
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    notes = [] if encoding or kind != "Shapefile" else ["the Shapefile has no .cpg; read as UTF-8"]
    if where is not None:
        total = pyogrio.read_info(gdal_path, layer=chosen, force_feature_count=True)["features"]
        if total > count:
            notes.append(f"{total - count} texts (labels) in the DXF were left out: they name features")
    return VectorTable(name, kind, columns, rows, geometries or [None] * len(rows), crs, notes)


def _geometry(wkb: bytes | None, where: str) -> BaseGeometry | None:
    """A geometry GDAL read, or why it cannot be one (GDAL passes unclosed rings on; geometry is never repaired)."""
    try:
        return None if wkb is None else shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as exc:
        raise InvalidInput(f"{where}: unreadable geometry ({exc})") from None


def _python(value: Any) -> Any:
    """numpy scalars and NaN from pyogrio as plain Python values (None for missing)."""
    if value is None:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.datetime64):
        return str(value)
    return value


def _gdal_message(exc: Exception) -> str:
    """GDAL's message without the temporary path it mentions."""
    return re.sub(r"(/vsizip/)?/\S+/", "", str(exc)).strip() or type(exc).__name__


def _read_csv(text: str, name: str, options: CsvOptions) -> VectorTable:
    """A CSV with a WKT column or x/y columns; the CRS is never in the file, so it must be declared or guessed."""
    sample = text[:4096]
    delimiter = options.delimiter or (";" if sample.count(";") > sample.count(",") else ",")
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if not columns:
        raise InvalidInput(f"{name}: the CSV has no header line")
    lower = {c.lower(): c for c in columns}
    wkt = options.wkt_column or next((lower[c] for c in WKT_COLUMNS if c in lower), None)
    x_col = options.x_column or next((lower[c] for c in ("x", "lon", "longitude", "easting", "e") if c in lower), None)
    y_col = options.y_column or next((lower[c] for c in ("y", "lat", "latitude", "northing", "n") if c in lower), None)
    for given in (options.wkt_column, options.x_column, options.y_column):
        if given and given not in columns:
            raise InvalidInput(f"{name}: no column '{given}'; columns are: {', '.join(columns)}")
    if not wkt and not (x_col and y_col):
        raise InvalidInput(
            f"{name}: no geometry column: give a WKT column (one of {', '.join(WKT_COLUMNS)}) or x and y columns "
            f"(x/y, lon/lat, easting/northing); columns are: {', '.join(columns)}"
        )
    rows: list[dict[str, Any]] = []
    geometries: list[BaseGeometry | None] = []
    geometry_columns = {wkt} if wkt else {x_col, y_col}
    for line_no, raw in enumerate(reader, start=2):
        if None in raw:
            raise InvalidInput(f"{name} line {line_no}: more values than header columns")
        row = {k.strip(): (v.strip() if v is not None and v.strip() != "" else None) for k, v in raw.items()}
        geometries.append(_csv_geometry(row, wkt, x_col, y_col, options.northing_first, f"{name} line {line_no}"))
        rows.append({k: v for k, v in row.items() if k not in geometry_columns})
    notes = (
        [f"geometry from column '{wkt}' (WKT)"]
        if wkt
        else [
            f"geometry from columns '{x_col}' and '{y_col}'"
            + (f" with '{x_col}' as the northing (survey order)" if options.northing_first else "")
        ]
    )
    return VectorTable(name, "CSV", [c for c in columns if c not in geometry_columns], rows, geometries, None, notes)


def _csv_geometry(
    row: dict, wkt: str | None, x_col: str | None, y_col: str | None, northing_first: bool, where: str
) -> BaseGeometry | None:
    """One CSV row's geometry; unreadable WKT or numbers are reported with the line."""
    if wkt:
        text = row.get(wkt)
        if text is None:
            return None
        try:
            return shapely.from_wkt(text)
        except shapely.errors.GEOSException as exc:
            raise InvalidInput(f"{where}: column '{wkt}' is not WKT ({exc})") from None
    x_text, y_text = row.get(x_col), row.get(y_col)
    if x_text is None or y_text is None:
        return None
    try:
        x, y = float(x_text.replace(" ", "")), float(y_text.replace(" ", ""))
    except ValueError:
        raise InvalidInput(f"{where}: coordinates '{x_text}', '{y_text}' are not numbers") from None
    if northing_first:
        x, y = y, x
    return shapely.Point(x, y)
