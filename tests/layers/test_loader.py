"""Demo loading: repeated loads change nothing, bad files stop the load and write nothing."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from gis.errors import InvalidInput
from layers.demo.loader import DATA_TABLES, load_demo
from tests.conftest import DATA_DIR


def _counts(conn) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in DATA_TABLES}


def _versions(conn) -> dict[str, int]:
    return dict(conn.execute(text("SELECT table_name, version FROM layer_changes")).all())


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(DATA_DIR / "demo", target)
    return target


def _edit_feature(folder: Path, file: str, index: int, change) -> None:
    path = folder / file
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc["features"][index - 1])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_a_second_load_of_the_same_files_changes_nothing(db_conn):
    before_counts, before_versions = _counts(db_conn), _versions(db_conn)
    result = load_demo(db_conn, DATA_DIR / "demo")
    assert result.skipped
    assert _counts(db_conn) == before_counts
    assert _versions(db_conn) == before_versions


def test_invalid_polygon_stops_the_cli_load_naming_file_and_feature(demo_copy, database_url, engine):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[106.0, 18.0], [106.01, 18.01], [106.01, 18.0], [106.0, 18.01], [106.0, 18.0]]],
    }
    _edit_feature(demo_copy, "land_plots.geojson", 3, lambda f: f.update(geometry=bowtie))
    with engine.connect() as conn:
        before = _counts(conn)
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "api", "demo", "load", "--data-dir", str(demo_copy)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "land_plots.geojson feature #3" in done.stderr
    assert "Self-intersection" in done.stderr
    assert "nothing was loaded" in done.stderr
    with engine.connect() as conn:
        assert _counts(conn) == before


@pytest.mark.parametrize(
    ("file", "index", "change", "message"),
    [
        (
            "land_plots.geojson",
            1,
            lambda f: f["properties"].update(decision="999/QĐ-KHÔNG-CÓ"),
            "decision '999/QĐ-KHÔNG-CÓ' does not match any decisions.number",
        ),
        ("border_gates.geojson", 2, lambda f: f["properties"].pop("name_vi"), "required field(s) missing: name_vi"),
        (
            "economic_zones.geojson",
            1,
            lambda f: f.update(geometry={"type": "Point", "coordinates": [105.0, 10.6]}),
            "geometry is a Point, this layer holds Multipolygon",
        ),
        (
            "land_plots.geojson",
            2,
            lambda f: f["properties"].update(valid_from="2020-13-45"),
            "field 'valid_from': '2020-13-45' is not a valid date",
        ),
        ("land_plots.geojson", 4, lambda f: f["properties"].update(status="sold"), "ck_land_plots_status"),
        ("projects.geojson", 1, lambda f: f["properties"].update(colour="red"), "unknown field(s) colour"),
        (
            "border_gates.geojson",
            1,
            lambda f: f.update(geometry={"type": "Point", "coordinates": [594081.1, 2003540.1]}),
            "coordinates are not WGS84 longitude/latitude",
        ),
    ],
)
def test_bad_demo_input_is_refused_with_a_clear_message(db_conn, demo_copy, file, index, change, message):
    _edit_feature(demo_copy, file, index, change)
    before = _counts(db_conn)
    with pytest.raises(InvalidInput) as caught:
        with db_conn.begin_nested():
            load_demo(db_conn, demo_copy)
    assert f"{file} feature #{index}" in str(caught.value)
    assert message in str(caught.value)
    assert _counts(db_conn) == before
