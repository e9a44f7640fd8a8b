"""Decisions, administrative units, economic zones and their functional areas, drawn from data/sources."""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Point

from demo_build.facts import Facts
from demo_build.record import Demo, as_multi, iso
from demo_build.shapes import GEOD, Local, border_line, fail, offset, rings, star

ADMIN_NOTE = "No geometry in the demo (boundaries not digitised)."
COMMUNE_NOTE = (
    "Commune-level unit relevant to the demo; validity start illustrative; status after the "
    "2025 commune reorganisation not verified (VERIFY). " + ADMIN_NOTE
)


def illustrative_decision(demo: Demo, facts: Facts, key: str) -> str:
    """Register an invented decision of data/sources/illustrative_decisions.csv, its number drawn from its series."""
    row = facts.illustrative_decisions[key]
    number = demo.decision(
        demo.next_no(row["series"], row["series_start"]),
        row["title_vi"],
        row["title_en"],
        row["date_signed"],
        *facts.authorities[row["authority"]],
        row["kind"],
        plan_level=row["plan_level"],
        zone=row["zone_uid"],
        project=row.get("project_uid"),
        notes=row["notes"],
    )
    demo.keys[key] = number
    return number


def decisions(demo: Demo, facts: Facts) -> None:
    """The real decisions (and the one placeholder) of data/sources/decisions.csv."""
    for row in facts.decisions:
        demo.decision(
            row["number"],
            row["title_vi"],
            row["title_en"],
            row["date_signed"],
            row["authority"],
            row["authority_name_vi"],
            row["kind"],
            effective=row["date_effective"],
            plan_level=row["plan_level"],
            horizon=row["horizon_year"],
            zone=row["zone_uid"],
            supersedes=row["supersedes"],
            illustrative=row["illustrative"],
            source=facts.src(row["sources"]),
            notes=row["notes"],
        )


def admin_units(demo: Demo, facts: Facts) -> None:
    """Provinces and communes (no geometry); each province's TM-3 CRS is kept for drawing."""
    for row in facts.admin_units:
        if row["level"] == "province":
            note = f"{row['notes']} {ADMIN_NOTE}"
            demo.crs[row["code"]] = Local(row["tm3_epsg"])
        else:
            note = ((row["notes"] + " ") if row["notes"] else "") + COMMUNE_NOTE
        demo.add(
            "admin_units",
            None,
            notes=note,
            **{k: row[k] for k in ("code", "level", "name_vi", "name_en", "parent_code", "merged_into", "tm3_epsg")},
            valid_from=iso(row["valid_from"]),
            valid_to=iso(row["valid_to"]) if row["valid_to"] else None,
        )


def zone_versions(facts: Facts, uid: str) -> list[dict]:
    """The versions of one zone in data/sources/economic_zones.csv, oldest first."""
    return [row for row in facts.economic_zones if row["uid"] == uid]


def write_zone(demo: Demo, facts: Facts, uid: str, parts: dict[str, list]) -> None:
    """Write every version of a zone (parts: decision → local polygons); a version ends where the next begins."""
    versions = zone_versions(facts, uid)
    for k, row in enumerate(versions):
        local = demo.crs[row["province_code"]]
        demo.add(
            "economic_zones",
            local.to_wgs(MultiPolygon(parts[row["decision"]])),
            source=facts.src(row["sources"]),
            notes=row["notes"],
            **{c: row[c] for c in ("uid", "decision", "name_vi", "name_en", "zone_type", "province_code")},
            official_area_ha=row["official_area_ha"],
            valid_from=demo.eff(row["decision"]),
            valid_to=demo.eff(versions[k + 1]["decision"]) if k + 1 < len(versions) else None,
        )


def area_rows(facts: Facts, zone_uid: str, decision: str | None = None) -> list[dict]:
    """Functional-area versions of a zone (optionally only those under one decision), in file order."""
    rows = [r for r in facts.functional_areas if r["zone_uid"] == zone_uid]
    return [r for r in rows if decision is None or r["decision"] == decision]


def write_areas(demo: Demo, facts: Facts, zone_uid: str) -> None:
    """Write the functional-area versions of a zone from their drawn polygons."""
    for row in area_rows(facts, zone_uid):
        local = demo.crs[zone_versions(facts, zone_uid)[0]["province_code"]]
        number = demo.number(row["decision"])
        demo.add(
            "functional_areas",
            local.to_wgs(as_multi(demo.drawn[(row["uid"], number)])),
            source=facts.src(row["sources"]),
            notes=row["notes"],
            uid=row["uid"],
            valid_from=demo.eff(number),
            valid_to=demo.eff(demo.number(row["ended_by"])) if row["ended_by"] else None,
            decision=number,
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            zone_uid=zone_uid,
            area_type=row["area_type"],
        )


def draw_areas(demo: Demo, facts: Facts, zone_uid: str, decision: str, label: str, *, host, gate, border=None) -> None:
    """Draw the areas of one zone version around their centres, inside `host(part)`, never overlapping.

    With a `border` (Cầu Treo) the areas also keep off it, large ones get finer outlines and forests may fall short.
    """
    local = demo.crs[zone_versions(facts, zone_uid)[0]["province_code"]]
    prefix = zone_uid.split("-")[-1]
    placed: list = []
    for row in area_rows(facts, zone_uid, decision):
        part_gate = gate(row["part"])
        if row["gate_bearing"] is not None:
            clat, clon = offset(*part_gate, row["gate_bearing"], row["gate_distance_m"])
        else:
            clat, clon = row["lat"], row["lon"]
        pt = Point(local.xy(clat, clon))
        if not host(row["part"]).contains(pt) or (border and any(p.contains(pt) for p in placed)):
            fail(f"{row['uid']} ({label}): centre outside its zone part or inside another area")
        poly = star(
            local,
            clat,
            clon,
            row["area_ha"],
            f"{prefix}-FA-{row['uid'].removeprefix(zone_uid + '-')}-{label}",
            n=144 if border and row["area_ha"] > 2000 else 48,
            jitter=0.22,
            aspect=1.3,
            bearing=demo.rng.uniform(0, 180),
            obstacles=rings(host(row["part"]), *placed) + ([border] if border else []),
            must=[(*part_gate, 60)] if row["area_type"] == "gate_area" else [],
            margin=25,
            min_fraction=0.9 if border and row["area_type"] == "agro_forestry" else 0.99,
        )
        demo.drawn[(row["uid"], decision)] = poly
        placed.append(poly)


def an_giang(demo: Demo, facts: Facts) -> None:
    """KKTCK An Giang: two plan versions of three sub-areas, each around its gate and off the border."""
    local = demo.crs["AN_GIANG"]
    tb, vx, kb = (facts.point(u) for u in ("CK-TINH-BIEN", "CK-VINH-XUONG", "CK-KHANH-BINH"))
    border_tb = border_line(local, *offset(*tb, 333, 700), 63)  # Vĩnh Tế canal, Cambodia to the NW
    kb_n, vx_n = offset(*kb, 0, 700), offset(*vx, 0, 700)
    border_n = border_line(local, *kb_n, GEOD.inv(kb_n[1], kb_n[0], vx_n[1], vx_n[0])[0])  # Cambodia to the north
    borders, bearings = {"TB": border_tb, "KB": border_n, "VX": border_n}, {"TB": 60, "KB": 100, "VX": 155}
    versions = [row["decision"] for row in zone_versions(facts, "KKTCK-AG")]
    labels = dict(zip(versions, ("old", "new"), strict=True))
    sub: dict[tuple[str, str], object] = {}
    gates: dict[str, tuple[float, float]] = {}
    for number in versions:
        placed: list = []
        for part in (r for r in facts.zone_parts if r["zone_uid"] == "KKTCK-AG" and r["decision"] == number):
            key, gates[part["part"]] = part["part"], facts.point(part["gate_uid"])
            poly = star(
                local,
                part["lat"],
                part["lon"],
                part["area_ha"],
                f"AG-{key}-{labels[number]}",
                jitter=0.2,
                aspect=1.4,
                bearing=bearings[key],
                obstacles=[borders[key], *rings(*placed)],
                must=facts.must_hold(part["must_hold"]),
                margin=40,
            )
            sub[(key, number)] = poly
            placed.append(poly)
    write_zone(demo, facts, "KKTCK-AG", {n: [p for (_, m), p in sub.items() if m == n] for n in versions})
    for number in versions:
        draw_areas(
            demo,
            facts,
            "KKTCK-AG",
            number,
            labels[number],
            host=lambda part, n=number: sub[(part, n)],
            gate=gates.__getitem__,
        )
    write_areas(demo, facts, "KKTCK-AG")


def cau_treo(demo: Demo, facts: Facts) -> None:
    """KKTCK Cầu Treo: one outline at two published areas, its areas kept off the Lao border."""
    local = demo.crs["HA_TINH"]
    gate, nam_phao = facts.point("CK-CAU-TREO"), facts.point("LA-NAM-PHAO")
    border = border_line(local, (gate[0] + nam_phao[0]) / 2, (gate[1] + nam_phao[1]) / 2, 125)
    versions = [row["decision"] for row in zone_versions(facts, "KKTCK-CT")]
    labels = dict(zip(versions, ("v1", "v2"), strict=True))
    zone = {}
    for part in (r for r in facts.zone_parts if r["zone_uid"] == "KKTCK-CT"):
        # same seed → same outline; the tiny area difference only rescales it
        zone[part["decision"]] = star(
            local,
            part["lat"],
            part["lon"],
            part["area_ha"],
            "CT-ZONE",
            n=96,
            jitter=0.22,
            aspect=1.5,
            bearing=40,
            obstacles=[border],
            must=facts.must_hold(part["must_hold"]),
            margin=30,
        )
    write_zone(demo, facts, "KKTCK-CT", {n: [zone[n]] for n in versions})
    for number in versions:
        draw_areas(
            demo,
            facts,
            "KKTCK-CT",
            number,
            labels[number],
            host=lambda part, n=number: zone[n],
            gate=lambda part: gate,
            border=border,
        )
    write_areas(demo, facts, "KKTCK-CT")


def vung_ang(demo: Demo, facts: Facts) -> None:
    """KKT Vũng Áng: one outline holding its ports, plants and parks; its areas laid out piece by piece.

    The layout (data/sources/area_layout.csv) is drawn in file order; a piece keeps off every earlier piece marked
    `avoided_by_next`, and pieces of the same area and decision form one multipart area.
    """
    local = demo.crs["HA_TINH"]
    (part,) = (r for r in facts.zone_parts if r["zone_uid"] == "KKT-VA")
    zone = star(
        local,
        part["lat"],
        part["lon"],
        part["area_ha"],
        "VA-ZONE",
        jitter=0.14,
        aspect=1.25,
        bearing=150,
        must=facts.must_hold(part["must_hold"]),
    )
    write_zone(demo, facts, "KKT-VA", {part["decision"]: [zone]})
    illustrative_decision(demo, facts, "VA_LOCAL")
    placed: list = []
    pieces: dict[tuple[str, str], list] = {}
    for row in facts.area_layout:
        pt = Point(local.xy(row["lat"], row["lon"]))
        if not zone.contains(pt) or any(p.contains(pt) for p in placed):
            fail(f"{row['uid']} ({row['piece']}): centre outside the zone or inside another area")
        poly = star(
            local,
            row["lat"],
            row["lon"],
            row["area_ha"],
            f"VA-FA-{row['piece']}",
            jitter=0.2,
            aspect=row["aspect"] or 1.3,
            bearing=demo.rng.uniform(0, 180) if row["bearing"] is None else row["bearing"],
            obstacles=rings(zone, *placed),
            must=facts.must_hold(row["must_hold"]),
            margin=30,
            min_fraction=row["min_fraction"] or 0.99,
        )
        if row["avoided_by_next"]:
            placed.append(poly)
        for park in (row["hosts"] or "").split():
            demo.hosts[park] = poly
        pieces.setdefault((row["uid"], demo.number(row["decision"])), []).append(poly)
    for key, polys in pieces.items():
        demo.drawn[key] = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    write_areas(demo, facts, "KKT-VA")
