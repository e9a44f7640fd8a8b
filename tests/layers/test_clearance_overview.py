"""The clearance overview (parcels merged per project, map sheet and stage) holds every parcel and follows edits.

Known answers come from the parcels themselves, merged here with shapely and projected with pyproj, not from the
SQL that builds the overview.
"""

from collections import defaultdict

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely import wkb
from sqlalchemy import text

TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)


def overview(conn) -> dict[tuple[int, str, str], tuple[int, shapely.Geometry]]:
    rows = conn.execute(text("SELECT project_id, map_sheet, stage, parcels, ST_AsBinary(geom) FROM clearance_overview"))
    return {(p, m, s): (n, wkb.loads(bytes(g))) for p, m, s, n, g in rows}


def parcels_by_group(conn) -> dict[tuple[int, str, str], list[shapely.Geometry]]:
    groups = defaultdict(list)
    for p, m, s, g in conn.execute(
        text("SELECT project_id, map_sheet, stage, ST_AsBinary(geom) FROM clearance_parcels")
    ):
        groups[(p, m, s)].append(shapely.transform(wkb.loads(bytes(g)), to_3857))
    return groups


def to_3857(xy: np.ndarray) -> np.ndarray:
    x, y = TO_3857.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def test_every_parcel_is_in_its_group_and_the_merged_outline_matches_shapely(db_conn):
    merged = overview(db_conn)
    expected = parcels_by_group(db_conn)
    assert expected, "the demo data has clearance parcels"
    assert set(merged) == set(expected)
    for group, parcels in expected.items():
        count, outline = merged[group]
        assert count == len(parcels), group
        union = shapely.union_all(parcels)
        # Simplified to 2 m: the outlines differ by a thin band along their edges only.
        assert shapely.symmetric_difference(union, outline).area <= 0.01 * union.area + 2.0 * union.length, group
        for parcel in parcels:
            assert outline.buffer(2.5).covers(parcel.representative_point()), group


def _group_counts(conn, project_id: int) -> dict[tuple[str, str], int]:
    return dict(
        ((m, s), n)
        for m, s, n in conn.execute(
            text("SELECT map_sheet, stage, parcels FROM clearance_overview WHERE project_id = :p"), {"p": project_id}
        )
    )


def test_insert_update_delete_and_truncate_rebuild_the_groups_they_touch(engine):
    with engine.connect() as conn, conn.begin() as transaction:
        parcel_id, project_id, sheet, stage = conn.execute(
            text(
                "SELECT id, project_id, map_sheet, stage FROM clearance_parcels WHERE stage = 'inventoried' "
                "ORDER BY id LIMIT 1"
            )
        ).one()
        before = _group_counts(conn, project_id)
        other_projects = conn.execute(
            text("SELECT count(*) FROM clearance_overview WHERE project_id <> :p"), {"p": project_id}
        ).scalar_one()

        # Reaching the next stage moves the parcel from the 'inventoried' group to the 'plan_approved' group.
        conn.execute(
            text("UPDATE clearance_parcels SET plan_approved_on = inventoried_on + 30 WHERE id = :id"),
            {"id": parcel_id},
        )
        moved = _group_counts(conn, project_id)
        assert moved.get((sheet, stage), 0) == before[(sheet, stage)] - 1
        assert moved[(sheet, "plan_approved")] == before.get((sheet, "plan_approved"), 0) + 1
        covered = conn.execute(
            text(
                "SELECT ST_Covers(ST_Buffer(o.geom, 2.5), ST_Transform(ST_PointOnSurface(p.geom), 3857)) "
                "FROM clearance_overview o JOIN clearance_parcels p ON p.project_id = o.project_id "
                "AND p.map_sheet = o.map_sheet AND p.stage = o.stage WHERE p.id = :id"
            ),
            {"id": parcel_id},
        ).scalar_one()
        assert covered

        # A new parcel on a new sheet makes a new group; deleting it removes the group again.
        conn.execute(
            text(
                "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, geom) "
                "SELECT project_id, 'T1', 'TEST', "
                "ST_Translate(geom, 0.05, 0.05) FROM clearance_parcels WHERE id = :id"
            ),
            {"id": parcel_id},
        )
        assert _group_counts(conn, project_id)[("TEST", "not_started")] == 1
        conn.execute(text("DELETE FROM clearance_parcels WHERE map_sheet = 'TEST'"))
        assert ("TEST", "not_started") not in _group_counts(conn, project_id)
        assert (
            conn.execute(
                text("SELECT count(*) FROM clearance_overview WHERE project_id <> :p"), {"p": project_id}
            ).scalar_one()
            == other_projects
        )

        site = conn.execute(
            text("SELECT parcels, handed_over FROM clearance_sites WHERE project_id = :p"), {"p": project_id}
        ).one()
        assert (
            site
            == conn.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE stage = 'handed_over') FROM clearance_parcels "
                    "WHERE project_id = :p"
                ),
                {"p": project_id},
            ).one()
        )

        conn.execute(text("TRUNCATE clearance_parcels"))
        assert conn.execute(text("SELECT count(*) FROM clearance_overview")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM clearance_sites")).scalar_one() == 0
        transaction.rollback()
    with engine.connect() as conn:
        assert _group_counts(conn, project_id) == before


@pytest.mark.parametrize("project_uid", ["PRJ-VHVA", "PRJ-VA2"])
def test_overview_area_is_the_sum_of_its_parcels_on_the_ellipsoid(db_conn, project_uid):
    geod = Geod(ellps="WGS84")
    rows = (
        db_conn.execute(
            text(
                "SELECT ST_AsBinary(c.geom) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
                "WHERE p.uid = :u"
            ),
            {"u": project_uid},
        )
        .scalars()
        .all()
    )
    expected_ha = sum(abs(geod.geometry_area_perimeter(wkb.loads(bytes(g)))[0]) for g in rows) / 10_000
    total_ha = db_conn.execute(
        text("SELECT sum(o.area_ha) FROM clearance_overview o JOIN projects p ON p.id = o.project_id WHERE p.uid = :u"),
        {"u": project_uid},
    ).scalar_one()
    assert float(total_ha) == pytest.approx(expected_ha, rel=1e-4)


def test_each_project_site_outlines_all_its_parcels(db_conn):
    outlines = {
        p: wkb.loads(bytes(g))
        for p, g in db_conn.execute(text("SELECT project_id, ST_AsBinary(geom) FROM clearance_sites"))
    }
    groups = parcels_by_group(db_conn)
    assert set(outlines) == {p for p, _, _ in groups}
    for (project_id, _, _), parcels in groups.items():
        hull = outlines[project_id].buffer(1.0)
        assert all(hull.covers(parcel.representative_point()) for parcel in parcels), project_id


def _group_rows(conn, project_id: int, map_sheet: str) -> dict[str, tuple[int, int]]:
    """The overview rows of one project's map sheet: stage -> (row id, parcels); a rebuild gives new row ids."""
    rows = conn.execute(
        text("SELECT stage, id, parcels FROM clearance_overview WHERE project_id = :p AND map_sheet = :s"),
        {"p": project_id, "s": map_sheet},
    )
    return {stage: (row_id, parcels) for stage, row_id, parcels in rows}


def test_an_update_rebuilds_only_groups_whose_project_sheet_stage_or_outline_changed(db_conn):
    parcel = db_conn.execute(
        text(
            "SELECT id, project_id, map_sheet, stage FROM clearance_parcels "
            "WHERE notice_issued_on IS NULL ORDER BY id LIMIT 1"
        )
    ).one()
    before = _group_rows(db_conn, parcel.project_id, parcel.map_sheet)
    sites_before = db_conn.execute(
        text("SELECT id FROM clearance_sites WHERE project_id = :p"), {"p": parcel.project_id}
    )
    site_ids = sites_before.scalars().all()

    # households, an owner: nothing the overview shows changed, so its rows (and the site) are the same rows
    db_conn.execute(
        text(
            "UPDATE clearance_parcels SET households_affected = households_affected + 1, "
            "owner_name = 'Nguyễn Văn Á' WHERE id = :i"
        ),
        {"i": parcel.id},
    )
    assert _group_rows(db_conn, parcel.project_id, parcel.map_sheet) == before
    site_after = db_conn.execute(text("SELECT id FROM clearance_sites WHERE project_id = :p"), {"p": parcel.project_id})
    assert site_after.scalars().all() == site_ids

    # the notice date moves the parcel to another stage: its old and new groups are rebuilt with the right counts
    # (a date after every demo project's investment policy: no parcel date may come before its project's policy)
    db_conn.execute(
        text("UPDATE clearance_parcels SET notice_issued_on = '2026-10-30' WHERE id = :i"), {"i": parcel.id}
    )
    after = _group_rows(db_conn, parcel.project_id, parcel.map_sheet)
    counted = dict(
        db_conn.execute(
            text(
                "SELECT stage, count(*) FROM clearance_parcels WHERE project_id = :p AND map_sheet = :s GROUP BY stage"
            ),
            {"p": parcel.project_id, "s": parcel.map_sheet},
        ).all()
    )
    assert {stage: parcels for stage, (_, parcels) in after.items()} == counted
    new_stage = db_conn.execute(
        text("SELECT stage FROM clearance_parcels WHERE id = :i"), {"i": parcel.id}
    ).scalar_one()
    assert new_stage != parcel.stage
    assert after[new_stage][0] != before.get(new_stage, (None,))[0]  # rebuilt (or made)

    # a moved outline is rebuilt too, though the stage stays
    db_conn.execute(
        text("UPDATE clearance_parcels SET geom = ST_Translate(geom, 0.0001, 0) WHERE id = :i"), {"i": parcel.id}
    )
    assert _group_rows(db_conn, parcel.project_id, parcel.map_sheet)[new_stage][0] != after[new_stage][0]
