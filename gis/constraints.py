"""Database constraint errors turned into sentences a person can act on, and the allowed values of enum columns."""

import re

from sqlalchemy import CheckConstraint, Table
from sqlalchemy.exc import DBAPIError

from gis.errors import Conflict, InvalidInput, Unprocessable, ZoneAtlasError
from gis.models import STAGE_SEQUENCE_RULES
from gis.vocab import COMBINED_CHECK_VOCABULARIES, ClearanceStage

UNIQUE_VIOLATION, EXCLUSION_VIOLATION = "23505", "23P01"
# `col IN (...)`, or `col IS NULL OR col IN (...)` for an optional one (decisions.plan_level)
ENUM_CHECK = re.compile(r"^\s*(?:(\w+) IS NULL OR )?(\w+) IN \((.*)\)\s*$", re.DOTALL)


# Rules whose database wording a person cannot act on, said as a sentence (whatever the write path).
RULE_SENTENCES = {
    "ck_programme_tasks_done_date": "a task marked done (hoàn thành) needs its completion date (ngày hoàn thành, "
    "completed_on); give the date or choose another status",
    "ck_programme_tasks_unit_board": "the lead unit (đơn vị chủ trì) is not a department of this programme's "
    "board; choose one of the board's own units",
    "ck_programme_tasks_due": "the due period (thời gian hoàn thành) is a quarter like 2023-Q1, a month like "
    "2023-03, a date like 2023-03-15, or quarterly / monthly for a recurring report",
    "ck_project_findings_resolved_date": "a finding marked resolved (đã khắc phục) needs the date it was resolved "
    "(ngày khắc phục, resolved_on); give the date or keep it open",
    "ck_project_findings_dates": "a finding cannot be resolved (ngày khắc phục) before it was found (ngày phát hiện)",
    "ck_issuing_boards_logo": "the logo (biểu trưng) is a small PNG, JPEG or SVG image given as a data: URI "
    "(data:image/png;base64,…) of at most 200,000 characters; leave it empty to print the neutral placeholder",
    "ck_issuing_boards_email": "the e-mail address (thư điện tử) is written like ban.quanly@example.gov.vn",
    "ck_issuing_boards_website": "the website (trang thông tin) is an address starting with https:// or http://",
    "issuing_boards_province_code_key": "this province already has an issuing board (ban quản lý); change that "
    "board's record instead of adding another",
    "uq_project_rent_amounts_year": "this project already has a rent row for that year (tiền thuê năm); change that "
    "row instead of adding another",
    "ck_enterprise_figures_period": "the period (kỳ) does not fit its kind: a year's figure has period 0, a "
    "quarter's 1 to 4, a month's 1 to 12",
    "ck_enterprise_figures_year": "the year (năm) of a figure is from 1990 to 2100",
    "ck_enterprise_targets_year": "the year (năm) of a target is from 1990 to 2100",
    "ck_enterprise_figures_not_negative": "no enterprise figure may be below zero (số liệu không được âm)",
    "ck_enterprise_targets_not_negative": "no target may be below zero (chỉ tiêu không được âm)",
    "uq_enterprise_figures_period": "this project already has a figure for that period and basis (ước or chính "
    "thức); change that row instead of adding another",
    "uq_enterprise_targets_scope_year": "there is already a target for that province, zone or park and year; change "
    "that row instead of adding another",
    # Statuses that cannot contradict each other (0022): the secondary fact follows the primary one.
    "za_land_plots_not_cleared_handed_over": "lô đất không thể ghi “chưa giải phóng mặt bằng” khi mọi thửa GPMB của "
    "lô đã bàn giao / a plot cannot be marked not cleared (chưa GPMB) when every clearance parcel concerning it is "
    "handed over: choose available, reserved or leased",
    "za_project_milestones_handover_parcels": "chưa thể ghi ngày bàn giao đất khi dự án còn thửa chưa bàn giao / the "
    "land handover (bàn giao đất) cannot have a date while parcels of the project are not handed over: record the "
    "parcels' handover first",
    "za_project_milestones_handover_before_parcels": "ngày bàn giao đất không thể trước ngày bàn giao thửa cuối cùng "
    "/ the land handover (bàn giao đất) cannot be dated before the last of the project's parcels was handed over",
    "za_project_milestones_order": "các mốc tiến độ phải theo thứ tự / a project's milestones follow one another: "
    "investment policy ≤ IRC ≤ land handover ≤ construction start ≤ operation start (chủ trương ≤ GCN ≤ bàn giao "
    "đất ≤ khởi công ≤ hoạt động)",
    "za_clearance_parcels_after_policy": "thửa GPMB không thể có ngày trước khi dự án được chấp thuận chủ trương đầu "
    "tư / a clearance parcel cannot have a stage date before its project's investment policy approval (chấp thuận "
    "chủ trương đầu tư): check the dates, or the project's policy decision",
    "za_decisions_recovery_after_policy": "quyết định thu hồi đất, bồi thường không thể ký trước khi dự án được chấp "
    "thuận chủ trương đầu tư / a land-recovery or compensation decision cannot be signed before its project's "
    "investment policy approval: check its date, or the project it names",
}


STAGE_ORDER = "ck_clearance_parcels_stage_order"


def _stage(stage: str) -> str:
    """A clearance stage as a clearance officer names it, Vietnamese first."""
    from layers.labels import enum_words  # the one source of words; it imports this module, so imported late

    vi, en = enum_words(ClearanceStage)[stage]
    return f"{vi} / {en}"


def rule_sentence(name: str | None) -> str | None:
    """Rules said as a sentence: the clearance stage rules (the bulk stage change gives the same reasons) and
    RULE_SENTENCES; None for other rules."""
    if name in RULE_SENTENCES:
        return RULE_SENTENCES[name]
    if name in STAGE_SEQUENCE_RULES:
        later, earlier = STAGE_SEQUENCE_RULES[name]
        return (
            f"a parcel cannot have the date of {_stage(later)} without the date of {_stage(earlier)}: "
            "a stage is reached only after the stages before it, so enter the earlier dates first"
        )
    if name == STAGE_ORDER:
        return (
            "the stage dates go backwards: a stage's date cannot be before the date of an earlier stage "
            f"({' ≤ '.join(_stage(s) for s in list(ClearanceStage)[1:])})"
        )
    return None


def constraint_message(exc: Exception) -> str:
    """Turn a database constraint error into one readable sentence."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if sentence := rule_sentence(name):
        return sentence
    detail = getattr(diag, "message_detail", None) or ""
    primary = getattr(diag, "message_primary", None) or str(orig or exc).splitlines()[0]
    if name:
        return f"violates rule {name}: {primary}" + (f" ({detail})" if detail else "")
    return primary + (f" ({detail})" if detail else "")


def enum_choices(table: Table) -> dict[str, list[str]]:
    """Column → allowed values, read from the table's `column IN (...)` CHECK constraints (and the columns a wider
    CHECK keeps to a list, gis.vocab.COMBINED_CHECK_VOCABULARIES)."""
    choices: dict[str, list[str]] = {
        column: [m.value for m in vocabulary]
        for column, vocabulary in COMBINED_CHECK_VOCABULARIES.get(table.name, {}).items()
    }
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            match = ENUM_CHECK.match(str(constraint.sqltext))
            if match and match.group(1) in (None, match.group(2)):
                choices[match.group(2)] = re.findall(r"'((?:[^']|'')*)'", match.group(3))
    return choices


def database_refusal(exc: DBAPIError, prefix: str = "") -> ZoneAtlasError:
    """The one translation of a refused write: duplicate/overlap → Conflict, other rules → 422, bad data → 400."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None) or ""
    message = prefix + constraint_message(exc)
    if code in (UNIQUE_VIOLATION, EXCLUSION_VIOLATION):
        return Conflict(message)
    if code.startswith("23"):  # check, foreign key, not null
        return Unprocessable(message)
    return InvalidInput(message)
