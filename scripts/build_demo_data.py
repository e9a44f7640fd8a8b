#!/usr/bin/env python3
"""Build the Zone Atlas demo data set in data/demo/ — deterministically, from the facts in data/sources/.

Run:  .venv/bin/python scripts/build_demo_data.py [OUT_DIR]     (default: data/demo)

What is real and what is illustrative
-------------------------------------
* Names, published areas (ha), decision numbers/dates, points marked `sourced` and every `sources` key in
  data/sources/*.csv come from the pages listed in data/sources/sources.csv (with the VERIFY caveats of each row);
  data/reference/ holds the domain reference list they were taken from.
* Every polygon and line is ILLUSTRATIVE: drawn here around the listed points so that its ellipsoidal area
  matches the published hectares (within 1 %), in the province's VN-2000 TM-3 CRS, then transformed to WGS84.
* Land plots, clearance parcels, most projects, investors marked "(hư cấu)", milestones, enterprise figures and
  targets (except the Ninh Bình totals of data/sources/enterprise_published.csv) and all
  decisions flagged illustrative=true are invented for the demo.

The script checks its own output (geometry types and validity, areas, containment, non-overlap of plots and
parcels, version chains, foreign keys, stage order) and writes nothing if a check fails (exit code 1).
Two runs produce byte-identical files (seeded RNG 20261122, no clock, no set iteration order).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The builder's parts live beside it in scripts/demo_build/ (scripts/ is on sys.path when this file is run).
from demo_build import clearance, enterprises, facts, gates, network, parks, planned, plans
from demo_build.checks import AS_OF, check_all
from demo_build.record import DEC_COLUMNS, Demo, csv_text, geojson_text
from demo_build.shapes import BuildError

OUT = Path(__file__).resolve().parents[1] / "data" / "demo"


# Curated tables written by hand (the programme's tasks as the board lists them): copied into the demo unchanged.
COPIED_SOURCES = (
    "issuing_boards.csv",
    "programme_units.csv",
    "programmes.csv",
    "programme_tasks.csv",
    "project_rent_terms.csv",
    "project_rent_amounts.csv",
    "project_findings.csv",
)


def build(sources: Path = facts.SOURCES) -> Demo:
    """Every record of the demo, built in a fixed order (the seeded draws depend on it)."""
    demo, known = Demo(), facts.load(sources)
    plans.decisions(demo, known)
    plans.admin_units(demo, known)
    plans.an_giang(demo, known)
    plans.cau_treo(demo, known)
    plans.vung_ang(demo, known)
    parks.parks(demo, known)
    parks.lots(demo)
    parks.vung_ang_2_site(demo, known)
    parks.projects(demo, known)
    parks.plot_histories(demo, known)
    parks.write_plots(demo, known)
    parks.write_parks(demo, known)
    parks.write_projects(demo, known)
    enterprises.figures(demo, sources)
    clearance.parcels(demo)
    clearance.settle_plots(demo)
    network.network(demo, known)
    planned.planned(demo, known, sources)
    demo.copied = {name: (sources / name).read_text(encoding="utf-8") for name in COPIED_SOURCES}
    gates.border_gate_land(demo, known, sources)  # last: its draws leave every earlier record as it was
    return demo


def files(demo: Demo) -> dict[str, str]:
    """The text of every file of data/demo/, by name."""
    out = {f"{table}.geojson": geojson_text(rows, demo.geoms[table]) for table, rows in demo.features.items()}
    out["decisions.csv"] = csv_text(DEC_COLUMNS, [[r[c] for c in DEC_COLUMNS] for r in demo.decisions])
    out["project_milestones.csv"] = csv_text(["project_uid", "milestone", "committed_on", "actual_on"], demo.milestones)
    out["project_plots.csv"] = csv_text(["project_uid", "plot_uid"], sorted(set(demo.project_plots)))
    out["enterprise_figures.csv"] = csv_text(
        enterprises.FIGURE_COLUMNS, [[r[c] for c in enterprises.FIGURE_COLUMNS] for r in demo.figures]
    )
    out["enterprise_targets.csv"] = csv_text(
        enterprises.TARGET_COLUMNS, [[r[c] for c in enterprises.TARGET_COLUMNS] for r in demo.targets]
    )
    out.update(demo.copied)
    return out


def write(out_dir: Path = OUT, sources: Path = facts.SOURCES) -> dict[str, int]:
    """Build, check, then write every file into out_dir; returns the row count of each file."""
    demo = build(sources)
    delayed = check_all(demo)
    texts = files(demo)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(texts.items()):
        (out_dir / name).write_text(text, encoding="utf-8")
    counts = {
        name: len(demo.features[name.split(".")[0]]) if name.endswith(".geojson") else text.count("\n") - 1
        for name, text in texts.items()
    }
    counts["delayed projects"] = len(delayed)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Write data/demo (or the folder given), print the counts; exit 1 and write nothing when a check fails."""
    args = sys.argv[1:] if argv is None else argv
    try:
        counts = write(Path(args[0]) if args else OUT)
    except BuildError as exc:
        print(f"build_demo_data: FAILED: {exc}", file=sys.stderr)
        return 1
    for name in sorted(counts):
        print(f"{name:28s} {counts[name]:5d}")
    print(f"as of {AS_OF}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
