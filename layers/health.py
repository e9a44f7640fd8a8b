"""Data health: every place where recorded facts still contradict each other, by kind, each said as a sentence.

Which facts are primary and which follow them (docs/data-health.md): a clearance parcel's stage dates, a project's
investment-policy decision and milestone dates, and a park's or zone's lifecycle are primary; a plot's clearance
state is derived (never typed); a plot's status, a project's status and its "land handed over" milestone must agree
with them. Writes that would break a rule are refused by the database (migration 0022, sentences in
`gis.constraints`); a primary fact written later can still leave a secondary one behind, and this check lists it
with a link to the page where it is fixed. Every query reads current rows only; none writes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from gis.vocab import NOT_BUILT, FacilityStatus, HealthKind, Milestone, PlotStatus, ProjectStatus
from layers.labels import as_pair, enum_words
from layers.land import CLEARANCE_STATE_SQL, sql_in_values

UNBUILT = sql_in_values(NOT_BUILT)
MILESTONE_ORDER = "ARRAY[" + ", ".join(f"'{m.value}'" for m in Milestone) + "]"
# The milestone whose actual date a project status says was reached (terminated says nothing about milestones).
STATUS_MILESTONE = {
    ProjectStatus.policy_approved.value: Milestone.policy_approved.value,
    ProjectStatus.irc_issued.value: Milestone.irc_issued.value,
    ProjectStatus.under_construction.value: Milestone.construction_start.value,
    ProjectStatus.operating.value: Milestone.operation_start.value,
}
STATUS_ORDER = "ARRAY[" + ", ".join(f"'{s}'" for s in STATUS_MILESTONE) + "]"
STATUS_MILESTONES = "ARRAY[" + ", ".join(f"'{m}'" for m in STATUS_MILESTONE.values()) + "]"


def rank(order: str, column: str) -> str:
    """SQL: the place of a code in one of the orders above (our identifiers, never input)."""
    return f"array_position({order}, {column}::text)"


Sentence = tuple[str, str]


def ddmmyyyy(day: date | None) -> str:
    """A date as the pages show it."""
    return day.strftime("%d/%m/%Y") if day else "—"


def _words(vocabulary, code: str) -> Sentence:
    """The words of a code (never the code itself)."""
    return enum_words(vocabulary).get(code, (code, code))


def _name(row: Any, prefix: str = "") -> Sentence:
    """A thing's name in each language (the Vietnamese one when it has no English name)."""
    vi = getattr(row, f"{prefix}name_vi") or getattr(row, f"{prefix}uid", "")
    return vi, getattr(row, f"{prefix}name_en") or vi


def _workspace(layer: str, feature_id: int) -> str:
    """The workspace with the feature open for editing."""
    return f"/workspace#layer={layer}&id={feature_id}"


def _item(layer: str, feature_id: int) -> str:
    """The feature's own page (history, every field)."""
    return f"/collections/{layer}/items/{feature_id}?f=html"


@dataclass(frozen=True)
class Check:
    """One kind of contradiction: the query that finds it, how each row is said, and where it is fixed."""

    kind: HealthKind
    sql: str
    say: Callable[[Any], Sentence]
    link: Callable[[Any], str]
    layer: str


def _plot_not_cleared(row: Any) -> Sentence:
    park = _name(row, "park_") if row.park_uid else ("", "")
    where_vi, where_en = (f" ({park[0]})", f" ({park[1]})") if row.park_uid else ("", "")
    return (
        f"Lô {row.code}{where_vi} ghi “chưa giải phóng mặt bằng” nhưng mọi thửa GPMB của lô đã bàn giao: "
        "đổi tình trạng của lô.",
        f"Plot {row.code}{where_en} is marked “not cleared” but every clearance parcel concerning it is handed "
        "over: change the plot's status.",
    )


def _plot_unbuilt(row: Any) -> Sentence:
    status = _words(PlotStatus, row.status)
    step = _words(FacilityStatus, row.lifecycle)
    place = _name(row, "place_")
    return (
        f"Lô {row.code} ghi “{status[0]}” nhưng {place[0]} mới ở giai đoạn “{step[0]}”: đất quy hoạch chưa phải "
        "đất cho thuê được.",
        f"Plot {row.code} is “{status[1]}” but {place[1]} is only “{step[1]}”: planned land is not available land.",
    )


def _handover_pending(row: Any) -> Sentence:
    name = _name(row)
    day = ddmmyyyy(row.actual_on)
    if row.pending:
        return (
            f"Dự án {name[0]}: mốc “bàn giao đất” ghi ngày {day} nhưng còn {row.pending} thửa chưa bàn giao.",
            f"Project {name[1]}: “land handed over” is dated {day} but {row.pending} parcel(s) are not handed over.",
        )
    last = ddmmyyyy(row.last_handover)
    return (
        f"Dự án {name[0]}: mốc “bàn giao đất” ghi ngày {day}, trước ngày bàn giao thửa cuối cùng ({last}).",
        f"Project {name[1]}: “land handed over” is dated {day}, before its last parcel was handed over ({last}).",
    )


def _clearance_before_policy(row: Any) -> Sentence:
    name = _name(row)
    first, policy = ddmmyyyy(row.first_date), ddmmyyyy(row.policy_signed)
    return (
        f"Dự án {name[0]}: {row.parcels} thửa GPMB có ngày (sớm nhất {first}) trước khi chấp thuận chủ trương đầu "
        f"tư ({row.policy_number}, {policy}).",
        f"Project {name[1]}: {row.parcels} clearance parcel(s) have dates (earliest {first}) before the investment "
        f"policy approval ({row.policy_number}, {policy}).",
    )


def _recovery_before_policy(row: Any) -> Sentence:
    name = _name(row)
    signed, policy = ddmmyyyy(row.date_signed), ddmmyyyy(row.policy_signed)
    return (
        f"Quyết định {row.number} ({signed}) của dự án {name[0]} ký trước khi chấp thuận chủ trương đầu tư "
        f"({row.policy_number}, {policy}).",
        f"Decision {row.number} ({signed}) of project {name[1]} is signed before the investment policy approval "
        f"({row.policy_number}, {policy}).",
    )


def _status_milestones(row: Any) -> Sentence:
    name = _name(row)
    status = _words(ProjectStatus, row.status)
    if row.reached is not None:
        reached = _words(Milestone, row.reached)
        day = ddmmyyyy(row.reached_on)
        return (
            f"Dự án {name[0]} ghi “{status[0]}” nhưng mốc “{reached[0]}” đã đạt ngày {day}.",
            f"Project {name[1]} says “{status[1]}” but “{reached[1]}” was reached on {day}.",
        )
    needed = _words(Milestone, STATUS_MILESTONE[row.status])
    return (
        f"Dự án {name[0]} ghi “{status[0]}” nhưng mốc “{needed[0]}” chưa có ngày thực tế.",
        f"Project {name[1]} says “{status[1]}” but “{needed[1]}” has no actual date.",
    )


def _out_of_order(row: Any) -> Sentence:
    name = _name(row)
    early, late = _words(Milestone, row.earlier), _words(Milestone, row.later)
    early_on, late_on = ddmmyyyy(row.earlier_on), ddmmyyyy(row.later_on)
    return (
        f"Dự án {name[0]}: mốc “{late[0]}” ({late_on}) trước mốc “{early[0]}” ({early_on}).",
        f"Project {name[1]}: “{late[1]}” ({late_on}) comes before “{early[1]}” ({early_on}).",
    )


def _policy_date(row: Any) -> Sentence:
    name = _name(row)
    day, policy = ddmmyyyy(row.actual_on), ddmmyyyy(row.policy_signed)
    return (
        f"Dự án {name[0]}: mốc “chấp thuận chủ trương” ghi ngày {day}, quyết định {row.policy_number} ký ngày "
        f"{policy}.",
        f"Project {name[1]}: “policy approved” is dated {day}, decision {row.policy_number} was signed on {policy}.",
    )


def _active_unbuilt(row: Any) -> Sentence:
    name, park = _name(row), _name(row, "park_")
    status, step = _words(ProjectStatus, row.status), _words(FacilityStatus, row.lifecycle)
    return (
        f"Dự án {name[0]} ghi “{status[0]}” trong {park[0]}, nơi mới ở giai đoạn “{step[0]}”.",
        f"Project {name[1]} is “{status[1]}” in {park[1]}, which is only “{step[1]}”.",
    )


POLICY_JOIN = "JOIN decisions pol ON pol.id = pr.policy_decision_id"

CHECKS: tuple[Check, ...] = (
    Check(
        HealthKind.plot_not_cleared_handed_over,
        f"""SELECT p.id, p.uid, p.code, p.park_uid, k.name_vi AS park_name_vi,
                  k.name_en AS park_name_en
           FROM land_plots p LEFT JOIN industrial_parks k ON k.uid = p.park_uid AND k.valid_to IS NULL
           WHERE p.valid_to IS NULL AND p.status = 'not_cleared' AND {CLEARANCE_STATE_SQL} = 'handed_over'
           ORDER BY p.park_uid, p.code""",
        _plot_not_cleared,
        lambda row: _workspace("land_plots", row.id),
        "land_plots",
    ),
    Check(
        HealthKind.plot_offered_in_unbuilt_park,
        f"""SELECT p.id, p.uid, p.code, p.status, coalesce(k.uid, z.uid) AS place_uid,
                  CASE WHEN k.lifecycle IN {UNBUILT} THEN k.name_vi ELSE z.name_vi END AS place_name_vi,
                  CASE WHEN k.lifecycle IN {UNBUILT} THEN k.name_en ELSE z.name_en END AS place_name_en,
                  CASE WHEN k.lifecycle IN {UNBUILT} THEN k.lifecycle ELSE z.lifecycle END AS lifecycle
           FROM land_plots p
           LEFT JOIN industrial_parks k ON k.uid = p.park_uid AND k.valid_to IS NULL
           LEFT JOIN economic_zones z ON z.uid = coalesce(p.zone_uid, k.zone_uid) AND z.valid_to IS NULL
           WHERE p.valid_to IS NULL AND p.status IN ('available', 'reserved', 'leased')
             AND (k.lifecycle IN {UNBUILT} OR z.lifecycle IN {UNBUILT})
           ORDER BY p.park_uid, p.code""",
        _plot_unbuilt,
        lambda row: _workspace("land_plots", row.id),
        "land_plots",
    ),
    Check(
        HealthKind.handover_milestone_parcels_pending,
        """SELECT pr.id, pr.uid, pr.name_vi, pr.name_en, m.actual_on,
                  count(*) FILTER (WHERE c.handed_over_on IS NULL) AS pending,
                  max(c.handed_over_on) AS last_handover
           FROM projects pr
           JOIN project_milestones m ON m.project_id = pr.id AND m.milestone = 'land_handover'
           JOIN clearance_parcels c ON c.project_id = pr.id
           WHERE m.actual_on IS NOT NULL
           GROUP BY pr.id, m.actual_on
           HAVING count(*) FILTER (WHERE c.handed_over_on IS NULL) > 0 OR max(c.handed_over_on) > m.actual_on
           ORDER BY pr.uid""",
        _handover_pending,
        lambda row: f"/maps/clearance#project={row.uid}",
        "projects",
    ),
    Check(
        HealthKind.clearance_before_policy,
        f"""SELECT pr.id, pr.uid, pr.name_vi, pr.name_en, pol.number AS policy_number,
                  pol.date_signed AS policy_signed, count(*) AS parcels, min(c.id) AS first_parcel,
                  min(least(c.notice_issued_on, c.inventoried_on, c.plan_approved_on, c.compensation_paid_on,
                            c.handed_over_on, c.enforcement_on)) AS first_date
           FROM projects pr {POLICY_JOIN} JOIN clearance_parcels c ON c.project_id = pr.id
           WHERE least(c.notice_issued_on, c.inventoried_on, c.plan_approved_on, c.compensation_paid_on,
                       c.handed_over_on, c.enforcement_on) < pol.date_signed
           GROUP BY pr.id, pol.number, pol.date_signed ORDER BY pr.uid""",
        _clearance_before_policy,
        lambda row: _workspace("clearance_parcels", row.first_parcel),
        "clearance_parcels",
    ),
    Check(
        HealthKind.recovery_before_policy,
        f"""SELECT d.id, d.number, d.date_signed, pr.uid, pr.name_vi, pr.name_en, pol.number AS policy_number,
                  pol.date_signed AS policy_signed
           FROM decisions d JOIN projects pr ON pr.uid = d.project_uid {POLICY_JOIN}
           WHERE d.kind IN ('land_recovery', 'compensation_plan') AND d.date_signed < pol.date_signed
           ORDER BY pr.uid, d.date_signed, d.number""",
        _recovery_before_policy,
        lambda row: _item("decisions", row.id),
        "decisions",
    ),
    Check(
        HealthKind.project_status_milestones,
        f"""WITH reached AS (
             SELECT m.project_id, m.milestone, m.actual_on,
                    row_number() OVER (PARTITION BY m.project_id
                                       ORDER BY {rank(STATUS_MILESTONES, "m.milestone")} DESC) AS n
             FROM project_milestones m
             WHERE m.actual_on IS NOT NULL AND m.milestone = ANY({STATUS_MILESTONES}))
           SELECT pr.id, pr.uid, pr.name_vi, pr.name_en, pr.status,
                  CASE WHEN {rank(STATUS_MILESTONES, "r.milestone")} > {rank(STATUS_ORDER, "pr.status")}
                       THEN r.milestone END AS reached,
                  r.actual_on AS reached_on
           FROM projects pr LEFT JOIN reached r ON r.project_id = pr.id AND r.n = 1
           WHERE pr.status <> 'terminated'
             AND ({rank(STATUS_MILESTONES, "r.milestone")} > {rank(STATUS_ORDER, "pr.status")}
                  OR EXISTS (SELECT 1 FROM project_milestones own WHERE own.project_id = pr.id
                             AND own.milestone = ({STATUS_MILESTONES})[{rank(STATUS_ORDER, "pr.status")}]
                             AND own.actual_on IS NULL))
           ORDER BY pr.uid""",
        _status_milestones,
        lambda row: _workspace("projects", row.id),
        "projects",
    ),
    Check(
        HealthKind.milestones_out_of_order,
        f"""SELECT DISTINCT ON (pr.id) pr.id, pr.uid, pr.name_vi, pr.name_en, a.milestone AS earlier,
                  a.actual_on AS earlier_on, b.milestone AS later, b.actual_on AS later_on
           FROM projects pr
           JOIN project_milestones a ON a.project_id = pr.id AND a.actual_on IS NOT NULL
           JOIN project_milestones b ON b.project_id = pr.id AND b.actual_on IS NOT NULL
           WHERE {rank(MILESTONE_ORDER, "a.milestone")} < {rank(MILESTONE_ORDER, "b.milestone")}
             AND a.actual_on > b.actual_on
           ORDER BY pr.id, {rank(MILESTONE_ORDER, "a.milestone")}""",
        _out_of_order,
        lambda row: _item("projects", row.id),
        "projects",
    ),
    Check(
        HealthKind.policy_milestone_date,
        f"""SELECT pr.id, pr.uid, pr.name_vi, pr.name_en, m.actual_on, pol.number AS policy_number,
                  pol.date_signed AS policy_signed
           FROM projects pr {POLICY_JOIN}
           JOIN project_milestones m ON m.project_id = pr.id AND m.milestone = 'policy_approved'
           WHERE m.actual_on IS NOT NULL AND m.actual_on <> pol.date_signed
           ORDER BY pr.uid""",
        _policy_date,
        lambda row: _item("projects", row.id),
        "projects",
    ),
    Check(
        HealthKind.project_active_in_unbuilt_park,
        f"""SELECT pr.id, pr.uid, pr.name_vi, pr.name_en, pr.status, k.id AS park_id, k.uid AS park_uid,
                  k.name_vi AS park_name_vi, k.name_en AS park_name_en, k.lifecycle
           FROM projects pr JOIN industrial_parks k ON k.uid = pr.park_uid AND k.valid_to IS NULL
           WHERE pr.status IN ('under_construction', 'operating') AND k.lifecycle IN {UNBUILT}
           ORDER BY pr.uid""",
        _active_unbuilt,
        lambda row: _workspace("industrial_parks", row.park_id),
        "industrial_parks",
    ),
)


def finding(check: Check, row: Any) -> dict[str, Any]:
    """One contradiction: its sentence in both languages and the page where it is fixed."""
    vi, en = check.say(row)
    return {"vi": vi, "en": en, "link": check.link(row), "layer": check.layer, "id": row.id, "uid": row.uid}


def data_health(conn: Connection) -> dict[str, Any]:
    """Every kind of contradiction checked, with its title and what it found (nothing, on consistent data)."""
    kinds = []
    for check in CHECKS:
        found = [finding(check, row) for row in conn.execute(text(check.sql))]
        kinds.append({"kind": check.kind.value, **as_pair(_words(HealthKind, check.kind.value)), "items": found})
        kinds[-1]["count"] = len(found)
    return {"count": sum(k["count"] for k in kinds), "kinds": kinds}
