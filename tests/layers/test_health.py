"""Statuses that cannot contradict each other: each kind of contradiction is refused on write, or listed by the
data-health check with a sentence and a link; the demo data has none.

Records "from before a rule" are made by switching that rule's trigger off inside the test's transaction (rolled
back afterwards), as an older database would hold them.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gis.constraints import database_refusal
from layers.health import data_health
from tests import land_data as ld

PARK = "KCN-TEST-HEALTH"


def found(conn, kind: str) -> list[dict]:
    """What the check lists for one kind."""
    return next(k for k in data_health(conn)["kinds"] if k["kind"] == kind)["items"]


@contextmanager
def refused(conn, rule: str):
    """The statement is refused by the named rule, said as a sentence; the transaction goes on."""
    with pytest.raises(DBAPIError) as error, conn.begin_nested():
        yield
    assert error.value.orig.diag.constraint_name == rule
    assert "violates rule" not in str(database_refusal(error.value))  # a sentence, not the database's wording


@contextmanager
def without(conn, table: str, trigger: str):
    """A record written as before the rule existed (the rule's trigger off, in this transaction only)."""
    conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
    yield
    conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}"))


def policy(conn, number: str, signed: str) -> int:
    """An investment-policy decision."""
    return conn.execute(
        text(
            "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
            "VALUES (:n, 'Chấp thuận chủ trương đầu tư thử', :d, :d, 'provincial_committee', 'investment_policy') "
            "RETURNING id"
        ),
        {"n": number, "d": signed},
    ).scalar_one()


def with_policy(conn, project_id: int, decision_id: int) -> None:
    conn.execute(text("UPDATE projects SET policy_decision_id = :d WHERE id = :p"), {"d": decision_id, "p": project_id})


def milestone(conn, project_id: int, name: str, actual: str | None) -> None:
    conn.execute(
        text("INSERT INTO project_milestones (project_id, milestone, actual_on) VALUES (:p, :m, :a)"),
        {"p": project_id, "m": name, "a": actual},
    )


def test_the_demo_data_has_no_contradiction(db_conn):
    report = data_health(db_conn)
    assert report["count"] == 0
    assert len(report["kinds"]) == 9
    for kind in report["kinds"]:
        assert kind["count"] == 0 and kind["items"] == []
        assert kind["vi"] and kind["en"] and kind["vi"] != kind["kind"]


def test_a_plot_marked_not_cleared_whose_parcels_are_all_handed_over(db_conn):
    built = ld.decision(db_conn)
    square = ld.square_east_of(*ld.ORIGIN, 200)
    ld.park(db_conn, built, PARK, ld.around(square))
    plot_id = ld.plot(db_conn, built, "T-HEALTH-1", square, PARK, status="not_cleared")
    project = ld.project(db_conn, "P-HEALTH-1", "Công ty Sức Khỏe")
    ld.parcel(db_conn, project, "1", square.buffer(-0.0003), handed_over=False)
    assert found(db_conn, "plot_not_cleared_handed_over") == []  # a parcel still waits: not cleared is true
    # The primary fact changes: the parcel is handed over. It is not refused; the plot is now behind, and listed.
    db_conn.execute(
        text("UPDATE clearance_parcels SET handed_over_on = '2024-05-02' WHERE project_id = :p"), {"p": project}
    )
    [item] = found(db_conn, "plot_not_cleared_handed_over")
    assert item["uid"] == "T-HEALTH-1" and item["id"] == plot_id
    assert item["link"] == f"/workspace#layer=land_plots&id={plot_id}"
    assert item["vi"].startswith("Lô 1 (Khu công nghiệp Thử Nghiệm) ghi “chưa giải phóng mặt bằng”")
    assert "is marked “not cleared”" in item["en"] and "not_cleared" not in item["en"]
    # Writing the plot again as not cleared is refused; writing it available settles it.
    with refused(db_conn, "za_land_plots_not_cleared_handed_over"):
        db_conn.execute(text("UPDATE land_plots SET notes = 'x' WHERE id = :i"), {"i": plot_id})
    db_conn.execute(text("UPDATE land_plots SET status = 'available' WHERE id = :i"), {"i": plot_id})
    assert found(db_conn, "plot_not_cleared_handed_over") == []


def test_a_land_handover_milestone_while_parcels_wait(db_conn):
    project = ld.project(db_conn, "P-HEALTH-2", "Công ty Bàn Giao")
    elsewhere = ld.square_east_of(*ld.ORIGIN, 50)
    ld.parcel(db_conn, project, "1", elsewhere, handed_over=True)  # handed over on 2024-05-01
    ld.parcel(db_conn, project, "2", ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 100), 50), handed_over=False)
    with refused(db_conn, "za_project_milestones_handover_parcels"):
        milestone(db_conn, project, "land_handover", "2024-06-01")
    db_conn.execute(
        text("UPDATE clearance_parcels SET handed_over_on = '2024-05-10' WHERE parcel_no = '2' AND project_id = :p"),
        {"p": project},
    )
    with refused(db_conn, "za_project_milestones_handover_before_parcels"):
        milestone(db_conn, project, "land_handover", "2024-05-09")  # the last parcel went on 10/05
    milestone(db_conn, project, "land_handover", "2024-05-10")
    assert found(db_conn, "handover_milestone_parcels_pending") == []
    # A parcel added later (the primary fact) leaves the milestone behind: listed, with the clearance map's link.
    ld.parcel(db_conn, project, "3", ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 200), 50), handed_over=False)
    [item] = found(db_conn, "handover_milestone_parcels_pending")
    assert item["link"] == "/maps/clearance#project=P-HEALTH-2"
    assert (
        item["vi"] == "Dự án Dự án P-HEALTH-2: mốc “bàn giao đất” ghi ngày 10/05/2024 nhưng còn 1 thửa chưa bàn giao."
    )


def test_milestones_out_of_order_are_refused_and_older_ones_listed(db_conn):
    project = ld.project(db_conn, "P-HEALTH-3", "Công ty Thứ Tự")
    milestone(db_conn, project, "irc_issued", "2024-03-01")
    with refused(db_conn, "za_project_milestones_order"):
        milestone(db_conn, project, "construction_start", "2024-02-01")  # started before its certificate
    with without(db_conn, "project_milestones", "za_project_milestones_rules"):
        milestone(db_conn, project, "construction_start", "2024-02-01")
    [item] = found(db_conn, "milestones_out_of_order")
    assert (
        item["en"]
        == "Project Dự án P-HEALTH-3: “Construction started” (01/02/2024) comes before “IRC issued” (01/03/2024)."
    )
    assert item["link"] == f"/collections/projects/items/{project}?f=html"


def test_clearance_and_recovery_before_the_investment_policy(db_conn):
    project = ld.project(db_conn, "P-HEALTH-4", "Công ty Chủ Trương")
    with_policy(db_conn, project, policy(db_conn, "900/QĐ-THU", "2024-03-15"))
    square = ld.square_east_of(*ld.ORIGIN, 50)
    with refused(db_conn, "za_clearance_parcels_after_policy"):
        ld.parcel(db_conn, project, "1", square, handed_over=False)  # its notice is dated 2024-01-01
    recovery = (
        "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind, project_uid) "
        "VALUES (:n, 'Thu hồi đất thử', :d, :d, 'provincial_committee', 'land_recovery', 'P-HEALTH-4')"
    )
    with refused(db_conn, "za_decisions_recovery_after_policy"):
        db_conn.execute(text(recovery), {"n": "901/QĐ-THU", "d": "2024-03-14"})
    db_conn.execute(text(recovery), {"n": "902/QĐ-THU", "d": "2024-03-15"})  # the same day is after enough
    # Older records, from before the rules, are listed per project and per decision.
    with without(db_conn, "clearance_parcels", "za_clearance_parcels_policy_ins"):
        ld.parcel(db_conn, project, "1", square, handed_over=False)
        ld.parcel(db_conn, project, "2", ld.square_east_of(*ld.offset(*ld.ORIGIN, 90, 100), 50), handed_over=True)
    with without(db_conn, "decisions", "za_decisions_policy"):
        db_conn.execute(text(recovery), {"n": "901/QĐ-THU", "d": "2024-03-14"})
    [parcels] = found(db_conn, "clearance_before_policy")
    assert parcels["vi"] == (
        "Dự án Dự án P-HEALTH-4: 2 thửa GPMB có ngày (sớm nhất 01/01/2024) trước khi chấp thuận chủ trương đầu tư "
        "(900/QĐ-THU, 15/03/2024)."
    )
    assert parcels["link"].startswith("/workspace#layer=clearance_parcels&id=")
    [decision] = found(db_conn, "recovery_before_policy")
    assert decision["en"].startswith("Decision 901/QĐ-THU (14/03/2024) of project Dự án P-HEALTH-4 is signed before")
    # Moving the policy later than the project's parcels is refused too.
    later = policy(db_conn, "903/QĐ-THU", "2024-06-01")
    with refused(db_conn, "za_decisions_recovery_after_policy"):
        with_policy(db_conn, project, later)


def test_project_status_against_its_milestones_and_policy_date(db_conn):
    behind = ld.project(db_conn, "P-HEALTH-5", "Công ty Chậm Ghi", status="irc_issued")
    milestone(db_conn, behind, "irc_issued", "2024-01-10")
    milestone(db_conn, behind, "construction_start", "2024-04-01")
    ahead = ld.project(db_conn, "P-HEALTH-6", "Công ty Ghi Trước", status="operating")
    milestone(db_conn, ahead, "operation_start", None)
    dated = ld.project(db_conn, "P-HEALTH-7", "Công ty Lệch Ngày", status="policy_approved")
    with_policy(db_conn, dated, policy(db_conn, "904/QĐ-THU", "2024-02-02"))
    milestone(db_conn, dated, "policy_approved", "2024-02-20")
    items = {i["uid"]: i for i in found(db_conn, "project_status_milestones")}
    assert set(items) == {"P-HEALTH-5", "P-HEALTH-6"}
    assert items["P-HEALTH-5"]["vi"] == (
        "Dự án Dự án P-HEALTH-5 ghi “Đã cấp GCN đăng ký đầu tư” nhưng mốc “Khởi công” đã đạt ngày 01/04/2024."
    )
    assert (
        items["P-HEALTH-6"]["en"]
        == "Project Dự án P-HEALTH-6 says “Operating” but “Operation started” has no actual date."
    )
    assert items["P-HEALTH-5"]["link"] == f"/workspace#layer=projects&id={behind}"
    [date_item] = found(db_conn, "policy_milestone_date")
    assert date_item["uid"] == "P-HEALTH-7" and "20/02/2024" in date_item["vi"] and "02/02/2024" in date_item["vi"]


def test_planned_land_is_not_available_land(db_conn):
    from layers.land import LandQuery, available_plots

    built = ld.decision(db_conn)
    square = ld.square_east_of(*ld.ORIGIN, 200)
    ld.park(db_conn, built, PARK, ld.around(square), lifecycle="planned")
    plot_id = ld.plot(db_conn, built, "T-HEALTH-PLANNED", square, PARK)
    assert available_plots(db_conn, LandQuery(park=PARK)).plots == []
    [item] = found(db_conn, "plot_offered_in_unbuilt_park")
    assert item["id"] == plot_id
    assert "“Trong quy hoạch được duyệt”" in item["vi"] and "planned land is not available land" in item["en"]
    ld.project(db_conn, "P-HEALTH-8", "Công ty Đi Trước", park_uid=PARK, status="operating")
    [project] = found(db_conn, "project_active_in_unbuilt_park")
    assert project["uid"] == "P-HEALTH-8" and project["link"].startswith("/workspace#layer=industrial_parks&id=")
    db_conn.execute(text("UPDATE industrial_parks SET lifecycle = 'operating' WHERE uid = :u"), {"u": PARK})
    assert [p["uid"] for p in available_plots(db_conn, LandQuery(park=PARK)).plots] == ["T-HEALTH-PLANNED"]
    assert found(db_conn, "plot_offered_in_unbuilt_park") == []
