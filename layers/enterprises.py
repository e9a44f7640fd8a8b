"""Enterprise figures rolled up live per park, zone and province, with the change on the previous year and % of target.

Rules (docs/enterprises.md says the same in words):
- a period's figure of a project is its final figure when there is one, else its estimate (ước) — both are kept;
- for a year, a project's yearly row counts when it has one, else its quarters, else its months (the coarsest
  reported grain); for a quarter, its quarter row, else its months;
- flows (revenue, exports, budget, new jobs) add up over the period; workers and capital (registered and implemented,
  VND and USD, as at the end of a period) are the latest period's figure;
- the change is on the same period of the previous year (cùng kỳ); a quarter is also compared with the quarter
  before it (quý trước: Q1 with the previous year's Q4); % of target is on the year's target (kế hoạch năm) where
  the targets hold the measure (they hold no capital);
- anonymous readers get only rows marked public (figures and targets); staff get every row;
- `includes_illustrative` says when any figure or target counted is invented (the demo's), for the whole report
  and for each row, so every format and the dashboard can say so.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, text

from layers.places import Place, check_place, place_params, project_in_place

TARGET_MEASURES = ("revenue_vnd", "exports_usd", "budget_vnd", "workers_domestic", "workers_foreign", "new_jobs")
CAPITAL = ("registered_capital_vnd", "registered_capital_usd", "implemented_capital_vnd", "implemented_capital_usd")
MEASURES = (*TARGET_MEASURES, *CAPITAL)
SUFFIXES = ("", "_previous", "_change", "_change_pct", "_target", "_pct_of_target")
QUARTER_SUFFIXES = ("_previous_quarter", "_previous_quarter_change", "_previous_quarter_change_pct")

# Each project's resolved figures per year (the rule is the database's `za_resolved_figures`, migration 0025): for
# whole years read from `enterprise_figure_years`, which triggers keep current on every write of a figure; for a
# quarter resolved on the fly from the projects in the place.
YEARS_SOURCE = """(SELECT * FROM enterprise_figure_years
   WHERE year BETWEEN CAST(:since AS integer) - 1 AND :year AND public_only = NOT CAST(:staff AS boolean))"""
QUARTER_SOURCE = """za_resolved_figures(ARRAY(SELECT pr.id FROM projects pr WHERE {in_place}),
   CAST(:since AS integer) - 1, :year, :quarter, NOT CAST(:staff AS boolean))"""
PROJECT_SQL = """
SELECT c.project_id, c.year, pr.park_uid, pr.zone_uid, pr.province_code,
       {measures}, c.estimated, c.illustrative
FROM {source} c JOIN projects pr ON pr.id = c.project_id
WHERE {in_place}
"""

NAMES_SQL = """
SELECT 'park' AS kind, uid, name_vi, name_en, zone_uid, province_code FROM industrial_parks WHERE valid_to IS NULL
UNION ALL
SELECT 'zone', uid, name_vi, name_en, NULL, province_code FROM economic_zones WHERE valid_to IS NULL
UNION ALL
SELECT DISTINCT ON (code) 'province', code, name_vi, name_en, NULL, NULL FROM admin_units WHERE level = 'province'
"""


@dataclass(frozen=True)
class ReportQuery:
    """What the report is for: a year, optionally a quarter, narrowed to a province, zone or park."""

    year: int
    quarter: int | None = None
    province: str | None = None
    zone: str | None = None
    park: str | None = None

    @property
    def place(self) -> Place:
        """The province, zone and park the report is narrowed to."""
        return Place(self.province, self.zone, self.park)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    """The quarter before: (2021, 2) → (2021, 1); (2021, 1) → (2020, 4)."""
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def period_words(report: dict[str, Any]) -> str:
    """The report's period as titles write it: "Quý 2/2021" or "năm 2021"."""
    return f"Quý {report['quarter']}/{report['year']}" if report["quarter"] else f"năm {report['year']}"


def before_words(report: dict[str, Any]) -> str:
    """The period it is compared with (the same one a year before): "Quý 2/2020" or "năm 2020"."""
    return period_words({**report, "year": report["year"] - 1})


def _number(value: Decimal | int | None) -> int | float | None:
    """Whole numbers as int, others as float, for JSON and spreadsheets."""
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _pct(part: float | None, whole: float | None) -> float | None:
    """part ÷ whole in % to one decimal, halves rounded up as on paper; None when either is missing or whole is 0."""
    if part is None or not whole:
        return None
    exact = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def resolved_figures(
    conn: Connection, query: ReportQuery, staff: bool, since: int | None = None
) -> tuple[str, dict[str, Any]]:
    """SQL and parameters of each project's resolved figures per year, from the year before `since` to the year asked.

    One roll-up for the report (since = the year: that year and the one before) and the trend (a span of years).
    """
    source = QUARTER_SOURCE if query.quarter else YEARS_SOURCE
    sql = PROJECT_SQL.format(
        measures=", ".join(f"c.{m}" for m in MEASURES),
        source=source.format(in_place=project_in_place("pr", query.place)),
        in_place=project_in_place("pr", query.place),
    )
    since = query.year if since is None else since
    params = {"year": query.year, "since": since, "quarter": query.quarter, "staff": staff}
    params.update(place_params(conn, query.place))
    return sql, params


def _targets(conn: Connection, year: int, staff: bool) -> dict[tuple[str, str], dict[str, Any]]:
    """The year's targets by (scope, uid), with whether each is invented (`illustrative`)."""
    return _targets_by_year(conn, year, year, staff).get(year, {})


def _targets_by_year(conn: Connection, first: int, last: int, staff: bool) -> dict[int, dict[tuple[str, str], dict]]:
    """The targets of each year from first to last by (scope, uid), in one query (the trend reads many years)."""
    columns = ", ".join(TARGET_MEASURES)
    rows = conn.execute(
        text(
            f"SELECT year, scope, scope_uid, illustrative, {columns} FROM enterprise_targets "
            "WHERE year BETWEEN :first AND :last AND (:s OR public)"
        ),
        {"first": first, "last": last, "s": staff},
    )
    years: dict[int, dict[tuple[str, str], dict]] = {}
    for r in rows:
        target = {"illustrative": r.illustrative, **{m: getattr(r, m) for m in TARGET_MEASURES}}
        years.setdefault(r.year, {})[(r.scope, r.scope_uid)] = target
    return years


def _scope_target(targets: dict[tuple[str, str], dict], place: Place) -> dict[str, Any] | None:
    """The totals' target: the narrowest scope asked (park, else zone, else province); none without a scope."""
    scope = ("park", place.park) if place.park else ("zone", place.zone) if place.zone else ("province", place.province)
    return targets.get(scope) if scope[1] else None  # type: ignore[arg-type]


def _target_illustrative(target: dict[str, Any] | None) -> bool:
    """Whether a target counted in a row is invented."""
    return bool(target and target["illustrative"])


def _new_unit() -> dict[str, Any]:
    """An empty running total of a park, zone or province."""
    return {"now": {}, "before": {}, "quarter_before": {}, "projects": 0, "estimated": False, "illustrative": False}


def _change(value: int | float | None, before: int | float | None) -> int | float | None:
    """value − before (cents kept for dollars), None when either is missing."""
    if value is None or before is None:
        return None
    change = value - before
    return round(change, 2) if isinstance(change, float) else change


def _measures(current: dict, previous: dict, target: dict | None, quarter_before: dict | None = None) -> dict:
    """Each measure with its previous-year value, change, change %, target and % of target; for a quarter also the
    quarter before's value, change and change %."""
    out: dict[str, Any] = {}
    for m in MEASURES:
        value, before = _number(current.get(m)), _number(previous.get(m))
        goal = None if target is None else _number(target.get(m))
        change = _change(value, before)
        out[m] = value
        out[f"{m}_previous"] = before
        out[f"{m}_change"] = change
        out[f"{m}_change_pct"] = _pct(change, before)
        out[f"{m}_target"] = goal
        out[f"{m}_pct_of_target"] = _pct(value, goal)
        if quarter_before is not None:
            earlier = _number(quarter_before.get(m))
            out[f"{m}_previous_quarter"] = earlier
            out[f"{m}_previous_quarter_change"] = _change(value, earlier)
            out[f"{m}_previous_quarter_change_pct"] = _pct(_change(value, earlier), earlier)
    return out


def enterprises_report(conn: Connection, query: ReportQuery, *, staff: bool) -> dict[str, Any]:
    """The report as JSON-ready values: the totals and one row per park (and per zone or province outside parks)."""
    check_place(conn, query.place)
    names = {(r.kind, r.uid): r for r in conn.execute(text(NAMES_SQL))}
    targets = _targets(conn, query.year, staff)
    units: dict[tuple[str, str], dict[str, Any]] = {}
    groups: dict[tuple[str, str], dict[str, Any]] = {}  # subtotals per zone and per province
    totals: dict[str, dict] = {"now": {}, "before": {}, "quarter_before": {}}
    illustrative = False  # any figure counted (this year or the last) invented for the demo
    for when, row in _rollups_by_period(conn, query, staff):
        sums = {m: getattr(row, m) for m in MEASURES}
        if row.by_unit:
            unit = units.setdefault((row.unit_kind, row.unit_uid), _new_unit())
        elif row.by_province or (row.by_zone and row.zone_key):
            key = ("province", row.province_code) if row.by_province else ("zone", row.zone_key)
            unit = groups.setdefault(key, _new_unit())
        elif row.by_zone:
            continue  # projects in no zone have no zone subtotal
        else:
            totals[when] = sums
            illustrative = illustrative or row.illustrative
            continue
        unit[when] = sums
        unit["illustrative"] = unit["illustrative"] or row.illustrative
        if when == "now":
            unit["projects"] = row.projects
            unit["estimated"] = row.estimated
    rows = [_unit_row(key, unit, names, targets, query) for key, unit in units.items()]
    rows.sort(key=lambda r: (r["province_code"] or "", r["zone_uid"] or "", r["level"] != "park", r["name_vi"] or ""))
    goal = _scope_target(targets, query.place)
    illustrative = illustrative or _target_illustrative(goal)
    earlier = previous_quarter(query.year, query.quarter) if query.quarter else None
    return {
        "report": "enterprises",
        "title": "Tình hình hoạt động của doanh nghiệp / Enterprises' figures",
        "year": query.year,
        "quarter": query.quarter,
        "compared_with": {"year": query.year - 1, "quarter": query.quarter},
        "previous_quarter": None if query.quarter is None else dict(zip(("year", "quarter"), earlier, strict=True)),
        "province": query.province,
        "zone": query.zone,
        "park": query.park,
        "public_only": not staff,
        "includes_illustrative": illustrative,
        "totals": {
            **_measures(totals["now"], totals["before"], goal, _quarter_before(query, totals)),
            "projects_reporting": sum(u["projects"] for u in units.values()),
            "includes_estimates": any(u["estimated"] for u in units.values()),
            "includes_illustrative": illustrative,
        },
        "rows": rows,
        "zones": _group_rows("zone", groups, names, targets, query),
        "provinces": _group_rows("province", groups, names, targets, query),
    }


# Each project's resolved figures (resolved_figures) summed per year in the database for its unit (its park, else
# its zone, else its province), its province, its zone (its own or its park's) and the totals: the report reads a
# few hundred sums instead of a row per project and year (80,000 for the whole country).
ROLLUP_SQL = """
WITH figures AS ({figures}),
keyed AS (
  SELECT f.*,
         CASE WHEN f.park_uid IS NOT NULL THEN 'park' WHEN f.zone_uid IS NOT NULL THEN 'zone' ELSE 'province' END
           AS unit_kind,
         coalesce(f.park_uid, f.zone_uid, f.province_code) AS unit_uid,
         coalesce(f.zone_uid, (SELECT k.zone_uid FROM industrial_parks k
                               WHERE k.uid = f.park_uid AND k.valid_to IS NULL LIMIT 1)) AS zone_key
  FROM figures f
  WHERE CAST(:only_year AS integer) IS NULL OR f.year = :only_year
)
SELECT year, unit_kind, unit_uid, province_code, zone_key,
       GROUPING(unit_kind, unit_uid) = 0 AS by_unit,
       GROUPING(province_code) = 0 AS by_province,
       GROUPING(zone_key) = 0 AS by_zone,
       {sums},
       count(*) AS projects,
       bool_or(estimated) AS estimated,
       bool_or(illustrative) AS illustrative
FROM keyed
GROUP BY GROUPING SETS ((year, unit_kind, unit_uid), (year, province_code), (year, zone_key), (year))
"""


def _rollups(conn: Connection, query: ReportQuery, staff: bool, only_year: int | None = None) -> list[Any]:
    """The sums of the projects' resolved figures per year for each unit, province, zone and in total."""
    figures, params = resolved_figures(conn, query, staff)
    sql = ROLLUP_SQL.format(figures=figures, sums=",\n       ".join(f"sum({m}) AS {m}" for m in MEASURES))
    return list(conn.execute(text(sql), {**params, "only_year": only_year}))


def _rollups_by_period(conn: Connection, query: ReportQuery, staff: bool) -> list[tuple[str, Any]]:
    """The sums tagged "now" (the period asked), "before" (a year before) and, for a quarter, "quarter_before" (the
    quarter before it, read as that quarter's own report reads it)."""
    tagged = [("now" if r.year == query.year else "before", r) for r in _rollups(conn, query, staff)]
    if query.quarter:
        year, quarter = previous_quarter(query.year, query.quarter)
        earlier = ReportQuery(year, quarter, query.province, query.zone, query.park)
        tagged += [("quarter_before", r) for r in _rollups(conn, earlier, staff, only_year=year)]
    return tagged


def _quarter_before(query: ReportQuery, unit: dict) -> dict | None:
    """The quarter before's sums of a unit when the report is for a quarter (None for a year)."""
    return unit["quarter_before"] if query.quarter else None


def _group_rows(kind: str, groups: dict, names: dict, targets: dict, query: ReportQuery) -> list[dict[str, Any]]:
    """The subtotal of each zone or province (as the projects record it), with its own target."""
    out = []
    for (group_kind, uid), unit in groups.items():
        if group_kind != kind:
            continue
        named = names.get((kind, uid))
        out.append(
            {
                "uid": uid,
                "name_vi": named.name_vi if named else uid,
                "name_en": named.name_en if named else uid,
                **_measures(unit["now"], unit["before"], targets.get((kind, uid)), _quarter_before(query, unit)),
                "projects_reporting": unit["projects"],
                "includes_estimates": unit["estimated"],
                "includes_illustrative": unit["illustrative"] or _target_illustrative(targets.get((kind, uid))),
            }
        )
    return sorted(out, key=lambda g: g["uid"])


def _unit_row(key: tuple[str, str], unit: dict, names: dict, targets: dict, query: ReportQuery) -> dict[str, Any]:
    """One park's row, or the projects of a zone or province outside any park."""
    kind, uid = key
    named = names.get(key)
    zone_uid = named.zone_uid if kind == "park" and named else uid if kind == "zone" else None
    zone = names.get(("zone", zone_uid)) if zone_uid else None
    province_code = named.province_code if named is not None and kind != "province" else uid
    province = names.get(("province", province_code))
    outside = kind != "park"
    return {
        "level": "park" if not outside else "outside_parks",
        "park_uid": uid if not outside else None,
        "name_vi": (named.name_vi if not outside else f"Ngoài khu công nghiệp – {named.name_vi}") if named else uid,
        "name_en": (named.name_en if not outside else f"Outside industrial parks – {named.name_en}") if named else uid,
        "zone_uid": zone_uid,
        "zone_name_vi": zone.name_vi if zone else None,
        "province_code": province_code,
        "province_name_vi": province.name_vi if province else None,
        **_measures(unit["now"], unit["before"], targets.get(key), _quarter_before(query, unit)),
        "projects_reporting": unit["projects"],
        "includes_estimates": unit["estimated"],
        "includes_illustrative": unit["illustrative"] or _target_illustrative(targets.get(key)),
    }


# --- the trend: the totals of each year of a span, in one statement (GET /api/reports/enterprises/trend) ---------

TREND_MAX_YEARS = 30  # a span longer than this is refused: the dashboard asks for the latest years with figures

TREND_SQL = """
SELECT year,
       {sums},
       count(*) AS projects_reporting,
       bool_or(estimated) AS estimated,
       bool_or(illustrative) AS illustrative
FROM ({figures}) resolved
GROUP BY year
"""


@dataclass(frozen=True)
class TrendQuery:
    """Which years the trend covers (first to last, both included), narrowed to a province, zone or park."""

    first: int
    last: int
    place: Place = Place()


def enterprises_trend(conn: Connection, query: TrendQuery, *, staff: bool) -> dict[str, Any]:
    """The report's `totals` for every year of the span, from the report's own roll-up grouped by year."""
    check_place(conn, query.place)
    place = query.place
    report_query = ReportQuery(query.last, None, place.province, place.zone, place.park)
    figures, params = resolved_figures(conn, report_query, staff, since=query.first)
    sql = TREND_SQL.format(sums=",\n       ".join(f"sum({m}) AS {m}" for m in MEASURES), figures=figures)
    by_year = {row.year: row for row in conn.execute(text(sql), params)}
    targets = _targets_by_year(conn, query.first, query.last, staff)
    years = []
    for year in range(query.first, query.last + 1):
        now, before = by_year.get(year), by_year.get(year - 1)
        goal = _scope_target(targets.get(year, {}), place)
        illustrative = any(r is not None and r.illustrative for r in (now, before)) or _target_illustrative(goal)
        years.append(
            {
                "year": year,
                **_measures(_as_dict(now), _as_dict(before), goal),
                "projects_reporting": now.projects_reporting if now is not None else 0,
                "includes_estimates": bool(now is not None and now.estimated),
                "includes_illustrative": illustrative,
            }
        )
    return {
        "report": "enterprises_trend",
        "title": "Xu hướng theo năm của doanh nghiệp / Enterprises' figures by year",
        "from": query.first,
        "to": query.last,
        "province": place.province,
        "zone": place.zone,
        "park": place.park,
        "public_only": not staff,
        "includes_illustrative": any(y["includes_illustrative"] for y in years),
        "years": years,
    }


def _as_dict(row: Any) -> dict[str, Any]:
    """A year's summed measures (empty when no project reported that year)."""
    return {} if row is None else {m: getattr(row, m) for m in MEASURES}
