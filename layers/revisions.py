"""Plan revisions: which decisions shaped a zone, and what changed between two of them, measured by PostGIS.

A moment is a decision number (its effective date) or a date; the plan at a moment is the set of versions
valid then (`valid_during @> date`, as in layers/plans.py). The comparison unions each functional-area type
at both moments and measures added (in the later plan only), removed (in the earlier only) and kept areas on
the WGS84 ellipsoid (`::geography`), so no area is ever computed in degrees.
"""

import json
import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Connection, text

from gis.errors import InvalidInput, NotFound
from gis.vocab import FunctionalAreaType
from layers.labels import enum_words

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AREA_LABELS = enum_words(FunctionalAreaType)
ZONE_ROW = "zone_boundary"

DECISIONS_SQL = text(
    """
    SELECT d.id, d.number, d.title_vi, d.title_en, d.date_signed, d.date_effective, d.authority,
           d.authority_name_vi, d.kind, d.plan_level, d.horizon_year, d.zone_uid,
           s.number AS supersedes, d.public, d.document_sha256 IS NOT NULL AS has_document,
           EXISTS (SELECT 1 FROM economic_zones z WHERE z.decision_id = d.id)
             OR EXISTS (SELECT 1 FROM functional_areas f WHERE f.decision_id = d.id) AS changes_plan,
           d.illustrative,
           d.kind = 'approve_plan_task' AND d.zone_uid IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM decisions l WHERE l.zone_uid = d.zone_uid AND l.date_effective >= d.date_effective
               AND l.kind IN ('approve_plan', 'overall_revision', 'local_revision')) AS in_progress
    FROM decisions d LEFT JOIN decisions s ON s.id = d.supersedes_id
    WHERE (CAST(:zone AS text) IS NULL OR d.zone_uid = :zone)
      AND (CAST(:public_only AS boolean) IS NOT TRUE OR d.public)
      AND (CAST(:plan_only AS boolean) IS NOT TRUE
           OR EXISTS (SELECT 1 FROM economic_zones z WHERE z.decision_id = d.id)
           OR EXISTS (SELECT 1 FROM functional_areas f WHERE f.decision_id = d.id))
    ORDER BY d.date_effective, d.number
    """
)

# One row per functional-area type present at either moment, plus the zone boundary itself.
# ST_Union per type, then ST_Difference / ST_Intersection on geometry, areas on geography (ellipsoid).
COMPARE_SQL = text(
    """
    WITH a AS (
      SELECT area_type AS kind, ST_Union(geom) AS g FROM functional_areas
      WHERE zone_uid = :zone AND valid_during @> CAST(:from_date AS date) GROUP BY area_type
      UNION ALL
      SELECT :zone_row, ST_Union(geom) FROM economic_zones
      WHERE uid = :zone AND valid_during @> CAST(:from_date AS date) HAVING count(*) > 0
    ), b AS (
      SELECT area_type AS kind, ST_Union(geom) AS g FROM functional_areas
      WHERE zone_uid = :zone AND valid_during @> CAST(:to_date AS date) GROUP BY area_type
      UNION ALL
      SELECT :zone_row, ST_Union(geom) FROM economic_zones
      WHERE uid = :zone AND valid_during @> CAST(:to_date AS date) HAVING count(*) > 0
    ), pairs AS (
      SELECT coalesce(a.kind, b.kind) AS kind, a.g AS ga, b.g AS gb
      FROM a FULL JOIN b ON a.kind = b.kind
    ), parts AS (
      SELECT kind, ga, gb,
             CASE WHEN ga IS NULL THEN gb WHEN gb IS NULL THEN NULL ELSE ST_Difference(gb, ga) END AS added,
             CASE WHEN gb IS NULL THEN ga WHEN ga IS NULL THEN NULL ELSE ST_Difference(ga, gb) END AS removed,
             CASE WHEN ga IS NULL OR gb IS NULL THEN NULL ELSE ST_Intersection(ga, gb) END AS kept
      FROM pairs
    )
    SELECT kind,
           coalesce(ST_Area(ga::geography), 0) / 1e4 AS from_ha,
           coalesce(ST_Area(gb::geography), 0) / 1e4 AS to_ha,
           coalesce(ST_Area(added::geography), 0) / 1e4 AS added_ha,
           coalesce(ST_Area(removed::geography), 0) / 1e4 AS removed_ha,
           coalesce(ST_Area(kept::geography), 0) / 1e4 AS kept_ha,
           CASE WHEN added IS NULL OR ST_IsEmpty(added) THEN NULL
                ELSE ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(added, 3)), 7) END AS added_geojson,
           CASE WHEN removed IS NULL OR ST_IsEmpty(removed) THEN NULL
                ELSE ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(removed, 3)), 7) END AS removed_geojson
    FROM parts
    ORDER BY kind = :zone_row DESC, kind
    """
)

# Slivers smaller than this (m²) come from boundaries redrawn with the same line; they are not changes.
SLIVER_HA = 0.01


@dataclass(frozen=True)
class DecisionInfo:
    """A decision as the revision pages show it."""

    id: int
    number: str
    title_vi: str
    title_en: str | None
    date_signed: date
    date_effective: date
    authority: str
    authority_name_vi: str | None
    kind: str
    plan_level: str | None
    horizon_year: int | None
    zone_uid: str | None
    supersedes: str | None
    public: bool
    has_document: bool  # a signed PDF is attached (served with the decision's visibility)
    changes_plan: bool
    illustrative: bool  # invented for the demo, not a real decision
    in_progress: bool  # a planning task whose plan is not approved yet (the revision is still being made)

    def as_json(self, internal: bool = False) -> dict:
        """JSON-ready dict (dates as ISO text); `public` (an internal field) only for staff."""
        data = asdict(self)
        if not internal:
            del data["public"]
        data["date_signed"] = self.date_signed.isoformat()
        data["date_effective"] = self.date_effective.isoformat()
        return data


@dataclass(frozen=True)
class Moment:
    """When a plan is looked at: a date, and the decision it came from if one was named."""

    on: date
    decision: DecisionInfo | None

    def as_json(self) -> dict:
        """JSON-ready dict."""
        return {"date": self.on.isoformat(), "decision": self.decision.as_json() if self.decision else None}


@dataclass(frozen=True)
class ChangeRow:
    """Areas (ha) of one functional-area type (or the zone boundary) at both moments and what changed."""

    kind: str
    label_vi: str
    label_en: str
    from_ha: float
    to_ha: float
    added_ha: float
    removed_ha: float
    kept_ha: float

    @property
    def net_ha(self) -> float:
        """Later minus earlier area."""
        return self.to_ha - self.from_ha

    def as_json(self) -> dict:
        """JSON-ready dict, areas rounded to 0.0001 ha (1 m²)."""
        data = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}
        data["net_ha"] = round(self.net_ha, 4)
        return data


@dataclass(frozen=True)
class Comparison:
    """Two moments of one zone's plan: the summary table and the changed areas as GeoJSON features."""

    zone_uid: str
    zone_name_vi: str
    before: Moment
    after: Moment
    rows: list[ChangeRow]
    features: list[dict]

    def as_geojson(self) -> dict:
        """A FeatureCollection of added/removed areas, with the table and both decisions as extra members."""
        return {
            "type": "FeatureCollection",
            "zone": {"uid": self.zone_uid, "name_vi": self.zone_name_vi},
            "from": self.before.as_json(),
            "to": self.after.as_json(),
            "summary": [row.as_json() for row in self.rows],
            "features": self.features,
        }


def list_decisions(
    conn: Connection, zone_uid: str | None = None, plan_only: bool = False, *, public_only: bool = False
) -> list[DecisionInfo]:
    """Decisions (of one zone, or all), oldest first; plan_only keeps those that made a zone or area version.

    public_only (anonymous readers) leaves out decisions not published yet.
    """
    if zone_uid is not None:
        _check_zone(conn, zone_uid)
    rows = conn.execute(DECISIONS_SQL, {"zone": zone_uid, "plan_only": plan_only, "public_only": public_only})
    return [DecisionInfo(**row._mapping) for row in rows]


def decision_by_number(conn: Connection, number: str, *, public_only: bool = False) -> DecisionInfo:
    """One decision by its number as written, or NotFound."""
    for decision in list_decisions(conn, public_only=public_only):
        if decision.number == number:
            return decision
    raise NotFound(f"no decision numbered '{number}'")


def resolve_moment(conn: Connection, value: str, what: str, *, public_only: bool = False) -> Moment:
    """A date (YYYY-MM-DD) or a decision number, as the moment a plan is looked at."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"'{what}' is required: a decision number such as 456/QĐ-TTg or a date YYYY-MM-DD")
    if DATE_RE.match(value):
        try:
            return Moment(date.fromisoformat(value), None)
        except ValueError:
            raise InvalidInput(f"'{what}' is not a real date: '{value}'") from None
    try:
        decision = decision_by_number(conn, value, public_only=public_only)
    except NotFound:
        raise NotFound(
            f"'{what}': no decision numbered '{value}' (give a decision number as written, or a date YYYY-MM-DD)"
        ) from None
    return Moment(decision.date_effective, decision)


def compare(conn: Connection, zone_uid: str, before: str, after: str, *, public_only: bool = False) -> Comparison:
    """What changed in a zone's plan between two moments (decision numbers or dates); public_only: anonymous."""
    zone_name = _check_zone(conn, zone_uid)
    start = resolve_moment(conn, before, "from", public_only=public_only)
    end = resolve_moment(conn, after, "to", public_only=public_only)
    rows, features = [], []
    result = conn.execute(
        COMPARE_SQL, {"zone": zone_uid, "from_date": start.on, "to_date": end.on, "zone_row": ZONE_ROW}
    )
    for r in result:
        label_vi, label_en = (
            ("Ranh giới khu kinh tế", "Zone boundary")
            if r.kind == ZONE_ROW
            else AREA_LABELS.get(r.kind, (r.kind, r.kind))
        )
        rows.append(
            ChangeRow(
                r.kind,
                label_vi,
                label_en,
                float(r.from_ha),
                float(r.to_ha),
                float(r.added_ha),
                float(r.removed_ha),
                float(r.kept_ha),
            )
        )
        for change, geojson, area in (
            ("added", r.added_geojson, r.added_ha),
            ("removed", r.removed_geojson, r.removed_ha),
        ):
            if geojson and float(area) >= SLIVER_HA:
                features.append(
                    {
                        "type": "Feature",
                        "id": f"{r.kind}:{change}",
                        "geometry": json.loads(geojson),
                        "properties": {
                            "kind": r.kind,
                            "change": change,
                            "area_ha": round(float(area), 4),
                            "label_vi": label_vi,
                            "label_en": label_en,
                        },
                    }
                )
    if not rows:
        raise NotFound(f"zone '{zone_uid}' has no plan on {start.on} nor on {end.on}")
    return Comparison(zone_uid, zone_name, start, end, rows, features)


def _check_zone(conn: Connection, zone_uid: str) -> str:
    """The zone's current (or latest) Vietnamese name, or NotFound naming the zones that exist."""
    row = conn.execute(
        text("SELECT name_vi FROM economic_zones WHERE uid = :u ORDER BY valid_from DESC LIMIT 1"), {"u": zone_uid}
    ).first()
    if row is None:
        known = conn.execute(text("SELECT DISTINCT uid FROM economic_zones ORDER BY uid")).scalars().all()
        raise NotFound(f"no economic zone '{zone_uid}'; zones are: {', '.join(known)}")
    return row.name_vi
