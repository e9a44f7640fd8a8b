"""Bounds on text that arrives from outside: how deep it nests and whether PostgreSQL can store it.

Checked where input enters (request middleware, filter parsing), so nothing too deep for a recursive parser and no
text PostgreSQL refuses (NUL characters, lone UTF-16 surrogates) gets as far as a parser or the database.
"""

import re

from gis.errors import InvalidInput

MAX_NESTING = 64  # JSON objects and arrays inside each other; brackets and prefix operators in CQL2 text
JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def json_nesting(text: str) -> int:
    """How deep JSON text nests objects and arrays (strings skipped), found without parsing it."""
    depth = deepest = 0
    for match in JSON_TOKENS.finditer(text):
        token = match.group()
        if token in {"[", "{"}:
            depth += 1
            deepest = max(deepest, depth)
        elif token in {"]", "}"}:
            depth -= 1
    return deepest


def check_nesting(depth: int, what: str) -> None:
    """Refuse input nested deeper than MAX_NESTING, saying the limit."""
    if depth > MAX_NESTING:
        raise InvalidInput(f"{what} is nested {depth} levels deep; the limit is {MAX_NESTING}")


def check_storable(text: str, where: str) -> None:
    """Refuse text with a NUL character or a lone surrogate: PostgreSQL text cannot hold either."""
    found = UNSTORABLE.search(text)
    if found is not None:
        what = "a NUL character (%00)" if found.group() == "\x00" else "a lone UTF-16 surrogate"
        raise InvalidInput(f"{where} contains {what}, which is not allowed in text")
