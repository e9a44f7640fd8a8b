"""A project's land rent and compliance page in headless Chromium: the figures of plain SQL written the Vietnamese
way, arrears highlighted, every finding with what was decided, nothing fetched from elsewhere."""

from sqlalchemy import text

from tests import accounts
from tests.browser import BrowserPage

VIEWER = "rent_browser_viewer"


def _vn(value: int) -> str:
    """A whole number as Vietnamese reports write it: dots between thousands."""
    return f"{value:,}".replace(",", ".")


def test_staff_read_a_projects_rent_and_findings(browser_page: BrowserPage, engine) -> None:
    bp = browser_page
    with engine.connect() as conn:
        years = conn.execute(
            text(
                "SELECT a.year, a.due_vnd, a.paid_vnd FROM project_rent_amounts a JOIN projects p "
                "ON p.id = a.project_id WHERE p.uid = 'PRJ-VA2' ORDER BY a.year"
            )
        ).all()
        findings = conn.execute(
            text(
                "SELECT f.found_by, f.decided, f.status FROM project_findings f JOIN projects p "
                "ON p.id = f.project_id WHERE p.uid = 'PRJ-VA2'"
            )
        ).all()
        name = conn.execute(text("SELECT name_vi FROM projects WHERE uid = 'PRJ-VA2'")).scalar_one()
    accounts.make_user(engine, VIEWER, "viewer")
    bp.open("/login?next=/projects/PRJ-VA2/rent")
    bp.page.fill("#username", VIEWER)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form.login-form button[type=submit]")
    bp.page.wait_for_load_state("networkidle")
    assert bp.page.url.endswith("/projects/PRJ-VA2/rent")
    assert name in bp.page.inner_text(".pr-project")

    running = 0
    cells = bp.page.eval_on_selector_all(
        "#pr-amounts tbody tr",
        "rows => rows.map(r => [r.dataset.year, r.className, [...r.cells].map(c => c.innerText)])",
    )
    assert [int(y) for y, _, _ in cells] == [y for y, _, _ in years]
    for (year, due, paid), (_, highlight, shown) in zip(years, cells, strict=True):
        running += int(due) - int(paid)
        assert shown[1:] == [_vn(int(due)), _vn(int(paid)), _vn(int(due) - int(paid)), _vn(running)], year
        assert (highlight == "arrears") is (running > 0), year
    assert bp.page.inner_text("#pr-arrears") == _vn(running)

    table = bp.page.inner_text("#pr-findings")
    for found_by, decided, _ in findings:
        assert found_by in table and decided in table
    assert bp.page.locator("#pr-findings tr.open").count() == sum(s == "open" for _, _, s in findings)
    assert "Đồng/m²/năm / Per m² per year" in bp.page.inner_text("#pr-terms")
    assert "rate_basis" not in bp.page.content() and "per_m2_year" not in bp.page.inner_text("main")
    assert bp.page.locator("a[href*='template.xlsx']").count() == 0  # a viewer gets no update sheet
    bp.screenshot("project-rent")
    bp.assert_clean()
