"""The figures and targets collections: staff-only (anonymous readers are not told they exist), readable and
filterable by staff, and offered as spreadsheet templates keyed by project, period and basis."""

import io

from openpyxl import load_workbook
from sqlalchemy import text

from tests.accounts import staff  # noqa: F401  # fixture


def test_anonymous_readers_do_not_see_the_collections(client):
    listed = {c["id"] for c in client.get("/collections", params={"f": "json"}).json()["collections"]}
    assert "decisions" in listed and not listed & {"enterprise_figures", "enterprise_targets"}
    for layer in ("enterprise_figures", "enterprise_targets"):
        assert client.get(f"/collections/{layer}/items", params={"f": "json"}).status_code in (401, 404)


def test_staff_read_and_filter_figures(client, staff, engine):  # noqa: F811
    listed = {
        c["id"] for c in client.get("/collections", params={"f": "json"}, headers=staff["viewer"]).json()["collections"]
    }
    assert {"enterprise_figures", "enterprise_targets"} <= listed
    with engine.connect() as conn:
        expected = conn.execute(text("SELECT count(*) FROM enterprise_figures WHERE year = 2021")).scalar_one()
    body = client.get(
        "/collections/enterprise_figures/items",
        params={"year": 2021, "limit": 1000, "f": "json"},
        headers=staff["viewer"],
    ).json()
    assert expected > 0 and len(body["features"]) == expected
    assert all(f["properties"]["year"] == 2021 and f["geometry"] is None for f in body["features"])


def test_the_spreadsheet_template_keys_figures_by_project_period_and_basis(client, staff):  # noqa: F811
    """No uid: the sheet is keyed by the layer's natural key (the rest in tests/api/test_updates_natural_key.py)."""
    response = client.get("/api/updates/enterprise_figures/template.xlsx?year=2021", headers=staff["editor"])
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(2, c).value for c in range(1, 6)]
    assert names == ["project_uid", "year", "period_kind", "period", "basis"]
