"""Migrations upgrade a database that already holds data: the stage-sequence rule on a board's clearance parcels.

A database of its own (created, migrated to the newest revision, loaded with the demo data — which needs the newest
schema — then taken back down to the revision before the rule, and dropped at the end).
"""

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from gis.database_admin import drop_database, ensure_database, ensure_extensions
from gis.db import make_engine
from gis.migrate import alembic_config, upgrade
from gis.settings import PROJECT_ROOT, Settings
from layers.demo.loader import load_demo, load_lookups

DATA_DIR = PROJECT_ROOT / "data"
RULES = {  # written out by hand: stage date column -> the column of the stage before it
    "inventoried_on": "notice_issued_on",
    "plan_approved_on": "inventoried_on",
    "compensation_paid_on": "plan_approved_on",
    "handed_over_on": "compensation_paid_on",
}
CONSTRAINTS = """SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
                 WHERE conrelid = 'clearance_parcels'::regclass AND conname LIKE '%stage_sequence%'"""


def _stage_sequence_revision(url: str) -> tuple[str, str]:
    """The revision that adds the rule (found by its file, so that renumbering it keeps this test) and its parent."""
    script = ScriptDirectory.from_config(alembic_config(url))
    [revision] = [r for r in script.walk_revisions() if r.path.endswith("_stage_sequence.py")]
    return revision.revision, revision.down_revision


@pytest.fixture(scope="module")
def before_the_rule(database_url: str) -> Iterator[tuple[str, Engine]]:
    """A database at the revision before the rule, holding the demo data."""
    url = (
        make_url(database_url)
        .set(database=f"zoneatlas_test_{uuid.uuid4().hex[:10]}")
        .render_as_string(hide_password=False)
    )
    ensure_database(url)
    engine = None
    try:
        ensure_extensions(url)
        _, parent = _stage_sequence_revision(url)
        upgrade(url)
        engine = make_engine(Settings(DATABASE_URL=url))
        with engine.begin() as conn:
            load_lookups(conn, DATA_DIR / "lookups")
            load_demo(conn, DATA_DIR / "demo")
        engine.dispose()
        command.downgrade(alembic_config(url), parent)
        yield url, engine
    finally:
        if engine is not None:
            engine.dispose()
        drop_database(url)


def test_upgrade_names_parcels_with_gaps_then_adds_the_rule_once_they_are_fixed(before_the_rule):
    url, engine = before_the_rule
    revision, parent = _stage_sequence_revision(url)
    with engine.begin() as conn:
        parcels = conn.execute(text("SELECT count(*) FROM clearance_parcels")).scalar_one()
        gap = conn.execute(  # an old record: handed over, with no date of payment
            text(
                "UPDATE clearance_parcels SET handed_over_on = DATE '2025-01-15' WHERE id = (SELECT min(c.id) "
                "FROM clearance_parcels c WHERE c.notice_issued_on IS NOT NULL AND c.inventoried_on IS NULL) "
                "RETURNING id, map_sheet, parcel_no"
            )
        ).one()
    with pytest.raises(RuntimeError) as refused:
        upgrade(url, revision)
    said = str(refused.value)
    assert "1 parcel(s) have handed_over_on but no compensation_paid_on" in said
    assert f"{gap.map_sheet}/{gap.parcel_no} (" in said
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == parent
        assert conn.execute(text(CONSTRAINTS)).all() == []

    with engine.begin() as conn:  # someone clears the date that had no earlier one
        conn.execute(text("UPDATE clearance_parcels SET handed_over_on = NULL WHERE id = :i"), {"i": gap.id})
    upgrade(url, revision)

    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == revision
        assert conn.execute(text("SELECT count(*) FROM clearance_parcels")).scalar_one() == parcels
        definitions = {row.conname: row.definition for row in conn.execute(text(CONSTRAINTS))}
        assert len(definitions) == 4
        for later, earlier in RULES.items():
            [definition] = [d for d in definitions.values() if f"({later} IS NULL)" in d]
            assert f"({earlier} IS NOT NULL)" in definition
    with pytest.raises(IntegrityError, match="stage_sequence_handed_over"):
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE clearance_parcels SET handed_over_on = DATE '2025-01-15' WHERE id = :i"), {"i": gap.id}
            )
