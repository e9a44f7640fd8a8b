"""Industrial parks, their lots, the projects on them and the lots' status histories."""

from __future__ import annotations

import random
from datetime import date, timedelta

import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, box

from demo_build.checks import AS_OF, is_delayed
from demo_build.facts import Facts, value
from demo_build.plans import illustrative_decision
from demo_build.record import MILESTONES, Demo, iso
from demo_build.shapes import SEED, fail, geod_area_ha, lot_grid, offset, rings, round7, star

PROJECT_COLUMNS = ["uid", "name_vi", "name_en", "investor", "investor_country", "sector", "capital_vnd", "capital_usd"]
PROJECT_COLUMNS += ["status", "province_code", "zone_uid", "park_uid"]  # as given in data/sources/projects.csv
CLEARED_HA = 55  # Vinhomes Vũng Áng: ~55 ha cleared by the first land recovery (source: VHVA)
LOT_NAMES = {
    "industrial": ("Lô đất công nghiệp", "Industrial lot"),
    "warehouse_logistics": ("Lô đất kho bãi, logistics", "Warehouse/logistics lot"),
    "services": ("Lô đất dịch vụ", "Services lot"),
}


def pair(text: str) -> tuple:
    """'180-300' → (180, 300)."""
    low, high = text.split("-")
    return (value(low), value(high))


def add_park(demo: Demo, facts: Facts, row: dict, *, bearing: float, obstacles: list):
    """Draw one park around its centre (keeping off `obstacles`), register its detailed plan; returns its outline."""
    uid, local = row["uid"], demo.crs[row["province_code"]]
    poly = star(
        local,
        row["lat"],
        row["lon"],
        row["drawn_area_ha"],
        f"PARK-{uid}",
        jitter=0.15,
        aspect=1.4,
        bearing=bearing,
        obstacles=obstacles,
        margin=40,
    )
    plan = demo.decision(  # illustrative detailed plan (quy hoạch chi tiết 1/500): the park's first version
        demo.next_no(row["plan_series"], row["plan_series_start"]),
        f"Phê duyệt Quy hoạch chi tiết xây dựng tỷ lệ 1/500 {row['name_vi']}",
        f"Approving the 1/500 detailed plan of {uid}",
        row["plan_signed"],
        *facts.authorities[row["plan_authority"]],
        "approve_plan",
        plan_level="detailed",
        zone=row["zone_uid"],
    )
    demo.parks[uid] = {"row": row, "local": local, "core": poly, "versions": [(MultiPolygon([poly]), plan, None)]}
    return poly


def parks(demo: Demo, facts: Facts) -> None:
    """Draw every park around its centre (inside its host area in Vũng Áng) and register its detailed plan."""
    placed: dict[int, list] = {}
    for row in facts.industrial_parks:
        host = demo.hosts.get(row["uid"])
        obstacles = []
        if host is not None:
            obstacles = rings(host, *placed.setdefault(id(host), []))
        poly = add_park(demo, facts, row, bearing=demo.rng.uniform(0, 180), obstacles=obstacles)
        if host is not None:
            placed[id(host)].append(poly)
    for park in demo.parks.values():
        row = park["row"]
        if row["expansion_ha"] is None:
            continue
        # a second part beside the first → a new version of the park under the expansion's zoning plan
        expansion = star(
            park["local"],
            *offset(row["lat"], row["lon"], row["expansion_bearing"], row["expansion_distance_m"]),
            row["expansion_ha"],
            f"PARK-{row['uid']}-EXP",
            jitter=0.15,
            aspect=1.5,
            bearing=30,
            obstacles=rings(park["core"]),
            margin=60,
        )
        first = park["versions"][0][1]
        park["versions"] = [
            (MultiPolygon([park["core"]]), first, demo.eff(row["expansion_decision"])),
            (MultiPolygon([park["core"], expansion]), row["expansion_decision"], None),
        ]
        park["expansion"] = expansion
        park["expansion_plan"] = illustrative_decision(demo, facts, row["expansion_detail_plan"])


def lots(demo: Demo) -> None:
    """Lots of every park: a grid inside each part, a few warehouse and service lots, rents within the park's band."""
    rents = random.Random(f"{SEED}/plots")
    for uid, park in demo.parks.items():
        park_lots(uid, park, rents)


def park_lots(uid: str, park: dict, rents: random.Random) -> None:
    """One park's lots: a grid inside each part, every 9th a warehouse lot, every 13th a services lot."""
    row = park["row"]
    grid = {
        "row_h": pair(row["lot_row_m"]),
        "col_w": pair(row["lot_col_m"]),
        "road_main": row["road_main_m"],
        "road_minor": row["road_minor_m"],
        "inset": row["inset_m"],
    }
    groups = [("core", lot_grid(park["core"], f"LOTS-{uid}", angle=row["lot_angle"], **grid), park["versions"][0][1])]
    if "expansion" in park:
        groups.append(("exp", lot_grid(park["expansion"], f"LOTS-{uid}-EXP", angle=30), park["expansion_plan"]))
    park["lots"] = []
    counters = {"CN": 0, "KH": 0, "DV": 0}
    cluster = row["kind"] == "industrial_cluster"
    for group, rects, plan in groups:
        for k, rect in enumerate(rects):
            if k % 9 == 4:
                prefix, func, landuse = "KH", "warehouse_logistics", "SKN" if cluster else "SKK"
            elif k % 13 == 7:
                prefix, func, landuse = "DV", "services", "TMD"
            else:
                prefix, func, landuse = "CN", "industrial", "SKN" if cluster else "SKK"
            counters[prefix] += 1
            code = f"{prefix}{counters[prefix]}"
            park["lots"].append(
                dict(
                    uid=f"{uid}-{code}",
                    code=code,
                    park=uid,
                    group=group,
                    func=func,
                    lu=landuse,
                    geom=rect,
                    dec=plan,
                    rent=round(rents.uniform(row["rent_min_usd_m2"], row["rent_max_usd_m2"]) * 2) / 2,
                    status=None,
                    versions=None,
                    area_ha=None,
                )
            )
    for item in park["lots"]:
        item["area_ha"] = geod_area_ha(park["local"].to_wgs(item["geom"]))


def lot(demo: Demo, uid: str) -> dict:
    """Find a lot by uid."""
    for park in demo.parks.values():
        for item in park["lots"]:
            if item["uid"] == uid:
                return item
    fail(f"no lot {uid}")


def claim(demo: Demo, park_uid: str, target_ha: float, *, func="industrial", start=0) -> list[dict]:
    """Consecutive unclaimed lots of a park with a function, until their area reaches target_ha."""
    chosen, total = [], 0.0
    candidates = [
        x for x in demo.parks[park_uid]["lots"] if x["func"] == func and x["status"] is None and x["group"] == "core"
    ]
    for item in candidates[start:] + candidates[:start]:
        if total >= target_ha:
            break
        chosen.append(item)
        total += item["area_ha"]
    if total < target_ha * 0.6:
        fail(f"{park_uid}: cannot find {target_ha} ha of {func} lots")
    return chosen


def schedule(policy_on: date, status: str, rng: random.Random, *, late=None, gaps=(90, 270, 90, 540)) -> list[tuple]:
    """Committed and actual milestone dates.

    Committed dates follow the policy date by `gaps` (days).  Milestones a project has reached (by `status`) get an
    actual date on or before the commitment, except the milestone named `late` (and everything after it), which is
    met late or not at all.  Unreached milestones keep only their committed date.
    """
    reached = {"policy_approved": 1, "irc_issued": 2, "under_construction": 4, "operating": 5, "terminated": 3}[status]
    committed: list[date | None] = [None]
    cur = policy_on
    for g in gaps:
        cur = cur + timedelta(days=g + rng.randint(-20, 20))
        committed.append(cur)
    actual: list[date | None] = [policy_on]
    slip = 0
    for i in range(1, 5):
        if i >= reached:
            actual.append(None)
            continue
        if late is not None and MILESTONES[i] == late:
            slip = rng.randint(120, 420)
        day = committed[i] + timedelta(days=slip) if slip else committed[i] - timedelta(days=rng.randint(0, 45))
        day = max(day, actual[-1])
        if day > AS_OF:
            actual.append(None)
            reached = i
            continue
        actual.append(day)
    return [(MILESTONES[i], committed[i], actual[i]) for i in range(5)]


def project_lots(demo: Demo, row: dict) -> list[dict]:
    """The lots a project occupies: named ones, the first of an expansion, or claimed by area; their status set."""
    if row["plots"]:
        known = {x["uid"]: x for park in demo.parks.values() for x in park["lots"]}
        chosen = [known[u] for u in row["plots"].split() if u in known]  # a zone-level site is no park lot
    elif row["claim_part"] == "expansion":
        park = demo.parks[row["park_uid"]]
        chosen = [x for x in park["lots"] if x["group"] == "exp" and x["func"] == "industrial"][: row["claim_count"]]
    elif row["claim_ha"] is not None:
        func = row["claim_function"] or "industrial"
        chosen = claim(demo, row["park_uid"], row["claim_ha"], func=func, start=row["claim_start"] or 0)
    else:
        chosen = []
    for item in chosen:
        item["status"] = row["lot_status"]
    return chosen


def projects(demo: Demo, facts: Facts) -> None:
    """Every project of data/sources/projects.csv: its lots, policy decision and milestones (fixed or scheduled)."""
    fixed: dict[str, list[tuple]] = {}
    for m in facts.project_milestones:
        day = iso(m["actual_on"]) if m["actual_on"] else None
        fixed.setdefault(m["project_uid"], []).append(
            (m["milestone"], iso(m["committed_on"]) if m["committed_on"] else None, day)
        )
    for row in facts.projects:
        add_project(demo, facts, row, fixed)


def add_project(demo: Demo, facts: Facts, row: dict, fixed: dict[str, list[tuple]]) -> None:
    """One project: its lots, the decisions before it, its policy decision and milestones (fixed or scheduled)."""
    uid = row["uid"]
    chosen = project_lots(demo, row)
    for key in (row["decisions_before"] or "").split():
        illustrative_decision(demo, facts, key)
    policy = demo.decision(
        demo.next_no(row["policy_series"], row["policy_series_start"]),
        f"Chấp thuận chủ trương đầu tư dự án {row['name_vi']}",
        f"Investment policy approval: {row['name_vi']}",
        row["policy_signed"],
        *facts.authorities[row["policy_authority"]],
        "investment_policy",
        zone=row["zone_uid"],
        project=uid,
    )
    rng = random.Random(f"{SEED}/project/{uid}")
    gaps = tuple(int(g) for g in row["milestone_gaps_days"].split()) if row["milestone_gaps_days"] else None
    ms = (
        fixed[uid]
        if row["fixed_milestones"]
        else schedule(
            iso(row["policy_signed"]),
            row["status"],
            rng,
            late=row["late_milestone"],
            **({"gaps": gaps} if gaps else {}),
        )
    )
    if is_delayed(ms, row["status"]) != row["delayed"]:
        fail(f"{uid}: delayed={is_delayed(ms, row['status'])} but expected {row['delayed']}: {ms}")
    plots = row["plots"].split() if row["plots"] else [x["uid"] for x in chosen]
    demo.projects.append(
        {"row": row, "policy_decision": policy, "plots": plots, "ms": ms, "site_area_ha": row["site_area_ha"]}
    )
    for m, c, a in ms:
        demo.milestones.append((uid, m, c, a))


def plot_histories(demo: Demo, facts: Facts) -> None:
    """Statuses of the lots no project holds, and the few status histories: a clearance, a lease, a split."""
    statuses = random.Random(f"{SEED}/status")
    for park in demo.parks.values():
        free_lot_statuses(park, statuses)
    # Vinhomes Vũng Áng: ~55 ha cleared by a land recovery → those lots become available; CN4 leased, CN5 reserved
    recover = illustrative_decision(demo, facts, "VHVA_RECOVER")
    lease = illustrative_decision(demo, facts, "VHVA_CN4_LEASE")
    vhva = demo.parks["KCN-VHVA"]
    cn4, cn5 = lot(demo, "KCN-VHVA-CN4"), lot(demo, "KCN-VHVA-CN5")
    cleared, total = [], 0.0
    for item in vhva["lots"]:
        if item["func"] == "industrial" and total < CLEARED_HA and item["uid"] not in (cn4["uid"], cn5["uid"]):
            cleared.append(item)
            total += item["area_ha"]
    plan = vhva["versions"][0][1]
    for item in vhva["lots"]:
        if item in cleared:
            item["versions"] = [("not_cleared", plan, demo.eff(recover)), ("available", recover, None)]
        elif item is cn4:
            item["versions"] = [
                ("not_cleared", plan, demo.eff(recover)),
                ("available", recover, demo.eff(lease)),
                ("leased", lease, None),
            ]
        elif item is cn5:
            reserve = next(p for p in demo.projects if p["row"]["uid"] == "PRJ-VHVA-CN5")["policy_decision"]
            item["versions"] = [
                ("not_cleared", plan, demo.eff(recover)),
                ("available", recover, demo.eff(reserve)),
                ("reserved", reserve, None),
            ]
    # Phú Vinh: the terminated garment project's lots: available → leased → available again
    for item in demo.parks["KCN-PV"]["lots"]:
        if item["status"] == "terminated-lease":
            item["versions"] = [
                ("available", item["dec"], demo.eff(demo.number("PV_LEASE"))),
                ("leased", demo.number("PV_LEASE"), demo.eff(demo.number("PV_RECOVER"))),
                ("available", demo.number("PV_RECOVER"), None),
            ]
    split_lot(demo, illustrative_decision(demo, facts, "VA1_SPLIT"))
    for park in demo.parks.values():
        single_versions(park)


def free_lot_statuses(park: dict, statuses: random.Random) -> None:
    """Statuses of the lots no project holds, drawn with the park's weights (an expansion's are mostly uncleared)."""
    weights = [(s, int(w)) for s, w in (pair_.split(":") for pair_ in park["row"]["free_lot_statuses"].split())]
    for item in park["lots"]:
        if item["status"] is None:
            if item["group"] == "exp":
                item["status"] = statuses.choice(["not_cleared", "not_cleared", "available"])
            else:
                item["status"] = statuses.choices([w[0] for w in weights], [w[1] for w in weights])[0]


def single_versions(park: dict) -> None:
    """Lots without a status history: one version, their current status, from their plan on."""
    for item in park["lots"]:
        if item["versions"] is None:
            item["versions"] = [(item["status"], item["dec"], None)]


def split_lot(demo: Demo, split: str) -> None:
    """Vũng Áng 1: the largest free industrial lot split in two (a 12 m road across its long side) by a revision."""
    va1 = demo.parks["KCN-VA1"]
    old = max(
        (x for x in va1["lots"] if x["status"] in ("available", "reserved") and x["func"] == "industrial"),
        key=lambda x: x["area_ha"],
    )
    old["versions"] = [(old["status"], old["dec"], demo.eff(split))]
    old["split_into"] = split
    centre, angle = va1["core"].centroid, va1["row"]["lot_angle"]
    x0, y0, x1, y1 = affinity.rotate(old["geom"], -angle, origin=centre).bounds
    if x1 - x0 >= y1 - y0:
        mid = (x0 + x1) / 2
        halves = [box(x0, y0, mid - 6, y1), box(mid + 6, y0, x1, y1)]
    else:
        mid = (y0 + y1) / 2
        halves = [box(x0, y0, x1, mid - 6), box(x0, mid + 6, x1, y1)]
    for suffix, half, status in zip("AB", halves, ("available", "reserved"), strict=True):
        geom = affinity.rotate(half, angle, origin=centre)
        va1["lots"].append(
            dict(
                uid=f"{old['uid']}{suffix}",
                code=f"{old['code']}{suffix}",
                park="KCN-VA1",
                group="core",
                func="industrial",
                lu="SKK",
                geom=geom,
                dec=split,
                rent=old["rent"],
                status=status,
                versions=[(status, split, None)],
                area_ha=geod_area_ha(va1["local"].to_wgs(geom)),
                split_from=old["uid"],
            )
        )


def vung_ang_2_site(demo: Demo, facts: Facts) -> None:
    """The 48 ha Vũng Áng 2 plant site: a zone-level lot inside the power-centre area, ~750 m ESE of the plants."""
    plan = next(r["decision"] for r in facts.functional_areas if r["uid"] == "KKT-VA-DL_DIEN")
    demo.drawn[("KKT-VA-VA2", "site")] = star(
        demo.crs["HA_TINH"],
        *offset(*facts.point("VA_POWER"), 120, 750),
        48,
        "VA2-SITE",
        jitter=0.12,
        aspect=1.3,
        bearing=40,
        obstacles=rings(demo.drawn[("KKT-VA-DL_DIEN", plan)]),
        margin=30,
    )


def write_plots(demo: Demo, facts: Facts) -> None:
    """Every lot version, then the Vũng Áng 2 site (a zone-level lot without a park)."""
    for park in demo.parks.values():
        write_park_plots(demo, facts, park)
    policy = next(p for p in demo.projects if p["row"]["uid"] == "PRJ-VA2")["policy_decision"]
    demo.add(
        "land_plots",
        demo.crs["HA_TINH"].to_wgs(demo.drawn[("KKT-VA-VA2", "site")]),
        source=facts.src("VA_POWER", builder=True),
        notes="ILLUSTRATIVE 48 ha site of the Vũng Áng 2 power plant inside the power-centre area (real site not "
        "located); leased to VAPCO, clearance of the remaining parcels still running.",
        uid="KKT-VA-VA2",
        valid_from=demo.eff(policy),
        valid_to=None,
        decision=policy,
        code="VA2",
        name_vi="Khu đất Nhà máy nhiệt điện Vũng Áng 2",
        name_en="Vũng Áng 2 power plant site",
        park_uid=None,
        zone_uid="KKT-VA",
        planning_function="technical_infra",
        landuse_code=None,
        status="leased",
        land_rent_usd_m2=None,
    )


def write_park_plots(demo: Demo, facts: Facts, park: dict) -> None:
    """Every version of one park's lots."""
    named = {"KCN-VHVA-CN4", "KCN-VHVA-CN5"}  # lot names from the source (VHVA)
    for item in park["lots"]:
        wgs = park["local"].to_wgs(item["geom"])
        name_vi, name_en = LOT_NAMES[item["func"]]
        for status, number, to in item["versions"]:
            note = "ILLUSTRATIVE lot layout (the park's real 1/500 plan is not digitised); rent illustrative."
            if len(item["versions"]) == 1 and status == "leased":
                note += " Status is the current one, carried over the whole version (lease date not modelled)."
            if item.get("split_from"):
                note += f" Created by splitting {item['split_from']} ({item['dec']})."
            if item.get("split_into"):
                note += f" Split into {item['uid']}A and {item['uid']}B by {item['split_into']}."
            if item["uid"] in named:
                note += " Lot name from the source; geometry and status history illustrative."
            demo.add(
                "land_plots",
                wgs,
                source=facts.src("VHVA", builder=True) if item["uid"] in named else facts.src("builder"),
                notes=note,
                uid=item["uid"],
                valid_from=demo.eff(number),
                valid_to=to,
                decision=number,
                code=item["code"],
                name_vi=f"{name_vi} {item['code']}",
                name_en=f"{name_en} {item['code']}",
                park_uid=item["park"],
                zone_uid=park["row"]["zone_uid"],
                planning_function=item["func"],
                landuse_code=item["lu"],
                status=status,
                land_rent_usd_m2=item["rent"],
            )


def write_parks(demo: Demo, facts: Facts) -> None:
    """Every park version; its land-rent band is that of its lots."""
    for park in demo.parks.values():
        write_park(demo, facts, park)


def write_park(demo: Demo, facts: Facts, park: dict) -> None:
    """One park's versions; its land-rent band is that of its lots."""
    row = park["row"]
    rents = [x["rent"] for x in park["lots"]]
    for k, (geom, number, to) in enumerate(park["versions"]):
        demo.add(
            "industrial_parks",
            park["local"].to_wgs(geom),
            source=facts.src(row["sources"]),
            notes=row["notes"] + (" " + row["expansion_notes"] if k == 1 else ""),
            uid=row["uid"],
            valid_from=demo.eff(number),
            valid_to=to,
            decision=number,
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            kind=row["kind"],
            park_type="regular",
            zone_uid=row["zone_uid"],
            province_code=row["province_code"],
            developer=row["developer"],
            operating_from=iso(row["operating_from"]),
            operating_to=iso(row["operating_to"]),
            land_rent_usd_m2_min=min(rents),
            land_rent_usd_m2_max=max(rents),
            factory_rent_usd_m2_month=round(2.5 + (row["rent_min_usd_m2"] - 40) / 40, 1),
            power_kv=row["power_kv"],
            water_m3_day=row["water_m3_day"],
            wastewater_m3_day=row["wastewater_m3_day"],
            contact=None,
            official_area_ha=row["official_area_ha"],
        )


def project_point(demo: Demo, facts: Facts, project: dict):
    """A project's point: a named place, the centre of its park, area or site, or of its lots (rounded WGS84)."""
    row = project["row"]
    local = demo.crs[row["province_code"]]
    kind, _, ref = (row["point"] or "lots:").partition(":")
    if kind == "place":
        lat, lon = facts.point(ref)
        return round7(Point(lon, lat))
    if kind == "park":
        return local.to_wgs(demo.parks[ref]["core"].representative_point())
    if kind == "area":
        number = next(n for (uid, n) in reversed(demo.drawn) if uid == ref)  # the area's newest version
        return local.to_wgs(demo.drawn[(ref, number)].representative_point())
    if kind == "site":
        return local.to_wgs(demo.drawn[(ref, "site")].centroid)
    return local.to_wgs(shapely.union_all([lot(demo, u)["geom"] for u in project["plots"]]).representative_point())


def write_projects(demo: Demo, facts: Facts) -> None:
    """Project points and their plots; operating projects are noted for their figures (demo_build.enterprises)."""
    for p in demo.projects:
        write_project(demo, facts, p)


def write_project(demo: Demo, facts: Facts, p: dict) -> None:
    """One project's point, its plots; an operating one is noted for its figures (demo_build.enterprises)."""
    row = p["row"]
    if p["site_area_ha"] is None and p["plots"]:
        site = demo.drawn.get(("KKT-VA-VA2", "site"))
        p["site_area_ha"] = round(
            sum(
                lot(demo, u)["area_ha"] if u != "KKT-VA-VA2" else geod_area_ha(demo.crs["HA_TINH"].to_wgs(site))
                for u in p["plots"]
            ),
            2,
        )
    note = row["notes"].format(**demo.keys)
    if not (row["point"] or "").startswith("place:"):
        note += " Point illustrative (centre of its lots or area)."
    demo.add(
        "projects",
        project_point(demo, facts, p),
        illustrative=row["geometry_illustrative"],
        source=facts.src(row["sources"]),
        notes=note,
        **{k: row[k] for k in PROJECT_COLUMNS},
        policy_decision=p["policy_decision"],
        site_area_ha=p["site_area_ha"],
    )
    for u in p["plots"]:
        demo.project_plots.append((row["uid"], u))
    if row["status"] == "operating":
        op = dict((m, a) for m, _, a in p["ms"])["operation_start"]
        if op is None:
            fail(f"{row['uid']}: operating without an operation_start date")
        demo.operating.append({"row": row, "operation_start": op})
