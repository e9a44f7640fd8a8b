"""What map pages hand their scripts: nothing an anonymous reader may not see, in JSON no data can break out of."""

import json
import re

from layers.labels import FIELD_LABELS
from layers.registry import LAYERS
from layers.spec import Access
from maps.pages import script_json

ANONYMOUS_PAGES = (
    "/maps/zones",
    "/maps/revisions",
    "/maps/projects",
    "/maps/land",
    "/dashboard",
    "/",
    "/collections?f=html",
)


def hidden_fields() -> set[str]:
    """Fields only staff see: internal fields of public layers and every field of internal layers."""
    public = {f for s in LAYERS.values() if s.visible_to(Access.public) for f in s.public_fields}
    staff_only = set()
    for spec in LAYERS.values():
        staff_only |= set(spec.internal_fields if spec.visible_to(Access.public) else spec.fields_for(Access.internal))
    return staff_only - public


def public_words() -> str:
    """What public pages may say anyway: layer titles and the labels of public fields (lower case)."""
    public = [s for s in LAYERS.values() if s.visible_to(Access.public)]
    words = [t for s in public for t in (s.title_vi, s.title_en)]
    words += [w for s in public for f in s.public_fields for w in FIELD_LABELS.get(f, ())]
    return "\n".join(words).lower()


def words_of(fields: set[str]) -> set[str]:
    """The field names and their labels, less access-level names and words public titles and labels use too."""
    common = public_words()
    labels = {label for f in fields for label in FIELD_LABELS.get(f, ()) if label.lower() not in common}
    return (fields - {a.value for a in Access}) | labels


def leaks(word: str, text: str) -> bool:
    """Whether a page names a hidden field: anywhere for names and labels, as a JSON key for one-word names.

    A one-word field name such as the decisions' `public` is also an ordinary word a page may say
    (`"access": "public"`), so it counts only where data would carry it, as a key.
    """
    if word.isascii() and word.isalpha() and word.islower():
        return f'"{word}":' in text or f'"{word}" :' in text
    return word in text


def test_anonymous_pages_name_no_internal_field_and_staff_pages_do(client, staff):
    hidden = words_of(hidden_fields())
    assert {"households_affected", "Số hộ bị ảnh hưởng", "policy_decision_id"} <= hidden
    for path in ANONYMOUS_PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert not [w for w in hidden if leaks(w, page.text)], path
    clearance = client.get("/maps/clearance", headers=staff["viewer"]).text
    assert "households_affected" in clearance and "Số hộ bị ảnh hưởng" in clearance


def test_page_config_labels_exactly_the_fields_popups_show(client, staff):
    for headers in ({}, staff["viewer"]):
        html = client.get("/maps/zones", headers=headers).text
        config = json.loads(re.search(r'<script type="application/json" id="za-config">(.*?)</script>', html).group(1))
        shown = {f for layer in config["layers"] for f in layer["popup_fields"]}
        assert set(config["field_labels"]) == shown & set(FIELD_LABELS)


def test_script_json_round_trips_and_leaves_nothing_html_reads():
    value = {"name": "<!--<script></script>", "notes": "a & b > c \u2028\u2029", "đ": "Cửa khẩu"}
    embedded = script_json(value)
    assert not set(embedded) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(embedded) == value
    assert json.loads(script_json(json.dumps(value))) == value  # JSON text from PostGIS, escaped the same way
    assert "Cửa khẩu" in embedded  # Vietnamese stays readable
