"""Points and lines written as data/sources gives them: border gates, logistics centres, transport nodes and lines."""

from __future__ import annotations

from shapely.geometry import MultiLineString, Point

from demo_build.facts import Facts
from demo_build.record import COLUMNS, Demo, iso
from demo_build.shapes import round7


def points(demo: Demo, facts: Facts, table: str, rows: list[dict]) -> None:
    """One point feature per row: the table's columns, the point, its sources and notes."""
    for row in rows:
        props = {c: row[c] for c in COLUMNS[table] if c in row}
        if table == "border_gates":
            props["opened_on"] = iso(row["opened_on"]) if row["opened_on"] else None
        demo.add(
            table,
            round7(Point(row["lon"], row["lat"])),
            illustrative=row["geometry_illustrative"],
            source=facts.src(row["sources"]),
            notes=row["notes"],
            **props,
        )


def network(demo: Demo, facts: Facts) -> None:
    """Border gates, logistics centres, transport nodes and transport lines."""
    points(demo, facts, "border_gates", facts.border_gates)
    points(demo, facts, "logistics_centres", facts.logistics_centres)
    points(demo, facts, "transport_nodes", facts.transport_nodes)
    for row in facts.transport_lines:
        demo.add(
            "transport_lines",
            round7(MultiLineString(row["coordinates"])),
            source=facts.src(row["sources"]),
            notes=row["notes"],
            **{c: row[c] for c in COLUMNS["transport_lines"]},
        )
