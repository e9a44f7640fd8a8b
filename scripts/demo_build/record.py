"""The records one build accumulates (features, decisions, project tables) and how they are written."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from demo_build.shapes import SEED, fail

ILLUS = "illustrative: built by scripts/build_demo_data.py"

COLUMNS = {
    "admin_units": [
        "code",
        "level",
        "name_vi",
        "name_en",
        "parent_code",
        "merged_into",
        "tm3_epsg",
        "valid_from",
        "valid_to",
    ],
    "economic_zones": [
        "uid",
        "valid_from",
        "valid_to",
        "decision",
        "name_vi",
        "name_en",
        "zone_type",
        "province_code",
        "official_area_ha",
    ],
    "functional_areas": ["uid", "valid_from", "valid_to", "decision", "name_vi", "name_en", "zone_uid", "area_type"],
    "industrial_parks": [
        "uid",
        "valid_from",
        "valid_to",
        "decision",
        "name_vi",
        "name_en",
        "kind",
        "park_type",
        "zone_uid",
        "province_code",
        "developer",
        "operating_from",
        "operating_to",
        "land_rent_usd_m2_min",
        "land_rent_usd_m2_max",
        "factory_rent_usd_m2_month",
        "power_kv",
        "water_m3_day",
        "wastewater_m3_day",
        "contact",
        "official_area_ha",
    ],
    "land_plots": [
        "uid",
        "valid_from",
        "valid_to",
        "decision",
        "code",
        "name_vi",
        "name_en",
        "park_uid",
        "zone_uid",
        "planning_function",
        "landuse_code",
        "status",
        "land_rent_usd_m2",
    ],
    "border_gates": [
        "uid",
        "name_vi",
        "name_en",
        "gate_class",
        "mode",
        "country",
        "counterpart_uid",
        "counterpart_name",
        "counterpart_country",
        "province_code",
        "zone_uid",
        "opened_on",
    ],
    "logistics_centres": ["uid", "name_vi", "name_en", "status", "province_code", "operator", "planned_area_ha"],
    "transport_nodes": ["uid", "name_vi", "name_en", "kind", "status", "province_code", "capacity_note"],
    "transport_lines": ["uid", "name_vi", "name_en", "kind", "ref", "province_code"],
    "projects": [
        "uid",
        "name_vi",
        "name_en",
        "investor",
        "investor_country",
        "sector",
        "capital_vnd",
        "capital_usd",
        "status",
        "province_code",
        "zone_uid",
        "park_uid",
        "policy_decision",
        "site_area_ha",
    ],
    "clearance_parcels": [
        "project_uid",
        "parcel_no",
        "map_sheet",
        "commune_code",
        "landuse_code",
        "owner_name",
        "households_affected",
        "households_to_resettle",
        "compensation_approved_vnd",
        "compensation_paid_vnd",
        "notice_issued_on",
        "inventoried_on",
        "plan_approved_on",
        "compensation_paid_on",
        "handed_over_on",
        "enforcement_on",
    ],
}
# Written only when given (a planned thing's lifecycle and its decision): the rows of what exists stay as they were.
OPTIONAL_COLUMNS = {
    "economic_zones": ["lifecycle", "lifecycle_decision"],
    "industrial_parks": ["lifecycle", "lifecycle_decision"],
    "transport_lines": ["lifecycle", "lifecycle_decision"],
    "logistics_centres": ["lifecycle_decision"],
    "transport_nodes": ["lifecycle_decision"],
}
PROVENANCE = ["geometry_illustrative", "source", "notes"]
GEOM_TYPE = {
    "admin_units": "MultiPolygon",
    "economic_zones": "MultiPolygon",
    "functional_areas": "MultiPolygon",
    "industrial_parks": "MultiPolygon",
    "land_plots": "Polygon",
    "clearance_parcels": "Polygon",
    "border_gates": "Point",
    "logistics_centres": "Point",
    "transport_nodes": "Point",
    "projects": "Point",
    "transport_lines": "MultiLineString",
}
DECISIONS: list[dict] = []
DEC_BY_NO: dict[str, dict] = {}
DEC_COLUMNS = [
    "number",
    "title_vi",
    "title_en",
    "date_signed",
    "date_effective",
    "authority",
    "authority_name_vi",
    "kind",
    "plan_level",
    "horizon_year",
    "vision_year",
    "zone_uid",
    "project_uid",
    "supersedes",
    "illustrative",
    "source",
    "notes",
]
MILESTONES = ["policy_approved", "irc_issued", "land_handover", "construction_start", "operation_start"]


def as_multi(geom):
    """Polygon → MultiPolygon (zones, areas and parks are stored multipart)."""
    return MultiPolygon([geom]) if isinstance(geom, Polygon) else geom


def iso(text: str) -> date:
    """ISO date."""
    return date.fromisoformat(text)


@dataclass
class Demo:
    """Everything one build accumulates, in the order it is written."""

    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    features: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in COLUMNS})
    geoms: dict[str, list] = field(default_factory=lambda: {t: [] for t in COLUMNS})
    decisions: list[dict] = field(default_factory=list)
    by_number: dict[str, dict] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    projects: list[dict] = field(default_factory=list)
    milestones: list[tuple] = field(default_factory=list)
    project_plots: list[tuple] = field(default_factory=list)
    operating: list[dict] = field(default_factory=list)  # operating projects: their row and operation start
    figures: list[dict] = field(default_factory=list)  # enterprise_figures rows
    targets: list[dict] = field(default_factory=list)  # enterprise_targets rows
    copied: dict[str, str] = field(default_factory=dict)  # demo file name → its text, copied from data/sources
    keys: dict[str, str] = field(default_factory=dict)  # illustrative decision key (data/sources) → drawn number
    crs: dict[str, object] = field(default_factory=dict)  # province code → its TM-3 `Local`
    drawn: dict[tuple[str, str], object] = field(default_factory=dict)  # (uid, decision) → local polygon
    hosts: dict[str, object] = field(default_factory=dict)  # park uid → local functional-area part that holds it
    parks: dict[str, dict] = field(default_factory=dict)  # park uid → its row, versions and lots
    clearance_sites: dict[str, object] = field(default_factory=dict)  # project uid → WGS84 site of its parcels

    def add(self, table: str, geom, *, illustrative: bool = True, source: str = ILLUS, notes=None, **props) -> dict:
        """Record one feature (geometry already in rounded WGS84, or None)."""
        optional = OPTIONAL_COLUMNS.get(table, [])
        unknown = set(props) - set(COLUMNS[table]) - set(optional)
        if unknown:
            fail(f"{table}: unknown properties {sorted(unknown)}")
        row = {k: props.get(k) for k in COLUMNS[table]}
        row.update({k: props[k] for k in optional if props.get(k) is not None})
        for k, v in row.items():
            if isinstance(v, date):
                row[k] = v.isoformat()
        row.update(geometry_illustrative=illustrative, source=source, notes=notes)
        self.features[table].append(row)
        self.geoms[table].append(geom)
        return row

    def decision(
        self,
        number,
        title_vi,
        title_en,
        signed,
        authority,
        authority_name_vi,
        kind,
        *,
        effective=None,
        plan_level=None,
        horizon=None,
        vision=None,
        zone=None,
        project=None,
        supersedes=None,
        illustrative=True,
        source=None,
        notes=None,
    ) -> str:
        """Register a decision and return its number."""
        if number in self.by_number:
            fail(f"duplicate decision number {number}")
        signed = iso(signed) if isinstance(signed, str) else signed
        effective = signed if effective is None else (iso(effective) if isinstance(effective, str) else effective)
        if illustrative and notes is None:
            notes = "ILLUSTRATIVE decision invented for the demo data: number, date and content are not real."
        row = dict(
            number=number,
            title_vi=title_vi,
            title_en=title_en,
            date_signed=signed,
            date_effective=effective,
            authority=authority,
            authority_name_vi=authority_name_vi,
            kind=kind,
            plan_level=plan_level,
            horizon_year=horizon,
            vision_year=vision,
            zone_uid=zone,
            project_uid=project,
            supersedes=supersedes,
            illustrative=illustrative,
            source=source if source else (None if not illustrative else ILLUS),
            notes=notes,
        )
        self.decisions.append(row)
        self.by_number[number] = row
        return number

    def eff(self, number: str) -> date:
        """Effective date of a decision (what a version made by it is valid from)."""
        return self.by_number[number]["date_effective"]

    def number(self, ref: str) -> str:
        """A decision number, or the drawn number of an illustrative decision named by its key."""
        return self.keys.get(ref, ref)

    def next_no(self, suffix: str, start: int) -> str:
        """Next illustrative document number with a given suffix (e.g. 'QĐ-UBND'), unique in the data set."""
        cur = self.numbers.get(suffix, start)
        cur += self.rng.randint(17, 263)
        self.numbers[suffix] = cur
        return f"{cur}/{suffix}"


def _num(v):
    """JSON-friendly numbers (ints stay ints)."""
    if isinstance(v, float) and v.is_integer() and abs(v) > 1e6:
        return int(v)
    return v


def _coords(obj):
    """Round nested coordinate arrays to 7 decimals (already rounded; this only normalises types)."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), 7) for c in obj]
        return [_coords(o) for o in obj]
    return obj


def geojson_text(rows: list[dict], geoms: list) -> str:
    """A FeatureCollection, one feature per line (stable diffs), UTF-8 literal diacritics."""
    lines = []
    for row, geom in zip(rows, geoms, strict=True):
        if geom is None:
            g = None
        else:
            if geom.geom_type in ("Polygon", "MultiPolygon"):
                geom = shapely.orient_polygons(geom, exterior_cw=False)  # RFC 7946: exteriors counter-clockwise
            m = mapping(geom)
            g = {"type": m["type"], "coordinates": _coords(m["coordinates"])}
        props = {k: _num(v) for k, v in row.items()}
        lines.append(json.dumps({"type": "Feature", "properties": props, "geometry": g}, ensure_ascii=False))
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def csv_text(header, rows) -> str:
    """CSV with a header row; None → empty, booleans → true/false, dates → ISO."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        out = []
        for v in r:
            if v is None:
                out.append("")
            elif isinstance(v, bool):
                out.append("true" if v else "false")
            elif isinstance(v, date):
                out.append(v.isoformat())
            else:
                out.append(v)
        w.writerow(out)
    return buf.getvalue()
