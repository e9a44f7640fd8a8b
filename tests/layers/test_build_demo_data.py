"""The demo builder imports without building, rebuilds data/demo byte for byte from data/sources, and fails closed."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gis.settings import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "scripts"
DEMO = PROJECT_ROOT / "data" / "demo"
SOURCES = PROJECT_ROOT / "data" / "sources"
REFERENCE = PROJECT_ROOT / "data" / "reference" / "places.csv"


@pytest.fixture(scope="module")
def builder():
    sys.path.insert(0, str(SCRIPTS))
    try:
        import build_demo_data

        yield build_demo_data
    finally:
        sys.path.remove(str(SCRIPTS))


@pytest.fixture(scope="module")
def built(builder, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    counts = builder.write(out)
    return out, counts


def features(folder: Path, table: str) -> list[dict]:
    return json.loads((folder / f"{table}.geojson").read_text(encoding="utf-8"))["features"]


def by_uid(folder: Path, table: str, uid: str) -> list[dict]:
    return [f for f in features(folder, table) if f["properties"].get("uid") == uid]


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_importing_the_builder_builds_and_writes_nothing(tmp_path):
    before = {p.name: p.stat().st_mtime_ns for p in DEMO.iterdir()}
    probe = "import build_demo_data, sys; print(sorted(m for m in sys.modules if m.startswith('demo_build')))"
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("['demo_build'")  # its parts were imported...
    assert list(tmp_path.iterdir()) == []  # ...and nothing was written, here or in data/demo
    assert {p.name: p.stat().st_mtime_ns for p in DEMO.iterdir()} == before


def test_rebuild_is_byte_identical_to_the_committed_demo(built):
    out, _ = built
    names = sorted(p.name for p in DEMO.iterdir())
    assert sorted(p.name for p in out.iterdir()) == names
    for name in names:
        assert (out / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_counts_follow_the_source_files(built):
    out, counts = built
    # one feature per row of the point and line source files, one version per row of the zone file
    assert counts["border_gates.geojson"] == len(rows(SOURCES / "border_gates.csv")) == 8
    assert counts["transport_nodes.geojson"] == len(rows(SOURCES / "transport_nodes.csv")) == 10
    planned = [r["table"] for r in rows(SOURCES / "planned_features.csv")]  # one feature per planned thing
    # Hậu Giang's three planned centres, the gates' own logistics areas (data/sources/gate_logistics.csv), and the
    # candidate logistics sites of the plans
    gate_areas = len(rows(SOURCES / "gate_logistics.csv"))
    assert counts["logistics_centres.geojson"] == 3 + gate_areas + planned.count("logistics_centres") == 8
    assert counts["transport_lines.geojson"] == 7 + planned.count("transport_lines") == 13
    # An Giang 2 versions, Cầu Treo 2, Vũng Áng 1, and the planned Vũng Áng expansion
    assert counts["economic_zones.geojson"] == 5 + planned.count("economic_zones") == 6
    assert counts["admin_units.geojson"] == 23  # 10 province versions + 13 commune versions
    # + the Thành Công plant (anchor_projects.csv) and the two border-gate site-clearance projects
    clearing = len(rows(SOURCES / "clearance_projects.csv"))
    assert counts["projects.geojson"] == len(rows(SOURCES / "projects.csv")) + 1 + clearing == 28
    # six of projects.csv, and Xuân Tô's clearance: its land handover was due in 2020, its eastern batches still run
    assert counts["delayed projects"] == 7
    # 15 park versions: 10 parks + An Giang's 4 (border_gate_parks.csv), Gia Lách twice (its 2024 expansion); and 13
    # planned parks, clusters, expansions
    assert counts["industrial_parks.geojson"] == 15 + planned.count("industrial_parks") == 28
    assert len({f["properties"]["uid"] for f in features(out, "industrial_parks")}) == 27
    assert counts["search_aliases.csv"] == len(rows(SOURCES / "search_aliases.csv"))
    assert counts["functional_areas.geojson"] == len(rows(SOURCES / "functional_areas.csv"))


def test_known_values_of_the_real_facts(built):
    out, _ = built
    # QĐ 456/QĐ-TTg of 22/3/2016: 30,729.8 ha, replacing the earlier 26,583 ha plan
    ag = sorted(by_uid(out, "economic_zones", "KKTCK-AG"), key=lambda f: f["properties"]["valid_from"])
    assert [f["properties"]["official_area_ha"] for f in ag] == [26583, 30729.8]
    assert ag[1]["properties"]["decision"] == "456/QĐ-TTg"
    assert ag[1]["properties"]["valid_from"] == "2016-03-22" == ag[0]["properties"]["valid_to"]
    # Cầu Treo: 439/QĐ-TTg (16/3/2026) supersedes 162/2007/QĐ-TTg
    decisions = {r["number"]: r for r in rows(out / "decisions.csv")}
    assert decisions["439/QĐ-TTg"]["supersedes"] == "162/2007/QĐ-TTg"
    assert decisions["439/QĐ-TTg"]["date_signed"] == "2026-03-16"
    assert decisions["439/QĐ-TTg"]["illustrative"] == "false"
    # Vinhomes Vũng Áng IP: 964.84 ha; Vĩnh Xương road gate opened 23/2/2023
    (vhva,) = by_uid(out, "industrial_parks", "KCN-VHVA")
    assert vhva["properties"]["official_area_ha"] == 964.84
    (vx,) = by_uid(out, "border_gates", "CK-VINH-XUONG")
    assert vx["properties"]["opened_on"] == "2023-02-23"
    # the sourced Cầu Treo gate point, exactly as in the reference list
    (gate,) = by_uid(out, "border_gates", "CK-CAU-TREO")
    assert gate["geometry"]["coordinates"] == [105.160144, 18.390175]
    assert gate["properties"]["geometry_illustrative"] is False
    assert gate["properties"]["source"].startswith("https://")


def test_gate_names_are_those_of_the_reference_list(built):
    out, _ = built
    reference = {r["name_vi"] for r in rows(REFERENCE) if r["kind"] == "border_gate"}
    built_names = {f["properties"]["name_vi"] for f in features(out, "border_gates")}
    assert len(reference) == 5 and reference <= built_names


def test_a_failed_check_writes_nothing(builder, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    zones = (sources / "economic_zones.csv").read_text(encoding="utf-8")
    # claim 30,000 ha for Vũng Áng while its outline is drawn to 22,781 ha: the published-area check must stop it
    assert zones.count(",22781,") == 1
    (sources / "economic_zones.csv").write_text(zones.replace(",22781,", ",30000,"), encoding="utf-8")
    out = tmp_path / "demo"
    with pytest.raises(builder.BuildError, match="KKT-VA"):
        builder.write(out, sources)
    assert not out.exists()
