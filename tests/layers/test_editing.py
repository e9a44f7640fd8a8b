"""Editing and audit below the API: what may be written, ETags, and the audit entry the import feature also writes."""

import hashlib
import inspect
import json

import pytest
from sqlalchemy import text

from gis.accounts import create_user
from gis.constraints import enum_choices
from gis.errors import InvalidInput, PreconditionFailed, PreconditionRequired, Unprocessable
from gis.models import Base
from layers import audit
from layers.editing import etag_of, parse_change, writable_fields
from layers.registry import get_layer
from layers.writes import check_if_match


def test_record_change_has_the_agreed_signature():
    params = inspect.signature(audit.record_change).parameters
    assert list(params)[:8] == ["conn", "user", "layer_id", "feature_id", "action", "before", "after", "decision_id"]
    assert all(params[name].kind is inspect.Parameter.KEYWORD_ONLY for name in list(params)[1:])


def test_record_change_writes_one_entry_that_history_returns(db_conn):
    user = create_user(db_conn, "audit_layer_test", "editor", "đủ-dài-12345")
    before = {"uid": "CK-X", "name_vi": "Cửa khẩu cũ", "geometry": {"type": "Point", "coordinates": [105.1, 10.2]}}
    after = {**before, "name_vi": "Cửa khẩu mới"}
    audit.record_change(
        db_conn,
        user=user,
        layer_id="border_gates",
        feature_id=4242,
        action="update",
        before=before,
        after=after,
        decision_id=None,
    )
    row = db_conn.execute(
        text(
            "SELECT user_id, username, table_name, feature_id, feature_uid, action, "
            "before->>'name_vi', after->'geometry'->'coordinates' FROM audit_log "
            "WHERE feature_id = '4242'"
        )
    ).one()
    assert tuple(row) == (
        user.id,
        "audit_layer_test",
        "border_gates",
        "4242",
        "CK-X",
        "update",
        "Cửa khẩu cũ",
        [105.1, 10.2],
    )
    entries = audit.history(db_conn, "border_gates", 4242, None)
    assert [(e["user"], e["after"]["name_vi"]) for e in entries] == [("audit_layer_test", "Cửa khẩu mới")]
    with pytest.raises(InvalidInput):
        audit.record_change(
            db_conn,
            user=user,
            layer_id="border_gates",
            feature_id=1,
            action="rename",
            before=None,
            after=None,
            decision_id=None,
        )


def test_writable_fields_leave_out_what_the_database_or_a_decision_sets():
    plots = writable_fields(get_layer("land_plots"))
    assert "area_ha" not in plots and "valid_from" not in plots and "decision_id" not in plots
    assert {"uid", "code", "status", "planning_function"} <= set(plots)
    parcels = writable_fields(get_layer("clearance_parcels"))
    assert "owner_name" in parcels and "stage" not in parcels


def test_enum_choices_come_from_the_check_constraints():
    assert enum_choices(Base.metadata.tables["land_plots"]) == {
        "status": ["available", "reserved", "leased", "not_cleared"]
    }


def test_etag_is_the_rows_version_not_a_hash_of_its_content(db_conn):
    gate_id, row_json = db_conn.execute(
        text("SELECT id, to_jsonb(t)::text FROM border_gates t ORDER BY id LIMIT 1")
    ).one()
    before = etag_of(db_conn, get_layer("border_gates"), gate_id)
    assert before == etag_of(db_conn, get_layer("border_gates"), gate_id)
    assert hashlib.md5(row_json.encode()).hexdigest() not in before
    db_conn.execute(text("UPDATE border_gates SET notes = notes WHERE id = :i"), {"i": gate_id})
    assert etag_of(db_conn, get_layer("border_gates"), gate_id) != before  # even a write that changes nothing


def test_if_match_rules():
    check_if_match(None, '"abc"')  # no If-Match: accepted (last writer wins; the audit record says so)
    check_if_match("", '"abc"')
    with pytest.raises(PreconditionFailed):
        check_if_match('"old"', '"abc"')
    check_if_match('"abc"', '"abc"')
    check_if_match('"other", "abc"', '"abc"')
    with pytest.raises(PreconditionFailed, match="weak ETags"):  # strong comparison: W/"abc" is not "abc"
        check_if_match('W/"abc"', '"abc"')
    with pytest.raises(PreconditionRequired, match="only that the feature exists"):  # '*' names no version
        check_if_match("*", '"abc"')


def test_parse_change_types_values_and_refuses_bad_ones(db_conn):
    spec = get_layer("clearance_parcels")
    body = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[106.3, 18.0], [106.301, 18.0], [106.301, 18.001], [106.3, 18.0]]],
        },
        "properties": {
            "owner_name": "Trần Thị Bích",
            "households_affected": 3,
            "area_ha": 999,
            "notice_issued_on": "2024-05-01",
        },
    }
    change = parse_change(db_conn, spec, json.dumps(body).encode(), None, partial=False)
    assert change.properties["owner_name"] == "Trần Thị Bích"
    assert change.properties["households_affected"] == 3
    assert str(change.properties["notice_issued_on"]) == "2024-05-01"
    assert "area_ha" not in change.properties  # computed by the database: ignored
    for bad, error in [
        ({"households_affected": True}, InvalidInput),
        ({"households_affected": 2**40}, Unprocessable),
        ({"owner_name": ["x"]}, InvalidInput),
        ({"parcel_no": "x" * 17}, Unprocessable),
    ]:
        with pytest.raises(error):
            parse_change(db_conn, spec, json.dumps({**body, "properties": bad}).encode(), None, partial=False)
