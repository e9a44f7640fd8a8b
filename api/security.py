"""Hardening: body size limit, security headers, request ids, CORS, sign-in limits, same-origin writes, proxies."""

import hashlib
import random
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection

from gis.errors import Forbidden, RateLimited
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
    """Sign-ins counted in a sliding window, in this process's memory.

    Failures count per (client, account), per account from any address (so rotating addresses does not give
    unlimited guesses) and per client; every sign-in, successful or not, counts per client too, since each costs
    a password hash. With several workers each keeps its own counts, so the limits are per worker; a restart
    clears them. The client address is the connection's, or X-Forwarded-For from a TRUSTED_PROXIES proxy only.
    """

    def __init__(self, max_failures: int, window_seconds: int, max_attempts: int = 60) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_attempts = max_attempts
        self._stamps: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _failure_keys(self, client: str, username: str) -> list[tuple[str, int]]:
        """The failure counters a sign-in touches and their limits (an address gets more, for shared offices)."""
        account = hashlib.sha256(username.lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]  # bounded keys
        return [
            (f"u:{client}:{account}", self.max_failures),
            (f"a:{account}", self.max_failures * 2),
            (f"c:{client}", self.max_failures * 5),
        ]

    def check(self, client: str, username: str) -> None:
        """RateLimited when a counter is full; nothing else is checked while it is."""
        now = time.monotonic()
        with self._lock:
            for key, limit in self._failure_keys(client, username):
                self._refuse_when_full(key, limit, now, "too many failed sign-ins", "đăng nhập sai quá nhiều lần")
            self._refuse_when_full(
                f"s:{client}", self.max_attempts, now, "too many sign-ins from this address", "đăng nhập quá nhiều lần"
            )

    def _refuse_when_full(self, key: str, limit: int, now: float, english: str, vietnamese: str) -> None:
        """Drop stamps older than the window; RateLimited when `limit` remain."""
        stamps = self._stamps.get(key)
        if not stamps:
            return
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if len(stamps) >= limit:
            retry = max(1, int(stamps[0] + self.window - now) + 1)
            raise RateLimited(
                f"{english}; try again in {retry} seconds / {vietnamese}, thử lại sau {retry} giây", retry
            )

    def attempted(self, client: str) -> None:
        """Count one sign-in from this client, whatever its outcome."""
        self._add([f"s:{client}"])

    def failed(self, client: str, username: str) -> None:
        """Count one failed sign-in."""
        self._add([key for key, _ in self._failure_keys(client, username)])

    def succeeded(self, client: str, username: str) -> None:
        """A successful sign-in clears that account's failure counters (not the address's)."""
        with self._lock:
            for key, _ in self._failure_keys(client, username)[:2]:
                self._stamps.pop(key, None)

    def _add(self, keys: list[str]) -> None:
        """Stamp the counters; forget idle ones when there are many (forged names must not fill the memory)."""
        now = time.monotonic()
        with self._lock:
            if len(self._stamps) > 10_000:
                self._stamps = {k: v for k, v in self._stamps.items() if v and v[-1] > now - self.window}
            for key in keys:
                self._stamps.setdefault(key, deque()).append(now)


class PasswordChecks:
    """At most `slots` password checks at once in this process: argon2id takes 64 MiB for each.

    A sign-in waits up to `wait_seconds` for a slot, then is told to come back (429 with Retry-After),
    so a burst of logins cannot take the process's memory.
    """

    def __init__(self, slots: int, wait_seconds: float = 3.0) -> None:
        self.slots = threading.BoundedSemaphore(max(1, slots))
        self.wait_seconds = wait_seconds

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the duration of one password check."""
        if not self.slots.acquire(timeout=self.wait_seconds):
            raise RateLimited(
                "the server is busy checking other sign-ins; try again in 2 seconds / "
                "máy chủ đang bận kiểm tra đăng nhập khác, thử lại sau 2 giây",
                2,
            )
        try:
            yield
        finally:
            self.slots.release()


def check_same_origin(request: HTTPConnection, settings: Settings) -> None:
    """A write signed by the session cookie must come from this site's own pages or a TRUSTED_ORIGINS origin.

    Browsers send Sec-Fetch-Site and Origin with every POST, PUT, PATCH and DELETE, and a page cannot forge
    them, so a cross-site form or script cannot use a signed-in person's cookie to write (CSRF). Scripts
    send a bearer token instead, which no other site can add to a request, and are not checked.
    """
    headers = request.headers
    site = headers.get("sec-fetch-site")
    if site == "same-origin":
        return
    source = headers.get("origin") or (headers.get("referer") if site is None else None)
    if source:
        parts = urlsplit(source)
        if parts.netloc and parts.netloc.lower() == request.url.netloc.lower():
            return
        if f"{parts.scheme}://{parts.netloc}".lower() in [o.lower() for o in settings.trusted_origin_list]:
            return
    raise Forbidden(
        f"a change signed only by the session cookie must come from this site's own pages, not from "
        f"{source or 'an unknown origin'}; scripts should send 'Authorization: Bearer <token>' "
        "(add other sites to TRUSTED_ORIGINS)"
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """How `zoneatlas serve` runs uvicorn: forwarded headers are believed only from TRUSTED_PROXIES (none by default).

    uvicorn's own default trusts X-Forwarded-For from 127.0.0.1, so any local client could pose as any address and
    escape the sign-in limits.
    """
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}


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
    app.state.login_limiter = LoginLimiter(
        settings.login_max_failures, settings.login_window_seconds, settings.login_max_attempts
    )
    app.state.password_checks = PasswordChecks(settings.password_checks)
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
