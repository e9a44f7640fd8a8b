"""Province codes as admin_units records them: the current code of a province merged away in 2025, and names.

A province merged into another (e.g. HAU_GIANG into CAN_THO on 2025-07-01) keeps its old rows, closed, with
`merged_into` naming the successor; a code that still has a current row is current, whatever older rows say.
"""

import re
from dataclasses import dataclass

from sqlalchemy import Connection, select

from gis import models
from gis.errors import InvalidInput

units = models.AdminUnit.__table__
ADMINISTRATIVE_WORD = re.compile(r"^(Tỉnh|Thành phố)\s+")


@dataclass(frozen=True)
class Provinces:
    """Every province code admin_units knows: its successor if merged away, and its Vietnamese name."""

    successors: dict[str, str]  # code with no current row -> the code it was merged into
    names: dict[str, str]  # code -> name, the administrative word left out ("Hà Tĩnh")

    def current(self, code: str) -> str:
        """The code a province has today: merged provinces follow `merged_into` (chains followed, cycles stopped)."""
        seen = {code}
        while code in self.successors and self.successors[code] not in seen:
            code = self.successors[code]
            seen.add(code)
        return code

    def name(self, code: str) -> str:
        """How a message names a province: 'Kiên Giang (now An Giang)' for one merged away, the code if unknown."""
        name = self.names.get(code, code)
        now = self.current(code)
        return name if now == code else f"{name} (now {self.names.get(now, now)})"

    def names_of(self, codes) -> str:
        """Several provinces for a message: 'Hà Tĩnh and An Giang'."""
        listed = [self.name(c) for c in sorted(codes)]
        return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def provinces(conn: Connection) -> Provinces:
    """The province table as scope checks and account commands need it (a few dozen rows)."""
    rows = conn.execute(
        select(units.c.code, units.c.name_vi, units.c.merged_into, units.c.valid_to)
        .where(units.c.level == "province")
        .order_by(units.c.valid_to.desc().nulls_first())
    ).all()
    current = {row.code for row in rows if row.valid_to is None}
    successors = {row.code: row.merged_into for row in rows if row.merged_into and row.code not in current}
    names: dict[str, str] = {}
    for row in rows:  # the current (or latest) name first
        names.setdefault(row.code, ADMINISTRATIVE_WORD.sub("", row.name_vi or row.code))
    return Provinces(successors, names)


def current_codes(conn: Connection, codes) -> tuple[list[str], list[str]]:
    """Validate province codes given by a person; their current codes (sorted, once each) and notes on merges.

    A province merged in 2025 is stored as its successor: the board that edits it today is the successor's.
    """
    known = provinces(conn)
    chosen: set[str] = set()
    notes: list[str] = []
    for given in codes:
        code = (given or "").strip().upper()
        if code not in known.names:
            raise InvalidInput(
                f"no province '{given}' in admin_units; province codes are: {', '.join(sorted(known.names))}"
            )
        now = known.current(code)
        if now != code:
            notes.append(f"{code} was merged into {now}: stored as {now}")
        chosen.add(now)
    return sorted(chosen), notes
