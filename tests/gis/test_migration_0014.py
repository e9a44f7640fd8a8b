"""Migration 0014 moves project_year_figures into enterprise_figures (final, public, yearly) and back on downgrade."""

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from gis.database_admin import drop_database, ensure_database, ensure_extensions
from gis.migrate import alembic_config, upgrade
from tests.conftest import _test_database_url


def test_yearly_figures_move_in_and_back():
    url = _test_database_url()
    ensure_database(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        ensure_extensions(url)
        upgrade(url, "0013")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO projects (uid, name_vi, investor, sector, status, province_code, geom) VALUES "
                    "('P1', 'Nhà máy thử Gián Khẩu', 'Công ty thử', 'Dệt may', 'operating', 'NINH_BINH', "
                    "ST_GeomFromText('POINT(105.9 20.3)', 4326))"
                )
            )
            conn.execute(text("INSERT INTO project_year_figures SELECT id, 2021, 5000000, 12.5, 100, 3 FROM projects"))
        upgrade(url)
        with engine.connect() as conn:
            moved = conn.execute(
                text(
                    "SELECT year, period_kind, period, basis, revenue_vnd, exports_usd, workers_domestic, "
                    "workers_foreign, public FROM enterprise_figures"
                )
            ).all()
            assert [tuple(r) for r in moved] == [(2021, "year", 0, "final", 5000000, 12.5, 100, 3, True)]
            assert conn.execute(text("SELECT to_regclass('project_year_figures')")).scalar() is None
        command.downgrade(alembic_config(url), "0013")
        with engine.connect() as conn:
            back = conn.execute(
                text("SELECT year, revenue_vnd, exports_usd, workers_domestic FROM project_year_figures")
            )
            assert [tuple(r) for r in back] == [(2021, 5000000, 12.5, 100)]
    finally:
        engine.dispose()
        drop_database(url)
