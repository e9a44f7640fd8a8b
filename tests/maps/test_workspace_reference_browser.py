"""The workspace form's fields that name a row of another layer (a parcel's project) in headless Chromium.

The page embeds no project: the form shows the current project's name (fetched for that one row) and finds another
by typing part of its name without diacritics (/api/search, layer=projects). Expected rows come from plain SQL.
"""

import unicodedata

from sqlalchemy import text

from tests.browser import BrowserPage
from tests.maps.test_workspace_browser import _sign_in, _sql

EDITOR = "wsr_browser_editor"


def _plain(words: str) -> str:
    """Words as someone types them on a keyboard without Vietnamese input: no diacritics, đ as d, lower case."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", words) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").lower()


def _chosen_text(bp: BrowserPage, select: str) -> str:
    return bp.page.eval_on_selector(select, "s => s.selectedOptions[0] ? s.selectedOptions[0].textContent : ''")


def test_editor_sees_the_parcels_project_by_name_and_picks_another_by_typing(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    [(key, old_id, old_name, province)] = _sql(
        engine,
        "SELECT c.id, p.id, p.name_vi, p.province_code FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
        "ORDER BY c.id LIMIT 1",
    )
    [(new_id, new_name)] = _sql(
        engine,
        "SELECT id, name_vi FROM projects WHERE id <> :old AND province_code = :p AND name_vi <> :n "
        "AND name_vi ~ '[^[:ascii:]]' ORDER BY id LIMIT 1",
        old=old_id,
        p=province,
        n=old_name,
    )
    typed = " ".join(_plain(new_name).split()[1:4])  # part of the name, typed without diacritics
    assert typed and typed not in new_name  # the typed text really differs from the stored one
    try:
        _sign_in(bp, EDITOR, "editor", engine)
        bp.page.goto(f"{live_server}/workspace#layer=clearance_parcels&id={key}", wait_until="networkidle")
        bp.page.wait_for_selector("#ws-form:not([hidden])")
        select = "#ws-f-project_id"
        bp.page.wait_for_function(
            "([s, n]) => document.querySelector(s).selectedOptions[0]?.textContent === n", arg=[select, old_name]
        )
        assert bp.page.input_value(select) == str(old_id)  # the name shown, the id kept behind it

        bp.page.fill(f"{select}-search", typed)
        bp.page.wait_for_selector(f"{select} option[value='{new_id}']", state="attached")
        listed = bp.page.locator(f"{select} option").all_inner_texts()
        assert len(listed) <= 21 and not [t for t in listed if t.isdigit()]  # a few names, never raw ids
        bp.page.select_option(select, str(new_id))
        assert _chosen_text(bp, select).startswith(new_name)
        bp.page.once("dialog", lambda dialog: dialog.accept())
        bp.page.click("#ws-save")
        bp.page.wait_for_selector("#ws-message:has-text('Đã lưu')")
        assert _sql(engine, "SELECT project_id FROM clearance_parcels WHERE id = :k", k=key) == [(new_id,)]
        bp.page.wait_for_function(  # the reopened form names the new project
            "([s, n]) => document.querySelector(s).selectedOptions[0]?.textContent === n", arg=[select, new_name]
        )
        bp.assert_clean()
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE clearance_parcels SET project_id = :p WHERE id = :k"), {"p": old_id, "k": key})
