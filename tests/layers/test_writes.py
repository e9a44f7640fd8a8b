"""layers.writes below the API: change sets all or nothing, database refusals translated once, locks never wait."""

from datetime import date
from decimal import Decimal

import pytest
import shapely
from sqlalchemy import text

from gis.accounts import get_user
from gis.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, Unprocessable
from layers.editing import etag_of
from layers.registry import get_layer
from layers.writes import DecisionRef, FeatureWrite, apply_changes

GATES = get_layer("border_gates")
PLOTS = get_layer("land_plots")


def gate_values(uid: str, **values) -> dict:
    return {
        "uid": uid,
        "name_vi": f"Cửa khẩu {uid}",
        "gate_class": "main",
        "mode": "road",
        "province_code": "HA_TINH",
    } | values


def counts(conn) -> tuple[int, int]:
    return (
        conn.execute(text("SELECT count(*) FROM border_gates")).scalar_one(),
        conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one(),
    )


def create(uid: str, where: str = "", **values) -> FeatureWrite:
    return FeatureWrite("create", values=gate_values(uid, **values), geometry=shapely.Point(105.2, 18.4), where=where)


def test_a_change_set_is_all_or_nothing_and_the_refusal_names_the_change(db_conn):
    before = counts(db_conn)
    writes = [create("CK-BO-1", "feature #1"), create("CK-BO-2", "feature #2 (CK-BO-2)", country="vn")]
    with pytest.raises(Unprocessable) as refused:  # a CHECK constraint only the database knows: 422
        apply_changes(db_conn, GATES, writes, decision=None, user=None)
    assert str(refused.value).startswith("feature #2 (CK-BO-2): violates rule ck_border_gates_country")
    assert counts(db_conn) == before


def test_a_duplicate_is_a_conflict(db_conn):
    taken = db_conn.execute(text("SELECT uid FROM border_gates ORDER BY id LIMIT 1")).scalar_one()
    with pytest.raises(Conflict, match="violates rule border_gates_uid_key"):
        apply_changes(db_conn, GATES, [create(taken)], decision=None, user=None)


def test_a_number_the_column_cannot_hold_is_bad_input_not_a_rule(db_conn):
    key = db_conn.execute(text("SELECT id FROM land_plots WHERE valid_to IS NULL ORDER BY id LIMIT 1")).scalar_one()
    decision = DecisionRef(
        *db_conn.execute(
            text("SELECT id, number, date_effective FROM decisions ORDER BY date_effective DESC LIMIT 1")
        ).one()
    )
    later = DecisionRef(decision.id, decision.number, date(2099, 1, 1))
    write = FeatureWrite("update", key=key, values={"land_rent_usd_m2": Decimal("1e20")})
    with pytest.raises(InvalidInput) as refused:
        apply_changes(db_conn, PLOTS, [write], decision=later, user=None)
    assert not isinstance(refused.value, Unprocessable) and "numeric field overflow" in str(refused.value)


def test_a_version_refused_late_leaves_the_current_one_open_and_nothing_audited(db_conn):
    key, uid = db_conn.execute(text("SELECT id, uid FROM land_plots WHERE valid_to IS NULL ORDER BY id LIMIT 1")).one()
    number = "77/2030/QĐ-BQL-THU"
    decision_id = db_conn.execute(
        text(
            "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
            "VALUES (:n, 'Thử', '2030-01-01', '2030-01-01', 'provincial_committee', 'local_revision') RETURNING id"
        ),
        {"n": number},
    ).scalar_one()
    audit_before = db_conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    # The foreign key on planning_function is checked when the new version is inserted, after the close.
    write = FeatureWrite("update", key=key, values={"planning_function": "spaceport"})
    with pytest.raises(Unprocessable, match="planning_function"):
        apply_changes(db_conn, PLOTS, [write], decision=DecisionRef(decision_id, number, date(2030, 1, 1)), user=None)
    versions = db_conn.execute(
        text("SELECT id, valid_to FROM land_plots WHERE uid = :u AND valid_to IS NULL"), {"u": uid}
    ).all()
    assert [tuple(v) for v in versions] == [(key, None)]
    assert db_conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == audit_before


def test_a_writer_meeting_a_held_row_is_refused_at_once_even_when_nothing_changes(engine, edits, staff):
    with engine.begin() as conn:
        [key] = apply_changes(conn, GATES, [create("CK-KHOA-NOOP")], decision=None, user=None)
        etag = etag_of(conn, GATES, key)
        user = get_user(conn, "test_editor")
    same = FeatureWrite("update", key=key, values={"name_vi": "Cửa khẩu CK-KHOA-NOOP"}, if_match=etag)
    with engine.connect() as first, engine.connect() as second:
        with first.begin():
            apply_changes(first, GATES, [same], decision=None, user=user)  # holds the row until it commits
            with second.begin(), pytest.raises(PreconditionFailed, match="at this moment"):
                apply_changes(second, GATES, [same], decision=None, user=user)
    with engine.connect() as conn:
        updates = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE layer_id = 'border_gates' AND feature_id = :k "
                "AND action = 'update'"
            ),
            {"k": str(key)},
        ).scalar_one()
    assert updates == 1


def test_a_write_that_changes_nothing_still_writes_a_new_row_version(engine, edits):
    """A per-row version (xmin, a change counter) moves on every write, so an ETag made from it does too."""
    version = "SELECT xmin::text FROM border_gates WHERE id = :k"
    with engine.begin() as conn:
        [key] = apply_changes(conn, GATES, [create("CK-NOOP-XMIN")], decision=None, user=None)
    with engine.begin() as conn:
        before = conn.execute(text(version), {"k": key}).scalar_one()
        apply_changes(conn, GATES, [FeatureWrite("update", key=key, values={})], decision=None, user=None)
    with engine.connect() as conn:
        assert conn.execute(text(version), {"k": key}).scalar_one() != before


def test_the_same_values_for_many_rows_are_one_update_and_every_row_is_audited(db_conn):
    keys = apply_changes(db_conn, GATES, [create(f"CK-LOT-{i}") for i in range(4)], decision=None, user=None)
    db_conn.execute(text("CREATE TEMP TABLE gate_statements (n int)"))  # rolled back with the test
    db_conn.execute(
        text(
            "CREATE FUNCTION pg_temp.count_gate_statements() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO gate_statements VALUES (1); RETURN NULL; END $$"
        )
    )
    db_conn.execute(
        text(
            "CREATE TRIGGER count_gate_statements AFTER UPDATE ON border_gates FOR EACH STATEMENT "
            "EXECUTE FUNCTION pg_temp.count_gate_statements()"
        )
    )
    mark = db_conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    same = [FeatureWrite("update", key=k, values={"name_en": "Gate lot"}) for k in keys[:3]]
    other = FeatureWrite("update", key=keys[3], values={"name_en": "Gate alone"})
    assert apply_changes(db_conn, GATES, [*same, other], decision=None, user=None) == keys
    assert db_conn.execute(text("SELECT count(*) FROM gate_statements")).scalar_one() == 2  # three rows, then one
    names = db_conn.execute(text("SELECT id, name_en FROM border_gates WHERE id = ANY(:k)"), {"k": keys}).all()
    assert dict(names) == {keys[0]: "Gate lot", keys[1]: "Gate lot", keys[2]: "Gate lot", keys[3]: "Gate alone"}
    records = db_conn.execute(
        text(
            "SELECT feature_id, before ->> 'name_en', after ->> 'name_en', after ->> 'uid' FROM audit_log "
            "WHERE id > :mark ORDER BY id"
        ),
        {"mark": mark},
    ).all()
    assert [tuple(r) for r in records] == [
        (str(keys[i]), None, "Gate lot" if i < 3 else "Gate alone", f"CK-LOT-{i}") for i in range(4)
    ]

    missing = [FeatureWrite("update", key=k, values={"name_en": "Gone"}, where=f"gate {k}") for k in (keys[0], 0)]
    with pytest.raises(NotFound, match="^gate 0: no feature '0'"):
        apply_changes(db_conn, GATES, missing, decision=None, user=None)
    kept = db_conn.execute(text("SELECT name_en FROM border_gates WHERE id = :k"), {"k": keys[0]}).scalar()
    assert kept == "Gate lot"
