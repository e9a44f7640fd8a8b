"""Park figures for investors, computed from the plots and projects (never typed in): areas, occupancy, tenants.

- leasable = current plots whose planning function is leasable (planning_functions.leasable);
  leased / reserved / available / not cleared = leasable plots with that status; all areas on the ellipsoid.
- occupancy % = leased ÷ leasable × 100 (reserved land is not counted as occupied; it is reported apart).
- rent range = lowest and highest land rent of the leasable plots on offer now (status available).
- projects and investors = projects not terminated that are in the park (projects.park_uid) or occupy one of its
  current plots (project_plots); investors are counted once per name, ignoring accents and case.
- workers = for each of those projects its latest reported year (public yearly enterprise_figures, the final figure
  before the estimate), domestic + foreign.
- province = the province the park is in today (Hậu Giang's parks show Cần Thơ since 2025-07-01).
- capacities (power, water, wastewater), developer, term, factory rent and contact are the park's published values.
- distances to the nearest node of each kind from the park's boundary (0 inside), as for plots (layers.land): none
  (null) past the distance bound, which the record states as distance_bound_km.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from gis.errors import InvalidInput, NotFound
from gis.vocab import FacilityStatus
from layers.labels import as_pair, enum_words
from layers.land import DEFAULT_BOUND_KM, NODE_KINDS, distance_columns, distances_of, nearest_join
from layers.places import Place, check_place, park_in_place, place_params

SUMMARY_SQL = """
WITH park AS (
  SELECT * FROM industrial_parks pk WHERE valid_to IS NULL AND {park_filter}
),
plots AS (
  SELECT p.park_uid, p.status, p.area_ha, p.land_rent_usd_m2, pf.leasable
  FROM land_plots p JOIN planning_functions pf ON pf.code = p.planning_function
  WHERE p.valid_to IS NULL AND p.park_uid IN (SELECT uid FROM park)
),
plot_figures AS (
  SELECT park_uid, count(*) AS plots, sum(area_ha) AS plots_ha,
         count(*) FILTER (WHERE leasable AND status = 'available') AS available_plots,
         coalesce(sum(area_ha) FILTER (WHERE leasable), 0) AS leasable_ha,
         coalesce(sum(area_ha) FILTER (WHERE leasable AND status = 'leased'), 0) AS leased_ha,
         coalesce(sum(area_ha) FILTER (WHERE leasable AND status = 'reserved'), 0) AS reserved_ha,
         coalesce(sum(area_ha) FILTER (WHERE leasable AND status = 'available'), 0) AS available_ha,
         coalesce(sum(area_ha) FILTER (WHERE leasable AND status = 'not_cleared'), 0) AS not_cleared_ha,
         min(land_rent_usd_m2) FILTER (WHERE leasable AND status = 'available') AS rent_min,
         max(land_rent_usd_m2) FILTER (WHERE leasable AND status = 'available') AS rent_max
  FROM plots GROUP BY park_uid
),
tenants AS (
  SELECT park.uid AS park_uid, pr.id AS project_id, pr.investor
  FROM park JOIN projects pr ON pr.park_uid = park.uid AND pr.status <> 'terminated'
  UNION
  SELECT lp.park_uid, pr.id, pr.investor
  FROM project_plots pp
  JOIN land_plots lp ON lp.uid = pp.plot_uid AND lp.valid_to IS NULL
  JOIN projects pr ON pr.id = pp.project_id AND pr.status <> 'terminated'
  WHERE lp.park_uid IN (SELECT uid FROM park)
),
latest AS (
  SELECT DISTINCT ON (f.project_id) f.project_id, f.year, f.workers_domestic, f.workers_foreign
  FROM enterprise_figures f
  WHERE f.project_id IN (SELECT project_id FROM tenants) AND f.period_kind = 'year' AND f.public
  ORDER BY f.project_id, f.year DESC, f.basis = 'final' DESC
),
tenant_figures AS (
  SELECT t.park_uid, count(DISTINCT t.project_id) AS projects, count(DISTINCT za_fold(t.investor)) AS investors,
         count(l.project_id) AS projects_reporting,
         sum(coalesce(l.workers_domestic, 0)) FILTER (WHERE l.project_id IS NOT NULL) AS workers_domestic,
         sum(coalesce(l.workers_foreign, 0)) FILTER (WHERE l.project_id IS NOT NULL) AS workers_foreign,
         max(l.year) AS workers_year
  FROM tenants t LEFT JOIN latest l ON l.project_id = t.project_id
  GROUP BY t.park_uid
)
SELECT pk.id, pk.uid, pk.name_vi, pk.name_en, pk.kind, pk.park_type, pk.lifecycle, pk.zone_uid,
       z.name_vi AS zone_name_vi,
       z.name_en AS zone_name_en, pk.province_code, a.code AS province_now_code, a.name_vi AS province_name_vi,
       pk.developer, pk.operating_from, pk.operating_to, pk.factory_rent_usd_m2_month, pk.power_kv, pk.water_m3_day,
       pk.wastewater_m3_day, pk.contact, pk.official_area_ha, pk.area_ha AS park_area_ha, pk.geometry_illustrative,
       ST_X(ST_PointOnSurface(pk.geom)) AS lon, ST_Y(ST_PointOnSurface(pk.geom)) AS lat,
       coalesce(pf.plots, 0) AS plots, coalesce(pf.plots_ha, 0) AS plots_ha,
       coalesce(pf.available_plots, 0) AS available_plots,
       coalesce(pf.leasable_ha, 0) AS leasable_ha, coalesce(pf.leased_ha, 0) AS leased_ha,
       coalesce(pf.reserved_ha, 0) AS reserved_ha, coalesce(pf.available_ha, 0) AS available_ha,
       coalesce(pf.not_cleared_ha, 0) AS not_cleared_ha, pf.rent_min, pf.rent_max,
       coalesce(tf.projects, 0) AS projects, coalesce(tf.investors, 0) AS investors,
       coalesce(tf.projects_reporting, 0) AS projects_reporting, tf.workers_domestic, tf.workers_foreign,
       tf.workers_year,
       {distances}
FROM park pk
LEFT JOIN plot_figures pf ON pf.park_uid = pk.uid
LEFT JOIN tenant_figures tf ON tf.park_uid = pk.uid
LEFT JOIN economic_zones z ON z.uid = pk.zone_uid AND z.valid_to IS NULL
LEFT JOIN admin_units a ON a.level = 'province' AND a.valid_to IS NULL AND a.code = coalesce(
     (SELECT m.merged_into FROM admin_units m WHERE m.code = pk.province_code AND m.merged_into IS NOT NULL
      LIMIT 1), pk.province_code)
{joins}
ORDER BY za_fold(pk.name_vi), pk.uid
"""

PARK_SORTS = (
    "name",
    "occupancy_pct",
    "available_ha",
    "leasable_ha",
    "leased_ha",
    "rent_min",
    "projects",
    "workers",
    *(f"distance_{key}" for key in NODE_KINDS),
)


def _ha(value: Decimal | None) -> float | None:
    """Hectares to the square metre (4 decimals)."""
    return None if value is None else round(float(value), 4)


def _money(value: Decimal | None) -> float | None:
    """Prices as JSON numbers."""
    return None if value is None else float(value)


def summary_record(row: Any, bound_km: float) -> dict[str, Any]:
    """One park's figures as plain values."""
    leasable = float(row.leasable_ha)
    leased = float(row.leased_ha)
    workers = None
    if row.workers_domestic is not None or row.workers_foreign is not None:
        workers = int(row.workers_domestic or 0) + int(row.workers_foreign or 0)
    return {
        "id": row.id,
        "uid": row.uid,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "kind": row.kind,
        "park_type": row.park_type,
        "lifecycle": row.lifecycle,
        "lifecycle_words": as_pair(enum_words(FacilityStatus)[row.lifecycle]),
        "zone": None
        if row.zone_uid is None
        else {"uid": row.zone_uid, "name_vi": row.zone_name_vi, "name_en": row.zone_name_en},
        "province_code": row.province_code,
        "province_now_code": row.province_now_code,
        "province_name_vi": row.province_name_vi,
        "developer": row.developer,
        "operating_from": row.operating_from.isoformat() if row.operating_from else None,
        "operating_to": row.operating_to.isoformat() if row.operating_to else None,
        "contact": row.contact,
        "official_area_ha": _ha(row.official_area_ha),
        "park_area_ha": _ha(row.park_area_ha),
        "geometry_illustrative": row.geometry_illustrative,
        "plots": int(row.plots),
        "plots_area_ha": _ha(row.plots_ha),
        "leasable_ha": _ha(row.leasable_ha),
        "leased_ha": _ha(row.leased_ha),
        "reserved_ha": _ha(row.reserved_ha),
        "available_ha": _ha(row.available_ha),
        "not_cleared_ha": _ha(row.not_cleared_ha),
        "available_plots": int(row.available_plots),
        "occupancy_pct": round(leased / leasable * 100.0, 1) if leasable > 0 else None,
        "rent_usd_m2_min": _money(row.rent_min),
        "rent_usd_m2_max": _money(row.rent_max),
        "factory_rent_usd_m2_month": _money(row.factory_rent_usd_m2_month),
        "projects": int(row.projects),
        "investors": int(row.investors),
        "projects_reporting_workers": int(row.projects_reporting),
        "workers": workers,
        "workers_domestic": None if row.workers_domestic is None else int(row.workers_domestic),
        "workers_foreign": None if row.workers_foreign is None else int(row.workers_foreign),
        "workers_year": row.workers_year,
        "power_kv": row.power_kv,
        "water_m3_day": row.water_m3_day,
        "wastewater_m3_day": row.wastewater_m3_day,
        "distances": distances_of(row),
        "distance_bound_km": bound_km,
        "sheet_url": f"/land/parks/{row.uid}",
        "point": [round(float(row.lon), 7), round(float(row.lat), 7)],
    }


def _summaries(conn: Connection, place: Place, bound_km: float) -> list[dict[str, Any]]:
    """Run the one summary statement for the current parks in a place (one park: its uid as the place's park)."""
    kinds = list(NODE_KINDS.values())
    sql = SUMMARY_SQL.format(
        park_filter=park_in_place("pk", place),
        distances=distance_columns(kinds),
        joins="\n".join(nearest_join(k, "pk.geom", False) for k in kinds),
    )
    params: dict[str, Any] = {"nearest_bound_m": bound_km * 1000.0, **place_params(conn, place)}
    return [summary_record(r, bound_km) for r in conn.execute(text(sql), params)]


def park_summary(conn: Connection, uid: str, bound_km: float = DEFAULT_BOUND_KM) -> dict[str, Any]:
    """The figures of one current park, or NotFound."""
    found = _summaries(conn, Place(park=uid), bound_km)
    if not found:
        raise NotFound(f"no current industrial park '{uid}'")
    return found[0]


def park_summaries(
    conn: Connection, sort: str | None = None, bound_km: float = DEFAULT_BOUND_KM, place: Place | None = None
) -> list[dict[str, Any]]:
    """The current parks of a place (default: all) with the same figures, for a ranking table; '-' sorts descending."""
    place = place or Place()
    check_place(conn, place)
    parks = _summaries(conn, place, bound_km)
    if not sort:
        return parks
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in PARK_SORTS:
        raise InvalidInput(
            f"cannot sort parks by '{key}'; sort by one of: {', '.join(PARK_SORTS)} (prefix '-' for descending)"
        )
    if key == "name":
        return sorted(parks, key=lambda p: p["name_vi"], reverse=descending)

    def value(park: dict[str, Any]) -> float | None:
        if key.startswith("distance_"):
            nearest = park["distances"][key.removeprefix("distance_")]
            return None if nearest is None else nearest["km"]
        return park["rent_usd_m2_min"] if key == "rent_min" else park[key]

    known = sorted((p for p in parks if value(p) is not None), key=value, reverse=descending)  # type: ignore[arg-type]
    return known + [p for p in parks if value(p) is None]
