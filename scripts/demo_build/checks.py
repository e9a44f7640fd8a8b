"""Self-checks of the demo builder: everything about to be written is validated first (BuildError on a failure)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import shapely
from shapely.strtree import STRtree

from demo_build.record import GEOM_TYPE, Demo
from demo_build.shapes import fail, geod_area_ha

LOOKUPS = Path(__file__).resolve().parents[2] / "data" / "lookups"
AS_OF = date(2026, 10, 31)  # "today" of the demo: nothing happens after this date


def lookup_codes(name: str) -> set[str]:
    """The codes of one lookup table in data/lookups (what the database's foreign keys accept)."""
    with open(LOOKUPS / f"{name}.csv", encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def is_delayed(rows, status):
    """Same rule as layers/projects.py: a committed date before AS_OF missed, or met late."""
    if status == "terminated":
        return False
    return any(c is not None and c < AS_OF and (a is None or a > c) and (a is None or a <= AS_OF) for _, c, a in rows)


def overlaps_in_time(a, b):
    """[from, to) ranges overlap (None = open)."""
    a0, a1 = a["valid_from"], a["valid_to"] or "9999-12-31"
    b0, b1 = b["valid_from"], b["valid_to"] or "9999-12-31"
    return a0 < b1 and b0 < a1


def check_all(demo: Demo) -> list[str]:
    """Validate everything that is about to be written; raise BuildError on the first problem."""
    rows_of, geoms_of, decisions, by_number = demo.features, demo.geoms, demo.decisions, demo.by_number
    planning_functions, landuse_codes = lookup_codes("planning_functions"), lookup_codes("landuse_codes")
    gate_classes = lookup_codes("gate_classes")
    dec_numbers = {r["number"] for r in decisions}
    for r in decisions:
        if r["date_effective"] < r["date_signed"]:
            fail(f"decision {r['number']}: effective before signed")
        if r["supersedes"] and r["supersedes"] not in dec_numbers:
            fail(f"decision {r['number']}: supersedes unknown {r['supersedes']}")
        if r["date_signed"] > AS_OF:
            fail(f"decision {r['number']} is in the future")
    for table, rows in rows_of.items():
        for row, geom in zip(rows, geoms_of[table], strict=True):
            label = f"{table} {row.get('uid') or row.get('code') or row.get('parcel_no')}"
            if geom is None:
                if table != "admin_units":
                    fail(f"{label}: missing geometry")
                continue
            if geom.geom_type != GEOM_TYPE[table]:
                fail(f"{label}: {geom.geom_type} instead of {GEOM_TYPE[table]}")
            if not geom.is_valid:
                fail(f"{label}: invalid geometry ({shapely.is_valid_reason(geom)})")
            minx, miny, maxx, maxy = geom.bounds
            if not (102 < minx and maxx < 110 and 8 < miny and maxy < 24):
                fail(f"{label}: outside Vietnam/border area")
            for key in ("decision", "policy_decision"):
                if row.get(key) and row[key] not in dec_numbers:
                    fail(f"{label}: unknown decision {row[key]}")
            if row.get("decision") and row["valid_from"] != by_number[row["decision"]]["date_effective"].isoformat():
                fail(f"{label}: valid_from != decision date_effective")
    # versions: no overlap, contiguous, one open
    for table in ("economic_zones", "functional_areas", "industrial_parks", "land_plots"):
        by_uid: dict[str, list] = {}
        for row in rows_of[table]:
            by_uid.setdefault(row["uid"], []).append(row)
        for uid, versions in by_uid.items():
            versions.sort(key=lambda r: r["valid_from"])
            if sum(1 for v in versions if v["valid_to"] is None) > 1:
                fail(f"{table} {uid}: more than one open version")
            for a, b in zip(versions, versions[1:], strict=False):
                if a["valid_to"] != b["valid_from"]:
                    fail(f"{table} {uid}: versions not contiguous ({a['valid_to']} → {b['valid_from']})")
            for v in versions:
                if v["valid_to"] is not None and v["valid_to"] <= v["valid_from"]:
                    fail(f"{table} {uid}: empty validity")
    admin: dict[str, list] = {}
    for row in rows_of["admin_units"]:
        admin.setdefault(row["code"], []).append(row)
    for code, versions in admin.items():
        for a in versions:
            for b in versions:
                if a is not b and overlaps_in_time(a, b):
                    fail(f"admin_units {code}: overlapping validity")
    # areas of zones and parks with a published area
    for table in ("economic_zones", "industrial_parks"):
        for row, geom in zip(rows_of[table], geoms_of[table], strict=True):
            official = row["official_area_ha"]
            if official:
                got = geod_area_ha(geom)
                if abs(got - official) / official > 0.01:
                    fail(f"{table} {row['uid']}: {got:.1f} ha vs published {official}")

    # containment: functional areas in their zone version(s); parks of a zone in it; plots in their park
    def containing(parent_table, uid_field, child_table, child_uid_field, tol=1e-6):
        """Every child lies inside each parent version valid at the same time as it."""
        parents = list(zip(rows_of[parent_table], geoms_of[parent_table], strict=True))
        for row, geom in zip(rows_of[child_table], geoms_of[child_table], strict=True):
            parent_uid = row.get(child_uid_field)
            if not parent_uid:
                continue
            hosts = [(p, g) for p, g in parents if p[uid_field] == parent_uid and overlaps_in_time(p, row)]
            if not hosts:
                fail(f"{child_table} {row.get('uid')}: no {parent_table} {parent_uid} valid at the same time")
            for p, g in hosts:
                if not g.buffer(tol).contains(geom):
                    fail(
                        f"{child_table} {row.get('uid')} ({row['valid_from']}) not inside {parent_uid} "
                        f"({p['valid_from']})"
                    )

    containing("economic_zones", "uid", "functional_areas", "zone_uid")
    containing("economic_zones", "uid", "industrial_parks", "zone_uid")
    containing("industrial_parks", "uid", "land_plots", "park_uid")
    for row, geom in zip(rows_of["land_plots"], geoms_of["land_plots"], strict=True):
        if row["park_uid"] is None:
            zones = [
                g
                for z, g in zip(rows_of["economic_zones"], geoms_of["economic_zones"], strict=True)
                if z["uid"] == row["zone_uid"] and overlaps_in_time(z, row)
            ]
            if not zones or not all(z.contains(geom) for z in zones):
                fail(f"land_plots {row['uid']}: not inside its zone")
    # no two same-time functional areas, parks or plots overlap
    for table in ("functional_areas", "land_plots", "industrial_parks"):
        geoms = geoms_of[table]
        tree = STRtree(geoms)
        for i, (row, geom) in enumerate(zip(rows_of[table], geoms, strict=True)):
            for j in tree.query(geom):
                j = int(j)
                if j <= i:
                    continue
                other = rows_of[table][j]
                if other.get("uid") == row.get("uid") or not overlaps_in_time(row, other):
                    continue
                if geom.relate_pattern(geoms[j], "T********"):
                    fail(f"{table}: {row['uid']} overlaps {other['uid']} at the same time")
    # clearance parcels: no overlaps, inside the project's site, stage order, money rules
    sites = demo.clearance_sites  # the park, plot or area each project's parcels were laid out in
    parcels, pgeoms = rows_of["clearance_parcels"], geoms_of["clearance_parcels"]
    tree = STRtree(pgeoms)
    keys = set()
    for i, (row, geom) in enumerate(zip(parcels, pgeoms, strict=True)):
        key = (row["project_uid"], row["map_sheet"], row["parcel_no"])
        if key in keys:
            fail(f"clearance parcel number repeated: {key}")
        keys.add(key)
        if row["project_uid"] not in sites or not sites[row["project_uid"]].contains(geom):
            fail(f"clearance parcel {key} outside the project's site")
        for j in tree.query(geom):
            if int(j) > i and geom.relate_pattern(pgeoms[int(j)], "T********"):
                fail(f"clearance parcels {key} and #{int(j)} overlap")
        seq = [
            row[k]
            for k in (
                "notice_issued_on",
                "inventoried_on",
                "plan_approved_on",
                "compensation_paid_on",
                "handed_over_on",
            )
        ]
        present = [s for s in seq if s]
        if present != sorted(present) or any(seq[k] is None and seq[k + 1] for k in range(4)):
            fail(f"clearance parcel {key}: stage dates out of order {seq}")
        if (row["compensation_paid_vnd"] is None) != (row["compensation_paid_on"] is None):
            fail(f"clearance parcel {key}: paid amount without payment date or vice versa")
        if row["households_to_resettle"] > row["households_affected"]:
            fail(f"clearance parcel {key}: more to resettle than affected")
        if row["landuse_code"] not in landuse_codes:
            fail(f"clearance parcel {key}: landuse {row['landuse_code']}")
    stages = set()
    for row in parcels:
        stage = "not_started"
        for k, s in (
            ("notice_issued_on", "notice_issued"),
            ("inventoried_on", "inventoried"),
            ("plan_approved_on", "plan_approved"),
            ("compensation_paid_on", "compensation_paid"),
            ("handed_over_on", "handed_over"),
        ):
            if row[k]:
                stage = s
        stages.add(stage)
    if len(stages) != 6:
        fail(f"clearance stages represented: {sorted(stages)}")
    if not any(r["enforcement_on"] for r in parcels):
        fail("no parcel under enforcement")
    # vocabularies and keys
    for row in rows_of["land_plots"]:
        if row["planning_function"] not in planning_functions or (
            row["landuse_code"] and row["landuse_code"] not in landuse_codes
        ):
            fail(f"land plot {row['uid']}: bad code")
    for row in rows_of["border_gates"]:
        if row["gate_class"] not in gate_classes:
            fail(f"gate {row['uid']}: class")
    gates = {r["uid"]: r for r in rows_of["border_gates"]}
    for r in gates.values():
        if r["counterpart_uid"] and gates[r["counterpart_uid"]]["counterpart_uid"] != r["uid"]:
            fail(f"gate {r['uid']}: counterpart not linked both ways")
    plot_uids = {r["uid"] for r in rows_of["land_plots"]}
    proj_uids = {r["uid"] for r in rows_of["projects"]}
    linked = {u for _, u in demo.project_plots}
    for pid, u in demo.project_plots:
        if u not in plot_uids or pid not in proj_uids:
            fail(f"project_plots ({pid}, {u}) dangles")
    current_leased = {r["uid"] for r in rows_of["land_plots"] if r["status"] == "leased" and r["valid_to"] is None}
    if current_leased - linked:
        fail(f"leased plots without a project: {sorted(current_leased - linked)[:5]}")
    if len(proj_uids) != len(rows_of["projects"]):
        fail("duplicate project uid")
    statuses = {r["status"] for r in rows_of["projects"]}
    if statuses != {"policy_approved", "irc_issued", "under_construction", "operating", "terminated"}:
        fail(f"project statuses: {statuses}")
    delayed = [p["row"]["uid"] for p in demo.projects if is_delayed(p["ms"], p["row"]["status"])]
    if len(delayed) < 5:
        fail(f"only {len(delayed)} delayed projects")
    plot_status = {r["status"] for r in rows_of["land_plots"]}
    if plot_status != {"available", "reserved", "leased", "not_cleared"}:
        fail(f"plot statuses {plot_status}")
    n_plot_uids = len(plot_uids)
    if n_plot_uids < 220:
        fail(f"only {n_plot_uids} plots")
    if len(parcels) < 150:
        fail(f"only {len(parcels)} clearance parcels")
    if not {"KCN-VHVA-CN4", "KCN-VHVA-CN5"} <= plot_uids:
        fail("Vinhomes Vũng Áng lots CN4/CN5 missing")
    for row in rows_of["land_plots"]:
        if row["land_rent_usd_m2"] is not None and not 40 <= row["land_rent_usd_m2"] <= 150:
            fail(f"rent out of band: {row['uid']}")
    return delayed
