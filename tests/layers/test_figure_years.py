"""enterprise_figure_years (migration 0025) stays equal to the figures it is derived from after every kind of write:
values worked out by hand here, and the whole table compared with a resolution from scratch."""

import threading

from sqlalchemy import Connection, text

PROJECT, OTHER = "PRJ-GK-MAY", "PRJ-KP-PB"

FROM_SCRATCH = """
SELECT r.project_id, r.year, a.public_only, r.revenue_vnd, r.workers_domestic, r.estimated
FROM (VALUES (false), (true)) a (public_only),
     LATERAL za_resolved_figures(ARRAY(SELECT id FROM projects), 1990, 2100, NULL, a.public_only) r
"""
KEPT = "SELECT project_id, year, public_only, revenue_vnd, workers_domestic, estimated FROM enterprise_figure_years"


def _differences(conn: Connection) -> int:
    """Rows in the kept table and not in a fresh resolution, and the other way round."""
    sql = f"SELECT count(*) FROM (({KEPT} EXCEPT {FROM_SCRATCH}) UNION ALL ({FROM_SCRATCH} EXCEPT {KEPT})) d"
    return conn.execute(text(sql)).scalar_one()


def _project(conn: Connection, uid: str) -> int:
    return conn.execute(text("SELECT id FROM projects WHERE uid = :u"), {"u": uid}).scalar_one()


def _add(conn: Connection, project: int, year: int, kind: str, period: int, revenue: int, workers: int, **more) -> None:
    values = {"project_id": project, "year": year, "period_kind": kind, "period": period, "basis": "final"}
    values |= {"revenue_vnd": revenue, "workers_domestic": workers, "public": True, **more}
    columns = ", ".join(values)
    conn.execute(
        text(f"INSERT INTO enterprise_figures ({columns}) VALUES ({', '.join(':' + k for k in values)})"), values
    )


def _kept(conn: Connection, project: int, year: int, public_only: bool):
    sql = (
        "SELECT revenue_vnd, workers_domestic, estimated FROM enterprise_figure_years "
        "WHERE project_id = :p AND year = :y AND public_only = :o"
    )
    return conn.execute(text(sql), {"p": project, "y": year, "o": public_only}).one_or_none()


def test_kept_years_follow_inserts_updates_deletes_and_truncate(db_conn):
    assert _differences(db_conn) == 0  # the demo, loaded through the loader's inserts
    project, other = _project(db_conn, PROJECT), _project(db_conn, OTHER)
    # Twelve months of 2031: revenue 10, 20, … 120 (sum 780); workers 100 + month; month 12 only for staff.
    for month in range(1, 13):
        _add(db_conn, project, 2031, "month", month, 10 * month, 100 + month, public=month != 12)
    assert tuple(_kept(db_conn, project, 2031, False)) == (780, 112, False)
    assert tuple(_kept(db_conn, project, 2031, True)) == (660, 111, False)  # 780 − 120; workers as at November
    # An estimate for March beside its final figure changes nothing; alone (the final deleted) it counts, marked.
    _add(db_conn, project, 2031, "month", 3, 999, 999, basis="estimate")
    assert tuple(_kept(db_conn, project, 2031, False)) == (780, 112, False)
    db_conn.execute(
        text("DELETE FROM enterprise_figures WHERE project_id = :p AND year = 2031 AND period = 3 AND basis = 'final'"),
        {"p": project},
    )
    assert tuple(_kept(db_conn, project, 2031, False)) == (780 - 30 + 999, 112, True)
    # A corrected figure; then a yearly row, which outranks the months.
    db_conn.execute(
        text("UPDATE enterprise_figures SET revenue_vnd = 5 WHERE project_id = :p AND year = 2031 AND period = 1"),
        {"p": project},
    )
    assert _kept(db_conn, project, 2031, False).revenue_vnd == 780 - 30 + 999 - 10 + 5
    _add(db_conn, project, 2031, "year", 0, 5000, 150)
    assert tuple(_kept(db_conn, project, 2031, False)) == (5000, 150, False)
    # Figures moved to another project: both are recomputed.
    db_conn.execute(
        text("UPDATE enterprise_figures SET project_id = :o WHERE project_id = :p AND year = 2031"),
        {"p": project, "o": other},
    )
    assert _kept(db_conn, project, 2031, False) is None
    assert tuple(_kept(db_conn, other, 2031, False)) == (5000, 150, False)
    assert _differences(db_conn) == 0
    db_conn.execute(text("UPDATE enterprise_figures SET public = NOT public WHERE project_id = :o"), {"o": other})
    assert _differences(db_conn) == 0
    # A project deleted: its figures go by cascade, and so do its kept years.
    kept = text("SELECT count(*) FROM enterprise_figure_years WHERE project_id = :o")
    assert db_conn.execute(kept, {"o": other}).scalar_one() > 0
    db_conn.execute(text("DELETE FROM project_plots WHERE project_id = :o"), {"o": other})
    db_conn.execute(text("DELETE FROM projects WHERE id = :o"), {"o": other})
    assert db_conn.execute(kept, {"o": other}).scalar_one() == 0
    assert _differences(db_conn) == 0
    db_conn.execute(text("TRUNCATE enterprise_figures"))
    assert db_conn.execute(text("SELECT count(*) FROM enterprise_figure_years")).scalar_one() == 0


def test_two_writers_of_one_project_leave_both_figures_counted(engine):
    """Each transaction recomputes after the other's commit (the lock), so neither erases the other's figure."""
    with engine.connect() as conn:
        project = _project(conn, PROJECT)
    first_wrote, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with engine.begin() as conn:
                _add(conn, project, 2040, "month", 1, 100, 10)
                first_wrote.set()
                second_started.wait(10)
                threading.Event().wait(0.5)  # the second is now waiting on the lock
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def second() -> None:
        try:
            first_wrote.wait(10)
            with engine.begin() as conn:
                second_started.set()
                _add(conn, project, 2040, "month", 2, 20, 11)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        with engine.connect() as conn:
            assert tuple(_kept(conn, project, 2040, False)) == (120, 11, False)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM enterprise_figures WHERE project_id = :p AND year = 2040"), {"p": project})
