"""The data-health API and page: staff only, nothing on the demo; a contradiction made through the API is listed with
a link, and the write that would contradict the parcels is refused with a sentence, nothing written."""

import json
import re

from sqlalchemy import text

from tests import accounts
from tests.api.test_editing import GEOJSON, decision

staff = accounts.staff
edits = accounts.edits


def visible_text(html: str) -> str:
    """What a reader sees: the page without its tags and attributes."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_staff_only_and_nothing_on_the_demo(client, staff):
    assert client.get("/api/data-health").status_code == 401
    page = client.get("/data-health", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fdata-health"
    for role in ("viewer", "editor", "admin"):
        response = client.get("/api/data-health", headers=staff[role])
        assert response.status_code == 200 and "no-store" in response.headers["cache-control"]
        body = response.json()
        assert body["count"] == 0 and len(body["kinds"]) == 9
    html = client.get("/data-health", headers=staff["viewer"]).text
    shown = visible_text(html)
    assert "Không còn mâu thuẫn nào" in shown and "No contradictions left" in shown
    assert "Lô đất ghi “chưa giải phóng mặt bằng” nhưng mọi thửa đã bàn giao" in shown
    for kind in body["kinds"]:
        assert kind["kind"] not in shown  # codes stay in attributes, never in the text


def test_a_parcel_handed_over_through_the_api_is_listed_and_the_plot_edit_that_contradicts_it_refused(
    client, staff, engine, edits
):
    with engine.connect() as conn:
        plot_id, parcel_id, paid_on = conn.execute(
            text(
                "SELECT p.id, c.id, c.compensation_paid_on FROM land_plots p JOIN clearance_parcels c "
                "ON c.geom && p.geom AND ST_Relate(c.geom, p.geom, '2********') "
                "WHERE p.uid = 'KCN-VHVA-DV3' AND p.valid_to IS NULL AND c.handed_over_on IS NULL"
            )
        ).one()
    try:
        changed = client.patch(
            f"/collections/clearance_parcels/items/{parcel_id}",
            content=json.dumps({"type": "Feature", "properties": {"handed_over_on": paid_on.isoformat()}}),
            headers={**GEOJSON, **staff["editor"]},
        )
        assert changed.status_code == 200, changed.text
        body = client.get("/api/data-health", headers=staff["viewer"]).json()
        assert body["count"] == 1
        [kind] = [k for k in body["kinds"] if k["count"]]
        assert kind["kind"] == "plot_not_cleared_handed_over"
        assert kind["items"][0]["link"] == f"/workspace#layer=land_plots&id={plot_id}"
        html = client.get("/data-health", headers=staff["viewer"]).text
        assert f'href="/workspace#layer=land_plots&amp;id={plot_id}"' in html
        assert "Lô DV3 (Khu công nghiệp Vinhomes Vũng Áng) ghi “chưa giải phóng mặt bằng”" in visible_text(html)
        # Writing the plot as still not cleared is refused with the rule as a sentence; nothing is written.
        decision(engine, "HEALTH-1/2026/QD-BQL", "2026-11-15")
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT count(*) FROM land_plots WHERE uid = 'KCN-VHVA-DV3'")).scalar_one()
        refused = client.patch(
            f"/collections/land_plots/items/{plot_id}",
            content=json.dumps({"type": "Feature", "properties": {"notes": "vẫn chưa giải phóng"}}),
            headers={**GEOJSON, **staff["editor"], "Decision": "HEALTH-1/2026/QD-BQL"},
        )
        assert refused.status_code == 422
        assert "a plot cannot be marked not cleared" in refused.json()["description"]
        assert "chưa giải phóng mặt bằng" in refused.json()["description"]
        with engine.connect() as conn:
            after = conn.execute(text("SELECT count(*) FROM land_plots WHERE uid = 'KCN-VHVA-DV3'")).scalar_one()
            assert after == versions
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE clearance_parcels SET handed_over_on = NULL WHERE id = :i"), {"i": parcel_id})
    assert client.get("/api/data-health", headers=staff["viewer"]).json()["count"] == 0
