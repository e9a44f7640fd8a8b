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


# Only the parts of a place that are given are written, and a province is bound as the list of its codes (its own
# and those merged into it): with `:province IS NULL OR …` or a subquery PostgreSQL could not estimate one board's
# share, and one board's dashboard read the figures of every project in the country.
MERGED_SQL = "SELECT code FROM admin_units WHERE merged_into = :province GROUP BY code ORDER BY code"


def project_in_place(alias: str, place: Place) -> str:
    """SQL true when the project `alias` lies in the place (bound as :provinces, :zone, :park by place_params)."""
    tests = []
    if place.province is not None:
        tests.append(f"{alias}.province_code = ANY(:provinces)")
    if place.zone is not None:
        tests.append(
            f"({alias}.zone_uid = :zone"
            f" OR {alias}.park_uid IN (SELECT uid FROM industrial_parks WHERE zone_uid = :zone AND valid_to IS NULL))"
        )
    if place.park is not None:
        tests.append(f"{alias}.park_uid = :park")
    return " AND ".join(tests) or "true"


def park_in_place(alias: str, place: Place) -> str:
    """SQL true when the park `alias` lies in the place (bound as :provinces, :zone, :park by place_params)."""
    tests = []
    if place.province is not None:
        tests.append(f"{alias}.province_code = ANY(:provinces)")
    if place.zone is not None:
        tests.append(f"{alias}.zone_uid = :zone")
    if place.park is not None:
        tests.append(f"{alias}.uid = :park")
    return " AND ".join(tests) or "true"


def place_params(conn: Connection, place: Place) -> dict[str, str | list[str] | None]:
    """The bind parameters of project_in_place and park_in_place: a province with those merged into it."""
    provinces = None
    if place.province is not None:
        merged = conn.execute(text(MERGED_SQL), {"province": place.province}).scalars()
        provinces = [place.province, *merged]
    return {"provinces": provinces, "zone": place.zone, "park": place.park}


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
