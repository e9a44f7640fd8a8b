"""The request guard: refuse request text the app cannot take, and answer every failure in the OGC error form.

Input classes are refused where they enter, for every route at once: NUL characters in the path, a query
parameter, a header (the Decision header after percent-decoding) or a form field (url-encoded or multipart text);
JSON bodies nested deeper than gis.limits allows (json.loads would hit Python's recursion limit), or holding a
NUL or a lone surrogate in any string. An error escaping
a route answers JSON: 503 with Retry-After while the database cannot be reached (and the connection pools are
dropped, so no dead connection is handed out once it is back), else a logged 500.
"""

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qsl, unquote

from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import State
from starlette.exceptions import HTTPException

from api.errors import DATABASE_RETRY_SECONDS, INTERNAL_ERROR, RefusedInput, error_body, status_of
from gis.db import database_unreachable
from gis.errors import InvalidInput, ZoneAtlasError
from gis.limits import check_nesting, check_storable, json_nesting, unstorable_in

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PERCENT_ENCODED_HEADERS = {b"decision"}  # headers the app reads percent-decoded (api/routes/editing.py)
FORM = "application/x-www-form-urlencoded"
# A NUL or a surrogate written as a JSON escape (or a raw NUL): only then is a JSON body parsed here to say where.
ESCAPED_UNSTORABLE = re.compile(r"\\u(?:0000|d[89a-f][0-9a-f]{2})|\x00", re.IGNORECASE)

log = logging.getLogger("zoneatlas.errors")


class RequestGuard:
    """Check the request's text before any route sees it; turn escaping errors into JSON answers."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse bad input with 400, run the app, and answer what it raises."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            check_request_text(scope)
            receive = await checked_body(scope, receive)
            await self.app(scope, receive, tracking_send)
        except HTTPException:
            raise  # answered outside (413 from the body size limit)
        except Exception as exc:
            if started:
                raise  # half an answer is out: the server closes the connection
            await self._answer(scope, send, exc)

    async def _answer(self, scope: Scope, send: Send, exc: Exception) -> None:
        """400 for refused input, 503 while the database is away, else a logged 500."""
        headers: list[tuple[bytes, bytes]] = []
        if isinstance(exc, ZoneAtlasError):
            status, body = status_of(exc), error_body(type(exc).__name__, str(exc))
        elif database_unreachable(exc):
            if not isinstance(exc, PoolTimeout):  # a full pool is busy, not broken
                self._drop_pools()
            log.warning("database unreachable on %s %s: %s", scope["method"], scope["path"], exc)
            status = 503
            body = error_body("ServiceUnavailable", "the database cannot be reached just now; try again shortly")
            headers.append((b"retry-after", str(DATABASE_RETRY_SECONDS).encode()))
        else:
            log.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
            status, body = 500, error_body("InternalError", INTERNAL_ERROR)
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _drop_pools(self) -> None:
        """Forget every pooled connection: after an outage each would fail once more before being replaced."""
        for name in ("engine", "reads"):
            engine = getattr(self.state, name, None)
            if engine is not None:
                engine.dispose(close=False)


def check_request_text(scope: Scope) -> None:
    """Refuse text PostgreSQL cannot store in the path, the query parameters and the headers."""
    check_storable(scope["path"], "the path")
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        check_storable(name + value, f"query parameter '{name.replace(chr(0), '%00')}'")
    for name, value in scope["headers"]:
        text = unquote(value.decode("latin-1")) if name in PERCENT_ENCODED_HEADERS else value.decode("latin-1")
        check_storable(text, f"the {name.decode().title()} header")


async def checked_body(scope: Scope, receive: Receive) -> Receive:
    """Read a JSON or url-encoded form body and check it; multipart bodies are checked as they stream past."""
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    media = content_type.split(b";")[0].strip().lower()
    is_json = media.endswith(b"/json") or media.endswith(b"+json")
    if media == b"multipart/form-data":
        return _multipart_checked(content_type, receive)
    if not is_json and media != FORM.encode():
        return receive
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return _replay([message], receive)
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if is_json:
        document = body.decode("utf-8", "replace")
        check_nesting(json_nesting(document), "the request body")
        if ESCAPED_UNSTORABLE.search(document):
            with suppress(ValueError):  # not JSON: the route's own parser says so
                if problem := unstorable_in(json.loads(document)):
                    raise InvalidInput(problem)
    else:
        for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            check_storable(name + value, f"form field '{name.replace(chr(0), '%00')}'")
    return _replay([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands out the messages already read, then the client's next ones."""

    async def replayed() -> Message:
        return messages.pop(0) if messages else await receive()

    return replayed


def _multipart_checked(content_type: bytes, receive: Receive) -> Receive:
    """A receive that feeds each chunk through a multipart parser and refuses text fields holding a NUL.

    File parts pass unchecked (their cells are the importer's to judge); nothing is buffered.
    """
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        return receive
    part: dict[str, bytes] = {}

    def header_field(data: bytes, start: int, end: int) -> None:
        part["field"] = part.get("field", b"") + data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        part["value"] = part.get("value", b"") + data[start:end]

    def header_end() -> None:
        if part.pop("field", b"").lower() == b"content-disposition":
            part["disposition"] = part.pop("value", b"")
        part.pop("value", None)

    def part_data(data: bytes, start: int, end: int) -> None:
        disposition = part.get("disposition", b"")
        if b"filename=" not in disposition and b"\x00" in data[start:end]:
            name = parse_options_header(disposition)[1].get(b"name", b"?").decode("utf-8", "replace")
            try:
                check_storable("\x00", f"form field '{name}'")
            except InvalidInput as error:
                raise RefusedInput(error) from None  # raised inside FastAPI's form parsing, which passes these on

    callbacks = {
        "on_part_begin": part.clear,
        "on_header_field": header_field,
        "on_header_value": header_value,
        "on_header_end": header_end,
        "on_part_data": part_data,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]

    async def checked() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            parser.write(message.get("body", b""))
        return message

    return checked
