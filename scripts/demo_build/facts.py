"""The facts the demo is built from, read from data/sources/*.csv (and .geojson), each row with its sources."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from demo_build.record import ILLUS
from demo_build.shapes import fail

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"


INTEGER, DECIMAL = re.compile(r"-?[0-9]+"), re.compile(r"-?[0-9]+\.[0-9]+")


def value(text: str):
    """A CSV cell as Python: '' → None, true/false → bool, integers → int, decimals → float, anything else text."""
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if INTEGER.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    return text


def read_rows(folder: Path, name: str) -> list[dict]:
    """Rows of one CSV file of data/sources, cells converted by `value`."""
    with open(folder / name, encoding="utf-8", newline="") as handle:
        return [{k: value(v) for k, v in row.items()} for row in csv.DictReader(handle)]


@dataclass
class Facts:
    """Every data file of data/sources, as rows (file order is build order)."""

    urls: dict[str, str]
    authorities: dict[str, tuple[str, str]]
    decisions: list[dict]
    illustrative_decisions: dict[str, dict]
    admin_units: list[dict]
    economic_zones: list[dict]
    zone_parts: list[dict]
    functional_areas: list[dict]
    area_layout: list[dict]
    places: dict[str, tuple[float, float]]
    industrial_parks: list[dict]
    border_gates: list[dict]
    logistics_centres: list[dict]
    transport_nodes: list[dict]
    transport_lines: list[dict]
    projects: list[dict]
    project_milestones: list[dict]

    def src(self, keys: str, *, builder: bool = False) -> str:
        """The source text of space-separated keys ('builder' = this script drew it), URLs joined by ' ; '."""
        parts = [ILLUS if k == "builder" else self.urls[k] for k in keys.split()]
        if builder:
            parts.append(ILLUS)
        return " ; ".join(parts)

    def point(self, uid: str) -> tuple[float, float]:
        """(lat, lon) of a named place, border gate, transport node or the centre of an industrial park."""
        if uid in self.places:
            return self.places[uid]
        for row in (*self.border_gates, *self.transport_nodes, *self.industrial_parks):
            if row["uid"] == uid:
                return (row["lat"], row["lon"])
        fail(f"no place {uid}")

    def must_hold(self, text: str | None) -> list[tuple[float, float, float]]:
        """'UID:metres UID:metres' → the points an outline must hold, each with its clearance (lat, lon, m)."""
        held = []
        for item in (text or "").split():
            uid, _, metres = item.partition(":")
            held.append((*self.point(uid), value(metres)))
        return held


def load(folder: Path = SOURCES) -> Facts:
    """Read every fact file of a data/sources folder."""
    lines = json.loads((folder / "transport_lines.geojson").read_text(encoding="utf-8"))["features"]
    return Facts(
        urls={r["key"]: r["url"] for r in read_rows(folder, "sources.csv")},
        authorities={r["key"]: (r["authority"], r["authority_name_vi"]) for r in read_rows(folder, "authorities.csv")},
        decisions=read_rows(folder, "decisions.csv"),
        illustrative_decisions={r["key"]: r for r in read_rows(folder, "illustrative_decisions.csv")},
        admin_units=read_rows(folder, "admin_units.csv"),
        economic_zones=read_rows(folder, "economic_zones.csv"),
        zone_parts=read_rows(folder, "zone_parts.csv"),
        functional_areas=read_rows(folder, "functional_areas.csv"),
        area_layout=read_rows(folder, "area_layout.csv"),
        places={r["key"]: (r["lat"], r["lon"]) for r in read_rows(folder, "places.csv")},
        industrial_parks=read_rows(folder, "industrial_parks.csv"),
        border_gates=read_rows(folder, "border_gates.csv"),
        logistics_centres=read_rows(folder, "logistics_centres.csv"),
        transport_nodes=read_rows(folder, "transport_nodes.csv"),
        projects=read_rows(folder, "projects.csv"),
        project_milestones=read_rows(folder, "project_milestones.csv"),
        transport_lines=[{**f["properties"], "coordinates": f["geometry"]["coordinates"]} for f in lines],
    )
