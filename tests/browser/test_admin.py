"""An admin creates a grid leader in the browser; the new account logs in and sees only its own grid's cases."""
from __future__ import annotations

import settings


def test_admin_creates_user_who_can_log_in(staff, live_server, browser):
    page = staff
    page.goto(live_server + "/admin/")
    page.wait_for_selector(".ag-row >> text=grid")
    page.fill("#admin-new-username", "liuqi")
    page.fill("#admin-new-name", "刘七")
    page.click("#admin-new-role")
    page.get_by_role("option", name="网格长").click()
    page.fill("#admin-new-scope", "33038100100102")
    page.fill("#admin-new-password", "short")
    page.click("#admin-create")
    page.wait_for_selector("#admin-user-message:has-text('密码需 10–200 位')")
    page.fill("#admin-new-password", "grid-two-pass-2026")
    page.click("#admin-create")
    page.wait_for_selector("#admin-user-message:has-text('创建 liuqi')")
    page.wait_for_selector(".ag-row >> text=liuqi")

    other = browser.new_context(viewport={"width": 1600, "height": 900})
    try:
        p2 = other.new_page()
        p2.goto(live_server + "/login")
        p2.fill("#username", "liuqi")
        p2.fill("#password", "grid-two-pass-2026")
        p2.click("button[type=submit]")
        p2.wait_for_selector(".user-box:has-text('刘七（网格长）')")
        p2.locator("header a.nav-link[href='/cases/']").wait_for()
        assert p2.locator("header a.nav-link[href='/admin/']").count() == 0
        # the admin page refuses a grid leader even when asked directly
        assert p2.request.get(live_server + "/admin/_dash-layout").status == 403
    finally:
        other.close()


def test_non_admin_cannot_reach_admin(page, live_server):
    from tests.helpers import PASSWORDS

    page.goto(live_server + "/login")
    page.fill("#username", "grid")
    page.fill("#password", PASSWORDS["grid"])
    page.click("button[type=submit]")
    page.wait_for_selector(".user-box:has-text('网格长')")
    response = page.request.get(live_server + "/admin/")
    assert response.status == 403


def _save_rules(page, cell, days: str, yellow: str):
    """Type `days` into a cell of the 办理时限 grid and `yellow` into the yellow window, then 保存."""
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(days)
    page.keyboard.press("Enter")
    page.fill("#admin-rules-yellow", yellow)
    page.click("#admin-rules-save")


def test_admin_sets_deadline_per_category_and_yellow_window(staff, live_server):
    from db import rules
    from db.engine import session_scope

    page = staff
    page.goto(live_server + "/admin/")
    cell = page.locator('#admin-rules .ag-row[row-id="安全隐患"] .ag-cell[col-id="小区"]')
    cell.wait_for()
    assert cell.inner_text().strip() == "3"
    try:
        _save_rules(page, cell, "1", "12")
        page.wait_for_selector("#admin-rules-message:has-text('已保存')")
        with session_scope() as session:
            saved = rules.get_case_rules(session)
        assert saved.days("安全隐患", "小区") == 1 and saved.yellow_hours == 12
        assert saved.days("环境卫生", "小区") == 3

        # a cleared cell is named in the message and nothing changes
        other = page.locator('#admin-rules .ag-row[row-id="噪音扰民"] .ag-cell[col-id="社区"]')
        other.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.press("Enter")
        page.click("#admin-rules-save")
        page.wait_for_selector("#admin-rules-message:has-text('噪音扰民·社区时限（天）：请填写')")
        with session_scope() as session:
            assert rules.get_case_rules(session) == saved

        # a negative day count and a yellow window out of range are named with their range, and nothing changes
        _save_rules(page, other, "-1", "200")
        message = page.locator("#admin-rules-message")
        page.wait_for_selector("#admin-rules-message:has-text('噪音扰民·社区时限（天）：应大于 0 且不超过 365')")
        assert "黄灯提前量" in message.inner_text() and "不超过 168" in message.inner_text(), message.inner_text()
        assert "已保存" not in message.inner_text()
        with session_scope() as session:
            assert rules.get_case_rules(session) == saved
        page.fill("#admin-rules-yellow", "0")
        page.click("#admin-rules-save")
        page.wait_for_function("() => document.querySelector('#admin-rules-message').innerText.includes('应大于 0')"
                               " && !document.querySelector('#admin-rules-message').innerText.includes('请填写')")

        page.reload()
        page.locator('#admin-rules .ag-row[row-id="安全隐患"] .ag-cell[col-id="小区"]:has-text("1")').wait_for()
        assert page.input_value("#admin-rules-yellow") == "12"
    finally:
        with session_scope() as session:  # the module's later tests count lights with the default window
            rules.save_case_rules(session, {}, 24, "test", settings.now())


def test_the_last_active_admin_cannot_be_deactivated(staff, live_server):
    from layouts import text

    page = staff
    page.goto(live_server + "/admin/")
    page.locator("#admin-users .ag-row").filter(has_text="演示管理员").locator(".ag-cell").first.click()
    page.click("#admin-deactivate")
    page.wait_for_selector(f"#admin-user-message:has-text('{text.ADMIN_ERRORS['last_admin']}')")
    row = page.locator("#admin-users .ag-row").filter(has_text="演示管理员")
    assert text.ADMIN_USER_STATE[True] in row.inner_text()


def test_a_new_display_tokens_address_is_shown_once_with_a_copy_button(staff, live_server):
    from sqlalchemy import delete

    from db import models as m
    from db.engine import session_scope

    page = staff
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(live_server + "/admin/")
    page.fill("#admin-token-label", "复制测试大屏")
    page.fill("#admin-token-scope", "330381001")
    try:
        page.click("#admin-token-create")
        url = page.locator("#admin-token-url")
        url.wait_for()
        shown = url.inner_text()
        assert shown.startswith(f"{live_server}/screen/?token=") and len(shown) > len(live_server) + 30
        page.click("#admin-token-message .token-copy")
        # the button writes the clipboard a moment after the click: read it until it holds the address (or time out;
        # wait_for_function would take the Promise of an async read for a truthy answer)
        copied = None
        for _ in range(60):
            copied = page.evaluate("() => navigator.clipboard.readText()")
            if copied == shown:
                break
            page.wait_for_timeout(500)
        assert copied == shown
        # and the address opens the screen
        page.goto(shown)
        page.wait_for_selector(".screen-kpi")
    finally:
        with session_scope() as s:
            s.execute(delete(m.DisplayToken).where(m.DisplayToken.label == "复制测试大屏"))
