"""The board that issues a province's sheets and reports: its name as it is, contacts and logo, read from data.

A province merged into another (Hậu Giang into Cần Thơ on 2025-07-01) is served by the board of the province it
joined, as its parks now are. The board's working notes stay out: sheets and reports are public.
"""

from typing import Any

from sqlalchemy import Connection, text

BOARD_SQL = text(
    """
    WITH province AS (
      SELECT coalesce(
        (SELECT m.merged_into FROM admin_units m
         WHERE m.code = :province AND m.level = 'province' AND m.merged_into IS NOT NULL LIMIT 1),
        :province) AS code
    )
    SELECT b.province_code, b.name_vi, b.name_en, b.address, b.phone, b.email, b.website, b.logo,
           b.illustrative, b.source
    FROM issuing_boards b JOIN province p ON p.code = b.province_code
    """
)


def board_of(conn: Connection, province_code: str | None) -> dict[str, Any] | None:
    """The issuing board of a province (or of the province it merged into); None when none is recorded."""
    if not province_code:
        return None
    row = conn.execute(BOARD_SQL, {"province": province_code}).mappings().first()
    return dict(row) if row else None


# The heading of a report that covers several provinces: no one board issues it.
ALL_BOARDS: dict[str, Any] = {
    "province_code": None,
    "name_vi": "Các Ban Quản lý khu công nghiệp, khu kinh tế",
    "name_en": "Industrial-park and economic-zone management boards",
    "address": None,
    "phone": None,
    "email": None,
    "website": None,
    "logo": None,
    "illustrative": False,
    "source": None,
}

SCOPE_PROVINCE_SQL = text(
    """
    SELECT coalesce(
      CAST(:province AS text),
      (SELECT province_code FROM industrial_parks WHERE uid = :park ORDER BY valid_to IS NULL DESC,
       valid_from DESC LIMIT 1),
      (SELECT province_code FROM economic_zones WHERE uid = :zone ORDER BY valid_to IS NULL DESC,
       valid_from DESC LIMIT 1))
    """
)


def report_board(
    conn: Connection, province: str | None = None, zone: str | None = None, park: str | None = None
) -> dict[str, Any]:
    """The board a report is issued by: that of the province, zone or park it covers, or every board's heading."""
    code = conn.execute(SCOPE_PROVINCE_SQL, {"province": province, "zone": zone, "park": park}).scalar()
    return board_of(conn, code) or ALL_BOARDS
