"""Land-clearance parcels of projects (invented cadastral layout) and their recovery / compensation decisions."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from shapely import affinity
from shapely.geometry import Point, box

from demo_build.checks import AS_OF
from demo_build.record import ILLUS, Demo, iso
from demo_build.shapes import SEED, Local, fail, jitter_grid

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Phan",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Hà",
    "Trương",
    "Thái",
    "Lưu",
    "Mai",
]
MIDDLE_M, MIDDLE_F = ["Văn", "Đình", "Hữu", "Quang", "Xuân", "Minh", "Đức"], ["Thị", "Thị", "Thu", "Ngọc", "Hồng"]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Thắng", "Sơn", "Hải", "Long", "Bình", "Cường", "Nam", "Phúc", "Tâm", "Lợi", "Kỳ"]
GIVEN_F = ["Lan", "Hoa", "Hương", "Mai", "Hạnh", "Nga", "Thủy", "Yến", "Loan", "Hà", "Liên", "Tuyết"]


def owner(rng):
    """A fictional Vietnamese owner name (internal field)."""
    if rng.random() < 0.04:
        return "UBND xã (đất công ích)"
    if rng.random() < 0.6:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def clearance(
    demo: Demo,
    project_uid: str,
    local: Local,
    site,
    key: str,
    *,
    commune,
    window,
    cell,
    angle,
    batches,
    sheet0,
    ont_centre,
    landuse_mix,
    price,
    settled=0,
    note="",
):
    """Parcels of one project: batches (by column band) go through the stages; stop at AS_OF or when stuck.

    The first `settled` batches have no holdouts: every parcel of them goes on to its handover (by AS_OF when the
    batch is early enough), so the lots they cover are clean land. `note` is added to every parcel's notes.
    """
    rng = random.Random(f"{SEED}/clearance/{project_uid}")
    demo.clearance_sites[project_uid] = local.to_wgs(site)
    cells = jitter_grid(site, key, cell_w=cell[0], cell_h=cell[1], angle=angle, window=window)
    if not cells:
        fail(f"{project_uid}: no parcels fit")
    imin = min(i for i, _, _ in cells)
    imax = max(i for i, _, _ in cells)
    ocx, ocy = local.xy(*ont_centre)
    per_sheet: dict[str, int] = {}
    approvals: dict[int, date] = {}
    for i, j, quad in cells:
        b = min(len(batches) - 1, (i - imin) * len(batches) // (imax - imin + 1))
        notice = iso(batches[b]) + timedelta(days=rng.randint(0, 20))
        plan_day = iso(batches[b]) + timedelta(days=150 + 7 * b % 40)
        near_village = math.hypot(quad.centroid.x - ocx, quad.centroid.y - ocy) < 260
        lu = "ONT" if near_village else rng.choices([c for c, _ in landuse_mix], [w for _, w in landuse_mix])[0]
        m2 = quad.area
        name = owner(rng)
        households = 0 if name.startswith("UBND") else (rng.randint(1, 3) if lu == "ONT" else 1)
        resettle = households if (lu == "ONT" and rng.random() < 0.7) else 0
        if lu == "ONT":
            approved = m2 * rng.uniform(*price["ONT"]) + households * rng.uniform(350e6, 900e6)
        else:
            approved = m2 * rng.uniform(*price["farm"])
        dates = {"notice": notice, "inv": None, "plan": None, "paid": None, "hand": None, "enf": None}
        stuck = 1.0 if b < settled else rng.random()  # 1.0: no holdout at any stage
        inv = notice + timedelta(days=rng.randint(20, 100))
        if inv <= AS_OF and stuck > 0.06:
            dates["inv"] = inv
            if plan_day >= inv and plan_day <= AS_OF and stuck > 0.16:
                dates["plan"] = plan_day
                approvals[b] = plan_day
                if stuck < 0.24:  # refused compensation → enforcement decided
                    enf = plan_day + timedelta(days=rng.randint(120, 260))
                    if enf <= AS_OF:
                        dates["enf"] = enf
                else:
                    paid = plan_day + timedelta(days=rng.randint(5, 30))
                    if paid <= AS_OF:
                        dates["paid"] = paid
                        hand = paid + timedelta(days=rng.randint(10, 120))
                        if hand <= AS_OF and stuck > 0.32:
                            dates["hand"] = hand
        if notice > AS_OF:
            dates = dict.fromkeys(dates)
        sheet = str(sheet0 + (j // 6))
        per_sheet[sheet] = per_sheet.get(sheet, 0) + rng.randint(1, 4)
        stage_note = "Parcel geometry, owner, amounts and dates ILLUSTRATIVE (invented cadastral layout)." + note
        if dates["enf"]:
            stage_note += " Owner refused the compensation plan; enforcement (cưỡng chế) decided."
        demo.add(
            "clearance_parcels",
            local.to_wgs(quad),
            source=ILLUS,
            notes=stage_note,
            project_uid=project_uid,
            parcel_no=str(per_sheet[sheet]),
            map_sheet=sheet,
            commune_code=commune,
            landuse_code=lu,
            owner_name=name,
            households_affected=households,
            households_to_resettle=resettle,
            compensation_approved_vnd=int(round(approved, -3)) if dates["plan"] else None,
            compensation_paid_vnd=int(round(approved, -3)) if dates["paid"] else None,
            notice_issued_on=dates["notice"],
            inventoried_on=dates["inv"],
            plan_approved_on=dates["plan"],
            compensation_paid_on=dates["paid"],
            handed_over_on=dates["hand"],
            enforcement_on=dates["enf"],
        )
    return approvals


def parcels(demo: Demo) -> None:
    """Parcels of the Vinhomes Vũng Áng IP and the Vũng Áng 2 site; per approved batch, recovery and compensation."""
    local = demo.crs["HA_TINH"]
    vhva = demo.parks["KCN-VHVA"]
    va2_site = demo.drawn[("KKT-VA-VA2", "site")]
    vhva_site = vhva["core"]
    vc = vhva_site.centroid
    vhva_window = affinity.rotate(box(vc.x - 700, vc.y - 150, vc.x + 150, vc.y + 600), 25, origin=vc)
    vhva_ont = local.to_wgs(Point(vc.x - 350, vc.y + 350))
    approvals_vhva = clearance(
        demo,
        "PRJ-VHVA",
        local,
        vhva_site,
        "PARCELS-VHVA",
        commune="HT_KY_LONG",
        window=vhva_window,
        cell=(55, 70),
        angle=25,
        # Batches start after the investment policy (2024): no recovery notice before the project is approved.
        batches=[
            "2024-06-03",
            "2024-09-09",
            "2024-12-09",
            "2025-03-10",
            "2025-07-14",
            "2025-11-17",
            "2026-06-01",
            "2026-12-01",
        ],
        sheet0=21,
        ont_centre=(vhva_ont.y, vhva_ont.x),
        landuse_mix=[("LUC", 6), ("BHK", 2), ("CLN", 1), ("NTS", 1)],
        price={"ONT": (1.2e6, 2.6e6), "farm": (95e3, 185e3)},
    )
    va2c = va2_site.centroid
    va2_ont = local.to_wgs(Point(va2c.x + 250, va2c.y - 150))
    approvals_va2 = clearance(
        demo,
        "PRJ-VA2",
        local,
        va2_site,
        "PARCELS-VA2",
        commune="HT_KY_LOI",
        window=None,
        cell=(50, 62),
        angle=40,
        batches=["2023-05-22", "2024-01-15", "2024-09-03", "2025-06-16", "2026-05-11"],
        sheet0=7,
        ont_centre=(va2_ont.y, va2_ont.x),
        landuse_mix=[("LUC", 3), ("LUK", 2), ("BHK", 2), ("NTS", 2), ("CLN", 1)],
        price={"ONT": (1.0e6, 2.2e6), "farm": (90e3, 170e3)},
    )
    # one land-recovery + compensation-plan decision per approved batch (district-level bodies before 7/2025)
    kyanh = ("Ủy ban nhân dân thị xã Kỳ Anh", "Ủy ban nhân dân phường Kỳ Anh (sau sắp xếp)")
    recovery_decisions(demo, "PRJ-VHVA", approvals_vhva, "Khu công nghiệp Vinhomes Vũng Áng", "KKT-VA", kyanh)
    recovery_decisions(demo, "PRJ-VA2", approvals_va2, "Nhà máy nhiệt điện Vũng Áng 2", "KKT-VA", kyanh)


def recovery_decisions(demo: Demo, pid: str, approvals: dict[int, date], place: str, zone: str, bodies) -> None:
    """Per approved batch, the land-recovery and the compensation-plan decision of the local committee that day:
    bodies = (district-level committee before the July 2025 reorganisation, commune-level one after)."""
    for b in sorted(approvals):
        day = approvals[b]
        body = bodies[0] if day < iso("2025-07-01") else bodies[1]
        note = (
            "ILLUSTRATIVE. Issued by a district/commune-level People's Committee; authority set to "
            "provincial_committee because the vocabulary has no lower level."
        )
        demo.decision(
            demo.next_no("QĐ-UBND", 1000),
            f"Thu hồi đất đợt {b + 1} để thực hiện dự án {place}",
            f"Land recovery, batch {b + 1}: {pid}",
            day,
            "provincial_committee",
            body,
            "land_recovery",
            zone=zone,
            project=pid,
            notes=note,
        )
        demo.decision(
            demo.next_no("QĐ-UBND", 1000),
            f"Phê duyệt phương án bồi thường, hỗ trợ, tái định cư đợt {b + 1} dự án {place}",
            f"Compensation, support and resettlement plan, batch {b + 1}: {pid}",
            day,
            "provincial_committee",
            body,
            "compensation_plan",
            zone=zone,
            project=pid,
            notes=note,
        )


def settle_plots(demo: Demo) -> None:
    """A plot still marked not cleared whose parcels are all handed over becomes available, under the first of its
    project's land-recovery decisions dated on or after the last handover and after the plot's own start (a lot
    planned after its parcels were handed over waits for the next one): the plot's status follows its parcels."""
    parcels = list(zip(demo.features["clearance_parcels"], demo.geoms["clearance_parcels"], strict=True))
    linked = set(demo.project_plots)
    plots = demo.features["land_plots"]
    for index in range(len(plots) - 1, -1, -1):
        row, geom = plots[index], demo.geoms["land_plots"][index]
        if row["valid_to"] is not None or row["status"] != "not_cleared":
            continue
        concern = [
            p for p, g in parcels if (p["project_uid"], row["uid"]) in linked or geom.relate_pattern(g, "2********")
        ]
        if not concern or any(p["handed_over_on"] is None for p in concern):
            continue
        last = max(iso(p["handed_over_on"]) for p in concern)
        projects = {p["project_uid"] for p in concern}
        recoveries = sorted(
            (d["date_effective"], d["number"])
            for d in demo.decisions
            if d["kind"] == "land_recovery"
            and d["project_uid"] in projects
            and d["date_effective"] >= last
            and d["date_effective"] > iso(row["valid_from"])
        )
        if not recoveries:
            fail(f"{row['uid']}: every parcel is handed over but no later land-recovery decision can free the plot")
        day, number = recoveries[0]
        row["valid_to"] = day.isoformat()
        plots.insert(
            index + 1,
            {**row, "valid_from": day.isoformat(), "valid_to": None, "decision": number, "status": "available"},
        )
        demo.geoms["land_plots"].insert(index + 1, geom)
