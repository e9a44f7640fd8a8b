"""The enterprises report for a board of 500 enterprises × 7 years × 12 months: time of the JSON, XLSX, PDF, DOCX.

Run with `.venv/bin/python bench/enterprises_report.py [--enterprises 500] [--keep]`. It creates its own throwaway
database `zoneatlas_bench_enterprises` (migrations and demo data), adds GEN-ENT-… projects spread over the demo's
current parks with monthly figures 2019-2025 (final, 2025 estimates; registered and implemented capital among
them) and yearly targets per park and province,
then times `enterprises_report` (the route's work) plus its JSON encoding, its XLSX, its PDF and its DOCX, median of
5 runs each, for the whole country (a year and a quarter, which also reads the quarter before), one province and one
park. The database is dropped at the end unless --keep.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gis.database_admin import drop_database  # noqa: E402
from gis.settings import Settings  # noqa: E402
from layers.enterprise_files import report_xlsx  # noqa: E402
from layers.enterprises import ReportQuery, enterprises_report  # noqa: E402
from maps.enterprises_report import report_document  # noqa: E402
from maps.report_docx import enterprises_docx  # noqa: E402

YEARS = range(2019, 2026)


def prepare(url: str, enterprises: int) -> None:
    """Migrate, load the demo, then write the generated enterprises, their monthly figures and the targets."""
    env = {**os.environ, "DATABASE_URL": url}
    za = str(ROOT / ".venv" / "bin" / "zoneatlas")
    subprocess.run([za, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([za, "demo", "load", "--replace"], env=env, check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(16)
    engine = create_engine(url)
    with engine.begin() as conn:
        parks = conn.execute(
            text("SELECT uid, zone_uid, province_code FROM industrial_parks WHERE valid_to IS NULL ORDER BY uid")
        ).all()
        projects = [
            {"uid": f"GEN-ENT-{i:04d}", "park": parks[i % len(parks)], "scale": rng.uniform(0.2, 5.0)}
            for i in range(enterprises)
        ]
        conn.execute(
            text(
                "INSERT INTO projects (uid, name_vi, name_en, investor, sector, status, province_code, zone_uid, "
                "park_uid, geom) SELECT :uid, :name, :name, :investor, 'Công nghiệp chế biến', 'operating', "
                ":province, :zone, :park, ST_PointOnSurface(geom) FROM industrial_parks "
                "WHERE uid = :park AND valid_to IS NULL"
            ),
            [
                {
                    "uid": p["uid"],
                    "name": f"Doanh nghiệp thử {p['uid']}",
                    "investor": f"Công ty thử {p['uid']}",
                    "province": p["park"].province_code,
                    "zone": p["park"].zone_uid,
                    "park": p["park"].uid,
                }
                for p in projects
            ],
        )
        ids = dict(conn.execute(text("SELECT uid, id FROM projects WHERE uid LIKE 'GEN-ENT-%'")).all())
        rows = []
        for p in projects:
            for year in YEARS:
                for month in range(1, 13):
                    revenue = int(p["scale"] * 1e10 * rng.uniform(0.8, 1.2))
                    rows.append(
                        {
                            "p": ids[p["uid"]],
                            "y": year,
                            "m": month,
                            "b": "estimate" if year == 2025 else "final",
                            "r": revenue,
                            "e": revenue / 25_400 * rng.uniform(0.1, 0.6),
                            "g": int(revenue * 0.05),
                            "wd": int(p["scale"] * 300),
                            "wf": int(p["scale"] * 5),
                            "j": rng.randint(0, 20),
                            "rc": int(p["scale"] * 2e11),  # registered capital (VND); implemented grows to it
                            "ic": int(p["scale"] * 2e11 * min(1.0, 0.4 + 0.005 * ((year - 2019) * 12 + month))),
                        }
                    )
        conn.execute(
            text(
                "INSERT INTO enterprise_figures (project_id, year, period_kind, period, basis, revenue_vnd, "
                "exports_usd, budget_vnd, workers_domestic, workers_foreign, new_jobs, registered_capital_vnd, "
                "implemented_capital_vnd, public) "
                "VALUES (:p, :y, 'month', :m, :b, :r, :e, :g, :wd, :wf, :j, :rc, :ic, true)"
            ),
            rows,
        )
        scopes = {("park", p.uid) for p in parks} | {("province", p.province_code) for p in parks}
        conn.execute(
            text(
                "INSERT INTO enterprise_targets (scope, scope_uid, year, revenue_vnd, exports_usd, new_jobs) "
                "VALUES (:s, :u, :y, 1e15, 1e10, 5000) ON CONFLICT DO NOTHING"
            ),
            [{"s": s, "u": u, "y": y} for s, u in sorted(scopes) for y in YEARS],
        )
        print(f"{enterprises} enterprises, {len(rows)} monthly figure rows over {len(parks)} parks", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def timed(work, runs: int = 5) -> float:
    """Median milliseconds of a few runs, after one warm-up."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Prepare the throwaway database, print the timings, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    args = parser.parse_args()
    base = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    url = make_url(base).set(database="zoneatlas_bench_enterprises").render_as_string(hide_password=False)
    drop_database(url)
    try:
        prepare(url, args.enterprises)
        engine = create_engine(url)
        cases = [
            ("all provinces, year 2025", ReportQuery(2025)),
            ("all provinces, 2025 Q2", ReportQuery(2025, 2)),
            ("province HA_TINH, 2024", ReportQuery(2024, province="HA_TINH")),
            ("park KCN-VA1, 2024", ReportQuery(2024, park="KCN-VA1")),
        ]
        print(f"{'case':32s} {'JSON ms':>9s} {'XLSX ms':>9s} {'PDF ms':>9s} {'DOCX ms':>9s}")
        with engine.connect() as conn:
            for label, query in cases:
                json_ms = timed(lambda q=query: json.dumps(enterprises_report(conn, q, staff=True)))
                xlsx_ms = timed(lambda q=query: report_xlsx(enterprises_report(conn, q, staff=True)))
                pdf_ms = timed(lambda q=query: report_document(enterprises_report(conn, q, staff=True), "bench"))
                docx_ms = timed(lambda q=query: enterprises_docx(enterprises_report(conn, q, staff=True), "bench"))
                print(f"{label:32s} {json_ms:9.1f} {xlsx_ms:9.1f} {pdf_ms:9.1f} {docx_ms:9.1f}", flush=True)
        engine.dispose()
    finally:
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
