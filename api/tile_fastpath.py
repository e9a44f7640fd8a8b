"""Cached tiles for anonymous readers answered before routing: no FastAPI dependencies, no thread pool, no database.

A map asks for the same public tiles again and again. When the change feed is up and this worker's tile cache
holds the tile under the key the tile routes would compute (layers' change versions, tile, no query, public
access), this middleware answers it (or 304) directly; anything else — a miss, a query string, a signed-in
reader, the feed down — goes on to the routes, which render, validate and fill the cache. Who is anonymous and
which layers they see is decided by the same functions the routes use (api/deps.py, LayerSpec.visible_to).
"""

import re

from starlette.datastructures import State
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import access_for, presented_credential
from gis.errors import NotAuthenticated
from gis.tiles import TileAddress
from layers.registry import LAYERS
from layers.tiles import dataset_layers, tile_headers, tile_key, tile_reply, version_token

TILE_PATH = re.compile(
    r"^(?:/collections/(?P<layer>[a-z_]+))?/tiles/WebMercatorQuad/(?P<z>\d{1,2})/(?P<x>\d{1,8})"
    r"/(?P<y>\d{1,8})$"
)


class CachedTiles:
    """Serve a cache hit for an anonymous, unfiltered tile request without entering the app's routes."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache when possible, else hand the request on unchanged."""
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            match = TILE_PATH.match(scope["path"])
            if match is not None and self._anonymous(scope) and await self._answer(match, scope, send):
                return
        await self.app(scope, receive, send)

    def _anonymous(self, scope: Scope) -> bool:
        """The request presents no credential (read as the routes read it), so it sees public layers only."""
        try:
            return presented_credential(HTTPConnection(scope), self.state.settings) is None
        except NotAuthenticated:
            return False  # the routes answer 401

    async def _answer(self, match: re.Match, scope: Scope, send: Send) -> bool:
        """Send the cached tile or a 304 and return True; False when the routes must answer."""
        feed = getattr(self.state, "change_feed", None)
        cache = getattr(self.state, "tile_cache", None)
        if feed is None or cache is None:
            return False
        tile = TileAddress(int(match["z"]), int(match["x"]), int(match["y"]))
        access = access_for(None)
        if match["layer"] is None:
            specs = dataset_layers(access, tile.z)
        else:
            spec = LAYERS.get(match["layer"])
            if spec is None or not spec.visible_to(access) or not spec.min_zoom <= tile.z <= spec.max_zoom:
                return False
            specs = [spec]
        drawn = [s.at_zoom(tile.z) for s in specs]
        versions = feed.versions([s.tracked_table for s in drawn])
        if versions is None:
            return False
        etag, key = tile_key(version_token(versions), tile, [], [s.id for s in drawn], access)
        if etag.encode() in _if_none_match(scope):
            await _send(send, 304, tile_headers(etag, access), b"")
            return True
        rendered = cache.get(key)
        if rendered is None:
            return False
        await _send(send, *tile_reply(etag, rendered, access))
        return True


def _if_none_match(scope: Scope) -> list[bytes]:
    """The ETags the client already holds."""
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return [t.strip() for t in value.split(b",")]
    return []


async def _send(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    """One complete response."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if status == 200:
        raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
