"""The workspace's Decisions panel in headless Chromium: an editor registers a decision, attaches its PDF, edits it.

Every expectation is read back independently: the row and the stored bytes by SQL, the document by the API.
"""

import hashlib

import httpx
import pytest
from playwright.sync_api import Dialog
from sqlalchemy import text

from tests.api import test_decisions_register
from tests.browser import BrowserPage
from tests.maps.test_workspace_browser import _sign_in

documents_cleaned = test_decisions_register.documents_cleaned  # PDFs stored by the test are removed after it

EDITOR = "wsd_browser_editor"
NUMBER = "88/QĐ-BQL-THỬ-KHÔNG-GIAN"
TITLE = "Phê duyệt điều chỉnh cục bộ quy hoạch chi tiết lô đất Kỳ Lợi – Kỳ Phương"
TITLE_EDITED = "Điều chỉnh cục bộ quy hoạch chi tiết (bản sửa đổi, đã rà soát)"
AUTHORITY_NAME = "Ban Quản lý Khu kinh tế tỉnh Hà Tĩnh"
NOTES = "Ghi chú: giữ nguyên chỉ tiêu sử dụng đất; điều chỉnh ranh giới lô."
PDF = b"%PDF-1.7\n% \xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_NAME = "Quyết định 88 (bản ký).pdf"


def _sql(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


def _accept_next(bp: BrowserPage, seen: list[str]) -> None:
    """Accept the next confirmation, remembering what it asked."""

    def accept(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.accept()

    bp.page.once("dialog", accept)


def _fill_new_decision(bp: BrowserPage, supersedes: str, zone: str) -> None:
    page = bp.page
    page.click("#wsd-new")
    page.wait_for_selector("#wsd-form:not([hidden])")
    page.fill("#wsd-number", NUMBER)
    page.fill("#wsd-title_vi", TITLE)
    page.fill("#wsd-authority_name_vi", AUTHORITY_NAME)
    page.fill("#wsd-notes", NOTES)
    page.select_option("#wsd-authority", "management_board")
    page.select_option("#wsd-kind", "local_revision")
    page.select_option("#wsd-plan_level", "detailed")
    page.select_option("#wsd-zone_uid", zone)
    page.fill("#wsd-horizon_year", "2035")
    page.fill("#wsd-supersedes-search", supersedes)
    page.select_option("#wsd-supersedes", supersedes)
    page.uncheck("#wsd-public")
    # A bad order: effective before signed (the API refuses it).
    page.fill("#wsd-date_signed", "16/03/2026")  # typed as the board writes dates
    page.fill("#wsd-date_effective", "02/03/2026")


@pytest.mark.usefixtures("edits", "documents_cleaned")
def test_editor_registers_a_decision_attaches_its_pdf_and_edits_it_in_the_panel(
    browser_page: BrowserPage, live_server: str, engine, staff
) -> None:
    bp, page = browser_page, browser_page.page
    [(plot_key,)] = _sql(engine, "SELECT min(id) FROM land_plots WHERE valid_to IS NULL")
    [(older_number,)] = _sql(engine, "SELECT number FROM decisions ORDER BY id LIMIT 1")
    [(zone,)] = _sql(engine, "SELECT min(uid) FROM economic_zones WHERE valid_to IS NULL")
    [(registered,)] = _sql(engine, "SELECT count(*) FROM decisions")
    _sign_in(bp, EDITOR, "editor", engine)
    # The edit tab has a plot open: its decision picker must see the new decision once it is registered.
    page.goto(f"{live_server}/workspace#layer=land_plots&id={plot_key}", wait_until="networkidle")
    page.wait_for_selector("#ws-form:not([hidden])")
    assert page.locator(f'#ws-decision option[value="{NUMBER}"]').count() == 0

    page.click(".ws-tabs [data-tab=ws-decisions]")
    page.wait_for_selector("#wsd-list .wsd-item")
    assert page.inner_text("#wsd-count") == f"{registered} / {registered} quyết định / decisions"
    listed = page.inner_text("#wsd-list")
    assert "prime_minister" not in listed and "provincial_committee" not in listed  # words, never codes
    page.fill("#wsd-search", older_number)
    assert older_number in page.inner_text("#wsd-list")

    # Vocabularies are drop-downs in words.
    page.click("#wsd-new")
    kinds = page.locator("#wsd-kind option").all_inner_texts()
    assert "Điều chỉnh cục bộ quy hoạch / Local plan revision" in kinds and "local_revision" not in kinds
    page.click("#wsd-close")

    # A bad date order: the API's message next to the field, nothing written.
    _fill_new_decision(bp, older_number, zone)
    assert page.inner_text("[data-wsd-date=date_signed]") == "16/03/2026"
    seen: list[str] = []
    _accept_next(bp, seen)
    page.click("#wsd-save")
    error = page.locator("[data-wsd-error=date_effective]")
    error.filter(has_text="before").wait_for()
    assert error.inner_text() == "date_effective (ngày hiệu lực) 02/03/2026 is before date_signed (ngày ký) 16/03/2026"
    assert seen and NUMBER in seen[0]  # asked before saving
    assert _sql(engine, "SELECT count(*) FROM decisions WHERE number = :n", n=NUMBER) == [(0,)]

    # Dates fixed but a number already registered: the API's 409 beside the number, nothing written.
    page.fill("#wsd-date_effective", "30/03/2026")
    page.fill("#wsd-number", older_number)
    _accept_next(bp, seen)
    page.click("#wsd-save")
    page.locator("[data-wsd-error=number]").filter(has_text=older_number).wait_for()
    assert page.inner_text("[data-wsd-error=date_effective]") == ""
    assert _sql(engine, "SELECT count(*) FROM decisions") == [(registered,)]

    # Fixed: registered with its diacritics, unpublished, superseding the older decision.
    page.fill("#wsd-number", NUMBER)
    _accept_next(bp, seen)
    page.click("#wsd-save")
    page.wait_for_selector("#wsd-document:not([hidden])")
    bp.screenshot("workspace-decisions-form", ".ws-side")
    [row] = _sql(
        engine,
        "SELECT d.id, d.title_vi, d.notes, d.authority_name_vi, d.authority, d.kind, d.plan_level, d.zone_uid, "
        "d.horizon_year, d.public, d.date_signed::text, d.date_effective::text, s.number "
        "FROM decisions d LEFT JOIN decisions s ON s.id = d.supersedes_id WHERE d.number = :n",
        n=NUMBER,
    )
    key = row[0]
    assert row[1:] == (
        TITLE,
        NOTES,
        AUTHORITY_NAME,
        "management_board",
        "local_revision",
        "detailed",
        zone,
        2035,
        False,
        "2026-03-16",
        "2026-03-30",
        older_number,
    )
    page.wait_for_selector(f'#ws-decision option[value="{NUMBER}"]', state="attached")  # the edit tab's picker

    # A file that is not a PDF: the API's 415 message, nothing attached.
    page.set_input_files(
        "#wsd-doc-file",
        files=[{"name": "ghi-chú.txt", "mimeType": "application/pdf", "buffer": "không phải PDF".encode()}],
    )
    _accept_next(bp, seen)
    page.click("#wsd-doc-attach")
    page.locator("#wsd-doc-error").filter(has_text="not a PDF").wait_for()
    assert page.inner_text("#wsd-doc-error").startswith("ghi-chú.txt is not a PDF")
    assert _sql(engine, "SELECT document_sha256 FROM decisions WHERE id = :k", k=key) == [(None,)]

    # The signed PDF: its size shown before attaching, then the bytes stored and served unchanged.
    page.set_input_files("#wsd-doc-file", files=[{"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF}])
    assert page.inner_text("#wsd-doc-size") == f"{PDF_NAME}: {len(PDF)} byte"
    _accept_next(bp, seen)
    page.click("#wsd-doc-attach")
    page.wait_for_selector("#wsd-doc-view:not([hidden])")
    [(stored_name, stored_bytes)] = _sql(
        engine,
        "SELECT d.document_filename, c.content FROM decisions d JOIN documents c ON c.sha256 = d.document_sha256 "
        "WHERE d.id = :k",
        k=key,
    )
    assert (stored_name, bytes(stored_bytes)) == (PDF_NAME, PDF)
    href = page.get_attribute("#wsd-doc-view", "href")
    assert href == f"/api/decisions/{key}/document"
    served = httpx.get(f"{live_server}{href}", headers=staff["editor"], timeout=30)
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["etag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert httpx.get(f"{live_server}{href}", timeout=30).status_code == 404  # unpublished: not for anonymous readers
    answer = httpx.get(f"{live_server}/api/decisions/{key}", headers=staff["editor"], timeout=30).json()
    assert (answer["number"], answer["title_vi"], answer["notes"]) == (NUMBER, TITLE, NOTES)

    # Someone else changes it meanwhile: the save is refused (412), explained, and the form reloaded.
    other = httpx.patch(
        f"{live_server}/api/decisions/{key}", json={"source": "Công báo tỉnh"}, headers=staff["editor"], timeout=30
    )
    assert other.status_code == 200, other.text
    page.fill("#wsd-title_vi", TITLE_EDITED)
    _accept_next(bp, seen)
    page.click("#wsd-save")
    page.locator("#wsd-form-error").filter(has_text="Someone changed this decision").wait_for()
    assert page.input_value("#wsd-source") == "Công báo tỉnh"
    assert page.input_value("#wsd-title_vi") == TITLE
    assert _sql(engine, "SELECT title_vi FROM decisions WHERE id = :k", k=key) == [(TITLE,)]

    # Its title edited, with the current ETag.
    page.fill("#wsd-title_vi", TITLE_EDITED)
    _accept_next(bp, seen)
    page.click("#wsd-save")
    page.locator("#wsd-message").filter(has_text="Đã lưu").wait_for()
    assert _sql(engine, "SELECT title_vi, source FROM decisions WHERE id = :k", k=key) == [
        (TITLE_EDITED, "Công báo tỉnh")
    ]
    audit = _sql(
        engine,
        "SELECT action, after->>'title_vi' FROM audit_log WHERE layer_id = 'decisions' AND feature_id = :k ORDER BY id",
        k=str(key),
    )
    assert audit[0] == ("create", TITLE) and audit[-1] == ("update", TITLE_EDITED)

    # Back in the register: listed as unpublished, with its PDF, dates dd/mm/yyyy.
    page.click("#wsd-close")
    page.fill("#wsd-search", "KHÔNG-GIAN")
    item = page.locator("#wsd-list .wsd-item")
    assert item.count() == 1
    bp.screenshot("workspace-decisions-register", ".ws-side")
    shown = item.inner_text()
    words = ("Ban Quản lý KKT / Economic Zone Management Board", "Điều chỉnh cục bộ quy hoạch / Local plan revision")
    for part in (NUMBER, TITLE_EDITED, "Nội bộ / Not public", "Có PDF", "16/03/2026", "30/03/2026", *words):
        assert part in shown, (part, shown)

    # Detached, after confirming.
    item.click()
    page.wait_for_selector("#wsd-doc-detach:not([hidden])")
    _accept_next(bp, seen)
    page.click("#wsd-doc-detach")
    page.wait_for_selector("#wsd-doc-detach", state="hidden")
    assert _sql(engine, "SELECT document_filename, document_sha256 FROM decisions WHERE id = :k", k=key) == [
        (None, None)
    ]
    assert not bp.page_errors and not bp.foreign_requests
