"""Every query parameter of the API, declared as a FastAPI dependency with its type, a description and an example.

Declared, the parameters show in /openapi.json and /docs, client generators see them and the fuzz test drives them.
Each arrives as text and is parsed once by api/query_text.py, so its messages stay the ones a person understands
(a 400 in the OGC error body); the schema still states its real type and bounds. The shape follows tipg's
dependencies.py: one small dependency per parameter group, composed per route.
"""

import inspect
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import WithJsonSchema

from api.deps import AccessDep, LayerDep
from api.negotiate import ALIASES, GEOJSON, HTML, JSON, negotiate
from api.query_text import (
    MAX_LIMIT,
    parse_amount,
    parse_bbox,
    parse_boolean,
    parse_crs,
    parse_datetime,
    parse_day,
    parse_limit,
    parse_offset,
    parse_sortby,
)
from gis.cql import parse_filter
from gis.crs import CRS84_URI, CrsRef, supported_crs_uris
from gis.errors import InvalidInput
from gis.formats import FORMATS, FileFormat
from gis.limits import check_storable
from layers.enterprises import TREND_MAX_YEARS, ReportQuery, TrendQuery
from layers.exports import ExportOptions
from layers.features import BBox, FeatureQuery, Period
from layers.land import NODE_KINDS, SORTS, LandQuery, parse_sort
from layers.parks import PARK_SORTS
from layers.places import Place
from layers.tasks import TaskFilter
from layers.update_sheet import TemplateFilter


def declared(schema: dict[str, Any], description: str, example: Any = None, alias: str | None = None) -> Any:
    """An optional query parameter received as text (parsed by us, with our messages) and declared with its type."""
    examples = None if example is None else {"example": {"summary": "example", "value": example}}
    return Annotated[
        str | None,
        WithJsonSchema(schema),
        Query(alias=alias, description=description, openapi_examples=examples),
    ]


CRS_SCHEMA = {"type": "string", "format": "uri", "enum": supported_crs_uris()}
CRS_ALSO = "EPSG:<code> and the OGC URI forms are accepted too."

Limit = declared(
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    f"Features per page: 100 by default, larger values are served as {MAX_LIMIT:,}. For a file download (f=gpkg, "
    "csv…) at most this many features, as given; without it, every matched feature.",
    10,
)
Offset = declared({"type": "integer", "minimum": 0}, "Matched features to skip (the next link carries it).", 100)
NUMBER = r"-?[0-9]{1,7}(\.[0-9]{1,8})?"
Bbox = declared(
    {"type": "string", "pattern": f"^{NUMBER}(,{NUMBER}){{3}}(,{NUMBER},{NUMBER})?$"},
    "Only features meeting this box: minx,miny,maxx,maxy (or 6 numbers with heights) in bbox-crs, lower corner first.",
    "104.9,10.5,105.1,10.95",
)
BboxCrs = declared(CRS_SCHEMA, f"CRS of bbox; CRS84 (longitude, latitude) by default. {CRS_ALSO}", alias="bbox-crs")
Datetime = declared(
    {"type": "string"},
    "A date or an RFC 3339 instant, or an interval start/end with '..' for an open end: versions valid then.",
    "2020-01-01/..",
)
Properties = declared(
    {"type": "string"},
    "Comma-separated properties to return (see the layer's queryables); all visible ones by default.",
    "code,area_ha",
)
Sortby = declared(
    {"type": "string"},
    "Comma-separated properties to sort by, '-' before one for descending.",
    "-area_ha",
)
Filter = declared(
    {"type": "string"},
    "A CQL2 filter on the layer's queryables, as text (default) or JSON, see filter-lang.",
    "status = 'available' AND area_ha > 5",
    alias="filter",
)
FilterLang = declared(
    {"type": "string", "enum": ["cql2-text", "cql2-json"]},
    "The language of filter.",
    alias="filter-lang",
)
FilterCrs = declared(CRS_SCHEMA, f"CRS of the geometries in filter; CRS84 by default. {CRS_ALSO}", alias="filter-crs")
Crs = declared(CRS_SCHEMA, f"CRS of the answer's geometries; CRS84 by default. {CRS_ALSO}")
EQUALITY_PARAMETER = {
    "name": "queryables",
    "in": "query",
    "required": False,
    "style": "form",
    "explode": True,
    "description": "Any queryable property of the layer as name=value selects features with that value, e.g. "
    "status=available (the properties are listed at /collections/{collectionId}/queryables). Other names are "
    "refused.",
    "schema": {"type": "object", "additionalProperties": {"type": "string"}},
    "example": {"status": "available"},
}


def output_format(*offered: str) -> Any:
    """A dependency: the media type to answer with, from `f` (declared with the offered names) or Accept."""
    names = [name for name, media in ALIASES.items() if media in offered]
    Format = declared(
        {"type": "string", "enum": names},
        f"The answer's encoding: {', '.join(names)}. Without it the Accept header decides.",
    )

    async def media_type(request: Request, f: Format = None) -> str:
        return negotiate(request, f, offered)

    return Annotated[str, Depends(media_type)]


JsonOrHtml = output_format(JSON, HTML)
FeatureFormat = output_format(GEOJSON, JSON, HTML)


async def crs_param(crs: Crs = None) -> CrsRef:
    """crs: the answer's CRS."""
    return parse_crs(crs)


CrsDep = Annotated[CrsRef, Depends(crs_param)]


async def datetime_param(datetime: Datetime = None) -> Period | None:
    """datetime: a date or an interval."""
    return parse_datetime(datetime)


DatetimeDep = Annotated[Period | None, Depends(datetime_param)]


@dataclass(frozen=True)
class CqlFilter:
    """A parsed CQL2 filter with the CRS its geometries are written in."""

    cql: dict | None
    srid: int
    flip: bool


async def filter_params(
    filter_text: Filter = None, filter_lang: FilterLang = None, filter_crs: FilterCrs = None
) -> CqlFilter:
    """filter, filter-lang and filter-crs."""
    crs = parse_crs(filter_crs)
    return CqlFilter(parse_filter(filter_text, filter_lang), crs.epsg, not crs.lonlat_order)


FilterDep = Annotated[CqlFilter, Depends(filter_params)]

ItemsFormat = declared(
    {"type": "string", "enum": ["geojson", "json", "html", *[k for k in FORMATS if k != "geojson"]]},
    "json or html for a page (GeoJSON by default, or as Accept asks); a file format downloads every matched feature "
    f"as one file: {', '.join(FORMATS)} (f=geojson is the GeoJSON file).",
)
CsvGeometry = declared(
    {"type": "string", "enum": ["wkt", "xy"]},
    "f=csv only: geometry as a WKT column, or as x and y columns (point layers).",
)
Bom = declared({"type": "boolean"}, "f=csv only: start with a UTF-8 byte-order mark (for Excel).", True)
ITEM_PARAMS = {
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "datetime",
    "properties",
    "sortby",
    "filter",
    "filter-lang",
    "filter-crs",
    "crs",
    "geometry",
    "bom",
}


@dataclass(frozen=True)
class ItemsRequest:
    """An items request parsed: which features, and as a page (media type) or as a file (format, options)."""

    query: FeatureQuery
    crs: CrsRef
    media: str | None  # a page's media type, None for a file
    file: FileFormat | None
    file_limit: int | None  # a download's explicit limit, applied as given
    options: ExportOptions


async def items_params(
    request: Request,
    spec: LayerDep,
    access: AccessDep,
    crs: CrsDep,
    period: DatetimeDep,
    cql: FilterDep,
    f: ItemsFormat = None,
    bbox: Bbox = None,
    bbox_crs: BboxCrs = None,
    limit: Limit = None,
    offset: Offset = None,
    properties: Properties = None,
    sortby: Sortby = None,
    geometry: CsvGeometry = None,
    bom: Bom = None,
) -> ItemsRequest:
    """Everything an items request may carry; other names must be visible properties (equality filters)."""
    params = request.query_params
    repeated = sorted({name for name in params if len(params.getlist(name)) > 1})
    if repeated:
        raise InvalidInput(f"parameter {', '.join(repeated)} is given more than once")
    visible = spec.fields_for(access)
    equals = {k: v for k, v in params.items() if k not in ITEM_PARAMS}
    unknown = [k for k in equals if k not in visible]
    if unknown:
        raise InvalidInput(
            f"unknown parameter or property {', '.join(unknown)}; parameters are {', '.join(sorted(ITEM_PARAMS))} "
            f"and the properties {', '.join(visible)}"
        )
    file = FORMATS.get((f or "").lower())
    for name, value in (("geometry", geometry), ("bom", bom)):
        if value is not None and (file is None or file.key != "csv"):
            raise InvalidInput(f"'{name}' applies to f=csv only")
    query = FeatureQuery(
        access=access,
        bbox=parse_bbox(bbox, parse_crs(bbox_crs)),
        period=period,
        equals=equals,
        cql=cql.cql,
        filter_srid=cql.srid,
        filter_flip=cql.flip,
        properties=None if properties is None else [p.strip() for p in properties.split(",") if p.strip()],
        sortby=parse_sortby(sortby),
        limit=parse_limit(limit),
        offset=parse_offset(offset),
    )
    return ItemsRequest(
        query=query,
        crs=crs,
        media=None if file else negotiate(request, f, (GEOJSON, JSON, HTML)),
        file=file,
        file_limit=None if limit is None or not limit.strip() else parse_limit(limit, clamp=None),
        options=ExportOptions(csv_geometry=(geometry or "wkt").lower(), csv_bom=parse_boolean(bom, "bom")),
    )


ItemsDep = Annotated[ItemsRequest, Depends(items_params)]
ITEMS_OPENAPI = {"parameters": [EQUALITY_PARAMETER]}

TileFormat = declared({"type": "string", "enum": ["mvt"]}, "Mapbox Vector Tiles, the only tile encoding.")


async def tile_format(f: TileFormat = None) -> None:
    """f: tiles come as MVT only."""
    if f is not None and f.lower() not in ("mvt", "pbf"):
        raise InvalidInput(f"f={f} is not available for tiles; they are Mapbox Vector Tiles (f=mvt)")


TileFormatDep = Annotated[None, Depends(tile_format)]

Crs84Only = declared(
    {"type": "string", "format": "uri", "enum": [CRS84_URI]},
    "Geometries here are in CRS84, the CRS the audit log keeps them in.",
)


async def crs84_only(crs: Crs84Only = None) -> None:
    """crs on answers that carry geometries as stored: CRS84 only."""
    if crs is not None and parse_crs(crs).uri != CRS84_URI:
        raise InvalidInput(f"geometries here are only in CRS84 ({CRS84_URI}), not '{crs}'")


Crs84Dep = Annotated[None, Depends(crs84_only)]

ZoneExportFormat = declared({"type": "string", "enum": ["gpkg"]}, "A zone is exported as one multi-layer GeoPackage.")


async def zone_export_format(request: Request, f: ZoneExportFormat = None) -> None:
    """f=gpkg only; no other parameters than datetime, crs and f."""
    unknown = [k for k in request.query_params if k not in ("datetime", "crs", "f")]
    if unknown:
        raise InvalidInput(f"unknown parameter {', '.join(unknown)}; parameters are datetime, crs and f=gpkg")
    if (f or "gpkg").lower() != "gpkg":
        raise InvalidInput("a zone is exported as one multi-layer GeoPackage: f=gpkg")


ZoneExportFormatDep = Annotated[None, Depends(zone_export_format)]

AsOf = declared({"type": "string", "format": "date"}, "The day the figures are for (YYYY-MM-DD).", "2025-06-30")


async def as_of_param(as_of: AsOf = None) -> date | None:
    """as_of: an optional day."""
    return parse_day(as_of, "as_of")


AsOfDep = Annotated[date | None, Depends(as_of_param)]
IsoWeek = declared({"type": "string"}, "An ISO week, e.g. 2025-W14; the current week by default.", "2025-W14")
REVIEW_FORMATS = ("json", "csv", "xlsx", "pdf")
ReviewFormat = declared(
    {"type": "string", "enum": list(REVIEW_FORMATS)},
    "json, csv, xlsx (formatted, Vietnamese and English headers) or pdf (A4, Vietnamese); without it an Accept "
    "header preferring text/csv gives CSV, otherwise JSON.",
    "xlsx",
)


def parse_format(raw: str | None, offered: tuple[str, ...]) -> str | None:
    """f: one of the offered formats (any case, spaces ignored); None when not given."""
    if raw is None or not raw.strip():
        return None
    form = raw.strip().lower()
    if form not in offered:
        raise InvalidInput(f"f must be one of {', '.join(offered)}, got '{raw[:40]}'")
    return form


async def review_format(request: Request, f: ReviewFormat = None) -> str:
    """f of the delayed-projects review and the clearance report; CSV also when Accept prefers text/csv."""
    form = parse_format(f, REVIEW_FORMATS)
    if form is None:
        return "csv" if "text/csv" in request.headers.get("accept", "") else "json"
    return form


ReviewFormatDep = Annotated[str, Depends(review_format)]

LAND_TEXT = {
    "province": ("Province code, e.g. 42 (Hà Tĩnh).", "42"),
    "zone": ("Economic zone uid.", "KKTCK-CT"),
    "park": ("Industrial park uid.", "KCN-VHVA"),
    "sort": (
        f"One of {', '.join(SORTS)} or distance (the first kind with a distance bound); '-' before it for descending.",
        "-area",
    ),
}
LAND_AMOUNTS = {
    "min_area_ha": ("Plots of at least this area (ha).", "5"),
    "max_area_ha": ("Plots of at most this area (ha).", "50"),
    "max_rent": ("Land rent at most this (USD/m² per lease term).", "45.5"),
}
ParkSort = declared(
    {"type": "string"}, f"One of {', '.join(PARK_SORTS)}; '-' before it for descending.", "-occupancy_pct"
)


def _land_parameters() -> list[inspect.Parameter]:
    """The finder's parameters, one max_km_<kind> and name_<kind> per kind of transport node included."""

    def text(name: str, schema: dict[str, Any], description: str, example: Any = None) -> inspect.Parameter:
        return inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=declared(schema, description, example)
        )

    listed = Annotated[list[str] | None, Query(description="Repeatable or comma-separated.")]
    params = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("uid", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=listed),
        inspect.Parameter("function", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=listed),
        text("clean", {"type": "boolean"}, "Only plots whose land is cleared.", True),
        text(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            f"Plots per page: 1,000 by default, larger values are served as {MAX_LIMIT:,}.",
            100,
        ),
        text("offset", {"type": "integer", "minimum": 0}, "Matched plots to skip.", 0),
        text("f", {"type": "string", "enum": ["geojson", "csv"]}, "geojson (default) or csv."),
    ]
    params += [text(name, {"type": "string"}, *about) for name, about in LAND_TEXT.items()]
    params += [text(name, {"type": "number", "minimum": 0}, *about) for name, about in LAND_AMOUNTS.items()]
    for kind, node in NODE_KINDS.items():
        about = node.label_en.lower()
        params.append(text(f"max_km_{kind}", {"type": "number", "minimum": 0}, f"At most this many km from a {about}."))
        params.append(text(f"name_{kind}", {"type": "string"}, f"Measure distances to the {about} named like this."))
    return params


LAND_PARAMETERS = _land_parameters()
LAND_NAMES = {p.name for p in LAND_PARAMETERS if p.name != "request"}


async def land_params(**given: Any) -> LandQuery:
    """The land finder's filters; unknown names are refused so a typo never widens a search."""
    request: Request = given.pop("request")
    unknown = sorted(set(request.query_params) - LAND_NAMES)
    if unknown:
        raise InvalidInput(f"unknown parameter {', '.join(unknown)}; parameters are: {', '.join(sorted(LAND_NAMES))}")
    if (given["f"] or "geojson").lower() not in ("geojson", "json", "csv"):
        raise InvalidInput(f"f must be geojson or csv, got '{given['f']}'")
    max_km = {}
    names = {}
    for kind in NODE_KINDS:
        bound = parse_amount(given[f"max_km_{kind}"], f"max_km_{kind}")
        if bound is not None:
            max_km[kind] = float(bound)
        name = _text(given[f"name_{kind}"])
        if name is not None:
            names[kind] = name
    sort, descending = parse_sort(_text(given["sort"]), max_km)
    return LandQuery(
        bound_km=request.app.state.settings.nearest_bound_km,
        province=_text(given["province"]),
        zone=_text(given["zone"]),
        park=_text(given["park"]),
        planning_functions=_list(given["function"]),
        min_area_ha=parse_amount(given["min_area_ha"], "min_area_ha"),
        max_area_ha=parse_amount(given["max_area_ha"], "max_area_ha"),
        max_rent=parse_amount(given["max_rent"], "max_rent"),
        clean_only=parse_boolean(given["clean"], "clean"),
        max_km=max_km,
        names=names,
        sort=sort,
        descending=descending,
        limit=parse_limit(given["limit"], default=1000),
        offset=parse_offset(given["offset"]),
        uids=_list(given["uid"]),
    )


land_params.__signature__ = inspect.Signature(LAND_PARAMETERS, return_annotation=LandQuery)  # type: ignore[attr-defined]
LandDep = Annotated[LandQuery, Depends(land_params)]


def _text(raw: str | None) -> str | None:
    """A trimmed text parameter; empty means not given (forms send empty fields)."""
    return raw.strip() if raw and raw.strip() else None


def _list(values: list[str] | None) -> tuple[str, ...]:
    """A repeatable parameter that may also be comma-separated."""
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


# --- spreadsheet updates (api/routes/updates.py) ------------------------------------------------------------------

TemplateProject = declared(
    {"type": "string"},
    "clearance_parcels, enterprise_figures, project_rent_amounts: the rows of this project (uid).",
    "PRJ-VHVA",
)
TemplatePark = declared(
    {"type": "string"}, "land_plots, enterprise_figures: the plots or projects of this park (uid).", "KCN-VA1"
)
TemplateMapSheet = declared(
    {"type": "string"},
    "clearance_parcels only: the parcels on these map sheets (tờ bản đồ), comma-separated; with project for a "
    "project too large for one sheet.",
    "12,13",
)
TemplateProvince = declared(
    {"type": "string"}, "enterprise_figures only: the figures of this province's projects (code).", "NINH_BINH"
)
TemplateYear = declared(
    {"type": "integer", "minimum": 1990, "maximum": 2100},
    "enterprise_figures, enterprise_targets, project_rent_amounts: the rows of this year, and a blank row for each "
    "operating project (figures), province, zone and park (targets) or project renting land (rent) without one.",
    2025,
)
MAP_SHEET_CHARS = 16  # clearance_parcels.map_sheet is varchar(16)
MAP_SHEETS_MAX = 100


async def template_filter(
    project: TemplateProject = None,
    park: TemplatePark = None,
    map_sheet: TemplateMapSheet = None,
    province: TemplateProvince = None,
    year: TemplateYear = None,
) -> TemplateFilter:
    """project, park, map_sheet, province and year: trimmed, empty meaning not given, text the database can hold."""
    for name, value in (("project", project), ("park", park), ("map_sheet", map_sheet)):
        if value is not None:
            check_storable(value, name)
    return TemplateFilter(
        project=_text(project),
        park=_text(park),
        map_sheets=_map_sheets(map_sheet),
        province=_code(province, "province"),
        year=_bounded(year, "year", 1990, 2100),
    )


def _map_sheets(raw: str | None) -> tuple[str, ...]:
    """Comma-separated map sheet numbers, each at most 16 characters, no more than 100, duplicates dropped."""
    if raw is None or not raw.strip():
        return ()
    parts = [p.strip() for p in raw.split(",")]
    if any(not p for p in parts):
        raise InvalidInput(f"map_sheet: an empty sheet in '{raw.strip()}'; give sheets separated by commas, e.g. 12,13")
    if too_long := [p for p in parts if len(p) > MAP_SHEET_CHARS]:
        raise InvalidInput(f"map_sheet: '{too_long[0]}' is not a map sheet (at most {MAP_SHEET_CHARS} characters)")
    sheets = tuple(dict.fromkeys(parts))
    if len(sheets) > MAP_SHEETS_MAX:
        raise InvalidInput(f"map_sheet: {len(sheets)} sheets given, at most {MAP_SHEETS_MAX} at once")
    return sheets


TemplateFilterDep = Annotated[TemplateFilter, Depends(template_filter)]
DryRun = declared({"type": "boolean"}, "true: answer the preview of what would change and write nothing.", True)
SheetDecision = declared(
    {"type": "string"},
    "The decision the changes are made under (number or id): required for versioned layers (zones, functional "
    "areas, parks, plots); default: the one the personal token is bound to.",
    "439/QĐ-TTg",
)


@dataclass(frozen=True)
class SheetUpload:
    """How an uploaded sheet is handled: previewed or applied, under which decision."""

    dry_run: bool
    decision: str | None


async def sheet_upload_params(dry_run: DryRun = None, decision: SheetDecision = None) -> SheetUpload:
    """dry_run as true/false; decision as given (resolved by the route)."""
    return SheetUpload(dry_run=parse_boolean(dry_run, "dry_run"), decision=_text(decision))


SheetUploadDep = Annotated[SheetUpload, Depends(sheet_upload_params)]

ReportYear = declared({"type": "integer", "minimum": 1990, "maximum": 2100}, "The report's year (required).", 2021)
ReportQuarter = declared({"type": "integer", "minimum": 1, "maximum": 4}, "A quarter of the year, 1 to 4.", 2)
ReportProvince = declared({"type": "string"}, "Province (board) code, e.g. NINH_BINH.", "NINH_BINH")
ReportZone = declared({"type": "string"}, "Economic zone uid.", "KKT-VA")
ReportPark = declared({"type": "string"}, "Industrial park uid.", "KCN-GIAN-KHAU")
REPORT_FORMATS = ("json", "csv", "xlsx", "pdf", "docx")
ReportFormat = declared(
    {"type": "string", "enum": list(REPORT_FORMATS)}, "json (default), csv, xlsx, pdf (A4) or docx (A4).", "xlsx"
)


def _bounded(raw: str | None, name: str, low: int, high: int) -> int | None:
    """An optional whole number within bounds, or a message naming the parameter and the bounds."""
    if raw is None or raw.strip() == "":
        return None
    try:
        value = int(raw.strip()) if raw.strip().lstrip("+-").isdigit() and len(raw.strip()) <= 6 else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}, got '{raw[:40]}'")
    return value


def _code(raw: str | None, name: str) -> str | None:
    """An optional code or uid: letters, digits, '-' and '_' only."""
    if raw is None or raw.strip() == "":
        return None
    if len(raw) > 64 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in raw):
        raise InvalidInput(f"{name} must be a code of letters, digits, '-' or '_' (at most 64), got '{raw[:40]}'")
    return raw


async def place_filter(province: ReportProvince = None, zone: ReportZone = None, park: ReportPark = None) -> Place:
    """province, zone and park of a report: codes, each checked with a message naming it (existence: the report)."""
    return Place(_code(province, "province"), _code(zone, "zone"), _code(park, "park"))


PlaceDep = Annotated[Place, Depends(place_filter)]


@dataclass(frozen=True)
class EnterprisesRequest:
    """The enterprises report's parameters, parsed."""

    query: ReportQuery
    format: str


async def enterprises_params(
    year: ReportYear = None,
    quarter: ReportQuarter = None,
    *,
    place: PlaceDep,
    f: ReportFormat = None,
) -> EnterprisesRequest:
    """year (required), quarter, province, zone, park and f, each checked with a message naming it."""
    parsed_year = _bounded(year, "year", 1990, 2100)
    if parsed_year is None:
        raise InvalidInput("year is required, e.g. year=2021")
    form = parse_format(f, REPORT_FORMATS) or "json"
    query = ReportQuery(parsed_year, _bounded(quarter, "quarter", 1, 4), place.province, place.zone, place.park)
    return EnterprisesRequest(query, form)


EnterprisesDep = Annotated[EnterprisesRequest, Depends(enterprises_params)]

TrendFrom = declared(
    {"type": "integer", "minimum": 1990, "maximum": 2100}, "The trend's first year (required).", 2019, alias="from"
)
TrendTo = declared(
    {"type": "integer", "minimum": 1990, "maximum": 2100},
    f"The trend's last year (required); at most {TREND_MAX_YEARS} years from the first.",
    2025,
    alias="to",
)
TrendFormat = declared({"type": "string", "enum": ["json", "csv"]}, "json (default) or csv.", "csv")
TREND_FORMATS = ("json", "csv")


@dataclass(frozen=True)
class TrendRequest:
    """The enterprises trend's parameters, parsed."""

    query: TrendQuery
    format: str


TREND_NAMES = ("from", "to", "province", "zone", "park", "f")


async def enterprises_trend_params(
    request: Request, first: TrendFrom = None, last: TrendTo = None, *, place: PlaceDep, f: TrendFormat = None
) -> TrendRequest:
    """from and to (both required, at most TREND_MAX_YEARS years), province, zone, park and f, each checked.

    Unknown names are refused: a `quarter` or `year` silently ignored would pass yearly totals off as something else.
    """
    unknown = sorted(set(request.query_params) - set(TREND_NAMES))
    if unknown:
        raise InvalidInput(f"unknown parameter {', '.join(unknown)}; parameters are: {', '.join(TREND_NAMES)}")
    start, end = _bounded(first, "from", 1990, 2100), _bounded(last, "to", 1990, 2100)
    if start is None or end is None:
        raise InvalidInput("from and to are required: the first and last year of the trend, e.g. from=2019&to=2025")
    if start > end:
        raise InvalidInput(f"from ({start}) must not be after to ({end})")
    if end - start + 1 > TREND_MAX_YEARS:
        raise InvalidInput(
            f"a trend covers at most {TREND_MAX_YEARS} years; from={start} to={end} is {end - start + 1} years"
        )
    form = (f or "json").strip().lower()
    if form not in TREND_FORMATS:
        raise InvalidInput(f"f must be one of {', '.join(TREND_FORMATS)}, got '{f[:40] if f else f}'")
    return TrendRequest(TrendQuery(start, end, place), form)


EnterprisesTrendDep = Annotated[TrendRequest, Depends(enterprises_trend_params)]

# --- the programme's tasks (api/routes/tasks.py) ----------------------------------------------------------------

TaskUnit = declared({"type": "string"}, "Lead unit code (a department of the board), e.g. HT-QLDT.", "HT-QLDT")
TaskStatusParam = declared(
    {"type": "string", "enum": ["not_started", "in_progress", "done", "late", "cancelled"]},
    "Task status.",
    "in_progress",
)
TaskDue = declared(
    {"type": "string", "pattern": r"^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"},
    "Due in this year (2023), quarter (2023-Q2) or month (2023-05); recurring reports are due in every period "
    "of their year.",
    "2023-Q2",
)
TaskOverdue = declared(
    {"type": "boolean"},
    "true: only tasks whose due period ended (as of as_of) and that are not done or cancelled; false: the others.",
    True,
)
TaskProvince = declared({"type": "string"}, "Province code of the board, e.g. HA_TINH.", "HA_TINH")
ProgrammeYear = declared({"type": "integer", "minimum": 2000, "maximum": 2100}, "The programme's year.", 2023)


async def task_filter(
    unit: TaskUnit = None,
    status: TaskStatusParam = None,
    due: TaskDue = None,
    overdue: TaskOverdue = None,
    province: TaskProvince = None,
    year: ProgrammeYear = None,
    as_of: AsOf = None,
) -> TaskFilter:
    """The filters of GET /api/tasks, checked."""
    given = {"unit": unit, "status": status, "due": due, "province": province}
    for name, value in given.items():
        if value:
            check_storable(value, name)
    return TaskFilter(
        unit=_text(unit),
        status=_text(status),
        due=_text(due),
        overdue=None if overdue is None or not overdue.strip() else parse_boolean(overdue, "overdue"),
        province=_text(province),
        year=_bounded(year, "year", 2000, 2100),
        as_of=parse_day(as_of, "as_of"),
    )


TaskFilterDep = Annotated[TaskFilter, Depends(task_filter)]


async def programme_year(
    year: Annotated[
        str,
        WithJsonSchema({"type": "integer", "minimum": 2000, "maximum": 2100}),
        Query(description="The programme's year.", openapi_examples={"example": {"summary": "example", "value": 2023}}),
    ],
) -> int:
    """The required year of the progress report."""
    found = _bounded(year, "year", 2000, 2100)
    if found is None:
        raise InvalidInput("year is required, e.g. year=2023")
    return found


ProgrammeYearDep = Annotated[int, Depends(programme_year)]
PROGRAMME_FORMATS = ("json", "xlsx", "pdf", "docx")
ProgrammeFormat = declared(
    {"type": "string", "enum": list(PROGRAMME_FORMATS)},
    "json (default), xlsx, pdf (A4, Vietnamese) or docx (A4, Vietnamese).",
    "pdf",
)


async def programme_format(f: ProgrammeFormat = None) -> str:
    """f of the programme's progress report."""
    return parse_format(f, PROGRAMME_FORMATS) or "json"


ProgrammeFormatDep = Annotated[str, Depends(programme_format)]
# --- map labels (api/routes/planning_api.py) ----------------------------------------------------------------------

LabelLayers = declared(
    {"type": "string"},
    "Comma-separated layers whose features to name: border_gates, economic_zones, functional_areas, "
    "industrial_parks, land_plots, logistics_centres, transport_lines, transport_nodes.",
    "economic_zones,border_gates",
    alias="layers",
)
LabelBbox = declared(
    {"type": "string", "pattern": f"^{NUMBER}(,{NUMBER}){{3}}$"},
    "The view: minx,miny,maxx,maxy in longitude/latitude (CRS84).",
    "104.5,10.3,105.5,11.2",
)
LabelCountries = declared({"type": "boolean"}, "Also name the base map's countries (true by default).", "true")
LABEL_BOX_DEGREES = 40.0  # wider than the region the boards work in: a page never needs more


@dataclass(frozen=True)
class LabelsRequest:
    """A map-labels request parsed: the layers, the view and whether countries are named."""

    layers: tuple[str, ...]
    bbox: BBox
    countries: bool


async def labels_params(
    request: Request, bbox: LabelBbox = None, layers: LabelLayers = None, countries: LabelCountries = None
) -> LabelsRequest:
    """Layers (known ids, each once), a bounded box in CRS84 and the countries flag; nothing else."""
    unknown = sorted(set(request.query_params) - {"layers", "bbox", "countries", "datetime"})
    if unknown:
        raise InvalidInput(f"unknown parameter {', '.join(unknown)}; labels take layers, bbox, datetime, countries")
    box = parse_bbox(bbox, parse_crs(None))
    if box is None or bbox is None or len(bbox.split(",")) != 4:
        raise InvalidInput("bbox needs 4 numbers: minx,miny,maxx,maxy in longitude/latitude")
    if box.maxx - box.minx > LABEL_BOX_DEGREES or box.maxy - box.miny > LABEL_BOX_DEGREES:
        raise InvalidInput(f"bbox may span at most {LABEL_BOX_DEGREES:g}° each way: zoom in to see names")
    names = _list([layers] if layers else None)
    if len(set(names)) != len(names):
        raise InvalidInput("a layer is named twice in layers")
    flag = True if countries is None else parse_boolean(countries, "countries")
    return LabelsRequest(names, box, flag)


LabelsDep = Annotated[LabelsRequest, Depends(labels_params)]
