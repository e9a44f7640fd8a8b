"""Who a bearer or session token belongs to, remembered per worker until accounts or tokens change.

Every signed-in request used to look its token up in the database (a transaction in the thread pool). With the
change feed up, the answer is kept under the change versions of `users` and `api_tokens` (migration 0009 tracks
them): revoking a token, disabling an account or changing a role bumps a version and the next request looks the
token up again. An entry also ends when the token expires and after a minute, so `last_used_at` stays current.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime

from gis.accounts import User
from gis.change_feed import ChangeFeed

TABLES = ["api_tokens", "users"]
RECHECK_SECONDS = 60.0


class TokenCache:
    """Token digest → (accounts version, user, expiry, when looked up), least recently used dropped first."""

    def __init__(self, max_tokens: int = 1024) -> None:
        self.max_tokens = max_tokens
        self._entries: OrderedDict[str, tuple[str, User, datetime | None, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, feed: ChangeFeed | None, token: str) -> User | None:
        """The remembered user when nothing that could change the answer has happened since, else None."""
        version = _accounts_version(feed)
        if version is None:
            return None
        key = _digest(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            seen_version, user, expires_at, looked_up = entry
            if (
                seen_version != version
                or time.monotonic() - looked_up > RECHECK_SECONDS
                or (expires_at is not None and expires_at <= datetime.now(UTC))
            ):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return user

    def version(self, feed: ChangeFeed | None) -> str | None:
        """The accounts version to read before a lookup (a change during the lookup then invalidates it)."""
        return _accounts_version(feed)

    def put(self, version: str | None, token: str, user: User, expires_at: datetime | None) -> None:
        """Remember a lookup made at `version` (None: the feed is down, remember nothing)."""
        if version is None:
            return
        with self._lock:
            self._entries[_digest(token)] = (version, user, expires_at, time.monotonic())
            while len(self._entries) > self.max_tokens:
                self._entries.popitem(last=False)


def _accounts_version(feed: ChangeFeed | None) -> str | None:
    """Versions of the account tables as one string, or None without a working feed."""
    versions = feed.versions(TABLES) if feed is not None else None
    if versions is None or len(versions) < len(TABLES):
        return None
    return ",".join(f"{t}:{versions[t]}" for t in TABLES)


def _digest(token: str) -> str:
    """Keys are digests: the cache never holds a usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
