"""Shapes for a sheet's map extract, projected by PostGIS into UTM metres so the drawing has a true scale."""

from dataclasses import dataclass

from sqlalchemy import Connection, text

# The UTM zone (WGS84, northern hemisphere: all of Vietnam) of the focus geometry's centre; grid north is up.
UTM_SRID_SQL = "(32600 + floor((ST_X(ST_Centroid(f.geom)) + 180) / 6)::int + 1)"

EXTRACT_SQL = f"""
WITH focus AS (
  SELECT {UTM_SRID_SQL} AS srid, ST_Envelope(f.geom) AS box, f.geom
  FROM (SELECT coalesce(
          (SELECT geom FROM industrial_parks WHERE uid = :park AND valid_to IS NULL),
          (SELECT ST_Multi(geom) FROM land_plots WHERE uid = :plot AND valid_to IS NULL)) AS geom) f
),
shapes AS (
  SELECT 'park' AS role, pk.uid, pk.name_vi AS label, NULL AS status, pk.geom
  FROM industrial_parks pk, focus WHERE pk.valid_to IS NULL AND pk.geom && focus.box
  UNION ALL
  SELECT CASE WHEN p.uid = :plot THEN 'focus' ELSE 'plot' END, p.uid, p.code, p.status, p.geom
  FROM land_plots p, focus WHERE p.valid_to IS NULL AND p.geom && focus.box
)
SELECT s.role, s.uid, s.label, s.status,
       ST_AsSVG(ST_Transform(s.geom, focus.srid), 0, 1) AS path,
       ST_X(ST_Transform(ST_PointOnSurface(s.geom), focus.srid)) AS x,
       ST_Y(ST_Transform(ST_PointOnSurface(s.geom), focus.srid)) AS y,
       focus.srid
FROM shapes s, focus
ORDER BY CASE s.role WHEN 'park' THEN 0 WHEN 'plot' THEN 1 ELSE 2 END, s.uid
"""

BOX_SQL = f"""
SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
  SELECT ST_Transform(ST_Envelope(f.geom), {UTM_SRID_SQL}) AS b
  FROM (SELECT coalesce(
          (SELECT geom FROM industrial_parks WHERE uid = :park AND valid_to IS NULL),
          (SELECT ST_Multi(geom) FROM land_plots WHERE uid = :plot AND valid_to IS NULL)) AS geom) f
) t
"""


@dataclass(frozen=True)
class Shape:
    """One outline in projected metres: SVG path data (y already flipped by ST_AsSVG) and a label anchor."""

    role: str  # park, plot or focus (the plot the sheet is about)
    uid: str
    label: str
    status: str | None
    path: str
    x: float
    y: float


@dataclass(frozen=True)
class Extract:
    """The shapes of a map extract and its frame in UTM metres (EPSG `srid`)."""

    srid: int
    minx: float
    miny: float
    maxx: float
    maxy: float
    shapes: list[Shape]


def map_extract(conn: Connection, park_uid: str | None, plot_uid: str | None = None) -> Extract | None:
    """The park (or the lone plot) framed with its neighbouring parks and plots; None if neither exists."""
    params = {"park": park_uid, "plot": plot_uid}
    rows = conn.execute(text(EXTRACT_SQL), params).all()
    if not rows:
        return None
    box = conn.execute(text(BOX_SQL), params).one()
    shapes = [Shape(r.role, r.uid, r.label or "", r.status, r.path, float(r.x), float(r.y)) for r in rows]
    return Extract(int(rows[0].srid), *(float(v) for v in box), shapes=shapes)
