"""Short summaries that link things for map popups: a plot with its park and projects, a project with its plots."""

from sqlalchemy import Connection, text

from gis.errors import NotFound
from layers.clearance import plot_clearance
from layers.spec import Access

PLOT_SQL = text(
    """
    SELECT p.id, p.uid, p.code, p.name_vi, p.name_en, p.status, p.planning_function, p.area_ha, p.zone_uid,
           p.park_uid, k.name_vi AS park_name_vi, k.name_en AS park_name_en
    FROM land_plots p
    LEFT JOIN industrial_parks k ON k.uid = p.park_uid AND k.valid_to IS NULL
    WHERE p.uid = :uid AND p.valid_to IS NULL
    """
)
PLOT_PROJECTS_SQL = text(
    """
    SELECT pr.uid, pr.name_vi, pr.name_en, pr.status
    FROM project_plots pp JOIN projects pr ON pr.id = pp.project_id
    WHERE pp.plot_uid = :uid ORDER BY pr.uid
    """
)
PROJECT_SQL = text(
    """
    SELECT pr.id, pr.uid, pr.name_vi, pr.name_en, pr.status, pr.investor, pr.park_uid, pr.zone_uid,
           k.name_vi AS park_name_vi
    FROM projects pr LEFT JOIN industrial_parks k ON k.uid = pr.park_uid AND k.valid_to IS NULL
    WHERE pr.uid = :uid
    """
)
PROJECT_PLOTS_SQL = text(
    """
    SELECT p.id, p.uid, p.code, p.name_vi, p.status, p.area_ha
    FROM project_plots pp JOIN land_plots p ON p.uid = pp.plot_uid AND p.valid_to IS NULL
    WHERE pp.project_id = :project ORDER BY p.park_uid, length(p.code), p.code
    """
)


def plot_summary(conn: Connection, plot_uid: str, access: Access) -> dict:
    """A current plot with its park and projects; its clearance status only for staff."""
    row = conn.execute(PLOT_SQL, {"uid": plot_uid}).first()
    if row is None:
        raise NotFound(f"no current land plot '{plot_uid}'")
    summary = {
        "id": row.id,
        "uid": row.uid,
        "code": row.code,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "status": row.status,
        "planning_function": row.planning_function,
        "area_ha": float(row.area_ha),
        "zone_uid": row.zone_uid,
        "park": {"uid": row.park_uid, "name_vi": row.park_name_vi, "name_en": row.park_name_en}
        if row.park_uid
        else None,
        "projects": [dict(r._mapping) for r in conn.execute(PLOT_PROJECTS_SQL, {"uid": plot_uid})],
    }
    if access is Access.internal:
        summary["clearance"] = plot_clearance(conn, plot_uid)
    return summary


def project_summary(conn: Connection, project_uid: str) -> dict:
    """A project with its park and the current plots it occupies."""
    row = conn.execute(PROJECT_SQL, {"uid": project_uid}).first()
    if row is None:
        raise NotFound(f"no project '{project_uid}'")
    plots = [{**r._mapping, "area_ha": float(r.area_ha)} for r in conn.execute(PROJECT_PLOTS_SQL, {"project": row.id})]
    return {
        "uid": row.uid,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "status": row.status,
        "investor": row.investor,
        "zone_uid": row.zone_uid,
        "park": {"uid": row.park_uid, "name_vi": row.park_name_vi} if row.park_uid else None,
        "plots": plots,
    }
