"""Land for the border-gate mission, built last (issue 17): An Giang's parks, lots in the gates' own areas,
the gates' logistics areas, anchor tenants, the site clearance that makes some of that land clean, and the names
documents spell differently (search aliases).

Everything here runs after the rest of the demo and draws from its own seeded generators, so adding it changed no
earlier record: the shared generator of the builder is only used for decision numbers, after every other draw.
"""

from __future__ import annotations

import random
from pathlib import Path

from shapely.geometry import Point, Polygon

from demo_build import clearance, parks
from demo_build.facts import Facts, read_rows
from demo_build.parks import LOT_NAMES, pair
from demo_build.record import Demo, csv_text
from demo_build.shapes import SEED, Local, fail, geod_area_ha, lot_grid, rings

ALIAS_COLUMNS = ["layer", "uid", "alias", "source", "notes"]
ALIAS_LAYERS = ("economic_zones", "functional_areas", "industrial_parks", "border_gates", "projects", "land_plots")


def border_gate_land(demo: Demo, facts: Facts, sources: Path) -> None:
    """Parks, lots, logistics areas and anchor projects of data/sources/{border_gate_parks,area_lots,…}.csv."""
    gate_parks(demo, facts, read_rows(sources, "border_gate_parks.csv"))
    area_lots(demo, facts, read_rows(sources, "area_lots.csv"))
    gate_logistics(demo, facts, read_rows(sources, "gate_logistics.csv"))
    anchor_projects(demo, facts, read_rows(sources, "anchor_projects.csv"))
    anchor_projects(demo, facts, read_rows(sources, "clearance_projects.csv"))
    gate_clearance(demo)
    clearance.settle_plots(demo)
    demo.copied["search_aliases.csv"] = search_aliases(demo, facts, read_rows(sources, "search_aliases.csv"))


def open_area(demo: Demo, uid: str) -> tuple[dict, Local, Polygon]:
    """The open version of a functional area and its outline in its province's metres."""
    for row in demo.features["functional_areas"]:
        if row["uid"] == uid and row["valid_to"] is None:
            zone = next(z for z in demo.features["economic_zones"] if z["uid"] == row["zone_uid"])
            local = demo.crs[zone["province_code"]]
            return row, local, demo.drawn[(uid, row["decision"])]
    fail(f"no open functional area {uid}")


def gate_parks(demo: Demo, facts: Facts, rows: list[dict]) -> None:
    """Each park drawn (inside its host functional area when it has one), its lots, statuses and versions written."""
    bearings = random.Random(f"{SEED}/gate-parks")
    rents = random.Random(f"{SEED}/gate-parks/plots")
    statuses = random.Random(f"{SEED}/gate-parks/status")
    for row in rows:
        obstacles = rings(open_area(demo, row["host_area"])[2]) if row["host_area"] else []
        parks.add_park(demo, facts, row, bearing=bearings.uniform(0, 180), obstacles=obstacles)
        park = demo.parks[row["uid"]]
        parks.park_lots(row["uid"], park, rents)
        parks.free_lot_statuses(park, statuses)
        parks.single_versions(park)
        parks.write_park_plots(demo, facts, park)
        parks.write_park(demo, facts, park)


def area_lots(demo: Demo, facts: Facts, rows: list[dict]) -> None:
    """Zone-level lots (no park) laid out in a functional area under an illustrative detailed plan."""
    for row in rows:
        area, local, outline = open_area(demo, row["area_uid"])
        plan = demo.decision(
            demo.next_no(row["plan_series"], row["plan_series_start"]),
            f"Phê duyệt Quy hoạch chi tiết xây dựng tỷ lệ 1/500 {area['name_vi']}",
            f"Approving the 1/500 detailed plan of {area['uid']}",
            row["plan_signed"],
            *facts.authorities[row["plan_authority"]],
            "approve_plan",
            plan_level="detailed",
            zone=area["zone_uid"],
        )
        rects = lot_grid(
            outline,
            f"LOTS-{area['uid']}",
            angle=row["lot_angle"],
            row_h=pair(row["lot_row_m"]),
            col_w=pair(row["lot_col_m"]),
            road_main=row["road_main_m"],
            road_minor=row["road_minor_m"],
            inset=row["inset_m"],
        )
        if not rects:
            fail(f"{area['uid']}: no lot fits the area")
        draws = random.Random(f"{SEED}/area-lots/{area['uid']}")
        weights = [(s, int(w)) for s, w in (item.split(":") for item in row["statuses"].split())]
        name_vi, name_en = LOT_NAMES[row["planning_function"]]
        for k, rect in enumerate(rects, 1):
            code = f"{row['prefix']}{k}"
            status = draws.choices([w[0] for w in weights], [w[1] for w in weights])[0]
            rent = round(draws.uniform(row["rent_min_usd_m2"], row["rent_max_usd_m2"]) * 2) / 2
            wgs = local.to_wgs(rect)
            demo.add(
                "land_plots",
                wgs,
                source=facts.src(row["sources"]),
                notes=f"{row['notes']} Lot of {geod_area_ha(wgs):.1f} ha.",
                uid=f"{area['uid']}-{code}",
                valid_from=demo.eff(plan),
                valid_to=None,
                decision=plan,
                code=code,
                name_vi=f"{name_vi} {code}",
                name_en=f"{name_en} {code}",
                park_uid=None,
                zone_uid=area["zone_uid"],
                planning_function=row["planning_function"],
                landuse_code=row["landuse_code"],
                status=status,
                land_rent_usd_m2=rent,
            )


def gate_logistics(demo: Demo, facts: Facts, rows: list[dict]) -> None:
    """The gates' own logistics areas as logistics centres, each at a point inside its (illustrative) area."""
    for row in rows:
        _, local, outline = open_area(demo, row["area_uid"])
        demo.add(
            "logistics_centres",
            local.to_wgs(outline.representative_point()),
            source=facts.src(row["sources"]),
            notes=row["notes"],
            **{k: row[k] for k in ("uid", "name_vi", "name_en", "status", "province_code", "operator")},
            planned_area_ha=row["planned_area_ha"],
        )


def anchor_projects(demo: Demo, facts: Facts, rows: list[dict]) -> None:
    """Projects added after the rest (rows as in projects.csv: named tenants, site clearance), written one by one."""
    for row in rows:
        parks.add_project(demo, facts, row, {})
        parks.write_project(demo, facts, demo.projects[-1])


def gate_clearance(demo: Demo) -> None:
    """Parcels of the Xuân Tô park and the Cầu Treo logistics area: the first batches fully handed over, the later
    ones still running, so the finder shows clean land beside partly cleared lots; per batch, its two decisions."""
    xuan_to = demo.parks["KCN-XUAN-TO"]
    local, site = xuan_to["local"], xuan_to["core"]
    village = local.to_wgs(Point(site.centroid.x + 430, site.centroid.y - 180))
    approvals = clearance.clearance(
        demo,
        "PRJ-XT-HT",
        local,
        site,
        "PARCELS-XT",
        commune="AG_NHON_HUNG",
        window=None,
        cell=(70, 90),
        angle=20,
        batches=["2019-10-07", "2020-06-08", "2021-04-12", "2022-08-15", "2024-03-11", "2025-09-15"],
        settled=3,
        sheet0=12,
        ont_centre=(village.y, village.x),
        landuse_mix=[("LUC", 7), ("BHK", 1), ("CLN", 1), ("NTS", 1)],
        price={"ONT": (0.9e6, 1.9e6), "farm": (60e3, 130e3)},
        note=" Commune: the demo's neighbour of the park (its real commune is not checked) - VERIFY.",
    )
    tinh_bien = ("Ủy ban nhân dân thị xã Tịnh Biên", "Ủy ban nhân dân phường Tịnh Biên (sau sắp xếp)")
    clearance.recovery_decisions(demo, "PRJ-XT-HT", approvals, "Khu công nghiệp Xuân Tô", "KKTCK-AG", tinh_bien)
    _, local, site = open_area(demo, "KKTCK-CT-LOG")
    village = local.to_wgs(Point(site.centroid.x + 450, site.centroid.y + 50))
    approvals = clearance.clearance(
        demo,
        "PRJ-CT-LOG-HT",
        local,
        site,
        "PARCELS-CT-LOG",
        commune="HT_SON_KIM_1",
        window=None,
        cell=(60, 75),
        angle=-20,
        batches=["2025-03-10", "2025-06-16", "2025-11-10", "2026-02-09"],
        settled=2,
        sheet0=4,
        ont_centre=(village.y, village.x),
        landuse_mix=[("RSX", 4), ("CLN", 3), ("BHK", 2), ("LUK", 1)],
        price={"ONT": (0.5e6, 1.2e6), "farm": (35e3, 80e3)},
    )
    huong_son = ("Ủy ban nhân dân huyện Hương Sơn", "Ủy ban nhân dân xã Sơn Kim 1 (sau sắp xếp)")
    place = "Khu logistics cửa khẩu Cầu Treo"
    clearance.recovery_decisions(demo, "PRJ-CT-LOG-HT", approvals, place, "KKTCK-CT", huong_son)


def search_aliases(demo: Demo, facts: Facts, rows: list[dict]) -> str:
    """data/demo/search_aliases.csv: other spellings of current things, each naming a thing that exists."""
    out = []
    for row in rows:
        if row["layer"] not in ALIAS_LAYERS:
            fail(f"alias {row['alias']!r}: layer {row['layer']} is not searched by name")
        if not any(f["uid"] == row["uid"] for f in demo.features[row["layer"]]):
            fail(f"alias {row['alias']!r}: no {row['layer']} {row['uid']}")
        out.append([row["layer"], row["uid"], row["alias"], facts.src(row["sources"]), row["notes"]])
    return csv_text(ALIAS_COLUMNS, out)
