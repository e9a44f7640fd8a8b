"""Neutral errors raised below the API; the API maps them to HTTP status codes in one table."""


class ZoneAtlasError(Exception):
    """Base class: carries a message a person can act on."""


class NotFound(ZoneAtlasError):
    """The thing asked for does not exist."""


class InvalidInput(ZoneAtlasError):
    """The input cannot be accepted as given; the message says what is wrong and where."""


class Conflict(ZoneAtlasError):
    """The input contradicts what is stored (duplicate key, stale version)."""
