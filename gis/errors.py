"""Neutral errors raised below the API; the API maps them to HTTP status codes in one table."""


class ZoneAtlasError(Exception):
    """Base class: carries a message a person can act on."""


class NotFound(ZoneAtlasError):
    """The thing asked for does not exist."""


class InvalidInput(ZoneAtlasError):
    """The input cannot be accepted as given; the message says what is wrong and where."""


class Conflict(ZoneAtlasError):
    """The input contradicts what is stored (duplicate key, stale version)."""


class NotAuthenticated(ZoneAtlasError):
    """The resource needs a signed-in user and none (or an invalid credential) was given."""


class Forbidden(ZoneAtlasError):
    """The signed-in user's role does not allow this."""


class Unprocessable(InvalidInput):
    """Well-formed input that breaks a rule of the data (required field, allowed values, a constraint)."""


class PreconditionRequired(ZoneAtlasError):
    """A write must say which version it changes (If-Match) and did not."""


class PreconditionFailed(Conflict):
    """The version named by the write is no longer the current one (someone else changed it)."""


class NotAllowed(ZoneAtlasError):
    """The method does not apply to this resource (e.g. editing a read-only layer)."""


class RateLimited(ZoneAtlasError):
    """Too many attempts; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(ZoneAtlasError):
    """An upload over its size limit (a decision's PDF over DOCUMENT_MAX_BYTES)."""


class UnsupportedMedia(ZoneAtlasError):
    """An upload of the wrong kind of file (a decision's document that is not a PDF)."""
