"""Closed vocabularies stored as CHECK-constrained text; open ones (land-use codes, colours) are lookup tables."""

from enum import StrEnum


class ZoneType(StrEnum):
    """Economic-zone types per Decree 35/2022/NĐ-CP."""

    coastal = "coastal"
    border_gate = "border_gate"
    specialised = "specialised"


class FunctionalAreaType(StrEnum):
    """Functional areas (khu chức năng) inside an economic zone."""

    non_tariff = "non_tariff"
    bonded = "bonded"
    export_processing = "export_processing"
    industrial = "industrial"
    logistics_port = "logistics_port"
    gate_area = "gate_area"
    trade_services = "trade_services"
    tourism = "tourism"
    urban = "urban"
    residential_resettlement = "residential_resettlement"
    administrative = "administrative"
    agro_forestry = "agro_forestry"


class ParkKind(StrEnum):
    """Industrial park (KCN) and industrial cluster (CCN) are separate legal regimes."""

    industrial_park = "industrial_park"
    industrial_cluster = "industrial_cluster"


class ParkType(StrEnum):
    """Industrial-park types per Decree 35/2022/NĐ-CP."""

    regular = "regular"
    export_processing = "export_processing"
    supporting = "supporting"
    eco = "eco"
    specialised = "specialised"
    high_tech = "high_tech"


class PlotStatus(StrEnum):
    """Status of a land plot (lô đất) as investors see it."""

    available = "available"
    reserved = "reserved"
    leased = "leased"
    not_cleared = "not_cleared"


class GateMode(StrEnum):
    """How a border gate is crossed."""

    road = "road"
    river = "river"
    road_river = "road_river"
    rail = "rail"


class FacilityStatus(StrEnum):
    """Lifecycle of a planned thing (park, cluster, zone, logistics centre, transport node or line), in order:
    proposed → in the approved plan → under construction → operating. Centres and nodes keep it in `status`, the
    others in `lifecycle`; each step is reached under a decision (`lifecycle_decision_id`)."""

    proposed = "proposed"
    planned = "planned"
    under_construction = "under_construction"
    operating = "operating"


Lifecycle = FacilityStatus  # the same vocabulary under the name the planners use
NOT_BUILT = (FacilityStatus.proposed.value, FacilityStatus.planned.value)  # drawn dashed; its land is not on offer


class TransportNodeKind(StrEnum):
    """Nodes that distances are measured to."""

    seaport = "seaport"
    river_port = "river_port"
    airport = "airport"
    expressway_junction = "expressway_junction"


class TransportLineKind(StrEnum):
    """Lines that distances are measured to."""

    expressway = "expressway"
    national_road = "national_road"
    provincial_road = "provincial_road"
    canal = "canal"
    river = "river"
    railway = "railway"


class ProjectStatus(StrEnum):
    """Investment-project stages; 'delayed' is derived from milestones, never stored."""

    policy_approved = "policy_approved"
    irc_issued = "irc_issued"
    under_construction = "under_construction"
    operating = "operating"
    terminated = "terminated"


class Milestone(StrEnum):
    """Project milestones with committed and actual dates."""

    policy_approved = "policy_approved"
    irc_issued = "irc_issued"
    land_handover = "land_handover"
    construction_start = "construction_start"
    operation_start = "operation_start"


class ClearanceState(StrEnum):
    """Where clearance stands on a plot, derived from the parcels that concern it (never typed in)."""

    no_parcels = "no_parcels"
    not_handed_over = "not_handed_over"
    partly_handed_over = "partly_handed_over"
    handed_over = "handed_over"


class HealthKind(StrEnum):
    """Kinds of contradiction between recorded facts that the data-health check lists (layers/health.py)."""

    plot_not_cleared_handed_over = "plot_not_cleared_handed_over"
    plot_offered_in_unbuilt_park = "plot_offered_in_unbuilt_park"
    handover_milestone_parcels_pending = "handover_milestone_parcels_pending"
    clearance_before_policy = "clearance_before_policy"
    recovery_before_policy = "recovery_before_policy"
    project_status_milestones = "project_status_milestones"
    milestones_out_of_order = "milestones_out_of_order"
    policy_milestone_date = "policy_milestone_date"
    project_active_in_unbuilt_park = "project_active_in_unbuilt_park"


class ClearanceStage(StrEnum):
    """Land-clearance stages (Land Law 2024, arts. 85-87, 94), in order."""

    not_started = "not_started"
    notice_issued = "notice_issued"
    inventoried = "inventoried"
    plan_approved = "plan_approved"
    compensation_paid = "compensation_paid"
    handed_over = "handed_over"


class DecisionKind(StrEnum):
    """What a legal decision does."""

    approve_plan_task = "approve_plan_task"
    approve_plan = "approve_plan"
    overall_revision = "overall_revision"
    local_revision = "local_revision"
    establish_zone = "establish_zone"
    enlarge_zone = "enlarge_zone"
    regulation = "regulation"
    investment_policy = "investment_policy"
    land_recovery = "land_recovery"
    compensation_plan = "compensation_plan"
    land_lease = "land_lease"


class PlanLevel(StrEnum):
    """Planning levels and their usual scales."""

    general = "general"  # quy hoạch chung 1/10,000-1/25,000
    zoning = "zoning"  # quy hoạch phân khu 1/2,000-1/5,000
    detailed = "detailed"  # quy hoạch chi tiết 1/500


class Authority(StrEnum):
    """Issuing authorities of decisions."""

    prime_minister = "prime_minister"
    government = "government"
    ministry = "ministry"
    provincial_council = "provincial_council"
    provincial_committee = "provincial_committee"
    management_board = "management_board"


class AdminLevel(StrEnum):
    """Administrative levels kept (districts were abolished on 2025-07-01)."""

    province = "province"
    district = "district"
    commune = "commune"


def sql_in(values: type[StrEnum]) -> str:
    """Render an enum as a SQL IN-list for a CHECK constraint (values are ours, never user input)."""
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"


class Role(StrEnum):
    """Staff roles, each including the rights of the ones before it: viewer < editor < admin."""

    viewer = "viewer"
    editor = "editor"
    admin = "admin"


class TaskStatus(StrEnum):
    """Where a task of the board's yearly programme stands (done needs its completion date)."""

    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    late = "late"
    cancelled = "cancelled"


class SubmissionLevel(StrEnum):
    """Who a programme task's result is submitted to (cấp trình)."""

    prime_minister = "prime_minister"
    government = "government"
    ministry = "ministry"
    provincial_committee = "provincial_committee"
    board_leadership = "board_leadership"


class PeriodKind(StrEnum):
    """The period an enterprise figure covers: a year (period 0), a quarter (1-4) or a month (1-12)."""

    year = "year"
    quarter = "quarter"
    month = "month"


# Columns whose closed list a wider CHECK keeps (not a plain `column IN (...)`): table -> column -> vocabulary.
COMBINED_CHECK_VOCABULARIES: dict[str, dict[str, type[StrEnum]]] = {
    "enterprise_figures": {"period_kind": PeriodKind},  # ck_enterprise_figures_period pairs it with `period`
}


class FigureBasis(StrEnum):
    """Whether an enterprise figure is an estimate (ước) or the final one (both are kept)."""

    estimate = "estimate"
    final = "final"


class TargetScope(StrEnum):
    """What a year's target (kế hoạch) is set for."""

    province = "province"
    zone = "zone"
    park = "park"


class RentBasis(StrEnum):
    """What a project's land-rent rate is counted on (đơn giá thuê đất)."""

    per_m2_year = "per_m2_year"
    per_ha_year = "per_ha_year"
    lump_sum_term = "lump_sum_term"
    per_year = "per_year"


class FindingKind(StrEnum):
    """What an inspection or decision found wrong with a project."""

    slow_land_use = "slow_land_use"
    off_objective = "off_objective"
    violation = "violation"
    rent_arrears = "rent_arrears"
    other = "other"


class FindingStatus(StrEnum):
    """Whether a compliance finding still stands (resolved needs its date)."""

    open = "open"
    resolved = "resolved"


class BasemapKind(StrEnum):
    """What a feature of the offline base map is: land, a border or coastline line, or a country's label point."""

    land = "land"
    border = "border"
    coastline = "coastline"
    label = "label"
