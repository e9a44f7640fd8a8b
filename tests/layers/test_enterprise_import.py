"""`zoneatlas figures import FILE.csv`: every row or none, each bad row named with why; Vietnamese text kept."""

import os
import subprocess
import sys

from sqlalchemy import text

from gis.accounts import set_provinces
from tests.accounts import edits, make_user, staff  # noqa: F401  # fixtures

HEADER = "project_uid,year,period_kind,period,basis,revenue_vnd,exports_usd,workers_domestic,public,source\n"
SOURCE = "Báo cáo của doanh nghiệp quý 1/2031"


def _run(database_url: str, path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "api", "figures", "import", str(path), *options],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT pr.uid, f.period_kind, f.period, f.basis, f.revenue_vnd, f.workers_domestic, f.public, "
                "f.source FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id WHERE f.year = 2031 "
                "ORDER BY pr.uid, f.period_kind, f.period, f.basis"
            )
        ).all()


def test_good_file_is_imported_and_a_reimport_replaces_the_same_period(database_url, engine, edits, tmp_path):  # noqa: F811
    path = tmp_path / "figures.csv"
    path.write_text(
        HEADER
        + f"PRJ-GK-MAY,2031,quarter,1,estimate,1000,25.5,300,true,{SOURCE}\n"
        + f"PRJ-KP-PB,2031,month,2,final,2000,,40,false,{SOURCE}\n",
        encoding="utf-8",
    )
    done = _run(database_url, path)
    assert done.returncode == 0, done.stderr
    assert "imported 2 row(s)" in done.stdout
    assert [tuple(r) for r in _rows(engine)] == [
        ("PRJ-GK-MAY", "quarter", 1, "estimate", 1000, 300, True, SOURCE),
        ("PRJ-KP-PB", "month", 2, "final", 2000, 40, False, SOURCE),
    ]
    path.write_text(HEADER + f"PRJ-GK-MAY,2031,quarter,1,estimate,1100,25.5,310,true,{SOURCE}\n", encoding="utf-8")
    assert _run(database_url, path).returncode == 0
    assert _rows(engine)[0][4] == 1100 and len(_rows(engine)) == 2  # replaced, not added


def test_bad_rows_are_all_named_and_nothing_is_written(database_url, engine, edits, tmp_path):  # noqa: F811
    path = tmp_path / "figures.csv"
    path.write_text(
        HEADER
        + f"PRJ-GK-MAY,2031,year,0,final,1000,,300,true,{SOURCE}\n"  # good, but the file has bad rows
        + "PRJ-NOWHERE,2031,year,0,final,1,,1,true,x\n"
        + "PRJ-KP-PB,2031,quarter,7,final,1,,1,true,x\n"
        + "PRJ-KP-PB,2031,year,0,final,-5,,1,true,x\n"
        + "PRJ-KP-PB,2031,year,0,guess,1,,1,true,x\n",
        encoding="utf-8",
    )
    done = _run(database_url, path)
    assert done.returncode != 0
    assert "4 row error(s), nothing imported" in done.stderr
    assert "figures.csv line 3: no project 'PRJ-NOWHERE'" in done.stderr
    for line in ("line 4", "line 5", "line 6"):
        assert f"figures.csv {line}:" in done.stderr, done.stderr
    assert _rows(engine) == []


def _audit(engine, since: int) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT username, action, before->>'revenue_vnd', after->>'revenue_vnd', after->>'source' "
                "FROM audit_log WHERE layer_id = 'enterprise_figures' AND id > :since ORDER BY id"
            ),
            {"since": since},
        ).all()


def _last_audit_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one()


def test_the_import_is_audited_with_the_account_that_ran_it(database_url, engine, edits, staff, tmp_path):  # noqa: F811
    since = _last_audit_id(engine)
    path = tmp_path / "figures.csv"
    path.write_text(
        HEADER
        + f"PRJ-GK-MAY,2031,year,0,estimate,1000,,300,true,{SOURCE}\n"
        + f"PRJ-KP-PB,2031,year,0,estimate,2000,,40,true,{SOURCE}\n",
        encoding="utf-8",
    )
    done = _run(database_url, path, "--user", "test_editor")
    assert done.returncode == 0, done.stderr
    assert "(2 new, 0 updated)" in done.stdout
    path.write_text(HEADER + f"PRJ-KP-PB,2031,year,0,estimate,2500,,41,true,{SOURCE}\n", encoding="utf-8")
    done = _run(database_url, path, "--user", "test_editor")
    assert done.returncode == 0, done.stderr
    assert "(0 new, 1 updated)" in done.stdout
    assert [tuple(r) for r in _audit(engine, since)] == [
        ("test_editor", "create", None, "1000", SOURCE),
        ("test_editor", "create", None, "2000", SOURCE),
        ("test_editor", "update", "2000", "2500", SOURCE),
    ]


def test_a_bad_row_leaves_no_audit_record_and_no_row(database_url, engine, edits, tmp_path):  # noqa: F811
    since = _last_audit_id(engine)
    path = tmp_path / "figures.csv"
    path.write_text(
        HEADER
        + f"PRJ-GK-MAY,2031,year,0,final,1000,,300,true,{SOURCE}\n"
        + "PRJ-KP-PB,2031,year,0,final,abc,,1,true,x\n",
        encoding="utf-8",
    )
    done = _run(database_url, path)
    assert done.returncode != 0 and "figures.csv line 3: field 'revenue_vnd'" in done.stderr, done.stderr
    assert _rows(engine) == [] and _audit(engine, since) == []


def test_an_account_scoped_to_another_province_changes_nothing(database_url, engine, edits, tmp_path):  # noqa: F811
    make_user(engine, "figures_ht_editor", "editor")
    with engine.begin() as conn:
        set_provinces(conn, "figures_ht_editor", ["HA_TINH"])
    path = tmp_path / "figures.csv"
    path.write_text(HEADER + f"PRJ-GK-MAY,2031,year,0,final,1000,,300,true,{SOURCE}\n", encoding="utf-8")
    done = _run(database_url, path, "--user", "figures_ht_editor")
    assert done.returncode != 0
    assert "may change data in Hà Tĩnh only" in done.stderr and "nothing was written" in done.stderr, done.stderr
    assert _rows(engine) == []
