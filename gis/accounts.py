"""Staff accounts and bearer tokens: argon2 password hashes, random tokens stored only as their SHA-256."""

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from gis import models
from gis.errors import Conflict, InvalidInput, NotFound
from gis.provinces import current_codes
from gis.vocab import Role

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
TOKEN_PREFIX = "za_"
RANK = {Role.viewer: 1, Role.editor: 2, Role.admin: 3}
MIN_PASSWORD = 8

users = models.User.__table__
tokens = models.ApiToken.__table__


@dataclass(frozen=True)
class User:
    """The signed-in person, as routes and the audit log see them."""

    id: int
    username: str
    display_name: str | None
    role: Role
    active: bool = True
    provinces: tuple[str, ...] | None = None  # province codes this account may change; None: every province
    token_decision_id: int | None = None  # the decision the presented personal token edits under, if bound to one

    def has_role(self, role: Role | str) -> bool:
        """True when this user's role includes the rights of `role`."""
        return RANK[self.role] >= RANK[Role(role)]


def _hasher() -> PasswordHasher:
    """argon2id with the library's current recommended parameters."""
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of the password (salted; never stored in clear)."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = None


def _dummy_hash() -> str:
    """A hash to verify against for unknown users, so they take as long as known ones."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def generate_password() -> str:
    """A random password to print once when the admin gives none."""
    return secrets.token_urlsafe(15)


def _user(row) -> User:
    """A User from a users row."""
    provinces = getattr(row, "provinces", None)  # None: every province
    scope = None if provinces is None else tuple(provinces)
    return User(row.id, row.username, row.display_name, Role(row.role), row.active, scope)


def create_user(
    conn: Connection, username: str, role: Role | str, password: str, display_name: str | None = None
) -> User:
    """Add an account; refuses bad names, unknown roles, short passwords and duplicates."""
    if not USERNAME.fullmatch(username or ""):
        raise InvalidInput("username must be 1–64 letters, digits or . _ @ - (no spaces)")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role '{role}'; roles are: {', '.join(r.value for r in Role)}") from None
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters")
    if conn.execute(select(users.c.id).where(func.lower(users.c.username) == username.lower())).first():
        raise Conflict(f"user '{username}' already exists")
    try:
        row = conn.execute(
            insert(users)
            .values(
                username=username, role=role.value, password_hash=hash_password(password), display_name=display_name
            )
            .returning(*users.c)
        ).one()
    except IntegrityError:
        raise Conflict(f"user '{username}' already exists") from None
    return _user(row)


def get_user(conn: Connection, username: str) -> User:
    """The account with this username (case-insensitive), or NotFound."""
    row = conn.execute(select(users).where(func.lower(users.c.username) == username.lower())).first()
    if row is None:
        raise NotFound(f"no user '{username}'")
    return _user(row)


def list_users(conn: Connection) -> list[User]:
    """Every account, by username."""
    return [_user(row) for row in conn.execute(select(users).order_by(users.c.username))]


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The active user with this password, or None (same work whether or not the user exists).

    A name no account can have (see USERNAME: e.g. with a NUL byte, which PostgreSQL cannot even compare) is not
    looked up.
    """
    name_can_exist = USERNAME.fullmatch(username or "") is not None
    row = (
        conn.execute(select(users).where(func.lower(users.c.username) == username.lower())).first()
        if name_can_exist
        else None
    )
    if row is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(row.password_hash, password) or not row.active:
        return None
    if _hasher().check_needs_rehash(row.password_hash):
        conn.execute(update(users).where(users.c.id == row.id).values(password_hash=hash_password(password)))
    return _user(row)


def set_active(conn: Connection, username: str, active: bool) -> User:
    """Enable or disable an account; disabling also revokes every token and session it holds."""
    user = get_user(conn, username)
    conn.execute(update(users).where(users.c.id == user.id).values(active=active))
    if not active:
        conn.execute(
            update(tokens).where(tokens.c.user_id == user.id, tokens.c.revoked_at.is_(None)).values(revoked_at=_now())
        )
    return get_user(conn, username)


def set_provinces(conn: Connection, username: str, codes: list[str] | None) -> tuple[User, list[str]]:
    """Scope an account to provinces (None: every province); codes checked, merged ones stored as the successor.

    Returns the account and notes saying which codes were stored as their successor.
    """
    user = get_user(conn, username)
    if codes is not None and not codes:
        raise InvalidInput("name at least one province, or every province (--all)")
    stored, notes = (None, []) if codes is None else current_codes(conn, codes)
    conn.execute(update(users).where(users.c.id == user.id).values(provinces=stored))
    return get_user(conn, username), notes


def _digest(raw: str) -> str:
    """What is stored of a token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _now() -> datetime:
    """Timezone-aware now."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed out once: the clear value is never stored."""

    id: int
    token: str
    expires_at: datetime | None


def issue_token(
    conn: Connection,
    user: User,
    *,
    kind: str,
    name: str,
    lifetime: timedelta | None = None,
    decision_id: int | None = None,
) -> IssuedToken:
    """Create a session token (with a lifetime) or a personal API token (until revoked).

    A personal token may be bound to a decision (its id, checked by the caller): versioned edits made with it and
    naming no decision go under that one, for clients such as QGIS that cannot send a Decision header.
    """
    if decision_id is not None and kind != "personal":
        raise InvalidInput("only personal tokens can be bound to a decision")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now() + lifetime if lifetime else None
    token_id = conn.execute(
        insert(tokens)
        .values(
            user_id=user.id, kind=kind, name=name, token_hash=_digest(raw), expires_at=expires, decision_id=decision_id
        )
        .returning(tokens.c.id)
    ).scalar_one()
    return IssuedToken(token_id, raw, expires)


def delete_expired_sessions(conn: Connection, batch: int = 1000) -> int:
    """Forget login sessions past their expiry (up to `batch` a call): every sign-in stores one, so they pile up.

    Personal tokens have no expiry and stay, revoked or not, so their owners can still see them listed.
    """
    expired = (
        select(tokens.c.id)
        .where(tokens.c.kind == "session", tokens.c.expires_at < func.now())
        .limit(batch)
        .scalar_subquery()
    )
    return conn.execute(delete(tokens).where(tokens.c.id.in_(expired))).rowcount


def user_for_token(conn: Connection, raw: str) -> User | None:
    """The active user a live token belongs to, or None; notes when the token was last used."""
    found = token_holder(conn, raw)
    return None if found is None else found[0]


def token_holder(conn: Connection, raw: str) -> tuple[User, datetime | None] | None:
    """The active user a live token belongs to and when the token expires, or None; notes when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    row = conn.execute(
        select(
            users,
            tokens.c.id.label("token_id"),
            tokens.c.last_used_at,
            tokens.c.expires_at,
            tokens.c.decision_id.label("token_decision_id"),
        )
        .join(tokens, tokens.c.user_id == users.c.id)
        .where(
            tokens.c.token_hash == _digest(raw),
            tokens.c.revoked_at.is_(None),
            or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > func.now()),
            users.c.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    if row.last_used_at is None or row.last_used_at < _now() - timedelta(minutes=1):
        conn.execute(update(tokens).where(tokens.c.id == row.token_id).values(last_used_at=func.now()))
    return replace(_user(row), token_decision_id=row.token_decision_id), row.expires_at


def revoke_token(conn: Connection, raw: str) -> bool:
    """Revoke a token by its clear value (logout); True if it was live."""
    result = conn.execute(
        update(tokens)
        .where(tokens.c.token_hash == _digest(raw), tokens.c.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    return result.rowcount > 0


def revoke_token_id(conn: Connection, token_id: int, user: User | None = None) -> None:
    """Revoke a token by id (only the owner's own unless user is None, as for an admin or the CLI)."""
    condition = tokens.c.id == token_id
    if user is not None:
        condition = condition & (tokens.c.user_id == user.id)
    result = conn.execute(update(tokens).where(condition, tokens.c.revoked_at.is_(None)).values(revoked_at=_now()))
    if result.rowcount == 0:
        raise NotFound(f"no live token {token_id}")


def list_tokens(conn: Connection, user: User, kind: str | None = "personal") -> list[dict]:
    """A user's tokens (never their values): id, name, created, last used, expiry, revoked, bound decision."""
    decisions = models.Decision.__table__
    query = (
        select(
            tokens.c.id,
            tokens.c.kind,
            tokens.c.name,
            tokens.c.created_at,
            tokens.c.last_used_at,
            tokens.c.expires_at,
            tokens.c.revoked_at,
            tokens.c.decision_id,
            decisions.c.number.label("decision"),
        )
        .outerjoin(decisions, decisions.c.id == tokens.c.decision_id)
        .where(tokens.c.user_id == user.id)
    )
    if kind:
        query = query.where(tokens.c.kind == kind)
    return [dict(row._mapping) for row in conn.execute(query.order_by(tokens.c.id))]


def set_role(conn: Connection, username: str, role: Role | str) -> User:
    """Give an account another role (takes effect on its next request: token lookups are re-read on change)."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role '{role}'; roles are: {', '.join(r.value for r in Role)}") from None
    user = get_user(conn, username)
    conn.execute(update(users).where(users.c.id == user.id).values(role=role.value))
    return get_user(conn, username)


def set_password(conn: Connection, username: str, password: str) -> User:
    """Replace an account's password; its browser sessions end (personal tokens keep working until revoked)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters")
    user = get_user(conn, username)
    conn.execute(update(users).where(users.c.id == user.id).values(password_hash=hash_password(password)))
    conn.execute(
        update(tokens)
        .where(tokens.c.user_id == user.id, tokens.c.kind == "session", tokens.c.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    return user


def current_provinces(conn: Connection) -> list[dict]:
    """Today's provinces (code, Vietnamese and English names), the codes an account's provinces are chosen from."""
    units = models.AdminUnit.__table__
    rows = conn.execute(
        select(units.c.code, units.c.name_vi, func.coalesce(units.c.name_en, units.c.name_vi).label("name_en"))
        .where(units.c.level == "province", units.c.valid_to.is_(None))
        .order_by(units.c.name_vi)
    )
    return [dict(row._mapping) for row in rows]
