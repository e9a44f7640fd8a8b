"""Planned things (issue 17): the new parks, clusters, expansions, candidate logistics sites and road and canal
upgrades of the provincial plans, each proposed or in the approved plan, from data/sources/planned_features.csv.

Drawn last and with their own seeded shapes, so that nothing built before them moves. Polygons keep off every
park and zone already drawn in their province (and inside their own zone when they have one).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiLineString, Point

from demo_build.facts import Facts, read_rows
from demo_build.record import as_multi
from demo_build.shapes import fail, rings, round7, star

FILE = "planned_features.csv"
POINT_COLUMNS = ("uid", "name_vi", "name_en", "province_code")


def planned(demo, facts: Facts, sources: Path) -> None:
    """Every planned feature of the sources file, in file order."""
    for row in read_rows(sources, FILE):
        decision = row["decision"]
        if row["lifecycle"] != "proposed" and decision is None:
            fail(f"{row['uid']}: a {row['lifecycle']} feature needs the decision of that step")
        if decision is not None and decision not in demo.by_number:
            fail(f"{row['uid']}: no decision {decision}")
        source = facts.src(row["sources"])
        {"industrial_parks": _park, "economic_zones": _zone, "logistics_centres": _centre, "transport_lines": _line}[
            row["table"]
        ](demo, row, source)


def _obstacles(demo, table: str, province: str, zone_uid: str | None) -> list:
    """Outlines a new polygon must not cross: the province's parks and zones, and its own zone's boundary."""
    found = []
    for name in ("industrial_parks", "economic_zones"):
        for other, geom in zip(demo.features[name], demo.geoms[name], strict=True):
            if other["province_code"] == province or other["uid"] == zone_uid:
                found.append(geom)
    return found


def _outline(demo, row: dict):
    """A seeded irregular outline of the row's area around its point, in WGS84, off its neighbours."""
    local = demo.crs[row["province_code"]]
    obstacles = [
        local_ring
        for geom in _obstacles(demo, row["table"], row["province_code"], row["zone_uid"])
        for local_ring in rings(_to_local(local, geom))
    ]
    shape = star(local, row["lat"], row["lon"], row["area_ha"], f"planned/{row['uid']}", obstacles=obstacles)
    return as_multi(local.to_wgs(shape))


def _to_local(local, geom):
    """A WGS84 geometry in the province's metres (obstacles are checked where the outline is drawn)."""

    def fwd(coords):
        x, y = local.fwd.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fwd)


def _park(demo, row: dict, source: str) -> None:
    """A planned park, cluster or expansion: one version under the plan that lists it."""
    decision = row["decision"]
    if decision is None:
        fail(f"{row['uid']}: a park is versioned under a decision; only unversioned things can be merely proposed")
    demo.add(
        "industrial_parks",
        _outline(demo, row),
        source=source,
        notes=row["notes"],
        uid=row["uid"],
        valid_from=demo.eff(decision),
        valid_to=None,
        decision=decision,
        name_vi=row["name_vi"],
        name_en=row["name_en"],
        kind=row["kind"],
        park_type=row["park_type"],
        zone_uid=row["zone_uid"],
        province_code=row["province_code"],
        lifecycle=row["lifecycle"],
        lifecycle_decision=decision,
    )


def _zone(demo, row: dict, source: str) -> None:
    """A planned zone (or a zone's planned expansion, drawn as its own outline)."""
    decision = row["decision"]
    demo.add(
        "economic_zones",
        _outline(demo, row),
        source=source,
        notes=row["notes"],
        uid=row["uid"],
        valid_from=demo.eff(decision),
        valid_to=None,
        decision=decision,
        name_vi=row["name_vi"],
        name_en=row["name_en"],
        zone_type=row["kind"],
        province_code=row["province_code"],
        lifecycle=row["lifecycle"],
        lifecycle_decision=decision,
    )


def _centre(demo, row: dict, source: str) -> None:
    """A candidate or planned logistics centre: its lifecycle is its status."""
    demo.add(
        "logistics_centres",
        round7(Point(row["lon"], row["lat"])),
        source=source,
        notes=row["notes"],
        status=row["lifecycle"],
        lifecycle_decision=row["decision"],
        **{c: row[c] for c in POINT_COLUMNS},
    )


def _line(demo, row: dict, source: str) -> None:
    """A road or waterway upgrade, sketched through a few points (lon lat; lon lat; …)."""
    path = [tuple(float(v) for v in pair.split()) for pair in row["path"].split(";")]
    demo.add(
        "transport_lines",
        round7(MultiLineString([path])),
        source=source,
        notes=row["notes"],
        kind=row["kind"],
        ref=None,
        lifecycle=row["lifecycle"],
        lifecycle_decision=row["decision"],
        **{c: row[c] for c in POINT_COLUMNS},
    )
