"""Public sheets, reports and item JSON tell the truth: no internal working notes, illustrative things said so, the
issuing board of each province as it is (from data), and every decision marked when it was invented for the demo.

Expected values are read from the database with plain SQL, never from the code under test.
"""

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from layers.registry import LAYERS
from layers.spec import Access

MARKERS = ("VERIFY", "chưa xác minh", "from memory", "[coord ESTIMATE")
PUBLIC_LAYERS = [spec.id for spec in LAYERS.values() if spec.access is Access.public]
# A plain logo: a 1×1 transparent PNG as a data: URI.
LOGO = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5E"
    "rkJggg=="
)


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    assert content.startswith(b"%PDF")
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout


def _internal_notes(engine, table: str, where: str = "") -> list[str]:
    """Distinct working notes of a table long enough to recognise (the first 40 characters of each)."""
    found = _rows(engine, f"SELECT DISTINCT notes FROM {table} WHERE notes IS NOT NULL {where}")  # noqa: S608
    return [row.notes[:40] for row in found if len(row.notes) >= 20]


def _assert_clean(shown: str, notes: list[str], where: str) -> None:
    for marker in MARKERS:
        assert marker not in shown, (where, marker)
    for note in notes:
        assert note not in shown, (where, note)


@pytest.mark.parametrize("layer", PUBLIC_LAYERS)
def test_public_items_carry_no_working_notes(client, staff, engine, layer):
    anonymous = client.get(f"/collections/{layer}/items", params={"limit": 10000}).json()["features"]
    assert anonymous, layer
    notes = _internal_notes(engine, LAYERS[layer].table)
    for feature in anonymous:
        assert "notes" not in feature["properties"], layer
        _assert_clean(json.dumps(feature, ensure_ascii=False), notes, f"{layer} {feature['id']}")
    current = "AND valid_to IS NULL" if LAYERS[layer].versioned else ""  # the items are today's versions
    noted = _rows(engine, f"SELECT count(*) AS n FROM {LAYERS[layer].table} WHERE notes IS NOT NULL {current}")[0].n  # noqa: S608
    if noted:  # staff still read them: the notes moved, they were not lost
        staff_view = client.get(f"/collections/{layer}/items", params={"limit": 10000}, headers=staff["viewer"])
        assert sum(f["properties"].get("notes") is not None for f in staff_view.json()["features"]) == noted


def test_public_item_pages_carry_no_working_notes(client, engine):
    key, notes = _rows(engine, "SELECT id, notes FROM industrial_parks WHERE uid = 'KCN-VA1' AND valid_to IS NULL")[0]
    assert "VERIFY" in notes  # the demo's own working note is still recorded for staff
    page = client.get(f"/collections/industrial_parks/items/{key}?f=html").text
    assert "VERIFY" not in page and notes[:40] not in page
    assert "Ban Quản lý Khu kinh tế tỉnh Hà Tĩnh" in page  # the developer, a name and nothing else


def test_every_park_sheet_and_plot_sheet_is_free_of_working_notes(client, engine, tmp_path):
    parks = _rows(engine, "SELECT uid, geometry_illustrative FROM industrial_parks WHERE valid_to IS NULL ORDER BY uid")
    plots = _rows(
        engine, "SELECT uid, park_uid, geometry_illustrative FROM land_plots WHERE valid_to IS NULL ORDER BY uid"
    )
    notes = (
        _internal_notes(engine, "industrial_parks")
        + _internal_notes(engine, "land_plots")
        + _internal_notes(engine, "issuing_boards")
    )
    assert len(parks) >= 10 and len(plots) >= 200
    for park in parks:
        html = client.get(f"/land/parks/{park.uid}").text
        _assert_clean(html, notes, park.uid)
        illustrative = "Ranh giới khu và các lô đất mang tính minh họa" in html
        assert illustrative == park.geometry_illustrative, park.uid
        pdf = _pdf_text(client.get(f"/land/parks/{park.uid}.pdf").content, tmp_path)
        _assert_clean(pdf, notes, park.uid + ".pdf")
        printed = "Ranh giới khu và các lô đất mang tính minh họa" in " ".join(pdf.split())
        assert printed == park.geometry_illustrative, park.uid
    first_of_park = {}
    for plot in plots:
        html = client.get(f"/land/plots/{plot.uid}").text
        _assert_clean(html, notes, plot.uid)
        assert ("Hình học mang tính minh họa" in html) == plot.geometry_illustrative, plot.uid
        first_of_park.setdefault(plot.park_uid, plot.uid)
    for uid in first_of_park.values():  # one printed plot sheet per park
        _assert_clean(_pdf_text(client.get(f"/land/plots/{uid}.pdf").content, tmp_path), notes, uid + ".pdf")


def test_park_developers_hold_names_only(engine):
    for row in _rows(engine, "SELECT uid, developer FROM industrial_parks WHERE developer IS NOT NULL"):
        assert not any(m in row.developer for m in ("VERIFY", "xác minh", "minh họa", "(")), row


def test_each_sheet_is_issued_by_its_provinces_board_as_recorded(client, engine, tmp_path):
    boards = {r.province_code: r for r in _rows(engine, "SELECT * FROM issuing_boards")}
    assert boards["NINH_BINH"].name_vi == "Ban Quản lý các khu công nghiệp tỉnh Ninh Bình"
    ninh_binh = client.get("/land/parks/KCN-GIAN-KHAU").text
    head = ninh_binh.split('<header class="sheet-head">', 1)[1].split("</header>", 1)[0]
    assert boards["NINH_BINH"].name_vi in head and "Ban Quản lý Khu kinh tế" not in ninh_binh
    for value in (boards["NINH_BINH"].address, boards["NINH_BINH"].phone, boards["NINH_BINH"].email):
        assert value and value in ninh_binh
    assert "Thông tin liên hệ của Ban mang tính minh họa" in ninh_binh  # the demo's contacts are invented
    assert 'class="logo placeholder"' in head  # no logo recorded: the neutral placeholder
    # Hậu Giang merged into Cần Thơ on 2025-07-01: its parks are issued by Cần Thơ's board now.
    merged = _rows(
        engine,
        "SELECT p.uid FROM industrial_parks p JOIN admin_units a ON a.code = p.province_code "
        "WHERE a.merged_into = 'CAN_THO' AND p.valid_to IS NULL ORDER BY p.uid LIMIT 1",
    )[0]
    assert boards["CAN_THO"].name_vi in client.get(f"/land/parks/{merged.uid}").text
    plot = _rows(engine, "SELECT uid FROM land_plots WHERE park_uid = 'KCN-VA1' AND valid_to IS NULL LIMIT 1")[0]
    pdf = _pdf_text(client.get(f"/land/plots/{plot.uid}.pdf").content, tmp_path)
    assert boards["HA_TINH"].name_vi in " ".join(pdf.split())


def test_a_recorded_logo_is_printed_and_a_bad_one_refused_with_a_sentence(client, staff, engine, edits):
    key = _rows(engine, "SELECT id FROM issuing_boards WHERE province_code = 'NINH_BINH'")[0].id
    item = f"/collections/issuing_boards/items/{key}"
    etag = client.get(item, headers=staff["editor"]).headers["etag"]
    headers = {**staff["editor"], "If-Match": etag, "Content-Type": "application/merge-patch+json"}
    refused = client.patch(
        item, content=json.dumps({"properties": {"logo": "http://example.com/logo.png"}}), headers=headers
    )
    assert refused.status_code == 422 and "data: URI" in refused.json()["description"]
    assert _rows(engine, "SELECT logo FROM issuing_boards WHERE id = :k", k=key)[0].logo is None  # nothing written
    saved = client.patch(item, content=json.dumps({"properties": {"logo": LOGO}}), headers=headers)
    try:
        assert saved.status_code == 200, saved.text
        sheet = client.get("/land/parks/KCN-GIAN-KHAU").text
        assert f'<img class="logo" src="{LOGO}"' in sheet and 'class="logo placeholder"' not in sheet
        assert client.get("/land/parks/KCN-GIAN-KHAU.pdf").content.startswith(b"%PDF")
    finally:
        with engine.begin() as conn:  # the demo's board again (the audit rows go with `edits`)
            conn.execute(text("UPDATE issuing_boards SET logo = NULL WHERE id = :k"), {"k": key})


def test_report_headings_name_the_board_of_the_province(client, staff, engine, tmp_path):
    boards = {r.province_code: r.name_vi for r in _rows(engine, "SELECT province_code, name_vi FROM issuing_boards")}
    enterprises = client.get(
        "/api/reports/enterprises", params={"year": 2021, "province": "NINH_BINH", "f": "pdf"}, headers=staff["viewer"]
    )
    assert enterprises.status_code == 200, enterprises.text
    shown = " ".join(_pdf_text(enterprises.content, tmp_path).split())
    assert boards["NINH_BINH"] in shown and "Ban Quản lý Khu kinh tế" not in shown
    programme = client.get(
        "/api/reports/programme", params={"year": 2023, "province": "HA_TINH", "f": "pdf"}, headers=staff["viewer"]
    )
    assert programme.status_code == 200, programme.text
    assert boards["HA_TINH"] in " ".join(_pdf_text(programme.content, tmp_path).split())


def test_decisions_say_when_they_are_illustrative_or_still_in_progress(client, engine):
    stored = {
        r.number: r.illustrative for r in _rows(engine, "SELECT number, illustrative FROM decisions WHERE public")
    }
    listed = {d["number"]: d for d in client.get("/api/decisions").json()["decisions"]}
    assert set(listed) == set(stored)
    assert {n: d["illustrative"] for n, d in listed.items()} == stored
    assert any(stored.values()) and not all(stored.values())
    assert listed["60/NQ-HĐND"]["in_progress"] is True and listed["60/NQ-HĐND"]["changes_plan"] is False
    assert listed["456/QĐ-TTg"]["in_progress"] is False
