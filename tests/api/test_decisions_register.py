"""The decisions register: decisions and their signed PDFs, the public flag, all audited by the one path."""

import hashlib
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from gis.settings import Settings

NEW = {
    "number": "77/QĐ-BQL-THỬ",
    "title_vi": "Phê duyệt điều chỉnh cục bộ quy hoạch chi tiết lô CN-Đặc biệt",
    "title_en": "Local revision of a detailed plan",
    "date_signed": "2026-03-02",
    "date_effective": "2026-03-16",
    "authority": "management_board",
    "authority_name_vi": "Ban Quản lý Khu kinh tế tỉnh Hà Tĩnh",
    "kind": "local_revision",
    "plan_level": "detailed",
    "notes": "Ghi chú: điều chỉnh ranh giới lô đất, giữ nguyên chỉ tiêu sử dụng đất.",
}
PDF = b"%PDF-1.7\n% \xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_NAME = "Quyết định 77-QĐ-BQL (bản ký).pdf"
PDF_TYPE = "application/pdf"


@pytest.fixture
def documents_cleaned(engine):
    """Documents stored by a test are removed after it (decisions go with the edits fixture, first)."""
    with engine.connect() as conn:
        before = set(conn.execute(text("SELECT sha256 FROM documents")).scalars())
    yield
    with engine.begin() as conn:
        created = set(conn.execute(text("SELECT sha256 FROM documents")).scalars()) - before
        conn.execute(
            text(
                "UPDATE decisions SET document_filename = NULL, document_sha256 = NULL, document_size = NULL "
                "WHERE document_sha256 = ANY(:s)"
            ),
            {"s": list(created)},
        )
        conn.execute(text("DELETE FROM documents WHERE sha256 = ANY(:s)"), {"s": list(created)})


def create(client, staff, body=None, role="editor"):
    return client.post("/api/decisions", json={**NEW, **(body or {})}, headers=staff[role])


def row(engine, key: int) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT * FROM decisions WHERE id = :k"), {"k": key}).mappings().one())


def audit(engine, key: int) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT action, username, before, after FROM audit_log "
                    "WHERE layer_id = 'decisions' AND feature_id = :k ORDER BY id"
                ),
                {"k": str(key)},
            ).mappings()
        ]


def test_editor_registers_a_decision_with_its_diacritics_and_the_audit_records_it(client, staff, edits, engine):
    answer = create(client, staff)
    assert answer.status_code == 201, answer.text
    key = answer.json()["id"]
    stored = row(engine, key)
    assert stored["number"] == "77/QĐ-BQL-THỬ"
    assert stored["title_vi"] == NEW["title_vi"]
    assert stored["notes"] == NEW["notes"]
    assert str(stored["date_effective"]) == "2026-03-16"
    assert stored["public"] is True  # the default
    assert answer.json()["labels"]["kind"] == {"vi": "Điều chỉnh cục bộ quy hoạch", "en": "Local plan revision"}
    assert answer.headers["Location"] == f"/api/decisions/{key}"
    [entry] = audit(engine, key)
    assert entry["action"] == "create" and entry["username"] == "test_editor"
    assert entry["before"] is None and entry["after"]["title_vi"] == NEW["title_vi"]


def test_editor_changes_some_fields_and_the_rest_stays(client, staff, edits, engine):
    key = create(client, staff).json()["id"]
    older = create(client, staff, {"number": "12/QĐ-BQL-CŨ"}).json()["id"]
    answer = client.patch(
        f"/api/decisions/{key}",
        json={"title_en": None, "notes": "Đã đính chính số hiệu.", "supersedes": "12/QĐ-BQL-CŨ"},
        headers=staff["editor"],
    )
    assert answer.status_code == 200, answer.text
    stored = row(engine, key)
    assert stored["title_en"] is None and stored["notes"] == "Đã đính chính số hiệu."
    assert stored["supersedes_id"] == older
    assert stored["title_vi"] == NEW["title_vi"]  # not sent: kept
    assert answer.json()["supersedes"] == "12/QĐ-BQL-CŨ"
    entries = audit(engine, key)
    assert [e["action"] for e in entries] == ["create", "update"]
    assert entries[1]["before"]["notes"] == NEW["notes"] and entries[1]["after"]["notes"] == "Đã đính chính số hiệu."


def test_a_stale_etag_is_refused_and_nothing_changes(client, staff, edits, engine):
    key = create(client, staff).json()["id"]
    answer = client.patch(
        f"/api/decisions/{key}", json={"notes": "muộn"}, headers={**staff["editor"], "If-Match": '"0"'}
    )
    assert answer.status_code == 412
    assert row(engine, key)["notes"] == NEW["notes"]


def test_a_number_already_registered_is_a_conflict(client, staff, edits, engine):
    assert create(client, staff).status_code == 201
    again = create(client, staff, {"title_vi": "Bản trùng số"})
    assert again.status_code == 409, again.text
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM decisions WHERE number = :n"), {"n": NEW["number"]})
        assert count.scalar_one() == 1


def test_bad_dates_are_refused(client, staff, edits, engine):
    before = create(client, staff, {"date_effective": "2026-02-01"})
    assert before.status_code == 422
    assert "02/03/2026" in before.json()["description"]  # the dates as people write them
    key = create(client, staff).json()["id"]
    patched = client.patch(f"/api/decisions/{key}", json={"date_signed": "2026-04-01"}, headers=staff["editor"])
    assert patched.status_code == 422  # after the stored effective date
    assert str(row(engine, key)["date_signed"]) == "2026-03-02"
    impossible = create(client, staff, {"number": "78/QĐ-THỬ", "date_signed": "2026-02-30"})
    assert impossible.status_code == 400  # not a date at all: unreadable input


def test_unknown_vocabulary_and_self_supersession_are_refused(client, staff, edits, engine):
    assert create(client, staff, {"kind": "decree"}).status_code == 422
    key = create(client, staff).json()["id"]
    answer = client.patch(f"/api/decisions/{key}", json={"supersedes": key}, headers=staff["editor"])
    assert answer.status_code == 422
    assert "supersede itself" in answer.json()["description"]
    assert row(engine, key)["supersedes_id"] is None


def test_viewer_and_anonymous_cannot_write(client, staff, edits, engine):
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM decisions")).scalar_one()
    assert create(client, staff, role="viewer").status_code == 403
    assert create(client, staff, role="anonymous").status_code == 401
    demo = 1
    assert client.patch(f"/api/decisions/{demo}", json={"notes": "x"}, headers=staff["viewer"]).status_code == 403
    files = {"file": ("a.pdf", PDF, "application/pdf")}
    assert client.put(f"/api/decisions/{demo}/document", files=files, headers=staff["viewer"]).status_code == 403
    assert client.delete(f"/api/decisions/{demo}/document", headers=staff["viewer"]).status_code == 403
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM decisions")).scalar_one() == before


def test_document_round_trip_with_its_name_and_etag(client, staff, edits, engine, documents_cleaned):
    key = create(client, staff).json()["id"]
    files = {"file": (PDF_NAME, PDF, "application/pdf")}
    put = client.put(f"/api/decisions/{key}/document", files=files, headers=staff["editor"])
    assert put.status_code == 200, put.text
    digest = hashlib.sha256(PDF).hexdigest()
    stored = row(engine, key)
    assert (stored["document_filename"], stored["document_sha256"], stored["document_size"]) == (
        PDF_NAME,
        digest,
        len(PDF),
    )
    got = client.get(f"/api/decisions/{key}/document")  # public decision: anyone
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["etag"] == f'"{digest}"'
    assert f"filename*=UTF-8''{quote(PDF_NAME, safe='')}" in got.headers["content-disposition"]
    again = client.get(f"/api/decisions/{key}/document", headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304
    entries = audit(engine, key)
    assert entries[-1]["action"] == "update"
    assert entries[-1]["before"]["document_sha256"] is None and entries[-1]["after"]["document_sha256"] == digest
    removed = client.delete(f"/api/decisions/{key}/document", headers=staff["editor"])
    assert removed.status_code == 200
    assert row(engine, key)["document_sha256"] is None
    assert client.get(f"/api/decisions/{key}/document").status_code == 404
    assert audit(engine, key)[-1]["before"]["document_filename"] == PDF_NAME


def test_the_register_list_says_which_decisions_have_their_pdf(client, staff, edits, engine, documents_cleaned):
    key = create(client, staff).json()["id"]

    def listed() -> bool:
        [entry] = [d for d in client.get("/api/decisions").json()["decisions"] if d["id"] == key]
        return entry["has_document"]

    assert listed() is False
    files = {"file": (PDF_NAME, PDF, PDF_TYPE)}
    put = client.put(f"/api/decisions/{key}/document", files=files, headers=staff["editor"])
    assert put.status_code == 200, put.text
    assert listed() is True
    with engine.connect() as conn:  # every other decision: as the stored columns say
        attached = dict(conn.execute(text("SELECT id, document_sha256 IS NOT NULL FROM decisions")).all())
    everyone = client.get("/api/decisions", headers=staff["viewer"]).json()["decisions"]  # staff: unpublished too
    assert {d["id"]: d["has_document"] for d in everyone} == attached


def test_a_file_that_is_not_a_pdf_is_refused(client, staff, edits, engine, documents_cleaned):
    key = create(client, staff).json()["id"]
    files = {"file": ("quyet-dinh.pdf", b"PK\x03\x04 a zip named .pdf", "application/pdf")}
    answer = client.put(f"/api/decisions/{key}/document", files=files, headers=staff["editor"])
    assert answer.status_code == 415
    assert "not a PDF" in answer.json()["description"]
    assert row(engine, key)["document_sha256"] is None
    empty = client.put(
        f"/api/decisions/{key}/document", files={"file": ("x.pdf", b"", "application/pdf")}, headers=staff["editor"]
    )
    assert empty.status_code == 400


def test_an_oversize_pdf_is_refused_with_413(settings, staff, edits, engine, documents_cleaned):
    assert Settings(DATABASE_URL=settings.database_url).document_max_bytes == 20 * 1024 * 1024
    small = Settings(DATABASE_URL=settings.database_url, DOCUMENT_MAX_BYTES=1024)
    with TestClient(create_app(small)) as client:
        key = create(client, staff).json()["id"]
        big = PDF + b"0" * 1024
        files = {"file": ("lớn.pdf", big, "application/pdf")}
        answer = client.put(f"/api/decisions/{key}/document", files=files, headers=staff["editor"])
        assert answer.status_code == 413
        assert "DOCUMENT_MAX_BYTES" in answer.json()["description"]
        fits = client.put(
            f"/api/decisions/{key}/document",
            files={"file": ("ok.pdf", PDF, "application/pdf")},
            headers=staff["editor"],
        )
        assert fits.status_code == 200
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM documents WHERE size > 1024")).scalar_one() == 0


def test_a_decision_not_published_is_hidden_from_anonymous_readers(client, staff, edits, engine, documents_cleaned):
    key = create(client, staff, {"public": False}).json()["id"]
    files = {"file": (PDF_NAME, PDF, "application/pdf")}
    assert client.put(f"/api/decisions/{key}/document", files=files, headers=staff["editor"]).status_code == 200

    def numbers(response) -> set[str]:
        assert response.status_code == 200, response.text
        return {d["number"] for d in response.json()["decisions"]}

    assert NEW["number"] not in numbers(client.get("/api/decisions"))
    assert NEW["number"] in numbers(client.get("/api/decisions", headers=staff["viewer"]))
    items = client.get("/collections/decisions/items?limit=1000").json()["features"]
    assert NEW["number"] not in {f["properties"]["number"] for f in items}
    staff_items = client.get("/collections/decisions/items?limit=1000", headers=staff["viewer"]).json()["features"]
    assert NEW["number"] in {f["properties"]["number"] for f in staff_items}
    assert client.get(f"/collections/decisions/items/{key}").status_code == 404
    assert client.get(f"/api/decisions/{key}").status_code == 404
    assert client.get(f"/api/decisions/{key}", headers=staff["viewer"]).json()["public"] is False
    assert client.get(f"/api/decisions/{key}/document").status_code == 404
    staff_pdf = client.get(f"/api/decisions/{key}/document", headers=staff["viewer"])
    assert staff_pdf.status_code == 200 and staff_pdf.content == PDF
    # the revision comparison cannot be asked for it by number either
    zone = "KKT-VA"
    compare = client.get("/api/revisions/compare", params={"zone": zone, "from": NEW["number"], "to": "2026-12-31"})
    assert compare.status_code == 404
    published = client.patch(f"/api/decisions/{key}", json={"public": True}, headers=staff["editor"])
    assert published.status_code == 200
    assert NEW["number"] in numbers(client.get("/api/decisions"))
    assert client.get(f"/api/decisions/{key}/document").content == PDF


def test_the_document_columns_cannot_disagree_with_the_stored_bytes(client, staff, edits, engine, documents_cleaned):
    key = create(client, staff).json()["id"]
    files = {"file": (PDF_NAME, PDF, "application/pdf")}
    assert client.put(f"/api/decisions/{key}/document", files=files, headers=staff["editor"]).status_code == 200
    item = f"/collections/decisions/items/{key}"
    wrong = client.patch(
        item,
        json={"properties": {"document_size": len(PDF) + 1}},
        headers={**staff["editor"], "Content-Type": "application/merge-patch+json"},
    )
    assert wrong.status_code == 422, wrong.text
    stored = row(engine, key)
    assert stored["document_size"] == len(PDF)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT size FROM documents WHERE sha256 = :s"), {"s": stored["document_sha256"]})
        assert size.scalar_one() == len(PDF)
