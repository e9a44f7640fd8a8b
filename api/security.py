"""Hardening in front of every route: body size limit, security headers, request ids, CORS, login rate limit."""

import random
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from gis.errors import RateLimited
from gis.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "zoneatlas_session"
CSRF_COOKIE = "zoneatlas_csrf"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Pages load everything from the app itself; Leaflet styles elements from script (allowed) and draws
# with data:/blob: images. A route that needs another policy sets its own Content-Security-Policy header.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{images}; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(settings: Settings) -> str:
    """The policy for HTML pages; a configured basemap (BASEMAP_URL) is the one other image origin allowed."""
    basemap = getattr(settings, "basemap_url", None) or ""
    parts = urlsplit(basemap.replace("{s}", "a"))
    origin = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
    if "{s}" in basemap and origin:
        origin = " " + basemap.split("//", 1)[0] + "//" + "*." + parts.netloc.split(".", 1)[1]
    return CONTENT_SECURITY_POLICY.format(images=origin)


EDIT_HEADERS = [
    "Authorization",
    "Content-Type",
    "Content-Crs",
    "If-Match",
    "If-None-Match",
    "Decision",
    "Accept",
    "Accept-Language",
    "X-Request-ID",
]
EXPOSED_HEADERS = ["ETag", "Location", "Content-Crs", "X-Request-ID", "X-Tile-Truncated", "Retry-After"]


class BodySizeLimit:
    """Refuse request bodies over the limit with 413, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared size, then count what actually arrives."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        is_upload = headers.get("content-type", "").lower().startswith("multipart/form-data")
        limit = self.max_upload_bytes if is_upload else self.max_bytes
        declared = headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, limit)
            else:
                raise


class _BodyTooLarge(HTTPException):
    """Raised from receive() when a streamed body passes the limit (an HTTPException so parsers pass it on)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


async def _too_large(send: Send, limit: int) -> None:
    """The 413 answer, in the API's error form."""
    body = (
        '{"code":"PayloadTooLarge","description":"the request body is larger than the limit of '
        f'{limit} bytes (MAX_BODY_BYTES / MAX_UPLOAD_BYTES)"}}'
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Give every response a request id and nosniff/referrer headers; HTML also gets CSP and framing rules."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers as the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        # an id, not a secret: a pseudo-random one costs no system call per request
        request_id = incoming if REQUEST_ID.fullmatch(incoming) else f"{random.getrandbits(64):016x}"
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-request-id", request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    extra.append((b"x-frame-options", b"DENY"))
                    if b"content-security-policy" not in names:
                        extra.append((b"content-security-policy", self.policy))
                message["headers"] = headers + [(k, v) for k, v in extra if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginLimiter:
    """Failed sign-ins per (client, username) and per client in a sliding window, kept in this process's memory.

    With several workers each keeps its own count, so the effective limit is per worker; a restart clears it.
    """

    def __init__(self, max_failures: int, window_seconds: int) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, client: str, username: str) -> list[tuple[str, int]]:
        """The counters a sign-in touches and their limits (a client gets more, for shared offices)."""
        return [(f"u:{client}:{username.lower()}", self.max_failures), (f"c:{client}", self.max_failures * 5)]

    def check(self, client: str, username: str) -> None:
        """RateLimited when either counter is full; nothing else is checked while it is."""
        now = time.monotonic()
        with self._lock:
            for key, limit in self._keys(client, username):
                stamps = self._failures.get(key)
                if not stamps:
                    continue
                while stamps and stamps[0] <= now - self.window:
                    stamps.popleft()
                if len(stamps) >= limit:
                    retry = max(1, int(stamps[0] + self.window - now) + 1)
                    raise RateLimited(
                        f"too many failed sign-ins; try again in {retry} seconds / "
                        f"đăng nhập sai quá nhiều lần, thử lại sau {retry} giây",
                        retry,
                    )

    def failed(self, client: str, username: str) -> None:
        """Count one failed sign-in."""
        now = time.monotonic()
        with self._lock:
            for key, _ in self._keys(client, username):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, client: str, username: str) -> None:
        """A successful sign-in clears that user's counter from that client."""
        with self._lock:
            self._failures.pop(self._keys(client, username)[0][0], None)


def session_serializer(settings: Settings) -> URLSafeTimedSerializer:
    """Signs the session cookie (tamper-evident, with the session's age) with SECRET_KEY."""
    return URLSafeTimedSerializer(settings.secret_key, salt="zoneatlas-session")


def unsign_session(settings: Settings, cookie: str) -> str | None:
    """The session token inside a cookie, or None when it is forged or too old."""
    try:
        return session_serializer(settings).loads(cookie, max_age=int(settings.session_hours * 3600))
    except BadSignature:
        return None


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the middleware stack (outermost last): CORS, security headers, body size limit."""
    app.state.login_limiter = LoginLimiter(settings.login_max_failures, settings.login_window_seconds)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders, policy=content_security_policy(settings))
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=EDIT_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
        )
