"""Which projects a report covers when narrowed to a province (board), economic zone or industrial park.

One rule for every report the dashboard reads (enterprises, clearance, park occupancy): a province also covers the
provinces merged into it in 2025; a zone covers the projects recorded in it and those in its current parks; a park,
its projects. Parks are narrowed the same way: by their province (or one merged into it), their zone, their uid.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from gis.errors import InvalidInput


@dataclass(frozen=True)
class Place:
    """A province code, zone uid and park uid, each optional (none: every project)."""

    province: str | None = None
    zone: str | None = None
    park: str | None = None


def project_in_place(alias: str) -> str:
    """SQL true when the project `alias` lies in the place bound as :province, :zone and :park (NULL: any)."""
    return f"""(CAST(:province AS text) IS NULL OR {alias}.province_code = :province
       OR {alias}.province_code IN (SELECT code FROM admin_units WHERE merged_into = :province))
  AND (CAST(:zone AS text) IS NULL OR {alias}.zone_uid = :zone
       OR {alias}.park_uid IN (SELECT uid FROM industrial_parks WHERE zone_uid = :zone AND valid_to IS NULL))
  AND (CAST(:park AS text) IS NULL OR {alias}.park_uid = :park)"""


def park_in_place(alias: str) -> str:
    """SQL true when the park `alias` lies in the place bound as :province, :zone and :park (NULL: any)."""
    return f"""(CAST(:province AS text) IS NULL OR {alias}.province_code = :province
       OR {alias}.province_code IN (SELECT code FROM admin_units WHERE merged_into = :province))
  AND (CAST(:zone AS text) IS NULL OR {alias}.zone_uid = :zone)
  AND (CAST(:park AS text) IS NULL OR {alias}.uid = :park)"""


def place_params(place: Place) -> dict[str, str | None]:
    """The bind parameters of project_in_place."""
    return {"province": place.province, "zone": place.zone, "park": place.park}


def check_place(conn: Connection, place: Place) -> None:
    """Refuse a province, zone or park that does not exist, naming it."""
    checks = (
        ("province", place.province, "SELECT 1 FROM admin_units WHERE level = 'province' AND code = :v"),
        ("zone", place.zone, "SELECT 1 FROM economic_zones WHERE uid = :v"),
        ("park", place.park, "SELECT 1 FROM industrial_parks WHERE uid = :v"),
    )
    for name, value, sql in checks:
        if value is not None and conn.execute(text(sql + " LIMIT 1"), {"v": value}).first() is None:
            raise InvalidInput(f"{name} '{value}' is not known; give a {name} code as listed in the data")
