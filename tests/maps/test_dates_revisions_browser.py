"""In headless Chromium: dates are shown and typed dd/mm/yyyy even in an English browser, and every decision of the
register can be picked on /maps/revisions, the invented ones and the revisions still in progress marked so."""

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser
from sqlalchemy import text

from tests.browser import MAP_HOOK, BrowserPage

NATIVE_VALUE = "(el) => Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').get.call(el)"


@pytest.fixture
def english_page(chromium_browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    """A page in a browser set to American English (its own <input type=date> would show mm/dd/yyyy)."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    context.add_init_script(MAP_HOOK)
    page = BrowserPage(page=context.new_page(), base_url=live_server)
    page.page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def _ready(bp: BrowserPage) -> None:
    bp.page.wait_for_function("() => Boolean(document.body.dataset.revisionsReady)")


def test_dates_are_typed_and_shown_dd_mm_yyyy_in_an_english_browser(english_page: BrowserPage) -> None:
    bp = english_page
    bp.open("/maps/revisions#zone=KKT-VA")
    _ready(bp)
    field = bp.page.locator("#za-a-date")
    assert field.get_attribute("type") == "text" and field.get_attribute("placeholder") == "dd/mm/yyyy"
    field.click()
    bp.page.keyboard.type("16032026")  # digits only: grouped as the board writes dates
    assert field.evaluate(NATIVE_VALUE) == "16/03/2026"
    assert field.evaluate("(el) => el.value") == "2026-03-16"  # the page's scripts still read an ISO date
    before = bp.page.evaluate("() => document.body.dataset.revisionsReady")
    bp.page.keyboard.press("Tab")
    bp.page.wait_for_function("(b) => document.body.dataset.revisionsReady !== b", arg=before)
    assert "a=2026-03-16" in bp.page.evaluate("() => location.hash")
    assert "16/03/2026" in bp.page.inner_text("#za-decisions")
    field.fill("31/02/2026")  # no such day
    field.press("Tab")
    assert field.evaluate("(el) => el.validity.valid") is False
    assert "dd/mm/yyyy" in field.evaluate("(el) => el.validationMessage")
    assert "za-date-invalid" in (field.get_attribute("class") or "")
    assert field.evaluate("(el) => el.value") == ""
    assert not bp.page_errors


def test_every_decision_of_the_register_can_be_picked_and_says_what_it_is(browser_page: BrowserPage, engine) -> None:
    with engine.connect() as conn:
        stored = {
            r.number: r.illustrative
            for r in conn.execute(text("SELECT number, illustrative FROM decisions WHERE public ORDER BY number"))
        }
    bp = browser_page
    bp.open(f"/maps/revisions#zone=KKTCK-AG&a={quote('60/NQ-HĐND', safe='')}")
    _ready(bp)
    options = bp.page.eval_on_selector_all(
        "#za-a option",
        "os => os.map((o) => ({ value: o.value, text: o.textContent, illustrative: o.dataset.illustrative === 'true',"
        " inProgress: o.dataset.inProgress === 'true', group: o.parentElement.label }))",
    )
    assert {o["value"] for o in options} == set(stored)  # every published decision, once
    for option in options:
        assert option["illustrative"] == stored[option["value"]], option
        assert ("minh họa" in option["text"]) == stored[option["value"]], option
    task = next(o for o in options if o["value"] == "60/NQ-HĐND")
    assert task["inProgress"] and "đang lập điều chỉnh" in task["text"] and "29/11/2024" in task["text"]
    assert task["group"] == "Quyết định khác của khu"
    assert bp.page.eval_on_selector("#za-a", "s => s.value") == "60/NQ-HĐND"
    block = bp.page.inner_text("#za-decisions")
    assert "60/NQ-HĐND" in block and "đang lập điều chỉnh, chưa phê duyệt" in block and "29/11/2024" in block
    bp.page.click("[data-lang=en]")
    assert "revision in progress" in bp.page.eval_on_selector("#za-a option:checked", "o => o.textContent")
    bp.assert_clean()
