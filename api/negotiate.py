"""Pick the response encoding from `f=` or the Accept header, as OGC API clients and browsers expect."""

from fastapi import Request

from gis.errors import InvalidInput

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
ALIASES = {"json": JSON, "geojson": GEOJSON, "html": HTML}


def negotiate(request: Request, f: str | None, offered: tuple[str, ...]) -> str:
    """The media type to answer with: f (declared by api/params.py) wins, then the Accept header, then the first."""
    if f is not None:
        media = ALIASES.get(f.lower(), f.lower())
        if media not in offered:
            names = ", ".join(k for k, v in ALIASES.items() if v in offered)
            raise InvalidInput(f"f={f} is not available here; choose one of: {names}")
        return media
    accept = request.headers.get("accept", "")
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, media.strip().lower()))
    for _, _, media in sorted(ranked):
        if media in offered:
            return media
        if media == "application/*" or media == "*/*":
            return offered[0]
    return offered[0]
