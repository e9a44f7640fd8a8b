"""Database constraint errors turned into sentences a person can act on, and the allowed values of enum columns."""

import re

from sqlalchemy import CheckConstraint, Table
from sqlalchemy.exc import DBAPIError

from gis.errors import Conflict, InvalidInput, Unprocessable, ZoneAtlasError
from gis.models import STAGE_SEQUENCE_RULES
from gis.vocab import ClearanceStage

UNIQUE_VIOLATION, EXCLUSION_VIOLATION = "23505", "23P01"
# `col IN (...)`, or `col IS NULL OR col IN (...)` for an optional one (decisions.plan_level)
ENUM_CHECK = re.compile(r"^\s*(?:(\w+) IS NULL OR )?(\w+) IN \((.*)\)\s*$", re.DOTALL)


STAGE_ORDER = "ck_clearance_parcels_stage_order"


def _stage(stage: str) -> str:
    """A clearance stage as a clearance officer names it, Vietnamese first."""
    from layers.labels import enum_words  # the one source of words; it imports this module, so imported late

    vi, en = enum_words(ClearanceStage)[stage]
    return f"{vi} / {en}"


def rule_sentence(name: str | None) -> str | None:
    """The clearance stage rules in words (the bulk stage change gives the same reasons); None for other rules."""
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
    """Column → allowed values, read from the table's `column IN (...)` CHECK constraints."""
    choices: dict[str, list[str]] = {}
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
