"""`zoneatlas export` and `zoneatlas import`: files in and out from the command line, with a progress bar."""

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_common import command_engine, fail, progress_bar
from gis.errors import ZoneAtlasError
from gis.formats import FORMATS
from gis.settings import get_settings

if TYPE_CHECKING:
    from gis.crs import CrsRef

SUFFIX_FORMATS = {
    ".gpkg": "gpkg",
    ".zip": "shp",
    ".shp": "shp",
    ".kml": "kml",
    ".geojson": "geojson",
    ".json": "geojson",
    ".csv": "csv",
    ".fgb": "fgb",
    ".dxf": "dxf",
}


def file_crs(text: str | None) -> "CrsRef":
    """--crs 9209 / EPSG:9209 / CRS84; files are always written east/north (x = longitude or easting)."""
    from gis.crs import CrsRef, epsg_uri, parse_crs_uri

    ref = parse_crs_uri(text or "CRS84")
    return CrsRef(ref.epsg, True, epsg_uri(ref.epsg))


def export_command(
    layer: Annotated[str, typer.Argument(help="Layer id (e.g. land_plots), or a zone uid with --zone.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write (.gpkg, .zip, .kml, …).")],
    format: Annotated[
        str | None, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)} (default: from the file suffix).")
    ] = None,
    crs: Annotated[str | None, typer.Option(help="Output CRS, e.g. 9209 or EPSG:9209 (default WGS84).")] = None,
    filter: Annotated[
        str | None, typer.Option("--filter", help="CQL2 text filter, e.g. \"status = 'available'\".")
    ] = None,
    bbox: Annotated[str | None, typer.Option(help="minlon,minlat,maxlon,maxlat in WGS84.")] = None,
    datetime: Annotated[
        str | None, typer.Option("--datetime", help="Versions valid on a date or in an interval.")
    ] = None,
    properties: Annotated[str | None, typer.Option(help="Comma-separated fields to write.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many features.")] = None,
    internal: Annotated[bool, typer.Option(help="Include internal (staff-only) layers and fields.")] = False,
    geometry: Annotated[str, typer.Option(help="CSV geometry: wkt or xy (points only).")] = "wkt",
    bom: Annotated[bool, typer.Option(help="CSV: start with a UTF-8 byte-order mark (for Excel).")] = False,
    zone: Annotated[bool, typer.Option(help="LAYER is a zone uid: write the whole zone as one GeoPackage.")] = False,
) -> None:
    """Export a layer (filtered like the items endpoint) or a whole zone to a file."""
    from api.query_text import parse_bbox, parse_crs, parse_datetime
    from gis.cql import parse_filter
    from layers.exports import ExportOptions, export_layer, export_zone
    from layers.features import FeatureQuery
    from layers.registry import get_layer
    from layers.spec import Access

    access = Access.internal if internal else Access.public
    key = (format or SUFFIX_FORMATS.get(output.suffix.lower(), "")).lower()
    if zone and key not in ("", "gpkg"):
        fail("a zone is exported as one multi-layer GeoPackage (--format gpkg)")
    if not zone and key not in FORMATS:
        fail(f"say the format with --format ({', '.join(FORMATS)}) or use a known suffix")
    folder = Path(tempfile.mkdtemp(prefix="zoneatlas-export-", dir=output.parent if output.parent.exists() else None))
    try:
        out_crs = file_crs(crs)
        with progress_bar() as report, command_engine() as engine:
            with engine.connect() as conn:
                if zone:
                    period = parse_datetime(datetime)
                    result = export_zone(conn, layer, access, period, out_crs, folder, progress=report)
                else:
                    spec = get_layer(layer)
                    if not spec.visible_to(access):
                        fail(f"'{layer}' is an internal layer: add --internal (staff only)")
                    query = FeatureQuery(
                        access=access,
                        bbox=parse_bbox(bbox, parse_crs(None)),
                        period=parse_datetime(datetime),
                        cql=parse_filter(filter, None),
                        properties=None if properties is None else [p.strip() for p in properties.split(",")],
                    )
                    result = export_layer(
                        conn,
                        spec,
                        query,
                        key,
                        out_crs,
                        folder,
                        limit=limit,
                        progress=report,
                        options=ExportOptions(csv_geometry=geometry, csv_bom=bom),
                    )
        shutil.move(result.path, output)
    except ZoneAtlasError as exc:
        fail(str(exc))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    typer.echo(f"wrote {result.count} features to {output} (CRS EPSG:{out_crs.epsg})")
    for note in (n for n in result.notes if n):
        typer.echo(f"note: {note}")


def import_command(
    layer: Annotated[str, typer.Argument(help="Layer to import into, e.g. land_plots.")],
    file: Annotated[Path, typer.Argument(help="GPKG, zipped Shapefile, GeoJSON, KML, DXF, FlatGeobuf or CSV.")],
    crs: Annotated[str | None, typer.Option(help="CRS of a file that does not say it, e.g. 9209 or EPSG:9209.")] = None,
    decision: Annotated[str | None, typer.Option(help="Decision number for versioned layers, e.g. 456/QĐ-TTg.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the validation report; write nothing.")] = False,
    source_layer: Annotated[str | None, typer.Option(help="Layer inside a multi-layer file.")] = None,
    wkt_column: Annotated[str | None, typer.Option(help="CSV column holding WKT.")] = None,
    x_column: Annotated[str | None, typer.Option(help="CSV column of X.")] = None,
    y_column: Annotated[str | None, typer.Option(help="CSV column of Y.")] = None,
    northing_first: Annotated[
        bool, typer.Option("--northing-first", help="CSV survey table: X is the northing, Y the easting.")
    ] = False,
    set_values: Annotated[
        list[str] | None, typer.Option("--set", help="field=value for every feature (repeat).")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Account (editor) the audit log names.")] = None,
) -> None:
    """Check a file against a layer and print the report; without problems (and without --dry-run) write it."""
    from gis.accounts import get_user
    from gis.crs import parse_crs_uri
    from gis.io import CsvOptions
    from layers.imports import ImportOptions, apply_import, plan_import

    settings = get_settings()
    defaults = {}
    for item in set_values or []:
        name, sep, value = item.partition("=")
        if not sep:
            fail(f"--set needs field=value, got '{item}'")
        defaults[name.strip()] = value
    if not file.exists():
        fail(f"{file}: no such file")
    try:
        options = ImportOptions(
            crs=None if crs is None else parse_crs_uri(crs).epsg,
            decision=decision,
            source_layer=source_layer,
            csv=CsvOptions(wkt_column=wkt_column, x_column=x_column, y_column=y_column, northing_first=northing_first),
            defaults=defaults,
            max_bytes=settings.import_max_bytes,
            dry_run=dry_run,
        )
        with command_engine() as engine, engine.begin() as conn:
            account = None
            if user is not None:
                account = get_user(conn, user)
                if not account.has_role("editor"):
                    fail(f"'{user}' is {account.role.value}; imports need the editor role")
            plan = plan_import(conn, layer, file, options)
            if not plan.report.ok or dry_run:
                typer.echo(plan.report.text())
                if not plan.report.ok:
                    raise typer.Exit(2)
                return
            apply_import(conn, plan, user=account)
        typer.echo(plan.report.text())
    except ZoneAtlasError as exc:
        fail(f"{exc}\nnothing was written")


def register(app: typer.Typer) -> None:
    """Add the commands to the `zoneatlas` app."""
    app.command("export")(export_command)
    app.command("import")(import_command)
