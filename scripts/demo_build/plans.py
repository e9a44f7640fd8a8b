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
                must=[(*gates[key], 150)],
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
            must=[(*gate, 80), (*facts.point("TAY_SON"), 3200)],
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
    """KKT Vũng Áng: one outline holding its ports, plants and parks; areas drawn one by one, never overlapping."""
    local = demo.crs["HA_TINH"]
    port, son_duong, fhs = facts.point("TN-CANG-VUNG-ANG"), facts.point("TN-CANG-SON-DUONG"), facts.point("FHS")
    power, vines = facts.point("VA_POWER"), facts.point("VINES")
    centre = {
        uid: (facts.park(uid)["lat"], facts.park(uid)["lon"]) for uid in ("KCN-VA1", "KCN-PV", "KCN-VHVA", "KCN-HS")
    }
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
        must=[
            (*port, 1300),
            (*son_duong, 1800),
            (*fhs, 2500),
            (*power, 1200),
            (*vines, 800),
            (*centre["KCN-VA1"], 1800),
            (*centre["KCN-PV"], 1600),
            (*centre["KCN-VHVA"], 2600),
            (*centre["KCN-HS"], 1700),
        ],
    )
    write_zone(demo, facts, "KKT-VA", {part["decision"]: [zone]})
    local_revision = illustrative_decision(demo, facts, "VA_LOCAL")
    placed: list = []

    def area(suffix, lat, lon, ha, *, must=(), aspect=1.3, bearing=None, key=None, min_fraction=0.99, keep=True):
        """Place one area polygon (local) avoiding the ones already placed."""
        pt = Point(local.xy(lat, lon))
        if not zone.contains(pt) or any(p.contains(pt) for p in placed):
            fail(f"KKT-VA-{suffix}: centre outside the zone or inside another area")
        poly = star(
            local,
            lat,
            lon,
            ha,
            key or f"VA-FA-{suffix}",
            jitter=0.2,
            aspect=aspect,
            bearing=demo.rng.uniform(0, 180) if bearing is None else bearing,
            obstacles=rings(zone, *placed),
            must=must,
            margin=30,
            min_fraction=min_fraction,
        )
        if keep:
            placed.append(poly)
        return poly

    # non-tariff zone: Sơn Dương port 410 ha + back-up area 320 ha (two parts), as QĐ 1076/QĐ-TTg says
    plan = area_rows(facts, "KKT-VA")[0]["decision"]
    drawn = {
        "PTQ": MultiPolygon(
            [area("PTQ-A", *son_duong, 410, must=[(*son_duong, 200)]), area("PTQ-B", 18.073, 106.417, 320)]
        )
    }
    drawn["CANG"] = area("CANG", 18.118, 106.395, 450, must=[(*port, 150)])
    drawn["DL_DIEN"] = area("DL_DIEN", 18.093, 106.384, 520, must=[(*power, 500)])
    north = area(
        "CN-N",
        18.055,
        106.340,
        1500,
        aspect=2.0,
        bearing=0,
        must=[(*centre["KCN-VA1"], 1350), (*centre["KCN-PV"], 1200)],
    )
    south = area(
        "CN-S",
        18.015,
        106.388,
        2700,
        aspect=1.6,
        bearing=135,
        must=[(*centre["KCN-VHVA"], 2150), (*centre["KCN-HS"], 1250)],
    )
    drawn["CN"] = MultiPolygon([north, south])
    demo.hosts.update({"KCN-VA1": north, "KCN-PV": north, "KCN-VHVA": south, "KCN-HS": south})
    drawn["LK"] = area("LK", 18.036, 106.437, 1300, must=[(*fhs, 300)], min_fraction=0.9)
    drawn["DT"] = area("DT", 18.098, 106.338, 1400, min_fraction=0.9)
    drawn["TMDV"] = area("TMDV", 18.078, 106.372, 300, min_fraction=0.9)
    drawn["DLICH"] = area("DLICH", 18.0, 106.432, 300, min_fraction=0.8)
    drawn["HC"] = area("HC", 18.062, 106.392, 60, min_fraction=0.9)
    drawn["NLN"] = area("NLN", 17.982, 106.372, 400, min_fraction=0.6)
    for suffix, poly in drawn.items():
        demo.drawn[(f"KKT-VA-{suffix}", plan)] = poly
    # resettlement: the plan's version and the one enlarged by the local revision, both off every other area
    demo.drawn[("KKT-VA-TDC", plan)] = area(
        "TDC", 18.018, 106.328, 300, min_fraction=0.9, key="VA-FA-TDC-v1", keep=False
    )
    demo.drawn[("KKT-VA-TDC", local_revision)] = area(
        "TDC", 18.018, 106.328, 445, min_fraction=0.9, key="VA-FA-TDC-v2", keep=False
    )
    write_areas(demo, facts, "KKT-VA")
