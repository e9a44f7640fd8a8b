"""The one rule for answers that browsers and a shared cache (deploy/nginx) may keep but must revalidate each time.

Every such answer carries a strong ETag and `Cache-Control: no-cache`. What anonymous readers get is the same for
all of them, so it is `public` and marked for nginx's shared cache with `X-Accel-Expires: @1`: stored, but expired
from the start, so nginx asks the app with `If-None-Match` on every request and an edit shows on the next one
(nginx treats `no-cache` as "do not store" and a zero lifetime as "do not store" too; the config ignores
Cache-Control and keeps only what this header marks). A signed-in reader's answer is `private` and never marked.
"""

VARY = "Accept, Cookie, Authorization, X-API-Key"  # every header that can change the answer or the reader


def revalidated(etag: str, *, shared: bool) -> dict[str, str]:
    """ETag, Cache-Control, Vary (and nginx's store mark when shared) for an answer revalidated on every use."""
    if shared:
        return {"ETag": etag, "Cache-Control": "public, no-cache", "Vary": VARY, "X-Accel-Expires": "@1"}
    return {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": VARY}
