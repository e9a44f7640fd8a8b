"""Enterprise figures (2019-2025) of the operating projects and targets per board, zone and park — invented, except
the Ninh Bình board's published 2020-2022 totals in data/sources/enterprise_published.csv, split between the demo's
Ninh Bình projects so that the province's totals come out exactly as published."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from demo_build.record import ILLUS, Demo
from demo_build.shapes import SEED, fail

YEARS = range(2019, 2026)
ESTIMATE_YEAR = 2025  # the latest year is still an estimate (ước); its final figure has not been reported
VND_PER_USD = 25_400
MEASURES = ("revenue_vnd", "exports_usd", "imports_usd", "budget_vnd", "workers_domestic", "workers_foreign")
MEASURES += ("new_jobs",)
FIGURE_COLUMNS = ["project_uid", "year", "period_kind", "period", "basis", *MEASURES]
FIGURE_COLUMNS += ["registered_capital_vnd", "registered_capital_usd", "implemented_capital_vnd"]
FIGURE_COLUMNS += ["implemented_capital_usd", "source", "public", "illustrative", "notes"]
TARGET_COLUMNS = ["scope", "scope_uid", "year", *MEASURES, "source", "public", "illustrative", "notes"]
INVENTED = "all numbers invented for the demo"
QUARTER_YEARS = (2023, 2024, 2025)  # years also reported by quarter, so the quarterly report has something to show
QUARTERLY = "invented quarterly split of the project's invented year (flows add up to it; Q4 workers are the year's)"
FLOW_MEASURES = ("revenue_vnd", "exports_usd", "imports_usd", "budget_vnd", "new_jobs")
TARGET_NOTE = "invented plan for the demo: the year's figures of the projects there, rounded, ±10 %"


def published(sources: Path) -> list[dict]:
    """The published rows (figures and targets) with their numbers as ints (None where not published)."""
    rows = list(csv.DictReader((sources / "enterprise_published.csv").open(encoding="utf-8")))
    for r in rows:
        for m in MEASURES:
            r[m] = int(r[m]) if r.get(m) else None
        r["year"] = int(r["year"])
    return rows


def split(total: int, shares: list[float]) -> list[int]:
    """An integer total in parts by share; the last part takes the rounding so the parts add up exactly."""
    parts = [int(round(total * s)) for s in shares[:-1]]
    return [*parts, total - sum(parts)]


def _invented(rng: random.Random, row: dict, year: int) -> dict:
    """One operating project's invented figures for a year, scaled by its capital and grown ~6 % a year."""
    scale = (row["capital_usd"] or (row["capital_vnd"] or 0) / 25_000) / 1e6  # USD million
    foreign_investor = row["investor_country"] != "VN"
    growth = 1 + 0.06 * (year - 2021) + rng.uniform(-0.08, 0.08)
    revenue_usd = scale * 1e6 * rng.uniform(0.6, 1.1) * growth
    exports = revenue_usd * (rng.uniform(0.2, 0.85) if foreign_investor else rng.uniform(0.0, 0.4))
    workers = int(min(12000, 80 + scale * rng.uniform(2.5, 6.0)) * growth)
    foreign = int(workers * (rng.uniform(0.01, 0.06) if foreign_investor else 0.003))
    return {
        "revenue_vnd": int(round(revenue_usd * VND_PER_USD, -6)),
        "exports_usd": int(round(exports, -3)),
        "imports_usd": int(round(exports * rng.uniform(0.3, 0.7), -3)),
        "budget_vnd": int(round(revenue_usd * VND_PER_USD * rng.uniform(0.02, 0.08), -6)),
        "workers_domestic": workers - foreign,
        "workers_foreign": foreign,
    }


def _capital(row: dict, year: int, started: int) -> dict:
    """Registered capital as in the project's certificate; implemented capital growing to it over ten years."""
    share = min(1.0, 0.4 + 0.06 * (year - started))
    usd, vnd = row["capital_usd"], row["capital_vnd"]
    return {
        "registered_capital_vnd": vnd,
        "registered_capital_usd": usd,
        "implemented_capital_vnd": None if vnd is None else int(round(vnd * share, -6)),
        "implemented_capital_usd": None if usd is None else int(round(usd * share, -3)),
    }


def figures(demo: Demo, sources: Path) -> None:
    """Yearly figures of every operating project 2019-2025 and the targets of each province, zone and park."""
    rng = random.Random(f"{SEED}/figures")
    known = published(sources)
    nb_figures = {r["year"]: r for r in known if r["kind"] == "figure"}
    nb_projects = [p["row"] for p in demo.operating if p["row"]["province_code"] == "NINH_BINH"]
    if nb_figures and len(nb_projects) < 2:
        fail("the published Ninh Bình totals need at least two operating Ninh Bình projects to split between")
    for p in demo.operating:
        row, started = p["row"], p["operation_start"].year + (1 if p["operation_start"].month > 6 else 0)
        previous_workers = None
        for year in YEARS:
            if year < started:
                continue
            values = _invented(rng, row, year)
            workers = values["workers_domestic"] + values["workers_foreign"]
            values["new_jobs"] = workers if previous_workers is None else max(0, workers - previous_workers)
            values["new_jobs"] = int(values["new_jobs"] + workers * rng.uniform(0.02, 0.06))  # turnover replaced
            previous_workers = workers
            demo.figures.append(
                {
                    "project_uid": row["uid"],
                    "year": year,
                    "period_kind": "year",
                    "period": 0,
                    "basis": "estimate" if year == ESTIMATE_YEAR else "final",
                    **values,
                    **_capital(row, year, started),
                    "source": ILLUS,
                    "public": year != ESTIMATE_YEAR,  # estimates stay internal until the final figure is out
                    "illustrative": True,
                    "notes": INVENTED,
                }
            )
    if nb_figures:
        _ninh_binh(demo, rng, nb_projects, nb_figures)
    _targets(demo, rng, known)
    _quarters(demo, rng)


def _quarters(demo: Demo, rng: random.Random) -> None:
    """Each yearly figure of QUARTER_YEARS split into four quarters: flows add up to the year exactly, head counts
    grow to the year's by Q4. The estimate year's last quarter is an estimate too; quarters are as public as the year.
    Added after the targets, which are computed from the yearly figures only."""
    quarters = []
    for f in demo.figures:
        if f["year"] not in QUARTER_YEARS or f["period_kind"] != "year" or f["notes"] != INVENTED:
            continue
        shares = [rng.uniform(0.21, 0.29) for _ in range(3)]
        shares.append(1 - sum(shares))
        parts = {m: split(f[m], shares) if f[m] is not None else [None] * 4 for m in FLOW_MEASURES}
        for q in range(1, 5):
            growth = 1 - 0.015 * (4 - q)  # head counts a little lower earlier in the year
            quarters.append(
                {
                    **f,
                    "period_kind": "quarter",
                    "period": q,
                    "basis": "estimate" if f["basis"] == "estimate" and q == 4 else "final",
                    **{m: parts[m][q - 1] for m in FLOW_MEASURES},
                    **{
                        m: None if f[m] is None else int(round(f[m] * growth))
                        for m in ("workers_domestic", "workers_foreign")
                    },
                    "notes": QUARTERLY,
                }
            )
    demo.figures.extend(quarters)
    demo.figures.sort(key=lambda f: (f["project_uid"], f["year"], f["period_kind"] != "year", f["period"], f["basis"]))


def _ninh_binh(demo: Demo, rng: random.Random, projects: list[dict], totals: dict[int, dict]) -> None:
    """Replace the Ninh Bình projects' invented figures of the published years by a split of the published totals."""
    uids = [r["uid"] for r in projects]
    # The other years are scaled by the published year over the invented one, so the series stays plausible.
    base_year = max(totals)
    invented = [f for f in demo.figures if f["project_uid"] in uids and f["year"] == base_year]
    for m in MEASURES:
        made, real = sum(f[m] or 0 for f in invented), totals[base_year][m]
        if not made or real is None:
            continue
        for f in demo.figures:
            if f["project_uid"] in uids and f["year"] not in totals and f[m] is not None:
                f[m] = int(round(f[m] * real / made, -6 if m.endswith("_vnd") else -3 if m.endswith("_usd") else 0))
    demo.figures[:] = [f for f in demo.figures if not (f["project_uid"] in uids and f["year"] in totals)]
    for year, total in sorted(totals.items()):
        first = rng.uniform(0.45, 0.65)
        shares = [first, 1 - first] if len(uids) == 2 else [1 / len(uids)] * len(uids)
        parts = {m: split(total[m], shares) if total[m] is not None else [None] * len(uids) for m in MEASURES}
        for i, row in enumerate(projects):
            demo.figures.append(
                {
                    "project_uid": row["uid"],
                    "year": year,
                    "period_kind": "year",
                    "period": 0,
                    "basis": total["basis"],
                    **{m: parts[m][i] for m in MEASURES},
                    **_capital(row, year, year),
                    "source": total["source"],
                    "public": True,
                    "illustrative": True,  # the split is invented, whatever the total
                    "notes": "the province's published total (see data/sources/enterprise_published.csv), split "
                    "between the demo's Ninh Bình projects by an invented share; " + total["notes"],
                }
            )
    demo.figures.sort(key=lambda f: (f["project_uid"], f["year"], f["basis"]))


def _targets(demo: Demo, rng: random.Random, known: list[dict]) -> None:
    """Invented targets per province, zone and park and year; the published Ninh Bình plans replace the province's."""
    where = {p["row"]["uid"]: p["row"] for p in demo.operating}
    sums: dict[tuple[str, str, int], dict[str, int]] = {}
    for f in demo.figures:
        row = where[f["project_uid"]]
        for scope, uid in (("province", row["province_code"]), ("zone", row["zone_uid"]), ("park", row["park_uid"])):
            if uid:
                total = sums.setdefault((scope, uid, f["year"]), dict.fromkeys(MEASURES, 0))
                for m in MEASURES:
                    total[m] += f[m] or 0
    plans = {(r["province_code"], r["year"]): r for r in known if r["kind"] == "target"}
    for (scope, uid, year), total in sorted(sums.items()):
        plan = plans.get((uid, year)) if scope == "province" else None
        if plan is not None:
            values = {m: plan[m] for m in MEASURES}
            source, illustrative, notes = plan["source"], plan["illustrative"] == "true", plan["notes"]
        else:
            values = {
                "revenue_vnd": int(round(total["revenue_vnd"] * rng.uniform(0.9, 1.1), -9)),
                "exports_usd": int(round(total["exports_usd"] * rng.uniform(0.9, 1.1), -6)),
                "imports_usd": None,
                "budget_vnd": int(round(total["budget_vnd"] * rng.uniform(0.9, 1.1), -9)),
                "workers_domestic": None,
                "workers_foreign": None,
                "new_jobs": int(round(total["new_jobs"] * rng.uniform(0.9, 1.1), -1)),
            }
            source, illustrative, notes = ILLUS, True, TARGET_NOTE
        demo.targets.append(
            {
                "scope": scope,
                "scope_uid": uid,
                "year": year,
                **values,
                "source": source,
                "public": scope == "province",  # the board's programme is published; park plans stay internal
                "illustrative": illustrative,
                "notes": notes,
            }
        )
    for (uid, year), plan in sorted(plans.items()):
        if ("province", uid, year) not in sums:
            demo.targets.append(
                {
                    "scope": "province",
                    "scope_uid": uid,
                    "year": year,
                    **{m: plan[m] for m in MEASURES},
                    "source": plan["source"],
                    "public": True,
                    "illustrative": plan["illustrative"] == "true",
                    "notes": plan["notes"],
                }
            )
