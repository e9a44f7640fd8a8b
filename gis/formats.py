"""The export file formats: GDAL driver, suffix and media type of each (no GDAL needed to list them)."""

from dataclasses import dataclass

from gis.errors import InvalidInput


@dataclass(frozen=True)
class FileFormat:
    """One output format: GDAL driver, file suffix, media type and what the format forces."""

    key: str
    label: str
    driver: str | None  # None: written by our own streaming writer (GeoJSON, CSV)
    suffix: str
    media_type: str
    wgs84_only: bool = False


FORMATS: dict[str, FileFormat] = {
    f.key: f
    for f in (
        FileFormat("gpkg", "GeoPackage", "GPKG", ".gpkg", "application/geopackage+sqlite3"),
        FileFormat("shp", "Shapefile (zipped)", "ESRI Shapefile", ".zip", "application/zip"),
        FileFormat("kml", "KML", "KML", ".kml", "application/vnd.google-earth.kml+xml", wgs84_only=True),
        FileFormat("geojson", "GeoJSON", None, ".geojson", "application/geo+json"),
        FileFormat("csv", "CSV", None, ".csv", "text/csv; charset=utf-8"),
        FileFormat("fgb", "FlatGeobuf", "FlatGeobuf", ".fgb", "application/flatgeobuf"),
        FileFormat("dxf", "DXF", "DXF", ".dxf", "image/vnd.dxf"),
    )
}


def file_format(key: str) -> FileFormat:
    """The format for a key such as 'gpkg', or a message listing the formats."""
    try:
        return FORMATS[key.lower()]
    except KeyError:
        raise InvalidInput(f"unknown export format '{key}'; formats are: {', '.join(FORMATS)}") from None
