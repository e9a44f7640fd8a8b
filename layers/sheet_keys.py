"""Rows a spreadsheet names by a natural key (layers without uid): the key's columns, new keys checked, blank rows.

A layer declares its key in `LayerSpec.sheet_key`; `project_uid` stands for the row's project, named by its uid
(the table holds `project_id`). On a layer without geometry a sheet row whose key is new adds a row, so a template
asked for a year also offers one blank row per thing that has none yet — each operating project (figures), each
province, zone and park (targets), each project renting land that year (rent) — for the board to fill in.
"""

from typing import Any

from sqlalchemy import Connection, text

from layers.spec import LayerSpec

PROJECT_UID = "project_uid"
PROJECT_NAME = "project_name"  # a read-only column beside project_uid: people know a project by its name
SCOPE_TABLES = {  # a target's scope -> the query naming its uid when it exists
    "province": "SELECT 1 FROM admin_units WHERE level = 'province' AND code = :uid",
    "zone": "SELECT 1 FROM economic_zones WHERE uid = :uid AND valid_to IS NULL",
    "park": "SELECT 1 FROM industrial_parks WHERE uid = :uid AND valid_to IS NULL",
}
SCOPE_WORDS = {"province": "province (tỉnh)", "zone": "economic zone (khu kinh tế)", "park": "industrial park (KCN)"}

# Blank rows per layer: the keys a year's template offers when no row of that year has them yet.
FIGURE_BLANKS = """
SELECT p.uid AS project_uid, p.name_vi AS project_name
  FROM projects p
 WHERE p.status = 'operating'
   AND (CAST(:project AS text) IS NULL OR p.uid = :project)
   AND (CAST(:park AS text) IS NULL OR p.park_uid = :park)
   AND (CAST(:province AS text) IS NULL OR p.province_code = :province)
   AND NOT EXISTS (SELECT 1 FROM enterprise_figures f WHERE f.project_id = p.id AND f.year = :year)
 ORDER BY p.uid
"""
TARGET_BLANKS = """
WITH scopes AS (
    SELECT 'province' AS scope, province_code AS scope_uid, 1 AS rank FROM economic_zones WHERE valid_to IS NULL
    UNION SELECT 'province', province_code, 1 FROM industrial_parks WHERE valid_to IS NULL
    UNION SELECT 'zone', uid, 2 FROM economic_zones WHERE valid_to IS NULL
    UNION SELECT 'park', uid, 3 FROM industrial_parks WHERE valid_to IS NULL
)
SELECT s.scope, s.scope_uid FROM scopes s
 WHERE s.scope_uid IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM enterprise_targets t WHERE t.scope = s.scope AND t.scope_uid = s.scope_uid
                   AND t.year = :year)
 ORDER BY s.rank, s.scope_uid
"""
RENT_BLANKS = """
SELECT DISTINCT p.uid AS project_uid, p.name_vi AS project_name
  FROM project_rent_terms t JOIN projects p ON p.id = t.project_id
 WHERE extract(year FROM t.period_from) <= :year
   AND (t.period_to IS NULL OR extract(year FROM t.period_to) >= :year)
   AND (CAST(:project AS text) IS NULL OR p.uid = :project)
   AND NOT EXISTS (SELECT 1 FROM project_rent_amounts a WHERE a.project_id = p.id AND a.year = :year)
 ORDER BY p.uid
"""
BLANKS = {
    "enterprise_figures": (FIGURE_BLANKS, {"period_kind": "year", "period": 0, "basis": "estimate"}),
    "enterprise_targets": (TARGET_BLANKS, {}),
    "project_rent_amounts": (RENT_BLANKS, {}),
}


def inserts_rows(spec: LayerSpec) -> bool:
    """Whether a sheet row with a new key adds a row: natural-key layers without geometry (no outline to draw)."""
    return bool(spec.sheet_key) and spec.geometry_column is None


def project_ids(conn: Connection, uids: set[str]) -> dict[str, tuple[int, str]]:
    """The projects a sheet names, by uid: (id, Vietnamese name)."""
    rows = conn.execute(text("SELECT uid, id, name_vi FROM projects WHERE uid = ANY(:u)"), {"u": sorted(uids)})
    return {r.uid: (r.id, r.name_vi) for r in rows}


def key_problem(conn: Connection, spec: LayerSpec, values: dict[str, Any]) -> str | None:
    """What is wrong with a new row's key that no column rule says: a target's province, zone or park must exist."""
    if spec.id != "enterprise_targets" or values.get("scope") not in SCOPE_TABLES:
        return None
    uid = values.get("scope_uid")
    if uid and conn.execute(text(SCOPE_TABLES[values["scope"]]), {"uid": uid}).first() is None:
        return f"no {SCOPE_WORDS[values['scope']]} '{uid}'; give its code (uid) as the maps show it"
    return None


def blank_rows(
    conn: Connection,
    spec: LayerSpec,
    *,
    year: int | None,
    project: str | None = None,
    park: str | None = None,
    province: str | None = None,
) -> list[dict[str, Any]]:
    """The keys a year's template offers with nothing filled in: those that have no row of that year yet."""
    if year is None or spec.id not in BLANKS:
        return []
    sql, fixed = BLANKS[spec.id]
    params = {"year": year, "project": project, "park": park, "province": province}
    return [{**dict(r._mapping), "year": year, **fixed} for r in conn.execute(text(sql), params)]
