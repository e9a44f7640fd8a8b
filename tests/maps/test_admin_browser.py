"""The account administration page in headless Chromium against `zoneatlas serve`, checked in the database by SQL."""

import httpx
from argon2 import PasswordHasher
from sqlalchemy import text

from tests import accounts
from tests.browser import BrowserPage

DECISION = "1076/QĐ-TTg"  # a registered demo decision (data/demo/decisions.csv)
ADMIN = "adm_browser_admin"
NEW = "adm_browser_ht"


def _sql(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).one_or_none()


def _sign_in(bp: BrowserPage, username: str) -> None:
    bp.open("/login?next=/admin/accounts")
    bp.page.fill("#username", username)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form.login-form button[type=submit]")
    bp.page.wait_for_load_state("networkidle")


def test_admin_creates_a_scoped_editor_binds_a_token_to_a_decision_and_revokes_it(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    accounts.make_user(engine, ADMIN, "admin")
    _sign_in(bp, ADMIN)
    assert bp.page.url.endswith("/admin/accounts")
    bp.page.wait_for_selector(f"#accounts tr[data-username='{ADMIN}']")
    admin_row = bp.page.inner_text(f"#accounts tr[data-username='{ADMIN}']")
    assert "Quản trị / Admin" in admin_row and "Tất cả tỉnh / All provinces" in admin_row
    assert bp.page.is_visible("header a[href='/admin/accounts']")

    # 1. an editor scoped to Hà Tĩnh, with a generated password shown once
    bp.page.fill("#new-username", NEW)
    bp.page.fill("#new-display-name", "Trần Văn Hà")
    bp.page.select_option("#new-role", "editor")
    bp.page.check("#create-form input[name=province][value=HA_TINH]")
    assert not bp.page.is_checked("#create-form .all-provinces")
    bp.page.click("#create-submit")
    bp.page.wait_for_selector(f"#accounts tr[data-username='{NEW}']")
    password = bp.page.inner_text("#admin-secret-value")
    row = _sql(engine, "SELECT id, role, provinces, active, password_hash FROM users WHERE username = :u", u=NEW)
    assert (row.role, row.provinces, row.active) == ("editor", ["HA_TINH"], True)
    assert PasswordHasher().verify(row.password_hash, password)
    created = _sql(engine, "SELECT actor_name, action FROM account_audit WHERE account_name = :u", u=NEW)
    assert tuple(created) == (ADMIN, "create")
    shown = bp.page.inner_text(f"#accounts tr[data-username='{NEW}']")
    assert "Biên tập / Editor" in shown and "Tỉnh Hà Tĩnh / Hà Tĩnh Province" in shown and "HA_TINH" not in shown
    bp.page.click("#admin-secret-close")
    assert bp.page.inner_text("#admin-secret-value") == ""

    # 2. a personal token bound to a decision: the value shown once, the decision on the token row
    bp.page.click(f"#accounts tr[data-username='{NEW}'] button[data-action=new-token]")
    bp.page.fill("#token-name", "QGIS Ban quản lý Hà Tĩnh")
    bp.page.select_option("#token-decision", DECISION)
    bp.page.click("#token-create")
    token_row = f"#accounts tr[data-tokens-of='{NEW}'] tr[data-token-id]"
    bp.page.wait_for_selector(token_row)
    value = bp.page.inner_text("#admin-secret-value")
    assert value.startswith("za_")
    bound = _sql(
        engine,
        "SELECT t.id, d.number, t.revoked_at FROM api_tokens t JOIN decisions d ON d.id = t.decision_id "
        "WHERE t.user_id = :id AND t.kind = 'personal'",
        id=row.id,
    )
    assert bound.number == DECISION and bound.revoked_at is None
    assert bp.page.get_attribute(token_row, "data-token-id") == str(bound.id)
    assert bp.page.inner_text(f"{token_row} td.decision") == DECISION
    assert value not in bp.page.inner_text("#accounts")
    me = httpx.get(f"{live_server}/auth/me", headers={"Authorization": f"Bearer {value}"}, timeout=30)
    assert me.status_code == 200 and me.json()["username"] == NEW

    # 3. revoking asks first: dismissed, nothing happens; accepted, the token stops working
    messages: list[str] = []

    def answer(dialog, accept: bool) -> None:
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    bp.page.once("dialog", lambda dialog: answer(dialog, False))
    bp.page.click(f"{token_row} button[data-action=revoke]")
    assert "Thu hồi" in messages[0] and "Revoke" in messages[0]
    assert _sql(engine, "SELECT revoked_at FROM api_tokens WHERE id = :id", id=bound.id).revoked_at is None
    bp.page.once("dialog", lambda dialog: answer(dialog, True))
    bp.page.click(f"{token_row} button[data-action=revoke]")
    bp.page.wait_for_selector(f"#accounts tr[data-tokens-of='{NEW}'] tr.revoked")
    assert _sql(engine, "SELECT revoked_at FROM api_tokens WHERE id = :id", id=bound.id).revoked_at is not None
    me = httpx.get(f"{live_server}/auth/me", headers={"Authorization": f"Bearer {value}"}, timeout=30)
    assert me.status_code == 401
    with engine.connect() as conn:
        actions = conn.execute(
            text("SELECT actor_name, action FROM account_audit WHERE account_name = :u ORDER BY id"), {"u": NEW}
        ).all()
    assert [tuple(a) for a in actions] == [(ADMIN, "create"), (ADMIN, "token_create"), (ADMIN, "token_revoke")]
    changes = bp.page.inner_text("#changes")
    assert "Thu hồi khóa / Token revoked" in changes and f"quyết định / decision {DECISION}" in changes
    bp.screenshot("admin_accounts")
    bp.assert_clean()


def test_admin_edits_provinces_resets_a_password_and_disables_after_confirming(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    accounts.make_user(engine, ADMIN, "admin")
    accounts.make_user(engine, "adm_browser_ct", "viewer")
    _sign_in(bp, ADMIN)
    row = "#accounts tr[data-username='adm_browser_ct']"
    bp.page.wait_for_selector(row)

    bp.page.click(f"{row} button[data-action=edit]")
    bp.page.select_option("#edit-role", "editor")
    bp.page.check("#edit-form input[name=province][value=CAN_THO]")
    bp.page.check("#edit-form input[name=province][value=AN_GIANG]")
    bp.page.click("#edit-save")
    bp.page.wait_for_function(f"() => document.querySelector(\"{row} td.role\").textContent === 'Biên tập / Editor'")
    stored = _sql(engine, "SELECT role, provinces FROM users WHERE username = 'adm_browser_ct'")
    assert (stored.role, stored.provinces) == ("editor", ["AN_GIANG", "CAN_THO"])
    assert bp.page.inner_text(f"{row} td.provinces") == (
        "Tỉnh An Giang / An Giang Province; Thành phố Cần Thơ / Cần Thơ City"
    )

    messages: list[str] = []
    bp.page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    old_hash = _sql(engine, "SELECT password_hash FROM users WHERE username = 'adm_browser_ct'").password_hash
    bp.page.click(f"{row} button[data-action=reset-password]")
    bp.page.wait_for_selector("#admin-secret:not([hidden])")
    password = bp.page.inner_text("#admin-secret-value")
    new_hash = _sql(engine, "SELECT password_hash FROM users WHERE username = 'adm_browser_ct'").password_hash
    assert new_hash != old_hash and PasswordHasher().verify(new_hash, password)
    assert "Đặt lại mật khẩu" in messages[-1]

    bp.page.click(f"{row} button[data-action=disable]")
    bp.page.wait_for_selector(f"{row}.disabled")
    assert "Khóa tài khoản" in messages[-1] and "Disable" in messages[-1]
    assert _sql(engine, "SELECT active FROM users WHERE username = 'adm_browser_ct'").active is False
    assert "Đã khóa / Disabled" in bp.page.inner_text(f"{row} td.state")
    with engine.connect() as conn:
        actions = conn.execute(
            text("SELECT action FROM account_audit WHERE account_name = 'adm_browser_ct' ORDER BY id")
        ).scalars()
        assert list(actions) == ["role", "provinces", "password_reset", "disable"]
    bp.assert_clean()
