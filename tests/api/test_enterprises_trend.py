"""GET /api/reports/enterprises/trend: each year's totals equal that year's report's totals, and plain SQL over the
rows; one statement reads the figures; the reader's access as in the report; CSV; bad spans refused."""

import csv
import io
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from tests.accounts import edits, staff  # noqa: F401  # fixtures

URL = "/api/reports/enterprises/trend"
REPORT = "/api/reports/enterprises"
PLACES = [{}, {"province": "NINH_BINH"}, {"zone": "KKT-VA"}, {"park": "KCN-VA1"}]

# Each year's revenue and foreign workers in Hà Tĩnh: every project's yearly figure (its final one when it has one),
# added up — written apart from layers/enterprises.py (the demo reports yearly rows only).
PLAIN_SQL = """
SELECT f.year, sum(f.revenue_vnd) AS revenue_vnd, sum(f.workers_foreign) AS workers_foreign, count(*) AS projects
FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id
WHERE pr.province_code = 'HA_TINH' AND f.period_kind = 'year' AND (:staff OR f.public)
  AND (f.basis = 'final' OR NOT EXISTS (
       SELECT 1 FROM enterprise_figures g WHERE g.project_id = f.project_id AND g.year = f.year
       AND g.period_kind = 'year' AND g.basis = 'final' AND (:staff OR g.public)))
GROUP BY f.year
"""


@contextmanager
def statements(client):
    """The SQL statements the app runs meanwhile, on both of its engines."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engines = {client.app.state.engine, client.app.state.read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def _compare_with_reports(client, headers, params: dict, first: int, last: int) -> dict:
    """Assert that every year of the trend carries exactly that year's report's totals; return the trend."""
    trend = client.get(URL, params={"from": first, "to": last, **params}, headers=headers)
    assert trend.status_code == 200, trend.text
    body = trend.json()
    assert [y["year"] for y in body["years"]] == list(range(first, last + 1))
    flags = []
    for year in body["years"]:
        report = client.get(REPORT, params={"year": year["year"], **params}, headers=headers).json()
        assert {**report["totals"], "year": year["year"]} == year, (params, year["year"])
        flags.append(report["includes_illustrative"])
    assert body["includes_illustrative"] is any(flags)
    assert (body["province"], body["zone"], body["park"]) == tuple(params.get(k) for k in ("province", "zone", "park"))
    return body


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
@pytest.mark.parametrize("place", PLACES, ids=["everywhere", "province", "zone", "park"])
def test_each_years_totals_equal_that_years_report(client, staff, role, place):  # noqa: F811
    body = _compare_with_reports(client, staff[role], place, 2018, 2025)  # 2018: no figures, 2019 compares with none
    assert body["public_only"] is (role == "anonymous")
    assert body["years"][0]["projects_reporting"] == 0 and body["years"][0]["revenue_vnd"] is None
    if not place:
        assert body["years"][1]["revenue_vnd"] is not None and body["years"][1]["revenue_vnd_previous"] is None


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
def test_revenue_and_foreign_workers_per_year_match_plain_sql(client, staff, engine, role):  # noqa: F811
    with engine.connect() as conn:
        plain = {r.year: r for r in conn.execute(text(PLAIN_SQL), {"staff": role != "anonymous"})}
    assert len(plain) >= 5
    body = client.get(URL, params={"from": 2019, "to": 2025, "province": "HA_TINH"}, headers=staff[role]).json()
    for year in body["years"]:
        expected = plain.get(year["year"])
        assert year["revenue_vnd"] == (None if expected is None else int(expected.revenue_vnd)), year["year"]
        assert year["workers_foreign"] == (None if expected is None else int(expected.workers_foreign)), year["year"]
        assert year["projects_reporting"] == (0 if expected is None else expected.projects), year["year"]
        before = plain.get(year["year"] - 1)
        if expected is not None and before is not None:
            assert year["revenue_vnd_change"] == int(expected.revenue_vnd - before.revenue_vnd), year["year"]
    if role == "anonymous":  # the demo's 2025 figures are internal estimates
        assert body["years"][-1]["revenue_vnd"] is None and body["years"][-1]["projects_reporting"] == 0
    else:
        assert body["years"][-1]["includes_estimates"] is True


def test_one_statement_reads_the_figures_for_every_year(client, staff):  # noqa: F811
    with statements(client) as seen:
        response = client.get(URL, params={"from": 2019, "to": 2025, "province": "HA_TINH"}, headers=staff["viewer"])
    assert response.status_code == 200
    assert len([s for s in seen if "enterprise_figure" in s]) == 1, seen  # enterprise_figure_years: one row a year
    assert len([s for s in seen if "enterprise_targets" in s]) == 1, seen


def _insert(engine, rows: list[dict]) -> None:
    with engine.begin() as conn:
        for row in rows:
            values = {"period_kind": "year", "period": 0, "basis": "final", "public": True}
            values.update(row)
            columns = ", ".join(values)  # the test's own keys, all columns of enterprise_figures
            conn.execute(
                text(f"INSERT INTO enterprise_figures ({columns}) VALUES ({', '.join(':' + k for k in values)})"),
                values,
            )


def test_months_estimates_targets_and_public_figures_as_in_the_report(client, staff, engine, edits):  # noqa: F811
    with engine.connect() as conn:
        gk, kp = (
            conn.execute(text("SELECT id FROM projects WHERE uid = :u"), {"u": uid}).scalar_one()
            for uid in ("PRJ-GK-MAY", "PRJ-KP-PB")
        )
    _insert(  # the demo has no figures for 2029-2031
        engine,
        [
            {"project_id": gk, "year": 2030, "revenue_vnd": 80, "workers_domestic": 9},
            {"project_id": gk, "year": 2031, "basis": "estimate", "revenue_vnd": 100, "workers_domestic": 10},
            {"project_id": gk, "year": 2031, "basis": "final", "revenue_vnd": 120, "workers_domestic": 12},
            # Khánh Phú reports by month, internally: January to March 2031, March estimated then made final.
            *({"project_id": kp, "year": 2031, "period_kind": "month", "period": m, "revenue_vnd": 1000 * m,
               "workers_domestic": 100 + m, "public": False} for m in (1, 2, 3)),
            {"project_id": kp, "year": 2031, "period_kind": "month", "period": 3, "basis": "estimate",
             "revenue_vnd": 9999, "public": False},
            {"project_id": kp, "year": 2030, "period_kind": "quarter", "period": 4, "basis": "estimate",
             "revenue_vnd": 500, "public": False},
        ],
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enterprise_targets (scope, scope_uid, year, revenue_vnd, public) VALUES "
                "('province', 'NINH_BINH', 2031, 10000, false), ('province', 'NINH_BINH', 2030, 400, true)"
            )
        )
    for role in ("anonymous", "viewer"):
        _compare_with_reports(client, staff[role], {"province": "NINH_BINH"}, 2029, 2031)
    params = {"from": 2029, "to": 2031, "province": "NINH_BINH"}
    anonymous = client.get(URL, params=params).json()["years"]
    viewer = client.get(URL, params=params, headers=staff["viewer"]).json()["years"]
    assert [y["revenue_vnd"] for y in anonymous] == [None, 80, 120]  # the months are internal
    assert [y["revenue_vnd"] for y in viewer] == [None, 80 + 500, 120 + 1000 + 2000 + 3000]  # the final March
    assert viewer[2]["workers_domestic"] == 12 + 103  # head counts of the latest period
    assert [y["includes_estimates"] for y in viewer] == [False, True, False]
    assert anonymous[2]["revenue_vnd_target"] is None and viewer[2]["revenue_vnd_pct_of_target"] == 61.2  # 6120/10000
    assert anonymous[1]["revenue_vnd_pct_of_target"] == 20.0  # the public 2030 plan: 80 of 400
    assert viewer[2]["revenue_vnd_change_pct"] == 955.2  # 6120 on 580: +5540
    assert not any(y["includes_illustrative"] for y in viewer[2:])  # typed in here, compared with typed-in figures


def test_csv_has_one_line_per_year_with_the_json_figures(client, staff):  # noqa: F811
    params = {"from": 2019, "to": 2025, "province": "HA_TINH"}
    body = client.get(URL, params=params, headers=staff["viewer"]).json()
    response = client.get(URL, params={**params, "f": "csv"}, headers=staff["viewer"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="doanh-nghiep-2019-2025-HA_TINH.csv"' in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(line["year"]) for line in lines] == list(range(2019, 2026))
    assert lines[0]["exports_usd_change_pct"] == "" and lines[1]["exports_usd_change_pct"] != ""  # 2018: none
    for line, year in zip(lines, body["years"], strict=True):
        for key in ("revenue_vnd", "exports_usd_change_pct", "workers_domestic", "new_jobs_pct_of_target"):
            assert (float(line[key]) if line[key] else None) == year[key], (year["year"], key)
        assert line["includes_illustrative"] == ("true" if year["includes_illustrative"] else "false")
    assert "level" not in lines[0] and "name_vi" not in lines[0]  # totals only, no park rows


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "from and to are required"),
        ({"from": "2019"}, "from and to are required"),
        ({"from": "twenty", "to": "2025"}, "from must be a whole number from 1990 to 2100"),
        ({"from": "2019", "to": "2200"}, "to must be a whole number from 1990 to 2100"),
        ({"from": "2025", "to": "2019"}, "from (2025) must not be after to (2019)"),
        ({"from": "1990", "to": "2025"}, "a trend covers at most 30 years; from=1990 to=2025 is 36 years"),
        ({"from": "2019", "to": "2025", "f": "xlsx"}, "f must be one of json, csv"),
        ({"from": "2019", "to": "2025", "park": "KCN-NOWHERE"}, "park 'KCN-NOWHERE' is not known"),
        ({"from": "2019", "to": "2025", "province": "Ninh Bình"}, "province must be a code"),
        ({"from": "2019", "to": "2025", "quarter": "2"}, "unknown parameter quarter"),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_message(client, params, message):
    response = client.get(URL, params=params)
    assert response.status_code == 400, response.text
    assert message in response.json()["description"]


def test_thirty_years_are_accepted(client):
    body = client.get(URL, params={"from": 1996, "to": 2025}).json()
    assert len(body["years"]) == 30 and body["from"] == 1996 and body["to"] == 2025
