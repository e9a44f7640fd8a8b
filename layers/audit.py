"""The audit log: every change to a feature, with who, when, before and after (GeoJSON geometry), and the decision."""

from typing import Any

from sqlalchemy import Connection, insert, or_, select

from gis import models
from gis.accounts import User
from gis.errors import InvalidInput
from layers.registry import get_layer

ACTIONS = ("create", "update", "delete")
audit_log = models.AuditEntry.__table__


def record_change(
    conn: Connection,
    *,
    user: User | None,
    layer_id: str,
    feature_id: int | str,
    action: str,
    before: dict | None,
    after: dict | None,
    decision_id: int | None,
    request_id: str | None = None,
    if_match: str | None = None,
) -> None:
    """Append one entry; call it in the same transaction as the change so both happen or neither does.

    `if_match` is the ETag the writer's If-Match named; None records a change made without one (last writer wins).
    """
    if action not in ACTIONS:
        raise InvalidInput(f"audit action must be one of {', '.join(ACTIONS)}, not '{action}'")
    spec = get_layer(layer_id)
    uid = (after or {}).get("uid") or (before or {}).get("uid")
    conn.execute(
        insert(audit_log).values(
            user_id=None if user is None else user.id,
            username=None if user is None else user.username,
            layer_id=spec.id,
            table_name=spec.table,
            feature_id=str(feature_id),
            feature_uid=None if uid is None else str(uid),
            action=action,
            before=_jsonable(before),
            after=_jsonable(after),
            decision_id=decision_id,
            request_id=request_id,
            if_match=if_match,
        )
    )


def history(conn: Connection, layer_id: str, feature_id: int | str, uid: str | None) -> list[dict[str, Any]]:
    """Entries about a feature, oldest first: for versioned layers, every version of the same uid."""
    condition = audit_log.c.feature_id == str(feature_id)
    if uid is not None:
        condition = or_(condition, audit_log.c.feature_uid == uid)
    decisions = models.Decision.__table__
    rows = conn.execute(
        select(audit_log, decisions.c.number.label("decision_number"))
        .outerjoin(decisions, decisions.c.id == audit_log.c.decision_id)
        .where(audit_log.c.layer_id == layer_id, condition)
        .order_by(audit_log.c.changed_at, audit_log.c.id)
    )
    return [
        {
            "id": row.id,
            "changed_at": row.changed_at.isoformat(),
            "user": row.username,
            "action": row.action,
            "feature_id": row.feature_id,
            "uid": row.feature_uid,
            "decision_id": row.decision_id,
            "decision": row.decision_number,
            "request_id": row.request_id,
            "if_match": row.if_match,
            "before": row.before,
            "after": row.after,
        }
        for row in rows
    ]


def versions(conn: Connection, layer_id: str, uid: str | None) -> list[dict[str, Any]]:
    """The versions of a versioned feature (every row of its uid), oldest first, with the decision of each."""
    spec = get_layer(layer_id)
    if not spec.versioned or uid is None:
        return []
    table = models.Base.metadata.tables[spec.table]
    decisions = models.Decision.__table__
    rows = conn.execute(
        select(table.c.id, table.c.valid_from, table.c.valid_to, decisions.c.number)
        .outerjoin(decisions, decisions.c.id == table.c.decision_id)
        .where(table.c.uid == uid)
        .order_by(table.c.valid_from, table.c.id)
    )
    return [
        {
            "feature_id": row.id,
            "valid_from": row.valid_from.isoformat(),
            "valid_to": None if row.valid_to is None else row.valid_to.isoformat(),
            "decision": row.number,
        }
        for row in rows
    ]


def _jsonable(value: Any) -> Any:
    """Dates, decimals and the like as JSON-friendly values (rows from PostgreSQL's to_jsonb already are)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
