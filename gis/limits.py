"""Bounds on text that arrives from outside: how deep it nests and whether PostgreSQL can store it.

Checked where input enters (request middleware, filter parsing), so nothing too deep for a recursive parser and no
text PostgreSQL refuses (NUL characters, lone UTF-16 surrogates) gets as far as a parser or the database.
"""

import re
from typing import Any

from gis.errors import InvalidInput

MAX_NESTING = 64  # JSON objects and arrays inside each other; brackets and prefix operators in CQL2 text
JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_PATH_SHOWN = 80  # characters of a JSON member path quoted in a message


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


def unstorable(text: str) -> str | None:
    """Why PostgreSQL cannot store this text (a NUL or a lone UTF-16 surrogate), or None when it can."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"holds a NUL character (U+0000) at position {found.start() + 1}, which the database cannot store"
    return f"holds a lone surrogate (U+{ord(found.group()):04X}) at position {found.start() + 1}, which is not text"


def check_storable(text: str, where: str) -> None:
    """Refuse text with a NUL character or a lone surrogate: PostgreSQL text cannot hold either."""
    if reason := unstorable(text):
        raise InvalidInput(f"{where} {reason}")


def unstorable_in(document: Any, name: str = "the body") -> str | None:
    """Where a JSON document holds text PostgreSQL cannot store, as a sentence naming the member; None if nowhere."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if reason := unstorable(key):
                    return f"a member name in {name} at {_shown(path)} {reason}"
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str) and (reason := unstorable(value)):
            return f"{_shown(path)} in {name} {reason}"
    return None


def _shown(path: str) -> str:
    """Where in the document (its member names were checked first, so the message is itself storable)."""
    return (path or "the top level")[:MAX_PATH_SHOWN]
