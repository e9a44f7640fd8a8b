"""The leadership dashboard page (/dashboard): filters in words only; every figure is fetched from the JSON APIs."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection, text

from api.deps import ConnectionDep, CurrentUserDep
from layers.enterprises import TREND_MAX_YEARS
from maps.pages import render, script_json

router = APIRouter(tags=["pages"])

PROVINCES_SQL = """
SELECT DISTINCT ON (a.code) a.code, a.name_vi, coalesce(a.name_en, a.name_vi) AS name_en
FROM admin_units a WHERE a.level = 'province'
  AND a.code IN (SELECT pr.province_code FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id)
ORDER BY a.code
"""
ZONES_SQL = """
SELECT uid AS code, name_vi, coalesce(name_en, name_vi) AS name_en, province_code
FROM economic_zones WHERE valid_to IS NULL ORDER BY name_vi
"""
PARKS_SQL = """
SELECT uid AS code, name_vi, coalesce(name_en, name_vi) AS name_en, zone_uid, province_code
FROM industrial_parks WHERE valid_to IS NULL ORDER BY name_vi
"""
YEARS_SQL = "SELECT DISTINCT year FROM enterprise_figures WHERE :staff OR public ORDER BY year"


def dashboard_options(conn: Connection, staff: bool) -> dict[str, Any]:
    """Filter choices in words, the years with figures this reader may see (the latest is the default), trend span."""

    def rows(sql: str) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in conn.execute(text(sql))]

    years = list(conn.execute(text(YEARS_SQL), {"staff": staff}).scalars())
    return {
        "staff": staff,
        "provinces": rows(PROVINCES_SQL),
        "zones": rows(ZONES_SQL),
        "parks": rows(PARKS_SQL),
        "years": years,
        "default_year": years[-1] if years else None,
        "trend_years": TREND_MAX_YEARS,  # the trend chart shows at most this many of the latest years
    }


@router.get("/dashboard", include_in_schema=False, response_class=HTMLResponse)
def dashboard(conn: ConnectionDep, user: CurrentUserDep) -> HTMLResponse:
    """Everyone sees the public part; staff also see tasks and clearance (the page asks only for what it may show)."""
    options = dashboard_options(conn, staff=user is not None)
    html = render(
        "dashboard.html",
        title="Bảng điều hành / Dashboard",
        user=user,
        staff=user is not None,
        options=script_json(options),
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
