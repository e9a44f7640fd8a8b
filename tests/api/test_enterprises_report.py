"""GET /api/reports/enterprises: roll-ups checked against plain SQL over the rows, in JSON, CSV and XLSX; the Ninh Bình
2021 published totals; final over estimate; quarters and months; public figures only for anonymous readers."""

import csv
import io
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.accounts import edits, staff  # noqa: F401  # fixtures

URL = "/api/reports/enterprises"
MEASURES = ("revenue_vnd", "exports_usd", "budget_vnd", "workers_domestic", "workers_foreign", "new_jobs")

# Per park, each project's yearly figure (its final one when it has one), added up — written apart from the module.
PLAIN_SQL = """
SELECT pr.park_uid, count(*) AS projects,
       sum(f.revenue_vnd) AS revenue_vnd, sum(f.exports_usd) AS exports_usd, sum(f.budget_vnd) AS budget_vnd,
       sum(f.workers_domestic) AS workers_domestic, sum(f.workers_foreign) AS workers_foreign,
       sum(f.new_jobs) AS new_jobs
FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id
WHERE f.year = :y AND f.period_kind = 'year' AND pr.park_uid IS NOT NULL
  AND (f.basis = 'final' OR NOT EXISTS (
       SELECT 1 FROM enterprise_figures g WHERE g.project_id = f.project_id AND g.year = f.year
       AND g.period_kind = 'year' AND g.basis = 'final'))
GROUP BY pr.park_uid
"""


def plain(engine, year: int) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r.park_uid: dict(r._mapping) for r in conn.execute(text(PLAIN_SQL), {"y": year})}


def as_number(value):
    return None if value is None else float(value)


def test_park_rows_and_totals_match_plain_sql_in_json_csv_and_xlsx(client, staff, engine):  # noqa: F811
    now, before = plain(engine, 2024), plain(engine, 2023)
    assert len(now) >= 5  # the demo's parks with operating projects
    body = client.get(URL, params={"year": 2024}, headers=staff["viewer"]).json()
    parks = {r["park_uid"]: r for r in body["rows"] if r["level"] == "park"}
    assert set(parks) == set(now)
    for uid, expected in now.items():
        for m in MEASURES:
            assert as_number(parks[uid][m]) == as_number(expected[m]), (uid, m)
            assert as_number(parks[uid][f"{m}_previous"]) == as_number(before.get(uid, {}).get(m)), (uid, m)
        old = Decimal(before[uid]["revenue_vnd"])
        pct = ((Decimal(expected["revenue_vnd"]) - old) * 100 / old).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert parks[uid]["revenue_vnd_change_pct"] == float(pct)
    with engine.connect() as conn:  # totals: every project's figure, in a park or not
        total = conn.execute(
            text(
                "SELECT sum(revenue_vnd) FROM enterprise_figures f WHERE year = 2024 AND period_kind = 'year' "
                "AND (basis = 'final' OR NOT EXISTS (SELECT 1 FROM enterprise_figures g WHERE g.project_id = "
                "f.project_id AND g.year = 2024 AND g.period_kind = 'year' AND g.basis = 'final'))"
            )
        ).scalar_one()
    assert body["totals"]["revenue_vnd"] == int(total)
    with engine.connect() as conn:  # subtotals per province and per zone (a park's zone for projects in parks)
        grouped = conn.execute(
            text(
                "SELECT pr.province_code, coalesce(pr.zone_uid, pk.zone_uid) AS zone_uid, f.revenue_vnd, "
                "f.workers_foreign FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id "
                "LEFT JOIN industrial_parks pk ON pk.uid = pr.park_uid AND pk.valid_to IS NULL "
                "WHERE f.year = 2024 AND f.period_kind = 'year' AND (f.basis = 'final' OR NOT EXISTS (SELECT 1 FROM "
                "enterprise_figures g WHERE g.project_id = f.project_id AND g.year = 2024 AND g.period_kind = 'year' "
                "AND g.basis = 'final'))"
            )
        ).all()
    provinces = {p["uid"]: p for p in body["provinces"]}
    assert set(provinces) == {r.province_code for r in grouped}
    for code, province in provinces.items():
        assert province["revenue_vnd"] == sum(int(r.revenue_vnd) for r in grouped if r.province_code == code)
    zone = next(z for z in body["zones"] if z["uid"] == "KKT-VA")
    assert zone["workers_foreign"] == sum(r.workers_foreign for r in grouped if r.zone_uid == "KKT-VA")
    assert zone["name_vi"] == "Khu kinh tế Vũng Áng"

    response = client.get(URL, params={"year": 2024, "f": "csv"}, headers=staff["viewer"])
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_park = {line["park_uid"]: line for line in lines if line["level"] == "park"}
    for uid, expected in now.items():
        assert float(by_park[uid]["revenue_vnd"]) == float(expected["revenue_vnd"])
        assert float(by_park[uid]["workers_domestic"]) == float(expected["workers_domestic"])
    assert lines[-1]["level"] == "total" and int(lines[-1]["revenue_vnd"]) == int(total)
    assert "Khu công nghiệp Gián Khẩu" in {line["name_vi"] for line in lines}

    response = client.get(URL, params={"year": 2024, "f": "xlsx"}, headers=staff["viewer"])
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[3]]
    assert headers[0] == "Khu công nghiệp"
    revenue_col = headers.index("Doanh thu (đồng) – Kỳ báo cáo")
    workers_col = headers.index("Lao động trong nước (người) – Kỳ báo cáo")
    names = {
        r[0].value: r for r in sheet.iter_rows(min_row=5) if r[0].value
    }  # park names in Vietnamese, as the cells hold them
    with engine.connect() as conn:
        park_names = dict(conn.execute(text("SELECT uid, name_vi FROM industrial_parks WHERE valid_to IS NULL")).all())
    for uid, expected in now.items():
        cells = names[park_names[uid]]
        assert isinstance(cells[revenue_col].value, int)  # a number, not text
        assert cells[revenue_col].value == int(expected["revenue_vnd"])
        assert cells[workers_col].value == int(expected["workers_domestic"])
        assert cells[revenue_col].number_format == "#,##0"
    assert names["Tổng cộng / Total"][revenue_col].value == int(total)


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
def test_ninh_binh_2021_reproduces_the_published_report(client, staff, role):  # noqa: F811
    body = client.get(URL, params={"year": 2021, "province": "NINH_BINH"}, headers=staff[role]).json()
    t = body["totals"]
    assert t["revenue_vnd"] == 69_448 * 10**9
    assert t["revenue_vnd_change"] == 3_047 * 10**9
    assert t["revenue_vnd_change_pct"] == 4.6
    assert t["revenue_vnd_pct_of_target"] == 115.7
    assert t["exports_usd"] == 1_503 * 10**6
    assert t["exports_usd_change_pct"] == 2.1
    assert t["exports_usd_pct_of_target"] == 100.2
    assert t["budget_vnd"] >= 10_000 * 10**9  # published as "over 10,000 billion"
    assert t["new_jobs"] == 2_864 and t["new_jobs_pct_of_target"] == 190.9
    assert (t["workers_domestic"], t["workers_foreign"]) == (43_128, 323)
    assert t["workers_domestic"] + t["workers_foreign"] == 43_451
    assert t["includes_estimates"] is True  # the 2021 figures are estimates (ước)
    assert {r["name_vi"] for r in body["rows"]} == {"Khu công nghiệp Gián Khẩu", "Khu công nghiệp Khánh Phú"}
    assert sum(r["revenue_vnd"] for r in body["rows"]) == t["revenue_vnd"]
    everywhere = client.get(URL, params={"year": 2021}, headers=staff[role]).json()
    ninh_binh = next(p for p in everywhere["provinces"] if p["uid"] == "NINH_BINH")
    assert ninh_binh["name_vi"] == "Tỉnh Ninh Bình"
    assert (ninh_binh["revenue_vnd"], ninh_binh["revenue_vnd_pct_of_target"]) == (69_448 * 10**9, 115.7)
    targets = client.get(URL, params={"year": 2022, "province": "NINH_BINH"}, headers=staff[role]).json()["totals"]
    assert targets["revenue_vnd_target"] == 65_000 * 10**9
    assert targets["exports_usd_target"] == 1_700 * 10**6
    assert targets["budget_vnd_target"] == 10_000 * 10**9
    assert targets["new_jobs_target"] == 3_000


CAPITAL = ("registered_capital_vnd", "registered_capital_usd", "implemented_capital_vnd", "implemented_capital_usd")
# Capital per park at the end of the year: each project's yearly figure (final over estimate), added up; and whether
# any of them is invented — written apart from the module.
CAPITAL_SQL = """
SELECT coalesce(pr.park_uid, '') AS park_uid,
       sum(f.registered_capital_vnd) AS registered_capital_vnd, sum(f.registered_capital_usd) AS registered_capital_usd,
       sum(f.implemented_capital_vnd) AS implemented_capital_vnd,
       sum(f.implemented_capital_usd) AS implemented_capital_usd, bool_or(f.illustrative) AS illustrative
FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id
WHERE f.year = :y AND f.period_kind = 'year' AND pr.province_code = :p
  AND (f.basis = 'final' OR NOT EXISTS (
       SELECT 1 FROM enterprise_figures g WHERE g.project_id = f.project_id AND g.year = f.year
       AND g.period_kind = 'year' AND g.basis = 'final'))
GROUP BY ROLLUP (coalesce(pr.park_uid, ''))
"""


def capital(engine, year: int, province: str) -> dict[str | None, dict]:
    """Capital per park uid, and under None the province's total (the ROLLUP line)."""
    with engine.connect() as conn:
        rows = conn.execute(text(CAPITAL_SQL), {"y": year, "p": province}).all()
    return {r.park_uid: dict(r._mapping) for r in rows}


def test_capital_registered_and_implemented_match_plain_sql_in_json_csv_xlsx_and_pdf(
    client,
    staff,  # noqa: F811
    engine,
    tmp_path,
):
    now, before = capital(engine, 2024, "HA_TINH"), capital(engine, 2023, "HA_TINH")
    total = now[None]
    assert total["registered_capital_usd"] and total["registered_capital_vnd"]  # Hà Tĩnh has both kinds of project
    params = {"year": 2024, "province": "HA_TINH"}
    body = client.get(URL, params=params, headers=staff["viewer"]).json()
    for m in CAPITAL:
        assert as_number(body["totals"][m]) == as_number(total[m]), m
        assert as_number(body["totals"][f"{m}_previous"]) == as_number(before[None][m]), m
        change = Decimal(total[m]) - Decimal(before[None][m])
        assert Decimal(str(body["totals"][f"{m}_change"])) == change, m
        old = Decimal(before[None][m])
        assert body["totals"][f"{m}_change_pct"] == float((change * 100 / old).quantize(Decimal("0.1"), ROUND_HALF_UP))
        assert body["totals"][f"{m}_target"] is None and body["totals"][f"{m}_pct_of_target"] is None  # no plan
    parks = {r["park_uid"]: r for r in body["rows"] if r["level"] == "park"}
    assert set(parks) == {uid for uid in now if uid}
    for uid, row in parks.items():
        for m in CAPITAL:
            assert as_number(row[m]) == as_number(now[uid][m]), (uid, m)
        assert row["includes_illustrative"] is now[uid]["illustrative"] is True  # the demo's figures are invented
    assert body["includes_illustrative"] is True and body["totals"]["includes_illustrative"] is True

    raw = client.get(URL, params={**params, "f": "csv"}, headers=staff["viewer"]).content.decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(raw)))
    assert lines[-1]["level"] == "total"
    for m in CAPITAL:
        assert Decimal(lines[-1][m]) == Decimal(total[m]), m
    assert lines[-1]["includes_illustrative"] == "true"

    xlsx = client.get(URL, params={**params, "f": "xlsx"}, headers=staff["viewer"]).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    headers = [c.value for c in sheet[3]]
    registered = headers.index("Vốn đăng ký (đồng) – Kỳ báo cáo")
    implemented_usd = headers.index("Vốn thực hiện (USD) – Kỳ báo cáo")
    flag = headers.index("Có số liệu minh họa")
    last = list(sheet.iter_rows(min_row=sheet.max_row))[0]
    assert last[0].value == "Tổng cộng / Total"
    assert last[registered].value == int(total["registered_capital_vnd"])
    assert Decimal(str(last[implemented_usd].value)) == Decimal(total["implemented_capital_usd"])
    assert last[implemented_usd].number_format == "#,##0.00" and last[flag].value == "có / yes"
    assert "có số liệu minh họa" in sheet["A2"].value

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(client.get(URL, params={**params, "f": "pdf"}, headers=staff["viewer"]).content)
    got = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True)
    page = " ".join(got.stdout.split())
    assert "IV. Vốn đầu tư theo khu công nghiệp" in page and "Vốn thực hiện (USD)" in page
    for m, divisor in (("registered_capital_vnd", 10**9), ("implemented_capital_usd", 10**6)):
        shown = f"{Decimal(total[m]) / divisor:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        assert shown in page, (m, shown)


def _project_ids(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM projects WHERE uid IN ('PRJ-GK-MAY', 'PRJ-KP-PB') ORDER BY uid"))
        first, second = (r.id for r in rows)
    return first, second


def _insert(engine, rows: list[dict]) -> None:
    with engine.begin() as conn:
        for row in rows:
            values = {"period_kind": "year", "period": 0, "basis": "final", "public": True, "workers_domestic": None}
            values.update(row)
            columns = ", ".join(values)  # the test's own keys, all columns of enterprise_figures
            conn.execute(
                text(f"INSERT INTO enterprise_figures ({columns}) VALUES ({', '.join(':' + k for k in values)})"),
                values,
            )


def test_final_replaces_estimate_and_months_add_up(client, staff, engine, edits):  # noqa: F811
    gk, kp = _project_ids(engine)  # Gián Khẩu and Khánh Phú; the demo has no figures for 2030-2031
    _insert(
        engine,
        [
            {"project_id": gk, "year": 2031, "basis": "estimate", "revenue_vnd": 100, "workers_domestic": 10},
            {"project_id": gk, "year": 2031, "basis": "final", "revenue_vnd": 120, "workers_domestic": 12},
            {"project_id": gk, "year": 2030, "revenue_vnd": 80},
            # Khánh Phú reports by month only: January to April 2031, one of them estimated then made final.
            *({"project_id": kp, "year": 2031, "period_kind": "month", "period": m, "revenue_vnd": 10 * m,
               "workers_domestic": 100 + m, "registered_capital_usd": 1000 + m,
               "implemented_capital_usd": 500 + m if m < 4 else None} for m in (1, 2, 3, 4)),
            {"project_id": kp, "year": 2031, "period_kind": "month", "period": 4, "basis": "estimate",
             "revenue_vnd": 999},
        ],
    )  # fmt: skip
    body = client.get(URL, params={"year": 2031, "province": "NINH_BINH"}, headers=staff["viewer"]).json()
    rows = {r["park_uid"]: r for r in body["rows"]}
    assert rows["KCN-GIAN-KHAU"]["revenue_vnd"] == 120  # the final, not the estimate
    assert rows["KCN-GIAN-KHAU"]["includes_estimates"] is False
    assert rows["KCN-GIAN-KHAU"]["revenue_vnd_change_pct"] == 50.0  # 120 on 80
    assert rows["KCN-KHANH-PHU"]["revenue_vnd"] == 10 + 20 + 30 + 40  # months add up; the final April counts
    assert rows["KCN-KHANH-PHU"]["workers_domestic"] == 104  # head count of the latest month
    assert rows["KCN-KHANH-PHU"]["registered_capital_usd"] == 1004  # capital at the end of the latest month
    assert rows["KCN-KHANH-PHU"]["implemented_capital_usd"] == 503  # April reported none: March's stands
    assert rows["KCN-KHANH-PHU"]["includes_illustrative"] is False  # figures typed in here, not invented
    assert body["totals"]["revenue_vnd"] == 120 + 100
    assert body["totals"]["revenue_vnd_target"] is None  # no plan for 2031
    quarter = client.get(URL, params={"year": 2031, "quarter": 2, "park": "KCN-KHANH-PHU"}, headers=staff["viewer"])
    assert quarter.json()["totals"]["revenue_vnd"] == 40
    assert quarter.json()["rows"][0]["workers_domestic"] == 104


def test_anonymous_readers_get_public_figures_only(client, staff, engine, edits):  # noqa: F811
    gk, kp = _project_ids(engine)
    _insert(
        engine,
        [
            {"project_id": gk, "year": 2031, "revenue_vnd": 7, "public": True},
            {"project_id": kp, "year": 2031, "revenue_vnd": 1000, "public": False},
        ],
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enterprise_targets (scope, scope_uid, year, revenue_vnd, public) "
                "VALUES ('province', 'NINH_BINH', 2031, 2000, false)"
            )
        )
    params = {"year": 2031, "province": "NINH_BINH"}
    anonymous = client.get(URL, params=params).json()
    viewer = client.get(URL, params=params, headers=staff["viewer"]).json()
    assert anonymous["public_only"] is True and viewer["public_only"] is False
    assert anonymous["totals"]["revenue_vnd"] == 7
    assert anonymous["totals"]["revenue_vnd_target"] is None  # an internal plan stays internal
    assert [r["park_uid"] for r in anonymous["rows"]] == ["KCN-GIAN-KHAU"]
    assert viewer["totals"]["revenue_vnd"] == 1007
    assert viewer["totals"]["revenue_vnd_pct_of_target"] == 50.4  # 1007 / 2000
    sheet = load_workbook(io.BytesIO(client.get(URL, params={**params, "f": "xlsx"}).content)).active
    assert "1000" not in " ".join(str(c.value) for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "year is required"),
        ({"year": "twenty"}, "year must be a whole number"),
        ({"year": "1800"}, "year must be a whole number from 1990 to 2100"),
        ({"year": "2021", "quarter": "5"}, "quarter must be a whole number from 1 to 4"),
        ({"year": "2021", "f": "odt"}, "f must be one of json, csv, xlsx, pdf, docx"),
        ({"year": "2021", "park": "KCN-NOWHERE"}, "park 'KCN-NOWHERE' is not known"),
        ({"year": "2021", "province": "Ninh Bình"}, "province must be a code"),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_message(client, params, message):
    response = client.get(URL, params=params)
    assert response.status_code == 400, response.text
    assert message in response.text
