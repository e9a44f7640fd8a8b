"""The audit of account changes: who changed which account, when and how (never a password or a token value)."""

from typing import Any

from sqlalchemy import Connection, insert, select

from gis import models
from gis.accounts import User

account_audit = models.AccountAuditEntry.__table__
ACTIONS = (
    "create",
    "disable",
    "enable",
    "role",
    "provinces",
    "display_name",
    "password_reset",
    "token_create",
    "token_revoke",
)


def record_account_change(
    conn: Connection,
    *,
    actor: User | None,
    account: User,
    action: str,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> None:
    """Append one entry in the same transaction as the change, so both happen or neither does."""
    if action not in ACTIONS:
        raise ValueError(f"unknown account action '{action}'")
    conn.execute(
        insert(account_audit).values(
            actor_id=None if actor is None else actor.id,
            actor_name=None if actor is None else actor.username,
            account_id=account.id,
            account_name=account.username,
            action=action,
            details=details,
            request_id=request_id,
        )
    )


def recent_account_changes(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The latest account changes, newest first."""
    rows = conn.execute(
        select(
            account_audit.c.id,
            account_audit.c.changed_at,
            account_audit.c.actor_name,
            account_audit.c.account_name,
            account_audit.c.action,
            account_audit.c.details,
        )
        .order_by(account_audit.c.changed_at.desc(), account_audit.c.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]
