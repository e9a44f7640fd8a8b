"""No vocabulary code, field name or province code in any page's visible text, in headless Chromium.

Every page a person opens (maps, land finder, sheets, item pages, dashboard, workspace, collections) is loaded as
anonymous and as staff; its visible text, the choices of its drop-downs and the popups of the features it draws are
read in both languages, and each piece of text (cut at the separators pages put between words and values) is
checked against the codes read from the database itself: the CHECK … IN constraints and the lookup tables (as
tests/api/test_labels.py reads them), the province codes of admin_units and the layers' field names.
"""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from layers.registry import LAYERS
from tests import accounts
from tests.api.test_labels import vocabularies
from tests.browser import BrowserPage

STAFF = "nocodes_browser_editor"

# Visible text nodes, the options of every drop-down, and the title of the document.
VISIBLE_TEXT_JS = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(el.tagName)) continue;
    if (el.closest("tr[data-field=notes]")) continue;  // working notes are free text staff wrote, not codes
    const inOption = el.closest("option, optgroup");
    if (!inOption && !el.checkVisibility({ visibilityProperty: true })) continue;
    const t = node.textContent.trim();
    if (t) out.push(t);
  }
  for (const group of document.querySelectorAll("optgroup")) out.push(group.label);
  for (const input of document.querySelectorAll("input:not([type=hidden])")) {
    if (input.checkVisibility() && input.placeholder) out.push(input.placeholder);
  }
  out.push(document.title);
  return out;
}
"""

# Open the popup of a few drawn features of every kind on the page's map and return the popups' text.
POPUPS_JS = """
() => {
  const maps = window.__zoneatlasMaps || [];
  const texts = [];
  for (const map of maps) {
    const seen = {};
    const layers = [];
    map.eachLayer((layer) => { if (layer.feature && layer.getPopup && layer.getPopup()) layers.push(layer); });
    for (const layer of layers) {
      const key = Object.keys(layer.feature.properties || {}).sort().join(",");
      seen[key] = (seen[key] || 0) + 1;
      if (seen[key] > 3) continue;
      layer.openPopup(layer.getBounds ? layer.getBounds().getCenter() : undefined);
      const node = document.querySelector(".leaflet-popup-content");
      if (node) texts.push(node.innerText);
      map.closePopup();
    }
  }
  return texts;
}
"""

# Between a label and its value, or the two languages of one label (commas are left: "non-tariff, industrial, …"
# in a sentence is English, not a code).
SEPARATORS = re.compile(r"[\n\t|/·:;()\[\]–—→=•]+")
UNDERSCORED = re.compile(r"\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
LINKS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|\S+\.(?:py|csv|geojson)\b")


@dataclass(frozen=True)
class Codes:
    """What must never be shown raw: vocabulary and province codes anywhere, field names as a whole text."""

    values: frozenset[str]
    fields: frozenset[str]


@pytest.fixture(scope="module")
def codes(engine) -> Codes:
    """Every code a page must show in words."""
    return database_codes(engine)


# The base map's own kinds (land, border, coastline) only style the drawing, are never written on a page, and are
# plain English words a sheet's English text uses ("Land"): not codes a reader could meet.
NEVER_SHOWN = {"basemap_features"}


def database_codes(engine) -> Codes:
    """Every code a page must show in words, read from the database (not from layers.labels)."""
    found: set[str] = set()
    for table, columns in vocabularies(engine).items():
        if table in NEVER_SHOWN:
            continue
        for values in columns.values():
            found |= values
    with engine.connect() as conn:
        found |= set(conn.execute(text("SELECT DISTINCT code FROM admin_units WHERE level = 'province'")).scalars())
    fields = {name for spec in LAYERS.values() for name in spec.public_fields + spec.internal_fields}
    return Codes(frozenset(c for c in found if c), frozenset(fields))


def raw_codes(texts: list[str], codes: Codes) -> set[str]:
    """The codes shown raw: a piece of text that is exactly a code, a text that is a field name, or a snake_case /
    UPPER_CASE token anywhere (layer ids excepted: the QGIS instructions name them); and dates written yyyy-mm-dd."""
    hits = set()
    for shown in texts:
        shown = LINKS.sub(" ", shown)
        if shown.strip() in codes.fields:
            hits.add(shown.strip())
        hits |= {m.group(0) for m in UNDERSCORED.finditer(shown) if m.group(0) not in LAYERS}
        hits |= {piece.strip() for piece in SEPARATORS.split(shown) if piece.strip() in codes.values}
        hits |= {f"date {m.group(0)}" for m in ISO_DATE.finditer(shown)}  # dates are shown dd/mm/yyyy
    return hits


def _sign_in(bp: BrowserPage, engine) -> None:
    accounts.make_user(engine, STAFF, "editor")
    bp.open("/login?next=/workspace")
    bp.page.fill("#username", STAFF)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form.login-form button[type=submit]")
    bp.page.wait_for_load_state("networkidle")


def _first_ids(engine) -> dict[str, int]:
    """One feature of every layer, for its item page (the current version where layers keep versions)."""
    found = {}
    with engine.connect() as conn:
        for spec in LAYERS.values():
            if spec.table != spec.id:
                continue
            where = "WHERE valid_to IS NULL" if spec.versioned else ""
            key = conn.execute(text(f"SELECT min(id) FROM {spec.table} {where}")).scalar()  # noqa: S608 - our names
            if key is not None:
                found[spec.id] = key
    return found


def _page_texts(bp: BrowserPage) -> list[str]:
    """What the page shows now in Vietnamese and, where it has a language switch, in English; and its popups."""
    texts = bp.page.evaluate(VISIBLE_TEXT_JS) + bp.page.evaluate(POPUPS_JS)
    if bp.page.locator("[data-lang=en]").count():
        bp.page.click("[data-lang=en]")
        bp.page.wait_for_load_state("networkidle")
        texts += bp.page.evaluate(VISIBLE_TEXT_JS) + bp.page.evaluate(POPUPS_JS)
        bp.page.click("[data-lang=vi]")
    return texts


PUBLIC_PAGES = (
    "/?f=html",
    "/collections?f=html",
    "/maps/zones",
    "/maps/revisions",
    "/maps/projects",
    "/maps/land",
    "/dashboard",
    "/land/parks/KCN-VA1",
    "/land/parks/KCN-GIAN-KHAU",
    "/land/plots/KCN-VHVA-CN4",
)
STAFF_PAGES = ("/maps/clearance", "/workspace")


def _scan(bp: BrowserPage, paths: list[str], codes: Codes) -> dict[str, set[str]]:
    found = {}
    for path in paths:
        bp.open(path)
        bp.page.wait_for_timeout(300)  # the pages' scripts fill panels and lists after the data arrives
        bp.page.wait_for_load_state("networkidle")
        hits = raw_codes(_page_texts(bp), codes)
        if hits:
            found[path] = hits
    return found


def _all_paths(engine) -> list[str]:
    items = [f"/collections/{layer}/items/{key}?f=html" for layer, key in _first_ids(engine).items()]
    collections = [f"/collections/{layer}?f=html" for layer in LAYERS]
    return [*PUBLIC_PAGES, *items, *collections]


def test_anonymous_pages_show_no_raw_code(browser_page: BrowserPage, engine, codes) -> None:
    paths = [
        p
        for p in _all_paths(engine)
        if not any(f"/collections/{s.id}" in p for s in LAYERS.values() if s.access != "public")
    ]
    shown = ["Tình trạng: not_cleared", "available", "HA_TINH", "Rent of available plots", "status", "Tình trạng"]
    shown += ["Ngày ký 2024-11-29", "Ngày ký 29/11/2024"]
    expected = {"not_cleared", "available", "HA_TINH", "status", "date 2024-11-29"}
    assert raw_codes(shown, codes) == expected  # codes and ISO dates, not the words of a sentence
    found = _scan(browser_page, paths, codes)
    assert not found, "\n".join(f"{path}: {sorted(hits)}" for path, hits in found.items())


def test_staff_pages_show_no_raw_code(browser_page: BrowserPage, engine, codes) -> None:
    _sign_in(browser_page, engine)
    found = _scan(browser_page, [*STAFF_PAGES, *_all_paths(engine)], codes)
    assert not found, "\n".join(f"{path}: {sorted(hits)}" for path, hits in found.items())
