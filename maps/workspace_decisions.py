"""What the workspace's Decisions panel needs to speak in words: the register's vocabularies and the zones.

Values come from the database's own rules (`layers.checks.allowed_values`), words from `layers.labels`, so the
drop-downs offer exactly what the API accepts, never a raw code.
"""

from sqlalchemy import Connection

from layers.checks import allowed_values
from layers.decisions import VOCABULARIES
from layers.labels import enum_words
from layers.registry import get_layer
from layers.search import places


def decision_form_config(conn: Connection) -> dict:
    """Choices of the decision form: authority, kind and plan level with labels, and the zones a decision concerns."""
    allowed = allowed_values(conn, get_layer("decisions"))
    vocabularies = {
        name: [
            {"value": value, "vi": words.get(value, (value, value))[0], "en": words.get(value, (value, value))[1]}
            for value in allowed.get(name, words)
        ]
        for name, words in ((name, enum_words(vocabulary)) for name, vocabulary in VOCABULARIES.items())
    }
    zones = [{"uid": p.code, "vi": p.name_vi, "en": p.name_en} for p in places(conn) if p.kind == "zone"]
    return {"vocabularies": vocabularies, "zones": zones}
