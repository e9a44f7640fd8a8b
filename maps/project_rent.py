"""The staff page of a project's land rent and compliance (/projects/{uid}/rent), rendered on the server.

Everything comes from `layers.rent.project_rent` — the same figures `GET /api/projects/{uid}/rent` answers — with
numbers written the Vietnamese way (maps.enterprises_report.vn_number) and dates dd/mm/yyyy. No script: the page is
a table to read and print.
"""

from datetime import date
from typing import Any

from maps.enterprises_report import vn_number
from maps.pages import render


def ddmmyyyy(iso: str | None) -> str:
    """An ISO date as the board writes it, '' when missing."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def rent_page(rent: dict[str, Any], user, editor: bool) -> str:
    """The project's rent terms, the rent per year with arrears, and its findings with what was decided."""
    return render(
        "project_rent.html",
        title=f"Tiền thuê đất và chấp hành / Land rent and compliance — {rent['name_vi']}",
        user=user,
        rent=rent,
        editor=editor,
        vnd=lambda value: vn_number(value),
        rate=lambda value: vn_number(value, 0 if float(value).is_integer() else 2),
        day=ddmmyyyy,
        illustrative=any(item["illustrative"] for part in ("terms", "amounts", "findings") for item in rent[part]),
    )
